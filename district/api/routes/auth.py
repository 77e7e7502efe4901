"""Log in, make API tokens, say who I am."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.orm import Session

from district import models
from district.api.deps import Ctx, CurrentUser
from district.api.schemas import LoginIn, TokenIn, TokenOut, UserIn, UserOut
from district.auth import service as auth
from district.errors import RateLimited, Unauthorized
from district.org import service as org

router = APIRouter(tags=["auth"])


@router.post("/auth/login", response_model=TokenOut)
def login(body: LoginIn, ctx: Ctx) -> TokenOut:
    """Exchange a user name and password for a session token (rate-limited per user name)."""
    s = ctx.settings
    failure: Exception | None = None
    with ctx.tx() as session:
        try:
            token, expires_at = auth.login(
                session=session, username=body.username, password=body.password, now=ctx.now(),
                window_s=s.login_window_s, max_failures=s.login_max_failures, ttl_s=s.session_ttl_s,
            )
        except RateLimited:
            raise
        except Unauthorized as exc:  # keep the failed attempt: commit, then refuse
            failure = exc
    if failure is not None:
        raise failure
    return TokenOut(token=token, expires_at=expires_at)


@router.post("/auth/tokens", response_model=TokenOut, status_code=201)
def make_token(body: TokenIn, ctx: Ctx, user: CurrentUser) -> TokenOut:
    """A named, long-lived token for programmatic pulls (shown once)."""
    with ctx.tx() as session:
        return TokenOut(token=auth.create_api_token(session=session, principal=user, name=body.name, now=ctx.now()))


@router.get("/me", response_model=UserOut)
def me(ctx: Ctx, user: CurrentUser) -> UserOut:
    """The calling user."""
    with ctx.tx() as session:
        return _user_out(session, user.username, user.role, user.school_id)


def _user_out(session: Session, username: str, role: str, school_id: int | None) -> UserOut:
    school = session.get(models.School, school_id) if school_id is not None else None
    return UserOut(username=username, role=role, school=school.code if school else None)


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserIn, ctx: Ctx, user: CurrentUser) -> UserOut:
    """Create a user (district admin only); staff need a school."""
    user.require_admin()
    with ctx.tx() as session:
        school_id = org.get_school(session=session, code=body.school).id if body.school else None
        made = auth.create_user(session=session, username=body.username, password=body.password, role=body.role, school_id=school_id)
        return _user_out(session, made.username, made.role, made.school_id)

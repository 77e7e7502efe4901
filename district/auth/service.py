"""Users, roles, tokens and the login rate limit. Keyword-only service functions.

Roles: ``admin`` (the district office, everything), ``staff`` (one school: reads it,
manages its timetable, teachers, bells and enrolment codes), ``analyst`` (reads the
whole district, writes nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from district import models
from district.errors import BadInput, Conflict, Forbidden, NotFound, RateLimited, Unauthorized
from district.i18n import _
from district.security import digest, hash_password, new_token, verify_password

ROLES = ("admin", "staff", "analyst")


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user's id, role and (for staff) school id."""

    user_id: int
    username: str
    role: str
    school_id: int | None

    def can_read_school(self, school_id: int) -> bool:
        """Admins and analysts read every school; staff only their own."""
        return self.role in ("admin", "analyst") or self.school_id == school_id

    def require_read_school(self, school_id: int) -> None:
        """Raise :class:`Forbidden` unless the school is readable."""
        if not self.can_read_school(school_id):
            raise Forbidden(_("this account may not read another school's data"))

    def require_manage_school(self, school_id: int) -> None:
        """Admins manage every school; staff only their own; analysts nothing."""
        if self.role == "admin" or (self.role == "staff" and self.school_id == school_id):
            return
        raise Forbidden(_("this account may not change this school"))

    def require_admin(self) -> None:
        """Raise :class:`Forbidden` unless a district admin."""
        if self.role != "admin":
            raise Forbidden(_("only a district admin may do this"))


def create_user(
    *, session: Session, username: str, password: str, role: str, school_id: int | None = None
) -> models.User:
    """Create a user; staff need a school, others must not have one."""
    if role not in ROLES:
        raise BadInput(_("unknown role {role!r}; expected admin, staff or analyst").format(role=role))
    if role == "staff" and school_id is None:
        raise BadInput(_("a staff account needs a school"))
    if role != "staff":
        school_id = None
    if len(password) < 8:
        raise BadInput(_("password shorter than 8 characters"))
    if session.scalar(select(models.User).where(models.User.username == username)) is not None:
        raise Conflict(_("user {name!r} already exists").format(name=username), code="exists")
    user = models.User(username=username, password_hash=hash_password(password), role=role, school_id=school_id, is_active=True)
    session.add(user)
    session.flush()
    return user


def ensure_admin(*, session: Session, username: str, password: str) -> None:
    """Create admin ``username`` unless a user of that name exists (idempotent bootstrap)."""
    if session.scalar(select(models.User).where(models.User.username == username)) is None:
        create_user(session=session, username=username, password=password, role="admin")


def login(
    *, session: Session, username: str, password: str, now: float, window_s: float, max_failures: int, ttl_s: float
) -> tuple[str, float]:
    """Check a password and return ``(token, expires_at)``.

    Failed attempts are stored; after ``max_failures`` within ``window_s`` further
    attempts for that user name are refused with :class:`RateLimited` (in every worker).
    """
    since = now - window_s
    session.execute(delete(models.LoginAttempt).where(models.LoginAttempt.at < now - 2 * window_s))
    failures = session.scalar(
        select(func.count()).select_from(models.LoginAttempt).where(
            models.LoginAttempt.username == username, models.LoginAttempt.at >= since
        )
    ) or 0
    if failures >= max_failures:
        raise RateLimited(_("too many failed logins; try again later"), retry_after_s=int(window_s))
    user = session.scalar(select(models.User).where(models.User.username == username))
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        session.add(models.LoginAttempt(username=username, at=now))
        raise Unauthorized(_("wrong user name or password"), code="bad_credentials")
    token = new_token("u")
    expires_at = now + ttl_s
    session.add(models.ApiToken(user_id=user.id, token_hash=digest(token), name="login", created_at=now, expires_at=expires_at))
    return token, expires_at


def create_api_token(*, session: Session, principal: Principal, name: str, now: float) -> str:
    """A long-lived named token for programmatic pulls (shown once)."""
    token = new_token("u")
    session.add(models.ApiToken(user_id=principal.user_id, token_hash=digest(token), name=name, created_at=now))
    return token


def principal_for_token(*, session: Session, token: str, now: float) -> Principal:
    """The user behind a bearer token; :class:`Unauthorized` when unknown, expired or revoked."""
    row = session.execute(
        select(models.ApiToken, models.User)
        .join(models.User, models.User.id == models.ApiToken.user_id)
        .where(models.ApiToken.token_hash == digest(token))
    ).first()
    if row is None:
        raise Unauthorized(_("unknown or missing token"), code="bad_token")
    api_token, user = row
    if api_token.revoked_at is not None or (api_token.expires_at is not None and api_token.expires_at <= now):
        raise Unauthorized(_("token expired or revoked; log in again"), code="bad_token")
    if not user.is_active:
        raise Unauthorized(_("account disabled"), code="bad_token")
    return Principal(user_id=user.id, username=user.username, role=user.role, school_id=user.school_id)


def get_user(*, session: Session, username: str) -> models.User:
    """A user by name; :class:`NotFound` otherwise."""
    user = session.scalar(select(models.User).where(models.User.username == username))
    if user is None:
        raise NotFound(_("no user {name!r}").format(name=username))
    return user

"""Request-scoped dependencies: settings, clock, sessions, the calling user or Pi."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from district.auth import service as auth
from district.auth.service import Principal
from district.db import transaction
from district.errors import Unauthorized
from district.i18n import _
from district.settings import Settings


@dataclass(frozen=True)
class AppContext:
    """What every request needs from the application: settings, sessions, the clock."""

    settings: Settings
    sessions: sessionmaker[Session]
    now: Callable[[], float]

    @contextmanager
    def tx(self) -> Iterator[Session]:
        """A session in one transaction, committed before the response is sent."""
        with transaction(self.sessions) as session:
            yield session


def get_ctx(request: Request) -> AppContext:
    """The application's context."""
    ctx: AppContext = request.app.state.ctx
    return ctx


bearer = HTTPBearer(auto_error=False, description="a user token from /auth/login or /auth/tokens, or a Pi token")
Ctx = Annotated[AppContext, Depends(get_ctx)]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def bearer_token(credentials: HTTPAuthorizationCredentials | None) -> str | None:
    """The raw bearer token, or None."""
    return credentials.credentials if credentials is not None else None


def get_principal(ctx: Ctx, credentials: Credentials) -> Principal:
    """The user behind the bearer token; 401 when missing or wrong."""
    token = bearer_token(credentials)
    if not token:
        raise Unauthorized(_("missing token; log in at /api/v1/auth/login"), code="bad_token")
    with ctx.tx() as session:
        return auth.principal_for_token(session=session, token=token, now=ctx.now())


CurrentUser = Annotated[Principal, Depends(get_principal)]

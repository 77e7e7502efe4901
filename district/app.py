"""The FastAPI application: ``create_app(settings)`` builds one over a database URL.

Stateless: every request opens its own transaction; nothing in process must agree
with another worker. ``uvicorn district.app:app_factory --factory`` reads settings
from the environment (``DISTRICT_DATABASE_URL`` …).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from fastapi import FastAPI
from sqlalchemy.exc import IntegrityError

from district import migrate
from district.api import errors
from district.api.deps import AppContext
from district.api.routes import admin, auth, releases, reports, sync
from district.auth import service as auth_service
from district.db import make_engine, make_sessionmaker, transaction
from district.settings import Settings, get_settings
from sync.schema import API_PREFIX, SCHEMA_VERSION

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, now: Callable[[], float] | None = None) -> FastAPI:
    """An application over ``settings.database_url``; ``now`` replaces the clock (tests).

    With ``settings.auto_migrate`` the database is migrated to head first; with
    ``bootstrap_admin`` and ``bootstrap_password`` that admin is created if missing.
    """
    settings = settings or get_settings()
    if settings.auto_migrate:
        migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    if settings.bootstrap_admin and settings.bootstrap_password:
        try:
            with transaction(sessions) as session:
                auth_service.ensure_admin(session=session, username=settings.bootstrap_admin, password=settings.bootstrap_password)
        except IntegrityError:
            log.info("bootstrap admin %s was created by another worker", settings.bootstrap_admin)
    app = FastAPI(
        title="District classroom IT-use server",
        version=f"1 (wire schema {SCHEMA_VERSION})",
        description="Enrolment, event ingest, room configuration, scoring and exports. "
        "Errors: {\"detail\": {\"code\", \"message\"}}.",
        responses={
            400: {"description": "bad request", "content": {"application/json": {"schema": errors.ERROR_SCHEMA}}},
            422: {"description": "invalid input", "content": {"application/json": {"schema": errors.ERROR_SCHEMA}}},
        },
    )
    app.state.ctx = AppContext(settings=settings, sessions=sessions, now=now or time.time)
    app.state.engine = engine
    errors.install(app)
    for module in (auth, admin, sync, reports, releases):
        app.include_router(module.router, prefix=API_PREFIX)
    # The dashboard at /web/ (district/web).
    from district.web.views import install as install_dashboard

    install_dashboard(app)

    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    return app


def app_factory() -> FastAPI:
    """Application from environment settings (for ``uvicorn --factory`` workers)."""
    return create_app(get_settings())

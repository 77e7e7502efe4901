"""The district app with the dashboard mounted, for the demo server, tests and benchmarks.

``district.app.create_app`` is the district's factory; :func:`district.web.views.install`
mounts the dashboard on it (the factory calls it once wired; until then this module does).
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from district.app import create_app
from district.settings import Settings


def create_app_with_web(settings: Settings, *, now: Callable[[], float] | None = None) -> FastAPI:
    """``create_app(settings)`` with the dashboard at ``/web/`` (not mounted twice)."""
    from district.web.views import install

    app = create_app(settings, now=now)
    if not any(getattr(r, "path", "") == "/web/login" for r in app.routes):
        install(app)
    return app

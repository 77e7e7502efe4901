"""One error body for every 4xx: ``{"detail": {"code": ..., "message": ...}}``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from district.errors import DistrictError, RateLimited
from district.i18n import _

log = logging.getLogger(__name__)

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "detail": {
            "type": "object",
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            "required": ["code", "message"],
        }
    },
    "required": ["detail"],
}


def describe_validation(errors: list[Any]) -> str:
    """The first validation problem as ``where: what``."""
    if not errors:
        return _("invalid request")
    first = errors[0]
    loc = ".".join(str(part) for part in first.get("loc", ()) if part not in ("body",)) or "body"
    msg = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    if first.get("type") == "json_invalid":
        return _("malformed JSON: {error}").format(error=first.get("ctx", {}).get("error", msg))
    return f"{loc}: {msg}"


def error_response(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    """A JSON error in the shared shape."""
    return JSONResponse(status_code=status, content={"detail": {"code": code, "message": message, **extra}})


def install(app: FastAPI) -> None:
    """Register the handlers that give every error the shared shape."""

    @app.exception_handler(DistrictError)
    async def _district(_request: Request, exc: DistrictError) -> JSONResponse:
        response = JSONResponse(status_code=exc.status, content={"detail": exc.detail()})
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(exc.retry_after_s)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        code = "malformed_json" if errors and errors[0].get("type") == "json_invalid" else "invalid"
        return error_response(422, code, describe_validation(errors))

    @app.exception_handler(ValidationError)
    async def _pydantic(_request: Request, exc: ValidationError) -> JSONResponse:
        return error_response(422, "invalid", describe_validation(list(exc.errors(include_url=False))))

    @app.exception_handler(IntegrityError)
    async def _integrity(_request: Request, exc: IntegrityError) -> JSONResponse:
        # Two requests raced to create the same thing; the loser is told so, not a 500.
        log.info("integrity error answered as 409: %s", str(exc.orig).splitlines()[0] if exc.orig else exc)
        return error_response(409, "conflict", _("this conflicts with data stored meanwhile; reload and retry"))

    @app.exception_handler(OperationalError)
    async def _busy(_request: Request, exc: OperationalError) -> JSONResponse:
        log.warning("database unavailable: %s", str(exc.orig).splitlines()[0] if exc.orig else exc)
        response = error_response(503, "database_busy", _("the database is busy or unreachable; retry shortly"))
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, f"http_{exc.status_code}")
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return JSONResponse(
            status_code=exc.status_code,
            content={"detail": {"code": code, "message": detail.lower()}},
            headers=getattr(exc, "headers", None),
        )

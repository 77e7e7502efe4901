"""Errors of the district server. Each carries an HTTP status and a stable code.

Every 4xx answer has the body ``{"detail": {"code": ..., "message": ...}}``; the CLI
prints the message on one line.
"""

from __future__ import annotations

from typing import Any


class DistrictError(Exception):
    """Base: a refusal the caller can act on. ``message`` is one lower-case sentence."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.extra = extra

    def detail(self) -> dict[str, Any]:
        """The JSON ``detail`` object."""
        return {"code": self.code, "message": self.message, **self.extra}


class BadInput(DistrictError, ValueError):
    """The request or file is malformed or names impossible values."""

    status = 422
    code = "invalid"


class TooLarge(DistrictError, ValueError):
    """The body exceeds the configured cap."""

    status = 413
    code = "too_large"


class NotFound(DistrictError, LookupError):
    """The thing named does not exist (or the caller may not know it exists)."""

    status = 404
    code = "not_found"


class Unauthorized(DistrictError, PermissionError):
    """No credentials, or wrong ones."""

    status = 401
    code = "unauthorized"


class Forbidden(DistrictError, PermissionError):
    """Credentials are fine but do not allow this."""

    status = 403
    code = "forbidden"


class Conflict(DistrictError, ValueError):
    """The request contradicts what is stored (e.g. a different event under a stored seq)."""

    status = 409
    code = "conflict"


class RateLimited(DistrictError, PermissionError):
    """Too many attempts; try again after ``retry_after_s``."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s

"""Errors of the sync client. Each also inherits the builtin it resembles.

The client never translates: each error carries a machine ``code`` (and the server's
``detail`` when there was one) so the Pi's command line and touchscreen can say it in
the user's language. ``str(error)`` is a plain English sentence for logs.
"""

from __future__ import annotations

from typing import Any


class SyncError(Exception):
    """Base of every error the sync client raises on purpose."""

    code = "sync_error"
    #: what an interrupted upload achieved before the error (a ``sync.client.UploadResult``)
    partial: Any = None

    def __init__(self, message: str, *, detail: dict[str, Any] | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.detail = detail or {}
        self.status = status


class Unreachable(SyncError, ConnectionError):
    """The server did not answer (network down, refused, timed out, busy) after every retry."""

    code = "unreachable"


class NotEnrolled(SyncError, LookupError):
    """This Pi has no identity yet: run ``classroom enroll`` first. Never counted as sent."""

    code = "not_enrolled"


class AuthRefused(SyncError, PermissionError):
    """The server refused this Pi's token (wrong token, retired Pi, unknown Pi)."""

    code = "auth_refused"


class EnrollRefused(SyncError, ValueError):
    """The server refused an enrolment code (unknown, expired, used, revoked, wrong room)."""

    code = "enroll_refused"


class Conflict(SyncError, ValueError):
    """HTTP 409: an event differs from the one the server holds under its seq (cloned card?)."""

    code = "conflict"


class Rejected(SyncError, ValueError):
    """The server refused a request as malformed or too large (4xx other than 401/403/409)."""

    code = "rejected"


class SequenceGap(SyncError, RuntimeError):
    """The server did not store a contiguous run: its acknowledgement stopped short.

    ``gaps`` are the missing ranges the server reported (inclusive pairs).
    """

    code = "gap"

    def __init__(self, message: str, *, gaps: list[tuple[int, int]], acked_seq: int) -> None:
        super().__init__(message)
        self.gaps = gaps
        self.acked_seq = acked_seq


class ServerAhead(SyncError, RuntimeError):
    """The server acknowledges more events than this journal holds (restored or cloned card)."""

    code = "server_ahead"


class BadLocalEvent(SyncError, ValueError):
    """A journal event does not fit the wire schema; uploading stops there, nothing is skipped."""

    code = "bad_event"

"""Sync errors said in the user's language: one line naming the problem and the fix."""

from __future__ import annotations

from kiosk.i18n import _
from sync.errors import (
    AuthRefused,
    BadLocalEvent,
    Conflict,
    EnrollRefused,
    NotEnrolled,
    Rejected,
    SequenceGap,
    ServerAhead,
    SyncError,
    Unreachable,
)


def _server_words(exc: SyncError) -> str:
    detail = exc.detail or {}
    text = str(detail.get("message") or detail.get("code") or "")
    return text or str(exc)


def _enroll_refused(exc: SyncError, code: str) -> str:
    words = " ".join(str(v) for v in (exc.detail.get("code"), exc.detail.get("message")) if v).lower()
    if "expired" in words:
        return _("the enrolment code {code} has expired; ask the district office for a new one").format(code=code)
    if "revoked" in words:
        return _("the enrolment code {code} was revoked; ask the district office for a new one").format(code=code)
    if "used" in words:
        return _("the enrolment code {code} has already been used; each code enrols one Pi").format(code=code)
    if "room" in words:
        return _("the server refused the room: {reason}; check --room").format(reason=_server_words(exc))
    if exc.status == 422:
        return _("the enrolment code {code} is malformed: {reason}").format(code=code, reason=_server_words(exc))
    return _("the enrolment code {code} is not valid: {reason}").format(code=code, reason=_server_words(exc))


def explain(exc: SyncError, *, server: str = "", code: str = "") -> str:
    """One translated line for a sync error, e.g. an unreachable server or an expired code."""
    if isinstance(exc, Unreachable):
        if exc.status is not None:
            return _("the district server {server} is busy or failing (HTTP {status}); try again later").format(
                server=server, status=exc.status)
        return _("cannot reach the district server {server}; check the network and the address").format(server=server)
    if isinstance(exc, EnrollRefused):
        return _enroll_refused(exc, code)
    if isinstance(exc, NotEnrolled):
        return _("this Pi is not enrolled; run: classroom enroll --server URL --code CODE")
    if isinstance(exc, AuthRefused):
        return _("the district server refused this Pi's token ({reason}); the Pi may be retired: "
                 "enrol it again with a new code").format(reason=_server_words(exc))
    if isinstance(exc, Conflict):
        return _("the district already holds a different event under the same number ({reason}); "
                 "was this SD card cloned from another Pi? nothing was overwritten").format(reason=_server_words(exc))
    if isinstance(exc, SequenceGap):
        gaps = ", ".join(f"{a}-{b}" for a, b in exc.gaps) or "?"
        return _("the district is missing events {gaps} and stored nothing after seq {seq}").format(
            gaps=gaps, seq=exc.acked_seq)
    if isinstance(exc, ServerAhead):
        return _("the district holds more events than this journal; was the SD card restored or cloned? ({reason})").format(
            reason=str(exc))
    if isinstance(exc, BadLocalEvent):
        return _("a journal event cannot be sent: {reason}").format(reason=str(exc))
    if isinstance(exc, Rejected):
        return _("the district server refused the request (HTTP {status}): {reason}").format(
            status=exc.status, reason=_server_words(exc))
    return str(exc)

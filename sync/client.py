"""The Pi's HTTP client to the district: enrol, upload the journal's backlog, fetch the room config.

Shape taken from emonhub's ``EmonHubEmoncmsHTTPInterfacer._process_post``: a batched
post with a timeout and our clock sent along, and the cursor moved only on the
server's acknowledgement. Retries are urllib3's :class:`~urllib3.util.Retry`
(exponential backoff with jitter, ``Retry-After`` honoured), not a loop of our own:
every POST is idempotent on ``(pi, seq)`` so resending after a cut connection is safe.

This module knows nothing of the journal or the agent: the caller passes functions to
read events after a seq and to read and move the cursor. It imports only
:mod:`sync.schema` and :mod:`sync.errors`.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests
from pydantic import ValidationError
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

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
from sync.schema import (
    API_PREFIX,
    MAX_BATCH_BYTES,
    MAX_BATCH_EVENTS,
    BatchAck,
    EnrollRequest,
    EnrollResponse,
    EventBatch,
    WireEvent,
)

log = logging.getLogger(__name__)

DEFAULT_BATCH_EVENTS = 500
RETRY_STATUSES = (429, 500, 502, 503, 504)


@dataclass(frozen=True)
class ClockState:
    """The Pi's clock when a batch is sent: wall (UTC epoch s), monotonic s, boot id, NTP-synced."""

    wall_s: float
    mono_s: float
    boot: str
    is_synced: bool


@dataclass
class UploadResult:
    """What one :meth:`SyncClient.upload` call achieved."""

    batches: int = 0
    sent: int = 0
    stored: int = 0
    duplicates: int = 0
    bytes_sent: int = 0
    cursor_before: int = 0
    cursor_after: int = 0
    waiting: int = 0
    gaps: list[tuple[int, int]] = field(default_factory=list)
    rewound_to: int | None = None
    clock_skew_s: float | None = None


@dataclass(frozen=True)
class ConfigDownload:
    """The answer to a config request: ``changed`` False means 304 (keep the cached copy)."""

    changed: bool
    etag: str | None
    config: dict[str, Any] | None


def make_retry(*, total: int = 6, backoff_s: float = 0.5, backoff_max_s: float = 120.0,
               jitter_s: float = 0.5) -> Retry:
    """The retry policy: exponential backoff with jitter, honouring ``Retry-After``.

    Connection errors, cut connections and 429/5xx answers are retried for every method
    (our POSTs are idempotent); other answers come back to the caller at once.
    """
    return Retry(
        total=total,
        connect=total,
        read=total,
        status=total,
        other=0,
        allowed_methods=None,  # POST too: uploads are idempotent on (pi, seq)
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff_s,
        backoff_max=backoff_max_s,
        backoff_jitter=jitter_s,
        respect_retry_after_header=True,
        raise_on_status=False,
        raise_on_redirect=False,
    )


def _detail(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"message": response.text[:200]}
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, dict):
        return detail
    if isinstance(detail, list):  # FastAPI's validation errors
        return {"code": "invalid", "message": "; ".join(str(d.get("msg", d)) for d in detail[:3]), "errors": detail}
    return {"message": str(detail if detail is not None else body)[:200]}


class SyncClient:
    """One district server seen from one Pi.

    ``base_url`` is the server's root (``https://district.example``); ``pi_id`` and
    ``token`` come from enrolment (both None before it). ``timeout_s`` is
    ``(connect, read)`` seconds per attempt.
    """

    def __init__(
        self,
        base_url: str,
        *,
        pi_id: str | None = None,
        token: str | None = None,
        timeout_s: tuple[float, float] = (5.0, 30.0),
        retry: Retry | None = None,
        session: requests.Session | None = None,
        user_agent: str = "classroom-sync/1",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.pi_id = pi_id
        self.token = token
        self.timeout_s = timeout_s
        self.session = session or requests.Session()
        adapter = HTTPAdapter(max_retries=retry if retry is not None else make_retry())
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = user_agent

    def close(self) -> None:
        """Close the connection pool."""
        self.session.close()

    # --- plumbing -------------------------------------------------------------------
    def _url(self, path: str) -> str:
        return f"{self.base_url}{API_PREFIX}{path}"

    def _auth(self) -> dict[str, str]:
        if not self.pi_id or not self.token:
            raise NotEnrolled("this Pi is not enrolled: run `classroom enroll --server URL --code CODE`")
        return {"Authorization": f"Bearer {self.token}"}

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = self._url(path)
        try:
            return self.session.request(method, url, timeout=self.timeout_s, **kwargs)
        except requests.exceptions.RetryError as exc:
            raise Unreachable(f"{self.base_url} kept answering with errors: {exc}") from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise Unreachable(f"cannot reach {self.base_url}: {type(exc).__name__}") from None
        except requests.RequestException as exc:
            # e.g. the answer cut mid-body: outside urllib3's retries; the next round resends (idempotent)
            raise Unreachable(f"broken answer from {self.base_url}: {type(exc).__name__}") from None

    def _raise_for(self, response: requests.Response, what: str) -> None:
        status = response.status_code
        if status < 400:
            return
        detail = _detail(response)
        message = f"{what}: HTTP {status}: {detail.get('message', '')}".rstrip(": ")
        if status in RETRY_STATUSES:
            raise Unreachable(message, detail=detail, status=status)
        if status in (401, 403):
            raise AuthRefused(message, detail=detail, status=status)
        if status == 409:
            raise Conflict(message, detail=detail, status=status)
        raise Rejected(message, detail=detail, status=status)

    # --- enrolment --------------------------------------------------------------------
    def enroll(self, code: str, *, room: str | None = None, hostname: str | None = None,
               version: str | None = None) -> EnrollResponse:
        """Exchange a one-time enrolment code for this Pi's id and secret token.

        Raises :class:`EnrollRefused` (unknown, expired, used or revoked code; the
        server's ``detail`` is kept), :class:`Unreachable`, :class:`Rejected`.
        """
        body = EnrollRequest(code=code.strip(), room=room, hostname=hostname, version=version)
        response = self._request("POST", "/enroll", json=body.model_dump(exclude_none=True))
        if 400 <= response.status_code < 500 and response.status_code not in (413, 429):
            detail = _detail(response)
            raise EnrollRefused(f"enrolment refused: HTTP {response.status_code}: {detail.get('message', '')}",
                                detail=detail, status=response.status_code)
        self._raise_for(response, "enrol")
        identity = EnrollResponse.model_validate(response.json())
        self.pi_id, self.token = identity.pi_id, identity.token
        log.info("sync: enrolled as pi %s in room %s of school %s", identity.pi_id, identity.room, identity.school)
        return identity

    # --- configuration ----------------------------------------------------------------
    def fetch_config(self, etag: str | None = None) -> ConfigDownload:
        """The room configuration, or ``changed=False`` when the server's ETag still matches."""
        headers = self._auth()
        if etag:
            headers["If-None-Match"] = etag
        response = self._request("GET", f"/pis/{self.pi_id}/config", headers=headers)
        if response.status_code == 304:
            return ConfigDownload(changed=False, etag=etag, config=None)
        self._raise_for(response, "config")
        try:
            config = response.json()
        except ValueError:
            raise Rejected("config: the server's answer is not JSON", status=response.status_code) from None
        if not isinstance(config, dict):
            raise Rejected("config: expected a JSON object", status=response.status_code)
        return ConfigDownload(changed=True, etag=response.headers.get("ETag"), config=config)

    # --- upload -----------------------------------------------------------------------
    def post_batch(self, events: Sequence[Mapping[str, Any]], clock: ClockState) -> tuple[BatchAck, int]:
        """Send one batch (gzip-compressed) and return the server's acknowledgement and bytes sent.

        Raises :class:`BadLocalEvent` before sending if an event does not fit the wire
        schema, :class:`Conflict` on 409, :class:`AuthRefused`, :class:`Rejected`,
        :class:`Unreachable`.
        """
        headers = self._auth()
        wire = []
        for event in events:
            try:
                # a JSON round trip makes the journal's values wire-shaped (int dict keys → str)
                wire.append(WireEvent.model_validate(json.loads(json.dumps(event))))
            except ValidationError as exc:
                raise BadLocalEvent(f"journal event seq {event.get('seq')} does not fit the wire schema: "
                                    f"{exc.errors(include_url=False)[0]['msg']}") from None
        assert self.pi_id is not None
        batch = EventBatch(schema=1, pi_id=self.pi_id, sent_at=clock.wall_s, sent_mono=clock.mono_s,
                           boot=clock.boot, clock_synced=clock.is_synced, events=wire)
        raw = batch.model_dump_json(by_alias=True, exclude_none=True).encode("utf-8")
        if len(raw) > MAX_BATCH_BYTES:
            raise BadLocalEvent(f"batch of {len(wire)} events is {len(raw)} bytes, over {MAX_BATCH_BYTES}")
        body = gzip.compress(raw, compresslevel=6)
        headers.update({"Content-Type": "application/json", "Content-Encoding": "gzip"})
        response = self._request("POST", f"/pis/{self.pi_id}/events", data=body, headers=headers)
        self._raise_for(response, f"upload of seq {wire[0].seq}-{wire[-1].seq}" if wire else "upload")
        try:
            return BatchAck.model_validate(response.json()), len(body)
        except (ValueError, ValidationError):
            raise Rejected(f"upload: the server's acknowledgement is malformed: {response.text[:200]}",
                           status=response.status_code) from None

    def upload(
        self,
        *,
        read_after: Callable[[int, int], list[dict[str, Any]]],
        get_cursor: Callable[[], int],
        set_cursor: Callable[[int], None],
        last_seq: Callable[[], int],
        clock: Callable[[], ClockState],
        batch_events: int = DEFAULT_BATCH_EVENTS,
        max_batches: int | None = None,
        on_progress: Callable[[UploadResult], None] | None = None,
    ) -> UploadResult:
        """Upload the backlog after the cursor in bounded batches; move the cursor only on ack.

        ``read_after(seq, limit)`` returns events after ``seq`` in sequence order. The
        cursor moves to the server's ``acked_seq`` (the highest seq below which it holds
        everything). If the server holds less than the cursor says (its database was
        restored), the cursor moves back once and the missing events are resent; a gap
        the server will not close raises :class:`SequenceGap`. Network failures raise
        :class:`Unreachable` with the cursor where the last acknowledgement left it.
        A 413 (the server's body limit is smaller than ours) halves the batch.
        """
        cursor = get_cursor()
        result = UploadResult(cursor_before=cursor, cursor_after=cursor, waiting=max(0, last_seq() - cursor))
        try:
            self._upload_loop(result, read_after, set_cursor, last_seq, clock,
                              max(1, min(batch_events, MAX_BATCH_EVENTS)), max_batches, on_progress)
        except SyncError as exc:
            exc.partial = result  # what was acknowledged before the error stays visible
            raise
        return result

    def _upload_loop(self, result: UploadResult, read_after: Callable[[int, int], list[dict[str, Any]]],
                     set_cursor: Callable[[int], None], last_seq: Callable[[], int],
                     clock: Callable[[], ClockState], batch_events: int, max_batches: int | None,
                     on_progress: Callable[[UploadResult], None] | None) -> None:
        cursor = result.cursor_after
        while max_batches is None or result.batches < max_batches:
            events = read_after(cursor, batch_events)
            if not events:
                break
            try:
                ack, size = self.post_batch(events, clock())
            except Rejected as exc:
                if exc.status != 413 or len(events) == 1:
                    raise
                # the server's body limit is below ours: halve the batch and go on
                batch_events = max(1, len(events) // 2)
                log.warning("sync: pi %s: batch of %d events too large for the server; trying %d",
                            self.pi_id, len(events), batch_events)
                continue
            result.batches += 1
            result.sent += len(events)
            result.stored += ack.stored
            result.duplicates += ack.duplicates
            result.bytes_sent += size
            result.gaps = [(int(a), int(b)) for a, b in ack.gaps]
            result.clock_skew_s = ack.clock_skew_s
            cursor = self._apply_ack(ack, cursor, int(events[-1]["seq"]), last_seq(), set_cursor, result)
            result.cursor_after = cursor
            result.waiting = max(0, last_seq() - cursor)
            if on_progress is not None:
                on_progress(result)

    def _apply_ack(self, ack: BatchAck, cursor: int, last_sent: int, local_last: int,
                   set_cursor: Callable[[int], None], result: UploadResult) -> int:
        acked = ack.acked_seq
        if acked > local_last:
            raise ServerAhead(
                f"the server holds events up to seq {acked} for pi {self.pi_id} but this journal ends at "
                f"{local_last}: was this card restored or cloned? the cursor stays at {cursor}")
        if acked >= last_sent or cursor < acked:
            set_cursor(acked)
            log.info("sync: pi %s acknowledged up to seq %d", self.pi_id, acked)
            return acked
        if acked < cursor:
            if result.rewound_to is not None:
                raise SequenceGap(f"the server still lacks seq {acked + 1} after a resend; gaps {ack.gaps}",
                                  gaps=list(ack.gaps), acked_seq=acked)
            log.error("sync: pi %s: the server holds only up to seq %d but the cursor was %d (gaps %s); resending",
                      self.pi_id, acked, cursor, ack.gaps)
            set_cursor(acked)
            result.rewound_to = acked
            return acked
        raise SequenceGap(
            f"the server stored nothing after seq {acked} although seq {cursor + 1}-{last_sent} were sent; "
            f"gaps {ack.gaps}", gaps=list(ack.gaps), acked_seq=acked)


__all__ = [
    "ClockState", "ConfigDownload", "SyncClient", "SyncError", "UploadResult", "make_retry",
]

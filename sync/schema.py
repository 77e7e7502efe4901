"""The wire schema between a classroom Pi and the district server, version 1.

Both ends import this module and nothing else defines the wire. Events are the
journal's events as stored (flat objects); batches carry the Pi's clock so the server
can record skew. Upload is idempotent on ``(pi_id, seq)``.

HTTP API (all JSON, errors as ``{"detail": {"code": str, "message": str, ...}}``):

- ``POST /api/v1/enroll`` body :class:`EnrollRequest` → :class:`EnrollResponse`
- ``POST /api/v1/pis/{pi_id}/events`` (``Authorization: Bearer <pi token>``,
  ``Content-Encoding: gzip`` allowed) body :class:`EventBatch` → :class:`BatchAck`;
  409 when an event differs from one already stored under its seq.
- ``GET /api/v1/pis/{pi_id}/config`` (same auth, ``If-None-Match``) → 200 room
  configuration (the TOML file's shape without ``[agent]``) with ``ETag``, or 304.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    model_validator,
)

SCHEMA_VERSION = 1
MAX_BATCH_EVENTS = 1000
MAX_BATCH_BYTES = 4_000_000  # uncompressed body
API_PREFIX = "/api/v1"

EventType = Literal[
    "on", "off", "missing", "back",          # device state changes (detector)
    "tapin", "exempt", "tapin_undone",      # teachers at the door
    "fault", "fault_closed",                # fault reports
    "calibration", "config_edit",           # IT mode
    "heartbeat", "clock_synced", "start", "stop",  # the agent itself
]
DEVICE_STATE_TYPES = ("on", "off", "missing", "back")
Number = StrictFloat | StrictInt
ShortText = Annotated[str, Field(max_length=200)]

_REQUIRED: dict[str, tuple[str, ...]] = {
    "on": ("channel", "kind"),
    "off": ("channel", "kind"),
    "missing": ("channel", "kind"),
    "back": ("channel", "kind", "state"),
    "tapin": ("date", "period", "teacher"),
    "exempt": ("date", "period", "teacher", "reason"),
    "tapin_undone": ("undoes",),
    "fault": ("device", "symptom"),
    "fault_closed": ("fault",),
    "calibration": ("channel", "standby_amps", "on_amps"),
    "heartbeat": ("channels",),
}


class WireEvent(BaseModel):
    """One journal event on the wire. Common fields first, then each type's own."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    seq: Annotated[StrictInt, Field(ge=1, le=2**53)]
    type: EventType
    at: Annotated[Number, Field(ge=0, le=4102444800)]  # UTC epoch seconds, before 2100
    boot: Annotated[str, Field(min_length=1, max_length=64)]
    mono: Annotated[Number, Field(ge=-1e9, le=1e10)]
    synced: StrictBool
    restamped: StrictBool | None = None
    # device state changes
    channel: Annotated[StrictInt, Field(ge=0, le=63)] | None = None
    kind: ShortText | None = None
    state: Literal["on", "off", "missing"] | None = None
    channels: dict[str, Literal["on", "off", "missing"]] | None = None
    # tap-ins and exemptions
    date: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None
    period: Annotated[StrictInt, Field(ge=0, le=20)] | None = None
    teacher: ShortText | None = None
    class_name: ShortText | None = Field(default=None, alias="class")
    subject: ShortText | None = None
    card: ShortText | None = None
    reason: ShortText | None = None
    undoes: Annotated[StrictInt, Field(ge=1)] | None = None
    # faults
    device: ShortText | None = None
    symptom: ShortText | None = None
    note: Annotated[str, Field(max_length=500)] | None = None
    fault: Annotated[StrictInt, Field(ge=1)] | None = None
    by: ShortText | None = None
    # calibration, config edits, agent life
    standby_amps: Number | None = None
    on_amps: Number | None = None
    changes: dict[str, Any] | None = None
    version: ShortText | None = None
    room: ShortText | None = None

    @model_validator(mode="after")
    def _type_fields(self) -> WireEvent:
        missing = [f for f in _REQUIRED.get(self.type, ()) if getattr(self, "class_name" if f == "class" else f) is None]
        if missing:
            raise ValueError(f"event seq {self.seq} of type {self.type!r} lacks {', '.join(missing)}")
        return self

    def as_journal(self) -> dict[str, Any]:
        """The event as the journal stores it (no null fields, ``class`` spelled so)."""
        return self.model_dump(by_alias=True, exclude_none=True)


class EventBatch(BaseModel):
    """A batch of events from one Pi, in sequence order, with the Pi's clock at sending."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = Field(default=1, alias="schema")
    pi_id: Annotated[str, Field(min_length=1, max_length=64)]
    sent_at: Number
    sent_mono: Number
    boot: Annotated[str, Field(min_length=1, max_length=64)]
    clock_synced: StrictBool
    events: Annotated[list[WireEvent], Field(max_length=MAX_BATCH_EVENTS)]

    @model_validator(mode="after")
    def _ordered(self) -> EventBatch:
        seqs = [e.seq for e in self.events]
        if seqs != sorted(set(seqs)):
            raise ValueError("events must be in increasing seq order without repeats")
        return self


class BatchAck(BaseModel):
    """The server's answer: what it holds now.

    ``acked_seq`` is the highest seq such that every seq 1..acked_seq is stored; the
    client moves its cursor there. ``gaps`` lists missing ranges below the highest seq
    stored (inclusive pairs), reported, never papered over.
    """

    acked_seq: int
    stored: int
    duplicates: int
    gaps: list[tuple[int, int]] = []
    clock_skew_s: float | None = None


class EnrollRequest(BaseModel):
    """A Pi exchanging a one-time enrolment code for its identity."""

    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, Field(min_length=6, max_length=64)]
    room: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    hostname: Annotated[str, Field(max_length=64)] | None = None
    version: Annotated[str, Field(max_length=40)] | None = None


class EnrollResponse(BaseModel):
    """The Pi's identity: its id, its secret token (shown once), its school and room."""

    pi_id: str
    token: str
    school: str
    room: str
    server_time: float

"""Event ingest: one batch from one Pi, stored in one transaction, idempotent on (pi, seq).

- The same event again is a duplicate and changes nothing.
- A different event under a stored seq raises :class:`Conflict` (the route flags the Pi:
  two Pis cloned from one SD card share seqs).
- ``acked_seq`` is the highest seq with every seq 1..acked stored; gaps above it are
  reported.
- Time (DESIGN.md "Time"): an event stamped with a synchronised clock keeps its time;
  one the Pi re-stamped keeps it too; an unsynchronised one from the batch's own boot is
  re-stamped from the batch (``at = mono + (received − sent_mono)``) and marked
  ``server_restamped``; one from an older boot cannot be corrected and is marked
  ``unsynced``. Skew = received − ``sent_at`` when the Pi says its clock is synced.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any, cast

from sqlalchemy import Table, func, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from district import models
from district.errors import BadInput, Conflict
from district.i18n import _
from district.releases import service as releases
from sync.schema import BatchAck, EventBatch, WireEvent

log = logging.getLogger(__name__)
MAX_GAPS_REPORTED = 100


def event_digest(event: WireEvent) -> str:
    """sha256 of the event's canonical JSON as the Pi sent it."""
    body = json.dumps(event.as_journal(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _stamp(event: WireEvent, batch: EventBatch, received_at: float) -> tuple[float, str]:
    if event.synced:
        return float(event.at), "synced"
    if event.restamped:
        return float(event.at), "pi_restamped"
    if event.boot == batch.boot and batch.clock_synced:
        return float(event.mono) + (received_at - float(batch.sent_mono)), "server_restamped"
    return float(event.at), "unsynced"


def _room_at(placements: list[models.PiPlacement], at: float, default: int) -> int:
    for placement in placements:
        if placement.from_at <= at and (placement.to_at is None or at < placement.to_at):
            return placement.room_id
    return default


_PG_INSERT = text(
    "INSERT INTO events (pi_id, seq, room_id, type, at, pi_at, time_source, received_at, digest, body) "
    "SELECT * FROM unnest(CAST(:pi_id AS text[]), CAST(:seq AS bigint[]), CAST(:room_id AS integer[]), "
    "CAST(:type AS text[]), CAST(:at AS float8[]), CAST(:pi_at AS float8[]), CAST(:time_source AS text[]), "
    "CAST(:received_at AS float8[]), CAST(:digest AS text[]), CAST(:body AS json[])) "
    "ON CONFLICT (pi_id, seq) DO NOTHING RETURNING seq"
)
_COLUMNS = ("pi_id", "seq", "room_id", "type", "at", "pi_at", "time_source", "received_at", "digest", "body")


def _insert(session: Session, rows: list[dict[str, Any]]) -> set[int]:
    """Insert rows, skipping any (pi, seq) already there; return the seqs inserted.

    PostgreSQL gets one statement with array parameters (``unnest``): its text never
    changes, so it is parsed once, whatever the batch size.
    """
    if not rows:
        return set()
    if session.get_bind().dialect.name == "postgresql":
        params = {c: [r[c] for r in rows] for c in _COLUMNS}
        params["body"] = [json.dumps(r["body"], ensure_ascii=False) for r in rows]
        return {int(r[0]) for r in session.execute(_PG_INSERT, params)}
    table = cast(Table, models.Event.__table__)
    stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=["pi_id", "seq"])
    return {int(r[0]) for r in session.execute(stmt.returning(table.c.seq), rows)}


def _stored_digests(session: Session, pi_id: str, seqs: list[int]) -> dict[int, str]:
    """Digests of the events of ``pi_id`` already stored under ``seqs``."""
    if not seqs:
        return {}
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            text("SELECT seq, digest FROM events WHERE pi_id = :pi AND seq = ANY(CAST(:seqs AS bigint[]))"), {"pi": pi_id, "seqs": seqs}
        )
        return {int(s): str(d) for s, d in rows}
    out: dict[int, str] = {}
    for start in range(0, len(seqs), 500):
        chunk = seqs[start : start + 500]
        out.update(
            (int(s), d)
            for s, d in session.execute(select(models.Event.seq, models.Event.digest).where(models.Event.pi_id == pi_id, models.Event.seq.in_(chunk)))
        )
    return out


def _ack(session: Session, pi_id: str, hint: int) -> tuple[int, list[tuple[int, int]]]:
    """Highest contiguous seq from ``hint`` up, and the gaps above it (inclusive pairs)."""
    rows = session.execute(
        text(
            "SELECT prev + 1, seq - 1 FROM (SELECT seq, LAG(seq, 1, :hint) OVER (ORDER BY seq) AS prev "
            "FROM events WHERE pi_id = :pi AND seq > :hint) t WHERE seq > prev + 1 ORDER BY seq LIMIT :lim"
        ),
        {"pi": pi_id, "hint": hint, "lim": MAX_GAPS_REPORTED},
    ).all()
    gaps = [(int(a), int(b)) for a, b in rows]
    if gaps:
        return gaps[0][0] - 1, gaps
    top = session.scalar(select(func.max(models.Event.seq)).where(models.Event.pi_id == pi_id))
    return max(hint, int(top or 0)), []


def ingest_batch(
    *, session: Session, pi: models.Pi, batch: EventBatch, received_at: float, future_tolerance_s: float
) -> BatchAck:
    """Store a batch for ``pi`` (already authenticated) and return what the server holds.

    Raises :class:`BadInput` (batch for another Pi, event in the future) and
    :class:`Conflict` (different event under a stored seq); the caller rolls back then.
    """
    if batch.pi_id != pi.id:
        raise BadInput(_("batch names Pi {named!r} but was sent to {pi!r}").format(named=batch.pi_id, pi=pi.id), code="pi_mismatch")
    # Lock the Pi's row: uploads of one Pi are serialised across workers (PostgreSQL).
    session.execute(select(models.Pi).where(models.Pi.id == pi.id).with_for_update()).scalar_one()
    placements = list(
        session.scalars(select(models.PiPlacement).where(models.PiPlacement.pi_id == pi.id).order_by(models.PiPlacement.from_at))
    )
    rows: list[dict[str, Any]] = []
    digests: dict[int, str] = {}
    for event in batch.events:
        at, source = _stamp(event, batch, received_at)
        if at > received_at + future_tolerance_s:
            raise BadInput(
                _("event seq {seq} is stamped {ahead:.0f} s in the future; fix the Pi's clock").format(
                    seq=event.seq, ahead=at - received_at
                ),
                code="event_in_future",
                seq=event.seq,
            )
        body = event.as_journal()
        body["at"] = at
        digest = event_digest(event)
        digests[event.seq] = digest
        rows.append(
            {
                "pi_id": pi.id, "seq": event.seq, "room_id": _room_at(placements, at, pi.room_id), "type": event.type,
                "at": at, "pi_at": float(event.at), "time_source": source, "received_at": received_at,
                "digest": digest, "body": body,
            }
        )
    seqs = list(digests)
    existing = _stored_digests(session, pi.id, seqs)
    clashes = sorted(s for s, d in existing.items() if digests[s] != d)
    if clashes:
        raise Conflict(
            _("event seq {seq} differs from the one already stored under that seq (cloned SD card?)").format(seq=clashes[0]),
            code="seq_conflict",
            seq=clashes[0],
        )
    inserted_rows = [r for r in rows if r["seq"] not in existing]
    inserted = _insert(session, inserted_rows)
    releases.note_start(session=session, pi=pi, events=[
        {"type": r["type"], "seq": r["seq"], "at": r["at"], "version": r["body"].get("version")}
        for r in rows if r["type"] == "start"
    ])
    _apply_calibrations(session, [r for r in inserted_rows if r["type"] == "calibration" and r["seq"] in inserted])
    acked, gaps = _ack(session, pi.id, int(pi.acked_seq or 0))
    skew = received_at - float(batch.sent_at) if batch.clock_synced else None
    pi.acked_seq = acked
    pi.last_sync_at = received_at
    if skew is not None:
        pi.last_skew_s = skew
    log.info("pi %s: %d stored, %d duplicates, acked %d, %d gaps", pi.id, len(inserted), len(rows) - len(inserted), acked, len(gaps))
    return BatchAck(
        acked_seq=acked, stored=len(inserted), duplicates=len(rows) - len(inserted), gaps=gaps,
        clock_skew_s=round(skew, 3) if skew is not None else None,
    )


def flag_pi(*, session: Session, pi_id: str, reason: str) -> None:
    """Mark a Pi as suspicious (kept after the refused batch is rolled back)."""
    pi = session.get(models.Pi, pi_id)
    if pi is not None:
        pi.is_flagged = True
        pi.flag_reason = reason
        log.warning("pi %s flagged: %s", pi_id, reason)


def _apply_calibrations(session: Session, rows: list[dict[str, Any]]) -> None:
    """A calibration done on the Pi (IT mode, ``classroom calibrate``) updates the room's
    device levels here, so the config the Pi downloads keeps them (the district is
    authoritative for configuration; local edits come up as events)."""
    for row in sorted(rows, key=lambda r: r["at"]):
        room = session.get(models.Room, row["room_id"])
        body = row["body"]
        if room is None or not room.devices:
            continue
        devices = [dict(d) for d in room.devices]
        for device in devices:
            if int(device.get("channel", -1)) == int(body["channel"]):
                device["standby_amps"], device["on_amps"] = float(body["standby_amps"]), float(body["on_amps"])
                log.info("room %s channel %s recalibrated from pi %s seq %s",
                         room.id, body["channel"], row["pi_id"], row["seq"])
        room.devices = devices

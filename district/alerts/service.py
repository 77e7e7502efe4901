"""Alert evaluation: find every current condition, open what is new, end what has cleared.

Conditions (each names its one cause):

- ``pi_silent``: an active Pi has not synced for ``silent_s`` (cause ``pi:<id>``);
- ``channel_missing``: a room's device channel is missing now (``room:<id>:ch:<n>``);
- ``left_on``: a device on since before a school day's last period ended, still on
  ``left_on_grace_s`` later (``room:<id>:ch:<n>:on``);
- ``fault_open``: a fault open longer than ``fault_age_s`` (``fault:<pi>:<seq>``);
- ``under_target``: from ``under_target_from_day`` of the month, a room with enough
  counted lessons is under its target so far (``room:<id>:<YYYY-MM>``).

Idempotent and safe from any worker at the same time: a partial unique index allows one
open alert per ``(kind, cause)``; inserts that lose the race are skipped, ends are
conditional updates. Alerts are never deleted: each keeps its start and end.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from district import models
from district.web import data
from district.web.settings import WebSettings
from district.web.tables import Alert

log = logging.getLogger(__name__)
RECENT_S = 2 * 86400.0  # events read to know each channel's current state


@dataclass(frozen=True)
class Condition:
    """A condition found now."""

    kind: str
    cause: str
    school_id: int
    room_id: int | None
    detail: dict[str, Any]


def _channel_states(events: list[dict[str, Any]], channels: set[int]) -> dict[int, tuple[str, float]]:
    """Each channel's latest state and since when, from time-ordered events."""
    states: dict[int, tuple[str, float]] = {}

    def move(channel: int, state: str, at: float) -> None:
        if channel in channels and (channel not in states or states[channel][0] != state):
            states[channel] = (state, at)

    for e in events:
        kind = e.get("type")
        if kind in ("on", "off", "missing") and e.get("channel") is not None:
            move(int(e["channel"]), str(kind), float(e["at"]))
        elif kind == "back" and e.get("channel") is not None:
            move(int(e["channel"]), str(e.get("state") or "off"), float(e["at"]))
        elif kind == "heartbeat":
            for channel, state in (e.get("channels") or {}).items():
                move(int(channel), str(state), float(e["at"]))
    return states


def find_conditions(session: Session, *, now: float, settings: WebSettings) -> list[Condition]:
    """Every alert condition true at ``now``."""
    out: list[Condition] = []
    schools = list(session.scalars(select(models.School)))
    contexts = data.load_contexts(session, schools)
    rooms = data.rooms_of(session, [s.id for s in schools])
    room_by_id = {r.id: r for rs in rooms.values() for r in rs}
    # Pis silent.
    pis = session.execute(
        select(models.Pi.id, models.Pi.room_id, func.coalesce(models.Pi.last_sync_at, models.Pi.enrolled_at))
        .where(models.Pi.retired_at.is_(None))
    )
    silent_rooms = set()
    for pi_id, room_id, last_at in pis:
        if last_at < now - settings.silent_s and room_id in room_by_id:
            silent_rooms.add(room_id)
            out.append(Condition("pi_silent", f"pi:{pi_id}", room_by_id[room_id].school_id, room_id,
                                 {"pi": pi_id, "last_sync_at": last_at}))
    # Channels missing, devices left on.
    events = data.read_events(session, list(room_by_id), now - RECENT_S, now + 1)
    for room_id, room in room_by_id.items():
        ctx = contexts[room.school_id]
        kinds = {int(d["channel"]): str(d["kind"]) for d in room.devices or []}
        states = _channel_states(events.get(room_id, []), set(kinds))
        for channel, (state, since) in sorted(states.items()):
            detail = {"channel": channel, "device": kinds[channel], "since": since}
            if state == "missing" and room_id not in silent_rooms:
                out.append(Condition("channel_missing", f"room:{room_id}:ch:{channel}", room.school_id, room_id, detail))
            if state == "on" and _crossed_day_end(ctx, since, now, settings.left_on_grace_s):
                out.append(Condition("left_on", f"room:{room_id}:ch:{channel}:on", room.school_id, room_id, detail))
    # Faults open too long.
    for fault in data.list_faults(session, list(room_by_id)):
        if fault.is_open and fault.at < now - settings.fault_age_s:
            room = room_by_id[fault.room_id]
            out.append(Condition("fault_open", f"fault:{fault.pi_id}:{fault.seq}", room.school_id, room.id,
                                 {"device": fault.device, "symptom": fault.symptom, "reported_at": fault.at}))
    # Rooms under target mid-month.
    for school in schools:
        ctx = contexts[school.id]
        local = dt.datetime.fromtimestamp(now, ctx.tz)
        if local.day < settings.under_target_from_day:
            continue
        month = local.strftime("%Y-%m")
        for rm in data.school_months(session, ctx, rooms[school.id], month, now):
            s = rm.summary
            if s.share is not None and s.used + s.not_used >= settings.under_target_min_lessons and not s.meets_target:
                out.append(Condition("under_target", f"room:{rm.room.id}:{month}", school.id, rm.room.id,
                                     {"share": s.share, "target": s.target, "month": month}))
    return out


def _crossed_day_end(ctx: data.SchoolContext, since: float, now: float, grace_s: float) -> bool:
    """Whether a school day's last period (plus grace) ended between ``since`` and ``now``."""
    day = dt.datetime.fromtimestamp(since, ctx.tz).date()
    last = dt.datetime.fromtimestamp(now, ctx.tz).date()
    while day <= last:
        end_at = ctx.day_end_at(day, grace_s)
        if end_at is not None and since < end_at <= now:
            return True
        day += dt.timedelta(days=1)
    return False


@dataclass(frozen=True)
class Evaluation:
    """What one evaluation changed."""

    opened: int
    ended: int
    open_now: int


def evaluate(session: Session, *, now: float, settings: WebSettings) -> Evaluation:
    """Refresh the room-month summaries, open alerts for new conditions, end those whose cause cleared (idempotent)."""
    data.refresh_summaries(session, now=now)
    current = {(c.kind, c.cause): c for c in find_conditions(session, now=now, settings=settings)}
    open_alerts = {(a.kind, a.cause): a for a in session.scalars(select(Alert).where(Alert.ended_at.is_(None)))}
    ended = 0
    for key, alert in open_alerts.items():
        if key not in current:
            result = session.execute(update(Alert).where(Alert.id == alert.id, Alert.ended_at.is_(None)).values(ended_at=now))
            ended += int(getattr(result, "rowcount", 0) or 0)
            log.info("alert %s %s ended", alert.kind, alert.cause)
    opened = 0
    for key, c in current.items():
        if key in open_alerts:
            continue
        try:
            with session.begin_nested():
                session.add(Alert(kind=c.kind, cause=c.cause, school_id=c.school_id, room_id=c.room_id,
                                  detail=c.detail, started_at=now, ended_at=None))
            opened += 1
            log.info("alert %s %s opened", c.kind, c.cause)
        except IntegrityError:
            log.info("alert %s %s already opened by another worker", c.kind, c.cause)
    return Evaluation(opened=opened, ended=ended, open_now=len(current))

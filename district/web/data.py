"""What the dashboard and the paperwork read: room, school and district months, scored.

This is the one module between the pages and the district's data. It reads the
district's tables and scores lessons with ``criteria`` exactly as the Pi does (lessons
from bells, timetable, holidays and tap-ins; verdicts from device histories). Events are
read per school and month in one query, so a page reads a month, not history.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

import criteria
from district import models
from district.org.service import policy_of
from district.scoring import service as scoring

LOOKBACK_S = 7 * 86400.0  # as the district default (Settings.lookback_s): events before a range set each channel state


def shift_month(month: str, delta: int) -> str:
    """``YYYY-MM`` moved by ``delta`` months."""
    first, _last = criteria.month_bounds(month)
    index = first.year * 12 + first.month - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_of(at: float, tz: str = "Asia/Ho_Chi_Minh") -> str:
    """The local month ``YYYY-MM`` of a UTC epoch time."""
    return dt.datetime.fromtimestamp(at, ZoneInfo(tz)).strftime("%Y-%m")


@dataclass
class SchoolContext:
    """A school's configuration, loaded once for all its rooms."""

    school: models.School
    tz: ZoneInfo
    policy: criteria.Policy
    bells: list[criteria.Bell]
    holidays: list[dt.date]
    teachers: dict[str, str]
    timetables: dict[int, list[criteria.TimetableEntry]]

    def day_end_at(self, day: dt.date, grace_s: float = 0.0) -> float | None:
        """UTC time the last period of ``day`` ends (plus ``grace_s``), or None without bells."""
        if not self.bells:
            return None
        end = max(b.end for b in self.bells)
        return dt.datetime.combine(day, end, self.tz).timestamp() + grace_s


def _time(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


def load_contexts(session: Session, schools: Sequence[models.School]) -> dict[int, SchoolContext]:
    """Configuration of several schools in a handful of queries."""
    ids = [s.id for s in schools]
    bells: dict[int, list[criteria.Bell]] = defaultdict(list)
    for b in session.scalars(select(models.BellPeriod).where(models.BellPeriod.school_id.in_(ids))):
        bells[b.school_id].append(criteria.Bell(period=b.period, start=_time(b.start), end=_time(b.end)))
    teachers: dict[int, dict[str, str]] = defaultdict(dict)
    for t in session.scalars(select(models.Teacher).where(models.Teacher.school_id.in_(ids))):
        teachers[t.school_id][t.code] = t.name
    district_days: list[dt.date] = []
    school_days: dict[int, list[dt.date]] = defaultdict(list)
    for h in session.scalars(select(models.Holiday)):
        (district_days if h.school_id is None else school_days[h.school_id]).append(h.date)
    timetables: dict[int, list[criteria.TimetableEntry]] = defaultdict(list)
    rows = session.execute(
        select(models.TimetableEntry, models.Room.school_id)
        .join(models.Room, models.Room.id == models.TimetableEntry.room_id)
        .where(models.Room.school_id.in_(ids))
    )
    for entry, _school_id in rows:
        timetables[entry.room_id].append(
            criteria.TimetableEntry(
                weekday=entry.weekday, period=entry.period, class_name=entry.class_name, subject=entry.subject,
                teacher=entry.teacher, valid_from=entry.valid_from, valid_to=entry.valid_to,
            )
        )
    return {
        s.id: SchoolContext(
            school=s, tz=ZoneInfo(s.timezone), policy=policy_of(s),
            bells=sorted(bells[s.id], key=lambda b: b.period), holidays=district_days + school_days[s.id],
            teachers=teachers[s.id], timetables=timetables,
        )
        for s in schools
    }


def read_events(session: Session, room_ids: Sequence[int], start_at: float, until_at: float) -> dict[int, list[dict[str, Any]]]:
    """Each room's events in ``[start_at, until_at)``, time-ordered, as body dicts with ``at``/``seq``/``pi``."""
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not room_ids:
        return out
    query = (
        select(models.Event.room_id, models.Event.pi_id, models.Event.seq, models.Event.at, models.Event.type, models.Event.body)
        .where(models.Event.room_id.in_(list(room_ids)), models.Event.at >= start_at, models.Event.at < until_at)
        .order_by(models.Event.room_id, models.Event.at, models.Event.seq)
    )
    for room_id, pi_id, seq, at, type_, body in session.execute(query):
        event = dict(body or {})
        event.update(at=at, seq=seq, type=type_, pi=pi_id)
        out[room_id].append(event)
    return out


def counted_devices(room: models.Room, policy: criteria.Policy) -> list[tuple[int, str]]:
    """``(channel, kind)`` of the room's devices whose use counts."""
    return [(int(d["channel"]), str(d["kind"])) for d in room.devices or [] if d.get("kind") in policy.counted_kinds]


def judge_room(
    ctx: SchoolContext, room: models.Room, events: Sequence[Mapping[str, Any]], first: dt.date, last: dt.date, until_at: float
) -> list[criteria.LessonVerdict]:
    """Verdicts of the room's lessons from ``first`` to ``last`` that ended by ``until_at``."""
    valid = {b.period for b in ctx.bells}
    taps = [t for t in criteria.tapins_from_events(events, source_key="pi") if t.period in valid and first <= t.date <= last]
    try:
        lessons = criteria.build_lessons(
            first_date=first, last_date=last, bells=ctx.bells,
            timetable=[t for t in ctx.timetables.get(room.id, []) if t.period in valid],
            holidays=ctx.holidays, tapins=taps, tz=ctx.tz,
        )
    except ValueError:
        return []
    lessons = [lesson for lesson in lessons if lesson.window.end <= until_at]
    if not lessons:
        return []
    devices = counted_devices(room, ctx.policy)
    histories = criteria.channel_histories(
        events, channels=[c for c, _k in devices],
        start_at=min(x.window.start for x in lessons), until_at=max(x.window.end for x in lessons),
    )
    return criteria.judge_lessons(
        lessons, histories, devices, min_used_s=ctx.policy.min_used_s, no_data_fraction=ctx.policy.no_data_fraction
    )


@dataclass
class RoomMonth:
    """One room's month: verdicts, summary, target, freshness and open faults."""

    room: models.Room
    school: models.School
    month: str
    verdicts: list[criteria.LessonVerdict]
    summary: criteria.Summary
    last_sync_at: float | None
    open_faults: int
    events: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def target(self) -> float:
        """The room's target share (0.0-1.0)."""
        return self.summary.target


def _range(ctx: SchoolContext, month: str) -> tuple[dt.date, dt.date, float, float]:
    first, last = criteria.month_bounds(month)
    start_at = dt.datetime.combine(first, dt.time(0), ctx.tz).timestamp()
    end_at = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), ctx.tz).timestamp()
    return first, last, start_at, end_at


def last_syncs(session: Session, room_ids: Sequence[int]) -> dict[int, float | None]:
    """The latest sync time of the Pis now in each room."""
    rows = session.execute(
        select(models.Pi.room_id, func.max(models.Pi.last_sync_at))
        .where(models.Pi.room_id.in_(list(room_ids)), models.Pi.retired_at.is_(None))
        .group_by(models.Pi.room_id)
    )
    return {room_id: at for room_id, at in rows}


def school_months(
    session: Session, ctx: SchoolContext, rooms: Sequence[models.Room], month: str, now: float, *, keep_events: bool = False
) -> list[RoomMonth]:
    """The given rooms of one school scored for ``month`` (lessons ended by ``now``).

    Scoring is the district's own (:func:`district.scoring.service.score_rooms`), so the
    pages show the JSON API's numbers.
    """
    first, last, start_at, end_at = _range(ctx, month)
    ids = [r.id for r in rooms]
    if not ids:
        return []
    codes = {r.code for r in rooms}
    scores = scoring.score_rooms(
        session=session, schools=[ctx.school], first=first, last=last, lookback_s=LOOKBACK_S, until_at=now,
        room_code=next(iter(codes)) if len(codes) == 1 else None,
    )
    by_room = {s.room.id: s for s in scores if s.room.id in set(ids)}
    events = read_events(session, ids, start_at - LOOKBACK_S, min(end_at, now + 1)) if keep_events else {}
    syncs = last_syncs(session, ids)
    faults = open_fault_counts(session, ids)
    out = []
    for room in rooms:
        score = by_room.get(room.id)
        verdicts = list(score.verdicts) if score else []
        target = score.target if score else ctx.policy.targets.get(room.type, 0.9)
        out.append(
            RoomMonth(
                room=room, school=ctx.school, month=month, verdicts=verdicts,
                summary=score.summary if score else criteria.summarize([], target=target),
                last_sync_at=syncs.get(room.id), open_faults=faults.get(room.id, 0),
                events=events.get(room.id, []),
            )
        )
    return out


def rooms_of(session: Session, school_ids: Sequence[int]) -> dict[int, list[models.Room]]:
    """Rooms per school, by code."""
    out: dict[int, list[models.Room]] = defaultdict(list)
    for room in session.scalars(select(models.Room).where(models.Room.school_id.in_(list(school_ids))).order_by(models.Room.code)):
        out[room.school_id].append(room)
    return out


@dataclass
class SchoolRow:
    """A school's line on the district overview."""

    school: models.School
    summary: criteria.Summary
    rooms_meeting: int
    rooms_missing: int
    rooms_without_data: int
    last_sync_at: float | None
    silent_pis: int
    trend: list[tuple[str, float | None]]


def summary_of(used: int, not_used: int, no_data: int, exempt: int, target: float) -> criteria.Summary:
    """A :class:`criteria.Summary` from counts, with ``criteria.summarize``'s share and verdict."""
    counted = used + not_used
    share = round(used / counted, 4) if counted else None
    return criteria.Summary(used=used, not_used=not_used, no_data=no_data, exempt=exempt, share=share, target=target,
                            meets_target=share is not None and share >= target)


def combine_summaries(summaries: Sequence[criteria.Summary]) -> criteria.Summary:
    """One summary over several rooms; the target is the rooms' targets weighted by counted lessons."""
    weights = [(s.used + s.not_used, s.target) for s in summaries]
    total = sum(w for w, _t in weights)
    target = round(sum(w * t for w, t in weights) / total, 4) if total else max((t for _w, t in weights), default=0.9)
    return summary_of(sum(s.used for s in summaries), sum(s.not_used for s in summaries), sum(s.no_data for s in summaries),
                      sum(s.exempt for s in summaries), target)


def combine(rooms: Sequence[RoomMonth]) -> criteria.Summary:
    """One summary over several rooms' months."""
    return combine_summaries([r.summary for r in rooms])


def refresh_summaries(session: Session, *, now: float, months: int = 3) -> int:
    """Score every room for the last ``months`` months (to ``now``) and store the counts.

    The periodic job (``python -m district.alerts evaluate``) runs this; idempotent and
    safe from several workers (update, else insert; a lost insert race updates instead).
    Returns the number of room-months stored.
    """
    from sqlalchemy.exc import IntegrityError

    from district.web.tables import RoomMonthSummary

    schools = list(session.scalars(select(models.School)))
    contexts = load_contexts(session, schools)
    rooms = rooms_of(session, [s.id for s in schools])
    stored = 0
    for school in schools:
        ctx = contexts[school.id]
        current = dt.datetime.fromtimestamp(now, ctx.tz).strftime("%Y-%m")
        for k in range(months):
            month = shift_month(current, -k)
            for rm in school_months(session, ctx, rooms[school.id], month, now):
                s = rm.summary
                values = {"school_id": school.id, "used": s.used, "not_used": s.not_used, "no_data": s.no_data,
                          "exempt": s.exempt, "target": s.target, "through_at": now}
                where = (RoomMonthSummary.room_id == rm.room.id, RoomMonthSummary.month == month)
                if session.execute(update(RoomMonthSummary).where(*where).values(**values)).rowcount == 0:  # type: ignore[attr-defined]
                    try:
                        with session.begin_nested():
                            session.add(RoomMonthSummary(room_id=rm.room.id, month=month, **values))
                    except IntegrityError:
                        session.execute(update(RoomMonthSummary).where(*where).values(**values))
                stored += 1
    return stored


def stored_summaries(session: Session, school_ids: Sequence[int], months: Sequence[str]) -> dict[tuple[int, str], tuple[criteria.Summary, float]]:
    """Stored room-month summaries ``(room_id, month) -> (summary, through_at)``."""
    from district.web.tables import RoomMonthSummary

    rows = session.scalars(
        select(RoomMonthSummary).where(RoomMonthSummary.school_id.in_(list(school_ids)), RoomMonthSummary.month.in_(list(months)))
    )
    return {
        (r.room_id, r.month): (summary_of(r.used, r.not_used, r.no_data, r.exempt, r.target), r.through_at) for r in rows
    }


def district_overview(
    session: Session, month: str, now: float, *, school_ids: Sequence[int] | None = None, trend_months: int = 3,
    silent_s: float = 86400.0,
) -> tuple[list[SchoolRow], float | None]:
    """Every school's month, worst share first (schools with no share last), and the scoring time.

    Reads the summaries the periodic job stored; a school-month with a room missing
    there is scored on the spot. The second value is the oldest ``through_at`` used
    (None when everything was scored now).
    """
    query = select(models.School).order_by(models.School.code)
    if school_ids is not None:
        query = query.where(models.School.id.in_(list(school_ids)))
    schools = list(session.scalars(query))
    rooms = rooms_of(session, [s.id for s in schools])
    silent = silent_pi_counts(session, now, silent_s)
    months = [shift_month(month, -k) for k in range(trend_months - 1, -1, -1)]
    stored = stored_summaries(session, [s.id for s in schools], months)
    syncs = last_syncs(session, [r.id for rs in rooms.values() for r in rs])
    contexts: dict[int, SchoolContext] = {}
    oldest: float | None = None
    rows = []
    for school in schools:
        trend: list[tuple[str, float | None]] = []
        current: list[criteria.Summary] = []
        for m in months:
            found = [stored.get((r.id, m)) for r in rooms[school.id]]
            if all(f is not None for f in found):
                summaries = [f[0] for f in found if f is not None]
                through = [f[1] for f in found if f is not None]
                oldest = min([oldest, *through]) if oldest is not None else min(through, default=None)
            else:
                if school.id not in contexts:
                    contexts.update(load_contexts(session, [school]))
                summaries = [r.summary for r in school_months(session, contexts[school.id], rooms[school.id], m, now)]
            trend.append((m, combine_summaries(summaries).share if summaries else None))
            if m == month:
                current = summaries
        room_syncs = [syncs.get(r.id) for r in rooms[school.id]]
        known = [at for at in room_syncs if at is not None]
        rows.append(
            SchoolRow(
                school=school, summary=combine_summaries(current),
                rooms_meeting=sum(1 for s in current if s.meets_target),
                rooms_missing=sum(1 for s in current if s.share is not None and not s.meets_target),
                rooms_without_data=sum(1 for s in current if s.share is None),
                last_sync_at=max(known) if known else None, silent_pis=silent.get(school.id, 0), trend=trend,
            )
        )
    rows.sort(key=lambda r: (r.summary.share is None, r.summary.share if r.summary.share is not None else 0.0, r.school.code))
    return rows, oldest


def silent_pi_counts(session: Session, now: float, silent_s: float) -> dict[int, int]:
    """Active Pis per school whose last sync (or enrolment) is older than ``silent_s``."""
    rows = session.execute(
        select(models.Room.school_id, func.count())
        .select_from(models.Pi)
        .join(models.Room, models.Room.id == models.Pi.room_id)
        .where(models.Pi.retired_at.is_(None), func.coalesce(models.Pi.last_sync_at, models.Pi.enrolled_at) < now - silent_s)
        .group_by(models.Room.school_id)
    )
    return {school_id: n for school_id, n in rows}


def teacher_shares(rooms: Sequence[RoomMonth]) -> list[dict[str, Any]]:
    """Per teacher: lessons, used, not used, share; worst first (the "100 % of teachers" item)."""
    acc: dict[str, dict[str, int]] = defaultdict(lambda: {"used": 0, "not_used": 0, "no_data": 0, "exempt": 0})
    for r in rooms:
        for v in r.verdicts:
            teacher = v.lesson.tapped_teacher or v.lesson.teacher or "?"
            acc[teacher][v.status] += 1
    out = []
    for teacher, c in acc.items():
        counted = c["used"] + c["not_used"]
        out.append({"teacher": teacher, **c, "share": round(c["used"] / counted, 4) if counted else None})
    out.sort(key=lambda t: (t["share"] is None, t["share"] or 0.0, t["teacher"]))
    return out


def type_trend(session: Session, ctx: SchoolContext, rooms: Sequence[models.Room], month: str, now: float, months: int = 3) -> dict[str, list[tuple[str, float | None]]]:
    """Share per room type for the ``months`` months ending with ``month``."""
    out: dict[str, list[tuple[str, float | None]]] = defaultdict(list)
    types = sorted({r.type for r in rooms})
    for k in range(months - 1, -1, -1):
        m = shift_month(month, -k)
        scored = school_months(session, ctx, rooms, m, now)
        for room_type in types:
            of_type = [r for r in scored if r.room.type == room_type]
            out[room_type].append((m, combine(of_type).share if of_type else None))
    return dict(out)


def device_minutes_per_week(verdict_list: Sequence[criteria.LessonVerdict]) -> list[tuple[str, dict[str, float]]]:
    """Minutes each device kind was on inside lessons, per ISO week (``YYYY-Www``)."""
    weeks: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for v in verdict_list:
        year, week, _day = v.lesson.date.isocalendar()
        for use in v.devices:
            weeks[f"{year}-W{week:02d}"][use.kind] += use.used_s / 60.0
    return [(w, {k: round(m, 1) for k, m in kinds.items()}) for w, kinds in sorted(weeks.items())]


def device_usage(verdict_list: Sequence[criteria.LessonVerdict]) -> dict[str, dict[str, float]]:
    """Per device kind over a month: lessons counted, lessons it was on, minutes, share of lessons."""
    out: dict[str, dict[str, float]] = {}
    for v in verdict_list:
        if v.status not in ("used", "not_used"):
            continue
        for use in v.devices:
            d = out.setdefault(use.kind, {"lessons": 0, "lessons_on": 0, "minutes": 0.0})
            d["lessons"] += 1
            d["lessons_on"] += 1 if use.used_s > 0 else 0
            d["minutes"] += use.used_s / 60.0
    for d in out.values():
        d["minutes"] = round(d["minutes"], 1)
        d["share"] = round(d["lessons_on"] / d["lessons"], 4) if d["lessons"] else 0.0
    return out


# -- faults ------------------------------------------------------------------------------


@dataclass
class Fault:
    """A fault a kiosk reported, with its close (from the kiosk or the dashboard)."""

    pi_id: str
    seq: int
    room_id: int
    at: float
    device: str
    symptom: str
    note: str
    closed_at: float | None = None
    close_note: str = ""
    closed_by: str = ""

    @property
    def is_open(self) -> bool:
        """Whether nobody has closed it yet."""
        return self.closed_at is None


def list_faults(session: Session, room_ids: Sequence[int]) -> list[Fault]:
    """Faults of the given rooms, newest first, each with its close if any."""
    from district.web.tables import FaultClosure  # local: the table module imports models

    if not room_ids:
        return []
    ids = list(room_ids)
    faults: dict[tuple[str, int], Fault] = {}
    rows = session.execute(
        select(models.Event.pi_id, models.Event.seq, models.Event.room_id, models.Event.at, models.Event.body)
        .where(models.Event.room_id.in_(ids), models.Event.type == "fault")
    )
    for pi_id, seq, room_id, at, body in rows:
        body = body or {}
        faults[(pi_id, seq)] = Fault(
            pi_id=pi_id, seq=seq, room_id=room_id, at=at, device=str(body.get("device", "")),
            symptom=str(body.get("symptom", "")), note=str(body.get("note", "") or ""),
        )
    closes = session.execute(
        select(models.Event.pi_id, models.Event.at, models.Event.body)
        .where(models.Event.room_id.in_(ids), models.Event.type == "fault_closed")
    )
    for pi_id, at, body in closes:
        fault = faults.get((pi_id, int((body or {}).get("fault", -1))))
        if fault is not None and fault.closed_at is None:
            fault.closed_at, fault.close_note, fault.closed_by = at, str((body or {}).get("note", "")), "kiosk"
    for c in session.scalars(select(FaultClosure).where(FaultClosure.room_id.in_(ids))):
        fault = faults.get((c.pi_id, c.fault_seq))
        if fault is not None and fault.closed_at is None:
            fault.closed_at, fault.close_note, fault.closed_by = c.closed_at, c.note, c.closed_by
    return sorted(faults.values(), key=lambda f: -f.at)


def open_fault_counts(session: Session, room_ids: Sequence[int]) -> dict[int, int]:
    """Open faults per room."""
    counts: dict[int, int] = defaultdict(int)
    for f in list_faults(session, room_ids):
        if f.is_open:
            counts[f.room_id] += 1
    return counts


def closed_faults_config(session: Session, room_id: int) -> dict[str, Any]:
    """What a Pi's config download should carry so a dashboard close reaches the kiosk.

    ``{"faults_closed": [{"pi": ..., "seq": ..., "note": ..., "closed_at": ...}]}``:
    the kiosk records a ``fault_closed`` event for each listed fault still open in its
    journal. Merge into ``district.org.service.room_config``.
    """
    from district.web.tables import FaultClosure

    rows = session.scalars(select(FaultClosure).where(FaultClosure.room_id == room_id).order_by(FaultClosure.closed_at))
    return {
        "faults_closed": [
            {"pi": c.pi_id, "seq": c.fault_seq, "note": c.note, "closed_at": c.closed_at} for c in rows
        ]
    }


def pis_of_rooms(session: Session, room_ids: Sequence[int]) -> list[models.Pi]:
    """Active Pis of the given rooms."""
    return list(session.scalars(select(models.Pi).where(and_(models.Pi.room_id.in_(list(room_ids)), models.Pi.retired_at.is_(None)))))

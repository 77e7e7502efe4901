"""Scoring with ``criteria``: lessons, verdicts, shares, teachers, freshness. No HTTP here.

Every function is keyword-only and takes a session, so the JSON API, the CLI, the
exports and a dashboard compute the same numbers.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

import criteria
from district import models
from district.errors import BadInput
from district.i18n import _
from district.org import service as org


@dataclass(frozen=True)
class RoomScore:
    """One room's verdicts over a date range with what produced them."""

    school: models.School
    room: models.Room
    target: float
    verdicts: list[criteria.LessonVerdict]
    summary: criteria.Summary


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last date of ``YYYY-MM``; :class:`BadInput` otherwise."""
    try:
        return criteria.month_bounds(month)
    except ValueError:
        raise BadInput(_("month {value!r} is not of the form YYYY-MM").format(value=month), code="bad_month") from None


def date_range(*, month: str | None, first: dt.date | None, last: dt.date | None) -> tuple[dt.date, dt.date]:
    """The range a request names: a month, or from/to dates (both inclusive)."""
    if month is not None:
        return month_bounds(month)
    if first is None or last is None:
        raise BadInput(_("give a month or both from and to dates"), code="bad_range")
    if last < first or (last - first).days > 366:
        raise BadInput(_("date range must run forwards and span at most a year"), code="bad_range")
    return first, last


def _local_bounds(first: dt.date, last: dt.date, tz: dt.tzinfo) -> tuple[float, float]:
    start = dt.datetime.combine(first, dt.time(0), tzinfo=tz).timestamp()
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=tz).timestamp()
    return start, end


def room_events(
    *, session: Session, room_ids: Sequence[int], start_at: float, until_at: float
) -> dict[int, list[dict[str, Any]]]:
    """Events of the rooms with ``start_at <= at < until_at`` in time order, per room (one query)."""
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not room_ids:
        return out
    rows = session.execute(
        select(models.Event.room_id, models.Event.pi_id, models.Event.body, models.Event.at)
        .where(models.Event.room_id.in_(list(room_ids)), models.Event.at >= start_at, models.Event.at < until_at)
        .order_by(models.Event.room_id, models.Event.at, models.Event.pi_id, models.Event.seq)
    )
    for room_id, pi_id, body, at in rows:
        event = dict(body)
        event["at"] = at
        event["_pi"] = pi_id
        out[room_id].append(event)
    return out


@dataclass(frozen=True)
class _SchoolConfig:
    tz: ZoneInfo
    bells: list[criteria.Bell]
    holidays: list[dt.date]
    policy: criteria.Policy
    teachers: dict[str, str]


def _school_config(session: Session, school: models.School) -> _SchoolConfig:
    bells = session.scalars(select(models.BellPeriod).where(models.BellPeriod.school_id == school.id).order_by(models.BellPeriod.period))
    teachers = session.scalars(select(models.Teacher).where(models.Teacher.school_id == school.id))
    return _SchoolConfig(
        tz=ZoneInfo(school.timezone),
        bells=[criteria.Bell(b.period, dt.time.fromisoformat(b.start), dt.time.fromisoformat(b.end)) for b in bells],
        holidays=org.holidays_for(session=session, school_id=school.id),
        policy=org.policy_of(school),
        teachers={t.code: t.name for t in teachers},
    )


def _timetables(session: Session, room_ids: Sequence[int]) -> dict[int, list[criteria.TimetableEntry]]:
    out: dict[int, list[criteria.TimetableEntry]] = defaultdict(list)
    for t in session.scalars(select(models.TimetableEntry).where(models.TimetableEntry.room_id.in_(list(room_ids)))):
        out[t.room_id].append(
            criteria.TimetableEntry(
                weekday=t.weekday, period=t.period, class_name=t.class_name, subject=t.subject,
                teacher=t.teacher, valid_from=t.valid_from, valid_to=t.valid_to,
            )
        )
    return out


def _score_room(
    cfg: _SchoolConfig, room: models.Room, timetable: list[criteria.TimetableEntry], events: list[dict[str, Any]],
    first: dt.date, last: dt.date, until_at: float | None,
) -> tuple[float, list[criteria.LessonVerdict]]:
    target = cfg.policy.target_for(room.type)
    if not cfg.bells:
        return target, []
    lessons = criteria.build_lessons(
        first_date=first, last_date=last, bells=cfg.bells, timetable=timetable, holidays=cfg.holidays,
        tapins=criteria.tapins_from_events(events, source_key="_pi"), tz=cfg.tz,
    )
    if until_at is not None:
        lessons = [lesson for lesson in lessons if lesson.window.end <= until_at]
    if not lessons:
        return target, []
    devices = [
        (int(d["channel"]), str(d["kind"]))
        for d in room.devices or []
        if d.get("counts", True) and d["kind"] in cfg.policy.counted_kinds
    ]
    # Judge one school day at a time: each lesson is then clipped against that day's
    # intervals only, so a month costs days × (lessons of a day × intervals of a day).
    ats = [float(e["at"]) for e in events]
    by_day: dict[dt.date, list[criteria.Lesson]] = defaultdict(list)
    for lesson in lessons:
        by_day[lesson.date].append(lesson)
    verdicts: list[criteria.LessonVerdict] = []
    channels = [c for c, _k in devices]
    done = 0  # events before this index are summed up in ``carry``
    carry: list[dict[str, Any]] = []
    for day in sorted(by_day):
        day_lessons = by_day[day]
        start_at = min(lesson.window.start for lesson in day_lessons)
        until_at = max(lesson.window.end for lesson in day_lessons)
        end = bisect.bisect_left(ats, until_at)
        histories = criteria.channel_histories(carry + events[done:end], channels=channels, start_at=start_at, until_at=until_at)
        # The states at ``until_at`` stand for every event so far (a heartbeat says just that).
        carry = [{"type": "heartbeat", "at": until_at, "channels": {str(c): h.state for c, h in histories.items()}}]
        done = end
        verdicts += criteria.judge_lessons(
            day_lessons, histories, devices, min_used_s=cfg.policy.min_used_s, no_data_fraction=cfg.policy.no_data_fraction
        )
    return target, verdicts


def score_rooms(
    *, session: Session, schools: Sequence[models.School], first: dt.date, last: dt.date,
    lookback_s: float, until_at: float | None = None, room_code: str | None = None,
) -> list[RoomScore]:
    """Every room of ``schools`` (or the one named ``room_code``) scored from ``first`` to ``last``.

    Events are read from ``lookback_s`` before the range so each device's state at the
    start is known; lessons ending after ``until_at`` are left out (not over yet).
    """
    out: list[RoomScore] = []
    for school in schools:
        cfg = _school_config(session, school)
        rooms = [r for r in org.list_rooms(session=session, school_ids=[school.id]) if room_code in (None, r.code)]
        if not rooms:
            continue
        start_at, end_at = _local_bounds(first, last, cfg.tz)
        events = room_events(session=session, room_ids=[r.id for r in rooms], start_at=start_at - lookback_s, until_at=end_at)
        timetables = _timetables(session, [r.id for r in rooms])
        for room in rooms:
            target, verdicts = _score_room(cfg, room, timetables.get(room.id, []), events.get(room.id, []), first, last, until_at)
            summary = criteria.summarize((v.status for v in verdicts), target=target)
            out.append(RoomScore(school=school, room=room, target=target, verdicts=verdicts, summary=summary))
    return out


def summary_dict(summary: criteria.Summary) -> dict[str, Any]:
    """A summary as JSON."""
    return {
        "lessons": summary.lessons, "used": summary.used, "not_used": summary.not_used, "no_data": summary.no_data,
        "exempt": summary.exempt, "share": summary.share, "target": summary.target, "meets_target": summary.meets_target,
    }


def verdict_dict(verdict: criteria.LessonVerdict, *, teachers: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One lesson's verdict: the JSON shape of ``classroom scenario run --json`` plus window times."""
    lesson = verdict.lesson
    teacher = lesson.tapped_teacher or lesson.teacher
    return {
        "date": lesson.date.isoformat(),
        "period": lesson.period,
        "start_at": lesson.window.start,
        "end_at": lesson.window.end,
        "status": verdict.status,
        "class": lesson.class_name,
        "subject": lesson.subject,
        "teacher": teacher,
        "teacher_name": (teachers or {}).get(teacher or "", teacher),
        "is_extra": lesson.is_extra,
        "exempt_reason": lesson.exempt_reason,
        "used_minutes": round(verdict.used_s / 60.0, 1),
        "coverage": round(verdict.coverage, 3),
        "reason": verdict.reason,
        "devices": {
            use.kind: {"used_minutes": round(use.used_s / 60.0, 1), "coverage": round(use.coverage, 3)}
            for use in verdict.devices
        },
    }


def below_target_reason(summary: criteria.Summary) -> str | None:
    """Why a room misses its target: ``no_data`` when missing data explains it, else ``not_used``."""
    if summary.meets_target:
        return None
    if summary.share is None:
        return "no_data"
    needed = summary.target * (summary.used + summary.not_used + summary.no_data)
    # If the no-data lessons, had they been used, would reach the target, data is the problem.
    if summary.no_data and summary.used + summary.no_data >= needed and summary.no_data >= summary.not_used:
        return "no_data"
    return "not_used"


def teacher_shares(scores: Sequence[RoomScore]) -> list[dict[str, Any]]:
    """Per teacher (by school): lessons counted, used, share (the "100 % of teachers" item)."""
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"used": 0, "not_used": 0, "no_data": 0, "exempt": 0})
    for score in scores:
        for v in score.verdicts:
            teacher = v.lesson.tapped_teacher or v.lesson.teacher or ""
            counts[(score.school.code, teacher)][v.status] += 1
    out = []
    for (school, teacher), c in sorted(counts.items()):
        counted = c["used"] + c["not_used"]
        out.append({
            "school": school, "teacher": teacher, **c,
            "share": round(c["used"] / counted, 4) if counted else None,
            "uses_it": c["used"] > 0,
        })
    return out


def freshness(*, session: Session, school_ids: Sequence[int] | None, now: float) -> list[dict[str, Any]]:
    """Per Pi: room, last sync, seconds since, acked seq, highest seq, gaps count, clock skew, flags."""
    query = (
        select(models.Pi, models.Room, models.School)
        .join(models.Room, models.Room.id == models.Pi.room_id)
        .join(models.School, models.School.id == models.Room.school_id)
        .order_by(models.School.code, models.Room.code, models.Pi.id)
    )
    if school_ids is not None:
        query = query.where(models.School.id.in_(list(school_ids)))
    out = []
    for pi, room, school in session.execute(query):
        top = session.scalar(select(func.max(models.Event.seq)).where(models.Event.pi_id == pi.id)) or 0
        gaps = session.execute(
            text(
                "SELECT COUNT(*), COALESCE(SUM(seq - prev - 1), 0) FROM (SELECT seq, LAG(seq, 1, :hint) OVER (ORDER BY seq) AS prev "
                "FROM events WHERE pi_id = :pi AND seq > :hint) t WHERE seq > prev + 1"
            ),
            {"pi": pi.id, "hint": pi.acked_seq},
        ).one()
        out.append({
            "pi": pi.id, "school": school.code, "room": room.code,
            "last_sync_at": pi.last_sync_at,
            "since_sync_s": round(now - pi.last_sync_at, 1) if pi.last_sync_at else None,
            "acked_seq": pi.acked_seq, "highest_seq": int(top), "gaps": int(gaps[0]), "missing_events": int(gaps[1]),
            "clock_skew_s": round(pi.last_skew_s, 3) if pi.last_skew_s is not None else None,
            "is_flagged": pi.is_flagged, "flag_reason": pi.flag_reason, "is_retired": pi.retired_at is not None,
        })
    return out


def report(
    *, session: Session, schools: Sequence[models.School], first: dt.date, last: dt.date, lookback_s: float,
    now: float, room_code: str | None = None, include_lessons: bool = True,
) -> dict[str, Any]:
    """The full report of a scope: rooms with lessons and summaries, teachers, below-target, freshness."""
    scores = score_rooms(session=session, schools=schools, first=first, last=last, lookback_s=lookback_s, until_at=now, room_code=room_code)
    teacher_names = {}
    for school in schools:
        teacher_names.update({t.code: t.name for t in session.scalars(select(models.Teacher).where(models.Teacher.school_id == school.id))})
    rooms = []
    for s in scores:
        entry: dict[str, Any] = {
            "school": s.school.code, "room": s.room.code, "room_type": s.room.type, "model": s.school.model,
            "summary": summary_dict(s.summary), "below_target_reason": below_target_reason(s.summary),
        }
        if include_lessons:
            entry["lessons"] = [verdict_dict(v, teachers=teacher_names) for v in s.verdicts]
        rooms.append(entry)
    total = criteria.summarize((v.status for s in scores for v in s.verdicts), target=0.0)
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "rooms": rooms,
        "totals": {k: v for k, v in summary_dict(total).items() if k not in ("target", "meets_target")},
        "rooms_meeting_target": sum(1 for s in scores if s.summary.meets_target),
        "rooms_below_target": [
            {"school": s.school.code, "room": s.room.code, "share": s.summary.share, "target": s.target,
             "why": below_target_reason(s.summary)}
            for s in scores if not s.summary.meets_target
        ],
        "teachers": teacher_shares(scores),
        "freshness": freshness(session=session, school_ids=[s.id for s in schools], now=now),
    }

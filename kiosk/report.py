"""The local lesson report: verdicts for a date range, derived from the journal's events.

Intervals, lessons and verdicts are always derived here from events and the room
configuration through ``criteria``; nothing of it is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import criteria
from kiosk.config import RoomConfig


def room_verdicts(
    config: RoomConfig,
    events: Sequence[Mapping[str, Any]],
    *,
    first_date: dt.date,
    last_date: dt.date,
    until_at: float | None = None,
) -> list[criteria.LessonVerdict]:
    """Every lesson of the room from ``first_date`` to ``last_date`` with its verdict.

    Lessons whose window has not ended by ``until_at`` are left out (not judged yet).
    ``events`` must be in time order.
    """
    lessons = criteria.build_lessons(
        first_date=first_date,
        last_date=last_date,
        bells=config.criteria_bells(),
        timetable=config.criteria_timetable(),
        holidays=config.holidays,
        tapins=criteria.tapins_from_events(events),
        tz=config.tz,
    )
    if until_at is not None:
        lessons = [lesson for lesson in lessons if lesson.window.end <= until_at]
    if not lessons:
        return []
    devices = config.counted_devices
    histories = criteria.channel_histories(
        events,
        channels=[channel for channel, _kind in devices],
        start_at=min(lesson.window.start for lesson in lessons),
        until_at=max(lesson.window.end for lesson in lessons),
    )
    rules = config.policy_rules
    return criteria.judge_lessons(
        lessons,
        histories,
        devices,
        min_used_s=rules.min_used_s,
        no_data_fraction=rules.no_data_fraction,
    )


def verdict_dict(config: RoomConfig, verdict: criteria.LessonVerdict) -> dict[str, Any]:
    """One lesson's verdict in the JSON shape of ``classroom scenario run --json``."""
    lesson = verdict.lesson
    return {
        "date": lesson.date.isoformat(),
        "period": lesson.period,
        "status": verdict.status,
        "class": lesson.class_name,
        "subject": lesson.subject,
        "teacher": lesson.tapped_teacher or lesson.teacher,
        "teacher_name": config.teacher_name(lesson.tapped_teacher or lesson.teacher),
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


def report_dict(config: RoomConfig, verdicts: list[criteria.LessonVerdict]) -> dict[str, Any]:
    """``{"lessons": [...], "summary": {...}}`` for a room's verdicts."""
    summary = criteria.summarize((v.status for v in verdicts), target=config.target)
    return {
        "school": config.school.code,
        "room": config.room.code,
        "room_type": config.room.type,
        "lessons": [verdict_dict(config, v) for v in verdicts],
        "summary": {
            "used": summary.used,
            "not_used": summary.not_used,
            "no_data": summary.no_data,
            "exempt": summary.exempt,
            "share": summary.share,
            "target": summary.target,
            "meets_target": summary.meets_target,
        },
    }

"""Lessons: which (date, period) windows a room was meant to be taught in.

A lesson is every timetable entry on every matching weekday in the range that is not a
holiday, plus every tap-in for a (date, period) the timetable leaves empty (an extra
lesson). Its window is ``[period start, period end)`` in the school's local time.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from criteria.intervals import Interval


@dataclass(frozen=True)
class Bell:
    """One period (tiết) of the school day: its number and local start and end times."""

    period: int
    start: dt.time
    end: dt.time


@dataclass(frozen=True)
class TimetableEntry:
    """A weekly lesson held in the room: ISO weekday (1 = Monday), period, class, subject, teacher.

    ``valid_from`` / ``valid_to`` (inclusive, optional) bound a timetable that changes
    during the school year.
    """

    weekday: int
    period: int
    class_name: str
    subject: str
    teacher: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def applies_on(self, day: dt.date) -> bool:
        """Whether this entry is on the timetable on ``day``."""
        if day.isoweekday() != self.weekday:
            return False
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_to is None or day <= self.valid_to


@dataclass(frozen=True)
class TapIn:
    """A teacher tapping in for a lesson (already resolved to a date and period).

    ``class_name`` / ``subject`` describe an extra lesson the timetable lacks;
    ``exempt_reason`` marks a lesson that did not need the room's equipment.
    """

    date: dt.date
    period: int
    teacher: str
    at: float | None = None
    class_name: str | None = None
    subject: str | None = None
    exempt_reason: str | None = None


@dataclass(frozen=True)
class Lesson:
    """One lesson: when, what, who, and what the teacher said at the door."""

    date: dt.date
    period: int
    window: Interval
    class_name: str | None
    subject: str | None
    teacher: str | None
    is_extra: bool = False
    tapped_teacher: str | None = None
    exempt_reason: str | None = None

    @property
    def key(self) -> tuple[dt.date, int]:
        """``(date, period)``: a lesson's identity within a room."""
        return (self.date, self.period)


def _window(day: dt.date, bell: Bell, tz: dt.tzinfo) -> Interval:
    start = dt.datetime.combine(day, bell.start, tzinfo=tz).timestamp()
    end = dt.datetime.combine(day, bell.end, tzinfo=tz).timestamp()
    return Interval(start, end)


def _days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def build_lessons(
    *,
    first_date: dt.date,
    last_date: dt.date,
    bells: Sequence[Bell],
    timetable: Sequence[TimetableEntry],
    holidays: Iterable[dt.date],
    tapins: Iterable[TapIn],
    tz: dt.tzinfo,
) -> list[Lesson]:
    """Every lesson from ``first_date`` to ``last_date`` inclusive, sorted by date and period.

    Raises ``ValueError`` when a timetable entry or tap-in names a period the bell
    schedule does not have.
    """
    bell_by_period = {b.period: b for b in bells}
    off_days = set(holidays)
    taps: dict[tuple[dt.date, int], list[TapIn]] = {}
    for tap in tapins:
        if first_date <= tap.date <= last_date:
            taps.setdefault((tap.date, tap.period), []).append(tap)
    lessons: dict[tuple[dt.date, int], Lesson] = {}
    for day in _days(first_date, last_date):
        if day in off_days:
            continue
        for entry in timetable:
            if not entry.applies_on(day):
                continue
            bell = _bell(bell_by_period, entry.period, f"timetable entry on weekday {entry.weekday}")
            lessons[(day, entry.period)] = Lesson(
                date=day,
                period=entry.period,
                window=_window(day, bell, tz),
                class_name=entry.class_name,
                subject=entry.subject,
                teacher=entry.teacher,
            )
    for key, tap_list in taps.items():
        day, period = key
        bell = _bell(bell_by_period, period, f"tap-in on {day}")
        last = tap_list[-1]
        reason = next((t.exempt_reason for t in reversed(tap_list) if t.exempt_reason), None)
        planned = lessons.get(key)
        if planned is None:
            lessons[key] = Lesson(
                date=day,
                period=period,
                window=_window(day, bell, tz),
                class_name=last.class_name,
                subject=last.subject,
                teacher=last.teacher,
                is_extra=True,
                tapped_teacher=last.teacher,
                exempt_reason=reason,
            )
        else:
            lessons[key] = Lesson(
                date=day,
                period=period,
                window=planned.window,
                class_name=planned.class_name,
                subject=planned.subject,
                teacher=planned.teacher,
                tapped_teacher=last.teacher,
                exempt_reason=reason,
            )
    return [lessons[k] for k in sorted(lessons)]


def _bell(bell_by_period: dict[int, Bell], period: int, where: str) -> Bell:
    try:
        return bell_by_period[period]
    except KeyError:
        known = ", ".join(str(p) for p in sorted(bell_by_period)) or "none"
        raise ValueError(f"{where}: period {period} is not in the bell schedule ({known})") from None


def period_at(
    at: float, *, bells: Sequence[Bell], tz: dt.tzinfo, early_s: float = 600.0
) -> tuple[dt.date, int] | None:
    """The (local date, period) a tap at UTC time ``at`` belongs to, or None between lessons.

    A tap up to ``early_s`` seconds before a period starts belongs to that period
    (teachers arrive early); a tap inside a period belongs to it.
    """
    local = dt.datetime.fromtimestamp(at, tz)
    day = local.date()
    best: tuple[float, int] | None = None
    for bell in bells:
        window = _window(day, bell, tz)
        if window.start - early_s <= at < window.end:
            distance = max(0.0, window.start - at)
            if best is None or distance < best[0]:
                best = (distance, bell.period)
    return (day, best[1]) if best else None


def tapins_from_events(events: Iterable[Mapping[str, Any]], *, source_key: str | None = None) -> list[TapIn]:
    """Tap-ins and exemptions from journal events, undone ones removed, in time order.

    Events are the journal's (``tapin``, ``exempt``, ``tapin_undone``). A ``tapin_undone``
    names the seq it undoes within the same journal; where events of several journals
    are mixed (a room that had two Pis), ``source_key`` names the field that tells them
    apart.
    """
    taps: dict[tuple[str, int], Mapping[str, Any]] = {}
    for event in events:
        source = str(event.get(source_key, "")) if source_key else ""
        if event["type"] in ("tapin", "exempt"):
            taps[(source, int(event["seq"]))] = event
        elif event["type"] == "tapin_undone":
            taps.pop((source, int(event["undoes"])), None)
    return [
        TapIn(
            date=dt.date.fromisoformat(e["date"]),
            period=int(e["period"]),
            teacher=str(e["teacher"]),
            at=float(e["at"]),
            class_name=e.get("class"),
            subject=e.get("subject"),
            exempt_reason=e.get("reason") if e["type"] == "exempt" else None,
        )
        for _key, e in sorted(taps.items(), key=lambda kv: (float(kv[1]["at"]), kv[0]))
    ]


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last date of a month given as ``YYYY-MM``; raises ``ValueError`` otherwise.

    >>> month_bounds("2026-02")
    (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    """
    try:
        year, number = (int(part) for part in month.split("-"))
        last = calendar.monthrange(year, number)[1]
    except (ValueError, calendar.IllegalMonthError):
        raise ValueError(f"month {month!r} is not of the form YYYY-MM") from None
    return dt.date(year, number, 1), dt.date(year, number, last)

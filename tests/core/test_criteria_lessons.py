"""criteria.lessons: lessons from bells, timetable, holidays and tap-ins; the period a tap belongs to."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from criteria import Bell, TapIn, TimetableEntry, build_lessons
from criteria.lessons import period_at

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MON = dt.date(2026, 11, 16)
BELLS = [Bell(1, dt.time(7, 30), dt.time(8, 5)), Bell(2, dt.time(8, 10), dt.time(8, 45)),
         Bell(3, dt.time(9, 0), dt.time(9, 35))]
TIMETABLE = [TimetableEntry(1, 1, "4A", "Toán", "gv01"), TimetableEntry(5, 2, "4A", "Tiếng Việt", "gv02")]


def _lessons(taps: list[TapIn] = (), holidays: list[dt.date] = (), timetable=TIMETABLE, days: int = 7):  # type: ignore[no-untyped-def,assignment]
    return build_lessons(first_date=MON, last_date=MON + dt.timedelta(days=days - 1), bells=BELLS,
                         timetable=timetable, holidays=holidays, tapins=taps, tz=TZ)


def test_timetable_entries_on_their_weekdays_with_local_windows() -> None:
    lessons = _lessons()
    assert [(x.date, x.period) for x in lessons] == [(MON, 1), (MON + dt.timedelta(days=4), 2)]
    first = lessons[0]
    assert first.window.start == dt.datetime(2026, 11, 16, 7, 30, tzinfo=TZ).timestamp()
    assert first.window.seconds == 35 * 60
    assert (first.class_name, first.subject, first.teacher, first.is_extra) == ("4A", "Toán", "gv01", False)


def test_holidays_have_no_lessons() -> None:
    friday = MON + dt.timedelta(days=4)
    assert [x.date for x in _lessons(holidays=[friday])] == [MON]


def test_tap_in_for_an_empty_period_is_an_extra_lesson() -> None:
    tue = MON + dt.timedelta(days=1)
    lessons = _lessons([TapIn(tue, 3, "gv03", class_name="5B", subject="Âm nhạc")])
    extra = next(x for x in lessons if x.date == tue)
    assert (extra.period, extra.is_extra, extra.class_name, extra.teacher) == (3, True, "5B", "gv03")


def test_tap_in_on_a_planned_lesson_keeps_the_plan_and_carries_exemption() -> None:
    lessons = _lessons([TapIn(MON, 1, "gv09"), TapIn(MON, 1, "gv01", exempt_reason="exam")])
    planned = lessons[0]
    assert (planned.is_extra, planned.class_name, planned.tapped_teacher) == (False, "4A", "gv01")
    assert planned.exempt_reason == "exam"
    assert len(lessons) == 2


def test_tap_ins_outside_the_range_are_ignored() -> None:
    assert len(_lessons([TapIn(MON - dt.timedelta(days=1), 1, "gv01")])) == 2


def test_timetable_validity_dates() -> None:
    changing = [TimetableEntry(1, 1, "4A", "Toán", "gv01", valid_to=MON),
                TimetableEntry(1, 2, "4B", "Toán", "gv01", valid_from=MON + dt.timedelta(days=7))]
    lessons = _lessons(timetable=changing, days=14)
    assert [(x.date, x.period) for x in lessons] == [(MON, 1), (MON + dt.timedelta(days=7), 2)]


def test_unknown_period_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"period 9 is not in the bell schedule \(1, 2, 3\)"):
        _lessons([TapIn(MON, 9, "gv01")])
    with pytest.raises(ValueError, match="period 7"):
        _lessons(timetable=[TimetableEntry(2, 7, "4A", "Toán", "gv01")])


def test_period_at_accepts_early_taps_and_refuses_between_lessons() -> None:
    def at(h: int, m: int) -> float:
        return dt.datetime(2026, 11, 16, h, m, tzinfo=TZ).timestamp()

    assert period_at(at(7, 25), bells=BELLS, tz=TZ) == (MON, 1)
    assert period_at(at(8, 6), bells=BELLS, tz=TZ) == (MON, 2)  # between: the coming period
    assert period_at(at(8, 30), bells=BELLS, tz=TZ) == (MON, 2)
    assert period_at(at(7, 0), bells=BELLS, tz=TZ) is None
    assert period_at(at(12, 0), bells=BELLS, tz=TZ) is None

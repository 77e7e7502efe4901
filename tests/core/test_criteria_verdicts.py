"""criteria.verdicts: the four statuses in order, evidence per device, and the summary."""

from __future__ import annotations

import datetime as dt

import pytest

from criteria import ChannelHistory, Interval, Lesson, judge_lesson, summarize
from criteria.verdicts import judge_lessons

WINDOW = Interval(0, 2100)  # a 35-minute lesson
DEVICES = [(1, "projector"), (2, "audio")]


def _lesson(exempt: str | None = None) -> Lesson:
    return Lesson(date=dt.date(2026, 11, 16), period=1, window=WINDOW, class_name="4A", subject="Toán",
                  teacher="gv01", exempt_reason=exempt)


def _judge(on1=(), on2=(), missing1=(), missing2=(), exempt=None):  # type: ignore[no-untyped-def]
    histories = {
        1: ChannelHistory(1, on=[Interval(*x) for x in on1], missing=[Interval(*x) for x in missing1]),
        2: ChannelHistory(2, on=[Interval(*x) for x in on2], missing=[Interval(*x) for x in missing2]),
    }
    return judge_lesson(_lesson(exempt), histories, DEVICES, min_used_s=300, no_data_fraction=0.5)


def test_used_at_five_minutes_counting_overlap_once() -> None:
    assert _judge(on1=[(0, 300)]).status == "used"
    assert _judge(on1=[(0, 299)]).status == "not_used"
    both = _judge(on1=[(0, 200)], on2=[(100, 250)])
    assert both.used_s == 250 and both.status == "not_used"
    assert _judge(on1=[(0, 200)], on2=[(150, 350)]).status == "used"


def test_use_outside_the_window_does_not_count() -> None:
    assert _judge(on1=[(-1000, 100), (2000, 5000)]).used_s == 200


def test_no_data_when_a_channel_is_missing_over_half_the_window() -> None:
    assert _judge(missing2=[(0, 1051)]).status == "no_data"
    assert _judge(missing2=[(0, 1050)]).status == "not_used"  # exactly half is not more than half
    verdict = _judge(missing2=[(0, 1575)])
    assert verdict.coverage == pytest.approx(0.25)
    assert verdict.reason == "channel_missing_over_half_window"


def test_used_beats_no_data_and_exempt_beats_everything() -> None:
    assert _judge(on1=[(0, 600)], missing2=[(0, 2100)]).status == "used"
    assert _judge(on1=[(0, 2100)], exempt="exam").status == "exempt"
    assert _judge(exempt="outdoor").reason == "exempt:outdoor"


def test_verdict_explains_itself_per_device() -> None:
    verdict = _judge(on1=[(100, 700)], missing2=[(0, 210)])
    by_channel = {d.channel: d for d in verdict.devices}
    assert by_channel[1].used_s == 600 and by_channel[1].on == (Interval(100, 700),)
    assert by_channel[2].missing_s == 210 and by_channel[2].coverage == pytest.approx(0.9)
    assert verdict.coverage == pytest.approx(0.9)


def test_a_counted_device_without_history_is_missing_and_no_devices_is_no_data() -> None:
    lesson = _lesson()
    assert judge_lesson(lesson, {}, DEVICES, min_used_s=300, no_data_fraction=0.5).status == "no_data"
    assert judge_lesson(lesson, {}, [], min_used_s=300, no_data_fraction=0.5).status == "no_data"
    assert len(judge_lessons([lesson, lesson], {}, DEVICES, min_used_s=300, no_data_fraction=0.5)) == 2


def test_summary_share_target_and_exclusions() -> None:
    s = summarize(["used", "used", "not_used", "no_data", "exempt"], target=0.6)
    assert (s.used, s.not_used, s.no_data, s.exempt, s.lessons) == (2, 1, 1, 1, 5)
    assert s.share == 0.6667 and s.meets_target is True
    assert summarize(["used"] * 9 + ["not_used"], target=0.9).meets_target is True
    empty = summarize(["exempt", "no_data"], target=0.5)
    assert empty.share is None and empty.meets_target is False

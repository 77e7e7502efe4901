"""The real kiosk app under Xvfb: each action a teacher takes ends as the right journal event."""

from __future__ import annotations

from typing import Any

PEOPLE = ("tapin", "exempt", "tapin_undone", "fault", "fault_closed")


def _actions(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] in PEOPLE]


def test_tap_in_by_touch_takes_two_taps_for_the_timetable_teacher(run_app):
    result, events = run_app("touch_tapin")
    assert result["preselected"] == "GV01"
    assert result["screen_after"] == "home"
    [tap] = _actions(events)
    assert (tap["type"], tap["teacher"], tap["date"], tap["period"]) == ("tapin", "GV01", "2026-11-23", 2)
    assert (tap["class"], tap["subject"]) == ("4A", "Tiếng Việt")


def test_tap_in_by_card_reader_typing_the_card_id(run_app):
    result, events = run_app("card_tapin")
    [tap] = _actions(events)
    assert (tap["type"], tap["teacher"], tap["card"], tap["period"]) == ("tapin", "GV02", "0004471202", 2)
    assert "Trần Văn Hùng" in result["message"]


def test_unknown_card_is_refused_in_vietnamese_and_records_nothing(run_app):
    result, events = run_app("unknown_card")
    assert _actions(events) == []
    assert result["is_error"] is True
    assert "9999" in result["message"] and "thẻ" in result["message"]


def test_exemption_with_a_reason_from_the_policy(run_app):
    _result, events = run_app("exemption")
    [tap] = _actions(events)
    assert (tap["type"], tap["teacher"], tap["reason"], tap["period"]) == ("exempt", "GV03", "exam", 2)


def test_fault_report_with_a_telex_note_from_the_on_screen_keyboard(run_app):
    result, events = run_app("fault_report")
    [fault] = _actions(events)
    assert (fault["type"], fault["device"], fault["symptom"], fault["note"]) == (
        "fault", "projector", "no_picture", "hỏng")
    assert result["screen_after"] == "home"


def test_undo_within_the_lesson(run_app):
    result, events = run_app("undo")
    tap, undone = _actions(events)
    assert tap["type"] == "tapin"
    assert (undone["type"], undone["undoes"]) == ("tapin_undone", tap["seq"])
    assert result["tap_after"] is False


def test_it_mode_refuses_a_wrong_pin(run_app):
    result, events = run_app("wrong_pin")
    assert result["unlocked_wrong"] is False
    assert result["message"] == "Sai mã PIN"
    assert result["unlocked_right"] is True
    assert _actions(events) == []


def test_language_switch_retranslates_the_layout(run_app):
    result, _events = run_app("language_switch", size="1280x800")
    assert (result["before"], result["after"]) == ("Bắt đầu tiết học", "Start lesson")


def test_screen_dims_after_inactivity_and_the_waking_touch_does_nothing_else(run_app):
    result, _events = run_app("dim_and_wake")
    assert result["dimmed"] > 0
    assert result["after_wake"] == [0, "home"]
    assert result["after_second"] == "tapin"


def test_home_prompts_to_tap_in_when_a_lesson_has_none(run_app):
    result, _events = run_app("prompt")
    assert result["prompt"] == "Tiết 2 bắt đầu: chạm “Bắt đầu tiết học”"

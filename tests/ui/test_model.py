"""What the screens show, computed without Kivy (kiosk.ui.model)."""

from __future__ import annotations

import datetime as dt

from kiosk.agent import Agent
from kiosk.clock import ReplayClock
from kiosk.config import load_config
from kiosk.journal import Journal
from kiosk.ui import model
from tests.conftest import EXAMPLE_CONFIG

CONFIG = load_config(EXAMPLE_CONFIG)


def _at(*args: int) -> float:
    return dt.datetime(*args, tzinfo=CONFIG.tz).timestamp()


def _agent(at: float) -> Agent:
    clock = ReplayClock(at)
    agent = Agent(CONFIG, Journal.in_memory(tz=CONFIG.tz, clock=clock), clock)
    agent.start()
    return agent


def test_current_period_with_its_timetable_lesson():
    info = model.current_or_next_period(CONFIG, _at(2026, 11, 23, 8, 30))
    assert info is not None and info.is_now
    assert (info.period, info.class_name, info.subject, info.teacher_name) == (2, "4A", "Tiếng Việt", "Nguyễn Thị Lan")


def test_next_period_between_lessons_and_none_after_school():
    info = model.current_or_next_period(CONFIG, _at(2026, 11, 23, 9, 5))
    assert info is not None and (info.period, info.is_now) == (3, False)
    assert model.current_or_next_period(CONFIG, _at(2026, 11, 23, 17, 0)) is None


def test_holiday_has_no_period():
    assert model.current_or_next_period(CONFIG, _at(2026, 11, 20, 8, 30)) is None


def test_search_ignores_accents_and_case():
    names = [t.name for t in model.search(CONFIG.teachers, "hung")]
    assert names == ["Trần Văn Hùng"]
    assert [t.name for t in model.search(CONFIG.teachers, "THU HA")] == ["Lê Thu Hà"]


def test_roster_puts_the_timetable_teacher_first():
    assert model.roster(CONFIG, "GV04")[0].id == "GV04"
    assert {t.id for t in model.roster(CONFIG)} == {"GV01", "GV02", "GV03", "GV04"}


def test_on_seconds_clips_to_the_window():
    events = [
        {"type": "on", "channel": 1, "at": 100.0},
        {"type": "off", "channel": 1, "at": 400.0},
        {"type": "on", "channel": 2, "at": 150.0},
        {"type": "on", "channel": 1, "at": 900.0},
    ]
    assert model.on_seconds(events, 1, 200.0, 1000.0) == 200.0 + 100.0
    assert model.on_seconds(events, 2, 0.0, 200.0) == 50.0


def test_home_state_shows_the_tap_in_and_drops_it_after_undo():
    agent = _agent(_at(2026, 11, 23, 8, 30))
    event = agent.tap_in(teacher="GV02")
    state = model.home_state(agent)
    assert state.tap is not None and (state.tap.seq, state.tap.teacher_name) == (event["seq"], "Trần Văn Hùng")
    agent.undo(event["seq"])
    assert model.home_state(agent).tap is None


def test_home_state_tiles_and_open_faults():
    agent = _agent(_at(2026, 11, 23, 8, 30))
    agent.report_fault(kind="audio", symptom="no_sound")
    state = model.home_state(agent)
    assert [t.kind for t in state.tiles] == ["projector", "document_camera", "interactive_board", "audio"]
    assert all(t.state == "missing" for t in state.tiles)  # no readings yet: no signal
    assert [f["device"] for f in state.open_faults] == ["audio"]


def test_month_state_counts_lessons():
    agent = _agent(_at(2026, 11, 23, 9, 30))
    agent.tap_in(teacher="GV01", date=dt.date(2026, 11, 23), period=1, exempt_reason="exam",
                 at=_at(2026, 11, 23, 7, 45))
    month = model.month_state(agent)
    assert month.counts["exempt"] == 1
    assert month.target == CONFIG.target


def test_it_state_reads_an_optional_syncer():
    class Syncer:
        @staticmethod
        def status() -> dict[str, object]:
            return {"waiting": 3, "server_reachable": False}

    agent = _agent(_at(2026, 11, 23, 8, 30))
    state = model.it_state(agent, Syncer())
    assert state["sync"] == {"waiting": 3, "server_reachable": False}
    assert model.it_state(agent, None)["sync"] is None
    assert [c["channel"] for c in state["channels"]] == [1, 2, 3, 4]


def test_sync_status_in_words():
    from kiosk.i18n import set_language
    from kiosk.ui.text import sync_lines

    set_language("en")
    try:
        assert sync_lines({"enrolled": False, "waiting": None}, CONFIG.tz) == [
            "Not enrolled with the district yet", "Last upload never · events waiting —"]
        lines = sync_lines({"enrolled": True, "server": "https://pgd.example", "reachable": False, "waiting": 12,
                            "last_upload_at": _at(2026, 11, 23, 7, 5), "last_error": "timed out"}, CONFIG.tz)
        assert lines == ["Server https://pgd.example: unreachable", "Last upload 23/11 07:05 · events waiting 12",
                         "Last error: timed out"]
    finally:
        set_language("vi")

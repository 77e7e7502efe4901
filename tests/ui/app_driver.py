"""Run the real kiosk app on the demo room with one scripted scenario (a child process of the tests).

``python -m tests.ui.app_driver SCENARIO JOURNAL_DIR RESULT_JSON`` with ``DISPLAY`` set.
The agent's clock is frozen on Monday 2026-11-23 at 08:30 (period 2 of the demo room,
Nguyễn Thị Lan's Tiếng Việt for class 4A). Touches go through Kivy's input path.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# isort: off
from kiosk.ui import boot  # noqa: F401 - Kivy settings first
# isort: on

from kiosk.agent import Agent  # noqa: E402
from kiosk.clock import ReplayClock  # noqa: E402
from kiosk.config import load_config  # noqa: E402
from kiosk.journal import Journal  # noqa: E402
from kiosk.ui.app import KioskApp  # noqa: E402
from kiosk.ui.driver import Driver, Step  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "kiosk" / "examples" / "room.toml"
NOW = (2026, 11, 23, 8, 30)
RESULT: dict[str, Any] = {}


def touch_tapin(d: Driver) -> Iterator[Step]:
    """Home → Start lesson → Confirm (the two taps of the common case)."""
    yield from d.idle()
    d.tap(d.widget("home", "start"))
    yield from d.idle()
    RESULT["preselected"] = d.app.screens["tapin"].controller.selected
    d.tap(d.widget("tapin", "confirm"))
    yield from d.idle()
    RESULT["screen_after"] = d.app.manager.current


def card_tapin(d: Driver) -> Iterator[Step]:
    """A USB card reader types Trần Văn Hùng's card id and Enter on the home screen."""
    yield from d.idle()
    d.type_keys("0004471202")
    yield from d.idle()
    RESULT["message"] = d.app.message


def unknown_card(d: Driver) -> Iterator[Step]:
    """A card nobody registered: refused with a message, nothing recorded."""
    yield from d.idle()
    d.type_keys("9999")
    yield from d.idle()
    RESULT["message"] = d.app.message
    RESULT["is_error"] = d.app.is_message_error


def exemption(d: Driver) -> Iterator[Step]:
    """Another teacher (Lê Thu Hà) marks the lesson as an exam: no equipment needed."""
    yield from d.idle()
    d.tap(d.widget("home", "start"))
    yield from d.idle()
    d.tap_text(d.widget("tapin", "roster"), "Lê Thu Hà")
    yield 2
    d.tap(d.widget("tapin", "exempt"))
    yield 2
    d.tap_text(d.widget("tapin", "reasons"), d.app.tr("Exam"))
    yield from d.idle()


def fault_report(d: Driver) -> Iterator[Step]:
    """Projector, no picture, a note typed in Telex on the on-screen keyboard, send."""
    yield from d.idle()
    d.tap(d.widget("home", "fault"))
    yield from d.idle()
    d.tap_text(d.widget("fault", "devices"), d.app.tr("Projector"))
    d.tap_text(d.widget("fault", "symptoms"), d.app.tr("No picture"))
    d.tap(d.widget("fault", "note"))
    yield 6  # the keyboard's nested layouts settle over a few frames
    view = d.app.screens["fault"]
    for key in "hongr":
        d.tap_text(view, key)
        yield 1
    d.tap_text(view, d.app.tr("Done"))
    yield 2
    d.tap(d.widget("fault", "send"))
    yield from d.idle()
    RESULT["screen_after"] = d.app.manager.current


def undo(d: Driver) -> Iterator[Step]:
    """Tap in, then undo from the home screen."""
    yield from touch_tapin(d)
    yield from d.idle()
    yield lambda: d.app.home_state is not None and d.app.home_state.tap is not None
    d.tap(d.widget("home", "undo"))
    yield from d.idle()
    yield from d.idle()
    RESULT["tap_after"] = d.app.home_state.tap is not None


def wrong_pin(d: Driver) -> Iterator[Step]:
    """IT mode: a wrong PIN is refused; the right one opens the panel."""
    yield from d.idle()
    d.tap(d.widget("home", "it"))
    yield 2
    pad = d.widget("itmode", "pad")
    for key in "1111":
        d.tap_text(pad, key)
    d.tap_text(pad, d.app.tr("OK"))
    yield 2
    RESULT["unlocked_wrong"] = d.app.screens["itmode"].is_unlocked
    RESULT["message"] = d.app.message
    for key in d.app.agent.config.agent.it_pin:
        d.tap_text(pad, key)
    d.tap_text(pad, d.app.tr("OK"))
    yield from d.idle()
    RESULT["unlocked_right"] = d.app.screens["itmode"].is_unlocked


def language_switch(d: Driver) -> Iterator[Step]:
    """IT mode switches to English: the start button's text follows."""
    yield from d.idle()
    RESULT["before"] = d.widget("home", "start").text
    d.app.set_lang("en")
    yield 2
    RESULT["after"] = d.widget("home", "start").text


def dim_and_wake(d: Driver) -> Iterator[Step]:
    """After inactivity the screen dims; the first touch only wakes it, the next one acts."""
    yield from d.idle()
    d.app.blank_timeout_s = 1.0
    yield lambda: d.app.veil > 0
    RESULT["dimmed"] = d.app.veil
    d.tap(d.widget("home", "start"))
    yield 2
    RESULT["after_wake"] = (d.app.veil, d.app.manager.current)
    d.tap(d.widget("home", "start"))
    yield from d.idle()
    RESULT["after_second"] = d.app.manager.current


def prompt(d: Driver) -> Iterator[Step]:
    """With no tap-in for the lesson, home gently asks for one."""
    yield from d.idle()
    yield lambda: d.app.home_state is not None
    RESULT["prompt"] = d.app.screens["home"].tap_text


SCENARIOS = {f.__name__: f for f in (touch_tapin, card_tapin, unknown_card, exemption, fault_report, undo,
                                      wrong_pin, language_switch, dim_and_wake, prompt)}


def main(argv: list[str]) -> int:
    """Run one scenario; write RESULT (and any error) as JSON."""
    name, journal_dir, result_path = argv[0], Path(argv[1]), Path(argv[2])
    config = load_config(EXAMPLE)
    clock = ReplayClock(dt.datetime(*NOW, tzinfo=config.tz).timestamp(), boot_id="ui-test")
    journal = Journal.open(journal_dir, tz=config.tz, clock=clock)
    agent = Agent(config, journal, clock)
    agent.start()
    app = KioskApp(agent)
    driver = Driver(app, SCENARIOS[name], timeout_frames=600)
    app.bind(on_start=lambda *_a: driver.start())
    app.run()
    journal.close()
    RESULT["error"] = repr(driver.error) if driver.error else None
    result_path.write_text(json.dumps(RESULT, ensure_ascii=False), encoding="utf-8")
    return 0 if driver.error is None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

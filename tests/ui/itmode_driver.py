"""IT-mode scenarios (calibration, enrolment) run in the real kiosk app, as a child process of the tests.

``python -m tests.ui.itmode_driver SCENARIO WORK_DIR RESULT_JSON`` with ``DISPLAY`` set.
The room file is a copy of the demo room in ``WORK_DIR/room.toml`` (calibration rewrites
it); the journal is ``WORK_DIR/journal``, so the Pi's identity lands in ``WORK_DIR``.
Readings reach the agent the way the source thread hands them over: ``agent.process``.
Enrolment scenarios read the server and code from ``CLASSROOM_TEST_SERVER`` / ``_CODE``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# isort: off
from kiosk.ui import boot  # noqa: F401 - Kivy settings first
# isort: on

from hardware.reading import Reading  # noqa: E402
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


def unlock(d: Driver) -> Iterator[Step]:
    """Home → IT → the PIN on the pad → OK."""
    yield from d.idle()
    d.tap(d.widget("home", "it"))
    yield 2
    pad = d.widget("itmode", "pad")
    for key in d.app.agent.config.agent.it_pin:
        d.tap_text(pad, key)
    d.tap_text(pad, d.app.tr("OK"))
    yield from d.idle()


def feed(d: Driver, channel: int, amps: list[float]) -> None:
    """Readings for ``channel`` as the source thread would hand them to the agent."""
    agent = d.app.agent
    start = agent.clock.wall() + RESULT.setdefault("_t", 0)
    for i, value in enumerate(amps):
        agent.process(Reading(start + i * 0.5, channel, value))
    RESULT["_t"] += len(amps)


def calibrate(d: Driver, standby: list[float], on: list[float]) -> Iterator[Step]:
    """IT mode → Calibrate → projector: measure off, then on, with readings fed meanwhile."""
    yield from unlock(d)
    d.tap(d.widget("itmode", "calibrate"))
    yield from d.idle()
    view = d.app.screens["itcal"]
    view.controller.measure_s = 1.0
    RESULT["screen"] = d.app.manager.current
    d.tap(view.ids.devices.children[-1])  # channel 1, the projector
    yield 2
    RESULT["off_text"] = view.instruction_text
    feed(d, 1, standby)
    d.tap(view.ids.action)
    yield lambda: view.step == "on"
    RESULT["on_text"] = view.instruction_text
    feed(d, 1, on)
    d.tap(view.ids.action)
    yield lambda: view.step in ("result", "rejected")
    yield from d.idle()
    RESULT["step"] = view.step
    RESULT["result_text"] = view.instruction_text
    if view.step == "result":
        d.tap(view.ids.action)
        yield lambda: view.step == "saved"
        yield from d.idle()
        RESULT["saved_text"] = view.instruction_text
    d.tap(view.ids.back)
    yield from d.idle()
    RESULT["back_to"] = (d.app.manager.current, d.app.screens["itmode"].is_unlocked)


def calibration_ok(d: Driver) -> Iterator[Step]:
    yield from calibrate(d, [0.019, 0.021, 0.020], [1.21, 1.25, 1.24])


def calibration_too_close(d: Driver) -> Iterator[Step]:
    yield from calibrate(d, [0.020, 0.021, 0.020], [0.034, 0.036, 0.035])


def enrol(d: Driver) -> Iterator[Step]:
    """IT mode → Enrolment: type the address, the code and the room on the on-screen keyboard."""
    yield from unlock(d)
    d.tap(d.widget("itmode", "enrol"))
    yield from d.idle()
    view = d.app.screens["itenrol"]
    RESULT["status_before"] = view.status_text
    keyboard = view.children[0].children[0]  # the AddressKeyboard, last in the layout
    RESULT["prefilled"] = view.server  # an enrolled Pi's server is kept for "Enrol again"
    if not view.server:
        d.tap(view.ids.server)
        d.tap_text(keyboard, "http://")
        for ch in os.environ["CLASSROOM_TEST_SERVER"].removeprefix("http://"):
            d.tap_text(keyboard, ch)
    d.tap(view.ids.code)
    for ch in os.environ["CLASSROOM_TEST_CODE"].lower():
        d.tap_text(keyboard, ch)
    d.tap(view.ids.room)
    for ch in os.environ.get("CLASSROOM_TEST_ROOM", "").lower():
        d.tap_text(keyboard, ch)
    yield 2
    RESULT["typed"] = [view.server, view.code, view.room]
    d.tap(view.ids.go)
    yield lambda: not view.is_busy and view.result_text and "…" not in view.result_text
    yield from d.idle()
    RESULT["result_text"] = view.result_text
    RESULT["is_error"] = view.is_error
    RESULT["status_after"] = view.status_text


SCENARIOS = {f.__name__: f for f in (calibration_ok, calibration_too_close, enrol)}


def main(argv: list[str]) -> int:
    """Run one scenario; write RESULT (and any error) as JSON."""
    name, work, result_path = argv[0], Path(argv[1]), Path(argv[2])
    room = work / "room.toml"
    if not room.exists():
        shutil.copy(EXAMPLE, room)
    config = load_config(room)
    clock = ReplayClock(dt.datetime(*NOW, tzinfo=config.tz).timestamp(), boot_id="ui-test")
    journal = Journal.open(work / "journal", tz=config.tz, clock=clock)
    agent = Agent(config, journal, clock)
    agent.start()
    app = KioskApp(agent, config_path=room)
    driver = Driver(app, SCENARIOS[name], timeout_frames=1200)
    app.bind(on_start=lambda *_a: driver.start())
    app.run()
    journal.close()
    RESULT.pop("_t", None)
    RESULT["error"] = repr(driver.error) if driver.error else None
    result_path.write_text(json.dumps(RESULT, ensure_ascii=False), encoding="utf-8")
    return 0 if driver.error is None else 1


def run_scenario(display: str, work: Path, scenario: str, *, size: str = "800x480",
                 env: dict[str, str] | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run ``scenario`` in a child process (from a test); return its result and the journal's events."""
    result_path = work / "result.json"
    result_path.unlink(missing_ok=True)
    full_env = {**os.environ, "DISPLAY": display, "CLASSROOM_UI_SIZE": size, "KIVY_HOME": str(work / "kivy"),
                "CLASSROOM_LANG": "vi", **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "tests.ui.itmode_driver", scenario, str(work), str(result_path)],
                          cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120)
    assert result_path.exists(), proc.stderr[-3000:]
    result = json.loads(result_path.read_text(encoding="utf-8"))
    assert result["error"] is None, proc.stderr[-3000:]
    journal = Journal.open(work / "journal", tz=dt.UTC, clock=ReplayClock())
    events = list(journal)
    journal.close()
    return result, events


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

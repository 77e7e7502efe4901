"""Screenshots of every kiosk screen, in Vietnamese and English, on a month of demo data.

Run as ``python -m kiosk.ui.screenshots OUT_DIR`` inside a display whose size is
``CLASSROOM_UI_SIZE``; ``classroom ui-screenshots`` starts one Xvfb per size and calls
this. Files are named ``<width>x<height>-<lang>-<nn>-<screen>.png``.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

# isort: off
from kiosk.ui import boot
# isort: on

from kiosk.commands.sync import EnrolmentFailed  # noqa: E402
from kiosk.config import load_config  # noqa: E402
from kiosk.i18n import _  # noqa: E402
from kiosk.identity import Identity  # noqa: E402
from kiosk.ui.app import KioskApp, load_syncer  # noqa: E402
from kiosk.ui.demo import month_agent  # noqa: E402
from kiosk.ui.driver import Driver, Step  # noqa: E402

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "room.toml"
# A Monday in period 2, a month of data behind it.
DEMO_NOW = (2026, 11, 23, 8, 40)
NOTE_KEYS = "mays chieeus khoong leen hinhf"


def screens_script(out: Path, size: str, languages: tuple[str, ...] = ("vi", "en")) -> object:
    """The script that visits every screen in every language and saves a screenshot of each."""

    def script(d: Driver) -> Iterator[Step]:
        app = d.app
        count = 0

        def shot(lang: str, name: str) -> None:
            nonlocal count
            count += 1
            d.screenshot(out / f"{size}-{lang}-{count:02d}-{name}.png")

        yield from d.idle()
        for lang in languages:
            count = 0
            app.set_lang(lang)
            app.go("home")
            app.refresh(month=True)
            yield from d.idle()
            shot(lang, "home")
            d.tap(d.widget("home", "start"))
            yield from d.idle()
            shot(lang, "tapin")
            d.tap(d.widget("tapin", "exempt"))
            yield from d.idle()
            shot(lang, "tapin-exempt")
            d.tap_text(d.widget("tapin", "reasons").parent, app.tr("Cancel"))
            yield from d.idle()
            d.tap(d.widget("tapin", "search"))
            for key in "hung":
                app.keyboard_press(key)
            yield from d.idle()
            shot(lang, "tapin-search")
            app.go("fault")
            yield from d.idle()
            devices = d.widget("fault", "devices")
            d.tap(devices.children[-1])
            d.tap(d.widget("fault", "symptoms").children[-2])
            yield from d.idle()
            shot(lang, "fault")
            d.tap(d.widget("fault", "note"))
            for key in NOTE_KEYS:
                app.keyboard_press("space" if key == " " else key)
            yield from d.idle()
            shot(lang, "fault-note")
            app.go("report")
            yield from d.idle()
            shot(lang, "today-month")
            app.go("itmode")
            yield from d.idle()
            shot(lang, "it-pin")
            for key in [*app.agent.config.agent.it_pin, "ok"]:
                app.screens["itmode"].controller.digit(key)
            yield lambda: app.screens["itmode"].controller.state is not None
            yield from d.idle()
            shot(lang, "it-panel")
            d.widget("itmode", "panel").scroll_y = 0
            yield from d.idle()
            shot(lang, "it-panel-lower")
            yield from it_screens(d, shot, lang)
            app.screens["itmode"].controller.lock()
            app.go("home")
            yield from d.idle()
            d.tap(d.widget("home", "undo"))
            yield from d.idle()
            yield lambda: app.home_state is not None and app.home_state.tap is None
            yield from d.idle()
            shot(lang, "home-prompt")
            d.tap(d.widget("home", "start"))
            yield from d.idle()
            d.tap(d.widget("tapin", "confirm"))
            yield from d.idle()
            app.message = ""
            app.dim()
            yield from d.idle()
            shot(lang, "home-dimmed")
            app.wake()

    return script


def it_screens(d: Driver, shot: Callable[[str, str], None], lang: str) -> Iterator[Step]:
    """IT mode's calibration (each step) and enrolment (typing, then an enrolled Pi with an error)."""
    app = d.app
    app.screens["itmode"].controller.open_screen("itcal")
    yield from d.idle()
    shot(lang, "it-calibrate")
    cal = app.screens["itcal"].controller
    cal.pick(1)
    yield from d.idle()
    yield 2
    shot(lang, "it-calibrate-off")
    cal._measure("measure_on")
    yield from d.idle()
    cal._stop_sampling()
    app.screens["itcal"].progress = 0.4
    yield 2
    shot(lang, "it-calibrate-measuring")
    cal.standby, cal.on = [0.018, 0.019, 0.018], [1.27, 1.3, 1.29]
    cal._propose()
    yield 2
    shot(lang, "it-calibrate-result")
    cal._set_step("saved")  # what saving shows (the demo has no room file of its own to rewrite)
    yield 2
    shot(lang, "it-calibrate-saved")
    cal.standby, cal.on = [0.02, 0.021, 0.02], [0.034, 0.036, 0.035]
    cal._propose()
    yield 2
    shot(lang, "it-calibrate-rejected")
    cal.leave()
    yield from d.idle()
    app.screens["itmode"].controller.open_screen("itenrol")
    yield from d.idle()
    app.screens["itenrol"].server = ""  # a fresh address in each language's pass
    for key in ["https://", *"so-gd.example.vn", "done", *"k7qm-3xtp"]:
        app.keyboard_press(key)
    yield 2
    shot(lang, "it-enrol")
    enrol = app.screens["itenrol"].controller
    enrol._got_identity(Identity(server="https://so-gd.example.vn", pi_id="pi-7f3a2c", token="-",
                                 school="TH-NGUYENDU", room="P4A", enrolled_at=0.0))
    enrol._failed(EnrolmentFailed(_("the enrolment code {code} has expired; ask the district office for a new one")
                                  .format(code="K7QM-3XTP")))
    yield 2
    shot(lang, "it-enrol-enrolled")
    enrol.leave()
    yield from d.idle()


def main(argv: list[str]) -> int:
    """``python -m kiosk.ui.screenshots OUT_DIR``: write the screenshots at this display's size."""
    out = Path(argv[0]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    config = load_config(EXAMPLE)
    with tempfile.TemporaryDirectory(prefix="kiosk-shots-") as tmp:
        now = dt.datetime(*DEMO_NOW, tzinfo=config.tz)
        agent = month_agent(config, Path(tmp), now=now)
        agent.report_fault(kind="interactive_board", symptom="touch_not_working", note="góc phải không nhận")
        app = KioskApp(agent, syncer=load_syncer())
        driver = Driver(app, screens_script(out, boot.SIZE))  # type: ignore[arg-type]
        app.bind(on_start=lambda *_a: driver.start())
        app.run()
        agent.journal.close()
    if driver.error is not None:
        print(f"screenshots failed: {driver.error!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Screenshots of every kiosk screen, in Vietnamese and English, on a month of demo data.

Run as ``python -m kiosk.ui.screenshots OUT_DIR`` inside a display whose size is
``CLASSROOM_UI_SIZE``; ``classroom ui-screenshots`` starts one Xvfb per size and calls
this. Files are named ``<width>x<height>-<lang>-<nn>-<screen>.png``.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

# isort: off
from kiosk.ui import boot
# isort: on

from kiosk.config import load_config  # noqa: E402
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

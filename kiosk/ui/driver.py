"""Drive the running kiosk from a script: real touches, typed keys, waits, screenshots.

Used by ``classroom ui-screenshots``, the UI tests and the benchmark. A script is a
generator run on Kivy's clock; it yields a number of frames to wait, or a predicate
to wait for (checked every frame). Touches go through Kivy's input path
(``UnitTestTouch``), the same path a finger on the screen takes.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch

log = logging.getLogger(__name__)

Step = int | Callable[[], bool]
Script = Generator[Step, None, None]


class Driver:
    """Runs one script against ``app`` and stops the app when it ends (or fails)."""

    def __init__(self, app: Any, script: Callable[[Driver], Script], *, timeout_frames: int = 3000) -> None:
        self.app = app
        self.frames = 0
        self.error: BaseException | None = None
        self._script = script(self)
        self._wait: Step = 0
        self._waited = 0
        self._timeout = timeout_frames
        self._event: Any = None

    def start(self) -> None:
        """Begin on the next frame (call from ``App.on_start`` or after ``run`` starts)."""
        self._event = Clock.schedule_interval(self._frame, 0)

    def _frame(self, _dt: float) -> None:
        self.frames += 1
        try:
            if callable(self._wait):
                self._waited += 1
                if self._waited > self._timeout:
                    raise TimeoutError(f"waited {self._waited} frames for {self._wait}")
                if not self._wait():
                    return
            elif self._wait > 0:
                self._wait -= 1
                return
            self._waited = 0
            self._wait = next(self._script)
        except StopIteration:
            self._finish()
        except BaseException as exc:  # reported by the caller after the app stops
            log.exception("UI script failed")
            self.error = exc
            self._finish()

    def _finish(self) -> None:
        self._event.cancel()
        self.app.stop()

    # --- helpers for scripts ------------------------------------------------------------
    def idle(self) -> Iterator[Step]:
        """Wait until the worker has delivered everything, then two more frames for layout."""
        yield lambda: self.app.worker.pending == 0
        yield 2

    def widget(self, screen: str, widget_id: str) -> Any:
        """A widget of a screen by its kv id."""
        return self.app.screens[screen].ids[widget_id]

    def tap(self, widget: Any) -> None:
        """A finger down and up at the centre of ``widget``."""
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        touch.touch_up()

    def find_text(self, container: Any, text: str) -> Any:
        """The first widget inside ``container`` (searched recursively) showing ``text``."""
        for child in container.walk(restrict=True):
            if getattr(child, "text", None) == text and child is not container:
                return child
        raise LookupError(f"no widget with text {text!r}")

    def tap_text(self, container: Any, text: str) -> None:
        """Tap the widget inside ``container`` showing ``text``."""
        self.tap(self.find_text(container, text))

    def type_keys(self, text: str, *, enter: bool = True) -> None:
        """Keys typed on a hardware keyboard (a USB card reader is one): text, then Enter."""
        for ch in text:
            Window.dispatch("on_key_down", ord(ch), 0, ch, [])
            Window.dispatch("on_textinput", ch)
            Window.dispatch("on_key_up", ord(ch), 0)
        if enter:
            Window.dispatch("on_key_down", 13, 40, None, [])
            Window.dispatch("on_key_up", 13, 40)

    def screenshot(self, path: Path) -> Path:
        """Save the window as ``path`` (PNG)."""
        written = Window.screenshot(name=str(path.with_name(path.stem + "-.png")))
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(written, path)
        return path

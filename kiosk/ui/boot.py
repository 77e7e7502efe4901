"""Kivy settings that must be made before Kivy opens its window; import this first.

``CLASSROOM_UI_SIZE`` (``WIDTHxHEIGHT``, default ``800x480``) sizes the window;
``CLASSROOM_UI_FULLSCREEN=1`` fills the screen (the Pi's kiosk service sets it).
Kivy's own command-line parsing is off: ``classroom`` owns the arguments.
"""

from __future__ import annotations

import os

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")

from kivy.config import Config  # noqa: E402 - after the environment above

SIZE = os.environ.get("CLASSROOM_UI_SIZE", "800x480")


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise ValueError(f"CLASSROOM_UI_SIZE {text!r} is not WIDTHxHEIGHT, e.g. 800x480") from None
    return width, height


WIDTH, HEIGHT = _size(SIZE)
Config.set("graphics", "width", str(WIDTH))
Config.set("graphics", "height", str(HEIGHT))
Config.set("graphics", "resizable", "1")
Config.set("graphics", "fullscreen", "auto" if os.environ.get("CLASSROOM_UI_FULLSCREEN") == "1" else "0")
Config.set("graphics", "maxfps", "30")
Config.set("kivy", "exit_on_escape", "0")
Config.set("input", "mouse", "mouse,disable_multitouch")

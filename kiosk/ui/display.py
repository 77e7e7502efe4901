"""The screen's backlight (the official 7" touchscreen's ``/sys/class/backlight``); plain Python.

Called only from the UI's worker thread. Where there is no backlight (a desktop,
Xvfb) it does nothing and the app's dimming veil alone darkens the screen.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)


class Backlight:
    """The first backlight device under ``root``, if any."""

    def __init__(self, root: Path = Path("/sys/class/backlight")) -> None:
        devices = sorted(root.glob("*")) if root.is_dir() else []
        self.device = devices[0] if devices else None
        self.failures = 0

    @property
    def is_present(self) -> bool:
        """Whether a backlight can be controlled here."""
        return self.device is not None

    def set_percent(self, percent: float) -> None:
        """Set the brightness, 0-100 % of the device's maximum; failures are counted and logged."""
        if self.device is None:
            return
        try:
            top = int((self.device / "max_brightness").read_text().strip())
            value = max(1, round(top * max(0.0, min(100.0, percent)) / 100.0))
            (self.device / "brightness").write_text(str(value))
        except (OSError, ValueError) as exc:
            self.failures += 1
            log.warning("backlight %s not set to %s %%: %s", self.device, percent, exc)

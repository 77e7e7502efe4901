"""IT mode's view: the PIN pad, then the IT panel; taps go to the controller."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.ui.itmode.controller import ItController


class ItView(Screen):
    """Locked: a PIN pad. Unlocked: channels, clock and sync, language, screen, faults, restart."""

    is_unlocked = BooleanProperty(False)
    pin_dots = StringProperty("")
    clock_text = StringProperty("")
    sync_text = StringProperty("")
    screen_text = StringProperty("")
    restart_text = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.controller = ItController(self)


View = ItView

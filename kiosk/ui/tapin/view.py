"""The tap-in screen's view: properties the layout shows; taps go to the controller."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.ui.tapin.controller import TapInController


class TapInView(Screen):
    """Roster (timetable teacher pre-selected), search, confirm, exemption, undo."""

    title_text = StringProperty("")
    lesson_text = StringProperty("")
    teacher_text = StringProperty("")
    query = StringProperty("")
    is_searching = BooleanProperty(False)
    is_exempt_open = BooleanProperty(False)
    can_undo = BooleanProperty(False)
    is_busy = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.controller = TapInController(self)


View = TapInView

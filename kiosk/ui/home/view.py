"""The home screen's view: properties the layout shows; taps go to the controller."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.ui.home.controller import HomeController


class HomeView(Screen):
    """Room, time, the period, live device tiles, the month bar, the big buttons."""

    room_text = StringProperty("")
    clock_text = StringProperty("")
    period_text = StringProperty("")
    lesson_text = StringProperty("")
    tap_text = StringProperty("")
    can_undo = BooleanProperty(False)
    month_text = StringProperty("")
    share = NumericProperty(0.0)
    target = NumericProperty(0.9)
    meets_target = BooleanProperty(True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.controller = HomeController(self)


View = HomeView

"""IT-mode calibration's view: devices on the left, the current step on the right."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.ui.itcal.controller import CalibrationController


class CalibrationView(Screen):
    """Pick a device; switch it off, measure; switch it on, measure; save the proposed levels."""

    step = StringProperty("pick")
    device_text = StringProperty("")
    instruction_text = StringProperty("")
    reading_text = StringProperty("")
    result_text = StringProperty("")
    is_error = BooleanProperty(False)
    action_text = StringProperty("")
    progress = NumericProperty(0.0)
    is_busy = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.controller = CalibrationController(self)


View = CalibrationView

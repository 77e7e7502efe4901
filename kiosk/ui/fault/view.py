"""The fault report's view: properties the layout shows; taps go to the controller."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.ui.fault.controller import FaultController


class FaultView(Screen):
    """Device, symptom, an optional note typed on the on-screen keyboard (Telex), send."""

    note = StringProperty("")
    summary_text = StringProperty("")
    is_typing = BooleanProperty(False)
    is_busy = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.controller = FaultController(self)


View = FaultView

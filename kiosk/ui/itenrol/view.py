"""IT-mode enrolment's view: the current enrolment, three fields, a keyboard for addresses and codes."""

from __future__ import annotations

from typing import Any

from kivy.factory import Factory
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.ui.itenrol.controller import EnrolController
from kiosk.ui.widgets import Keyboard


class AddressKeyboard(Keyboard):
    """The kiosk keyboard with digits and the signs of an address (``:/.-``); no Telex."""

    rows = ("1234567890", "qwertyuiop", "asdfghjkl:", "zxcvbnm-./")

    def on_kv_post(self, base_widget: Any) -> None:
        """Letter and digit rows, then http:// and https://, clear, delete, next."""
        for row in self.rows:
            line = Factory.KeyRow()
            for key in row:
                line.add_widget(Factory.KeyButton(text=key, action=key))
            self.add_widget(line)
        self.add_widget(Factory.AddressBottomRow())


class EnrolView(Screen):
    """Enrol this Pi with the district: server address, enrolment code, room code."""

    status_text = StringProperty("")
    result_text = StringProperty("")
    is_error = BooleanProperty(False)
    server = StringProperty("")
    code = StringProperty("")
    room = StringProperty("")
    field = StringProperty("server")
    is_busy = BooleanProperty(False)
    is_enrolled = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.controller = EnrolController(self)


View = EnrolView

"""Today and this month: the view; rows are filled by the controller."""

from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.ui.report.controller import ReportController


class ReportView(Screen):
    """Today's lessons with status and minutes; the month's share and what pulled it down."""

    today_title = StringProperty("")
    month_title = StringProperty("")
    month_text = StringProperty("")
    counts_text = StringProperty("")
    share = NumericProperty(0.0)
    target = NumericProperty(0.9)
    meets_target = BooleanProperty(True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.controller = ReportController(self)


View = ReportView

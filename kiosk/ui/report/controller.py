"""Today and this month: reads the report on the worker and fills the two lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kivy.app import App
from kivy.factory import Factory

from kiosk.i18n import _
from kiosk.ui import model
from kiosk.ui.text import KIND_LABELS, STATUS_LABELS, label, percent
from kiosk.ui.widgets import BLUE, GREY, STATUS_COLORS

MONTHS_SHOWN = 12  # lessons listed as pulling the share down (latest first)


class ReportController:
    """Drives the report view."""

    def __init__(self, view: Any) -> None:
        self.view = view
        self.today: list[dict[str, Any]] | None = None
        self.month: model.MonthState | None = None

    @property
    def app(self) -> Any:
        return App.get_running_app()

    def on_show(self) -> None:
        agent = self.app.agent
        self.app.worker.submit(lambda: (model.today_lessons(agent), model.month_state(agent)),
                               self.show, self.app.show_error)

    def on_language(self) -> None:
        if self.today is not None and self.month is not None:
            self.show((self.today, self.month))

    def show(self, data: tuple[list[dict[str, Any]], model.MonthState]) -> None:
        """Fill both columns."""
        self.today, self.month = data
        view = self.view
        view.today_title = _("Today")
        view.month_title = _("This month")
        rows = view.ids.today_rows
        rows.clear_widgets()
        running = self._running_row()
        if not self.today and running is None:
            rows.add_widget(Factory.ReportRow(left_text=_("No lesson has ended yet today")))
        for lesson in self.today:
            rows.add_widget(self._row(lesson, with_devices=True))
        if running is not None:
            rows.add_widget(running)
        month = self.month
        view.month_text = _("Share {share} · target {target}").format(
            share=percent(month.share), target=percent(month.target))
        # A no-break space keeps each number on the line of its word when the line wraps.
        view.counts_text = " · ".join(f"{label(STATUS_LABELS, status)}\u00a0{n}" for status, n in month.counts.items())
        view.share = month.share or 0.0
        view.target = month.target
        view.meets_target = month.meets_target
        pulled = view.ids.pulled_rows
        pulled.clear_widgets()
        latest = sorted(month.pulled_down, key=lambda e: (e["date"], e["period"]), reverse=True)
        if not latest:
            pulled.add_widget(Factory.ReportRow(left_text=_("No lesson pulled the share down")))
        for lesson in latest[:MONTHS_SHOWN]:
            pulled.add_widget(self._row(lesson, with_date=True))

    def _running_row(self) -> Any:
        """The lesson going on now (not judged yet), with the minutes of each device so far."""
        state = self.app.home_state
        if state is None or state.period is None or not state.period.is_now:
            return None
        info = state.period
        head = _("P{period}").format(period=info.period)
        used = [f"{label(KIND_LABELS, t.kind)}\u00a0{int(t.minutes)}'" for t in state.tiles if t.minutes >= 1]
        return Factory.ReportRow(left_text=f"{head} · {info.subject or _('extra lesson')}",
                                 right_text=_("in progress"), detail_text=", ".join(used), status_color=BLUE)

    def _row(self, lesson: dict[str, Any], *, with_date: bool = False, with_devices: bool = False) -> Any:
        status = lesson["status"]
        head = _("P{period}").format(period=lesson["period"])
        if with_date:
            head = f"{dt.date.fromisoformat(lesson['date']):%d/%m} · {head}"
        subject = lesson.get("subject") or _("extra lesson")
        left = f"{head} · {subject}"
        right = label(STATUS_LABELS, status)
        if with_devices and status == "used":
            right = _("{status} · {n} min").format(status=right, n=int(lesson.get("used_minutes", 0)))
        detail = ""
        if with_devices:
            used = [f"{label(KIND_LABELS, kind)}\u00a0{int(d['used_minutes'])}'"
                    for kind, d in (lesson.get("devices") or {}).items() if d.get("used_minutes")]
            detail = ", ".join(used)
        return Factory.ReportRow(left_text=left, right_text=right, detail_text=detail,
                                 status_color=STATUS_COLORS.get(status, GREY))

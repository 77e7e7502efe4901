"""The home screen's controller: turns :class:`~kiosk.ui.model.HomeState` into what is shown."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.factory import Factory

from kiosk.i18n import _
from kiosk.ui import model
from kiosk.ui.text import KIND_LABELS, STATE_LABELS, date_text, label, minutes_text, percent
from kiosk.ui.widgets import GREY, STATE_COLORS


class HomeController:
    """Fills the home view; the buttons call the app's navigation."""

    def __init__(self, view: Any) -> None:
        self.view = view
        self.state: model.HomeState | None = None
        self.month: model.MonthState | None = None

    @property
    def app(self) -> Any:
        return App.get_running_app()

    def on_show(self) -> None:
        self.app.refresh()

    def on_language(self) -> None:
        if self.state:
            self.show(self.state)
        if self.month:
            self.show_month(self.month)

    def show(self, state: model.HomeState) -> None:
        """Update every line and tile from a fresh home state."""
        self.state = state
        view = self.view
        config = self.app.agent.config
        view.room_text = f"{config.room.name}"
        view.clock_text = f"{date_text(state.local_now.date())}  {state.local_now:%H:%M}"
        info = state.period
        if info is None:
            view.period_text = _("No more lessons today")
            view.lesson_text = config.school.name
        else:
            when = _("now") if info.is_now else _("next")
            view.period_text = _("Period {period} · {start}–{end} · {when}").format(
                period=info.period, start=f"{info.start:%H:%M}", end=f"{info.end:%H:%M}", when=when)
            if info.class_name:
                view.lesson_text = _("Class {cls} · {subject} · {teacher}").format(
                    cls=info.class_name, subject=info.subject, teacher=info.teacher_name)
            else:
                view.lesson_text = _("No lesson in the timetable")
        tap = state.tap
        if tap is not None:
            if tap.is_exempt:
                view.tap_text = _("No equipment needed: {name}").format(name=tap.teacher_name)
            else:
                view.tap_text = _("Lesson started by {name}").format(name=tap.teacher_name)
        else:
            view.tap_text = self.app.prompt if state.tap_period else ""
        view.can_undo = tap is not None
        self._tiles(state)

    def _tiles(self, state: model.HomeState) -> None:
        box = self.view.ids.tiles
        if len(box.children) != len(state.tiles):
            box.clear_widgets()
            for _tile in state.tiles:
                box.add_widget(Factory.Tile())
        faulty = {f["device"] for f in state.open_faults}
        for widget, tile in zip(reversed(box.children), state.tiles, strict=True):
            widget.kind_text = label(KIND_LABELS, tile.kind)
            widget.state = tile.state
            widget.state_text = label(STATE_LABELS, tile.state)
            widget.state_color = STATE_COLORS.get(tile.state, GREY)
            is_now = state.period is not None and state.period.is_now
            widget.minutes_text = minutes_text(tile.minutes) if is_now else ""
            widget.fault_text = _("Fault reported") if tile.kind in faulty else ""

    def show_month(self, month: model.MonthState) -> None:
        """The month bar: share against target."""
        self.month = month
        self.view.month_text = _("This month {share} · target {target}").format(
            share=percent(month.share), target=percent(month.target))
        self.view.share = month.share or 0.0
        self.view.target = month.target
        self.view.meets_target = month.meets_target

    def undo(self) -> None:
        """Undo the tap-in in force (the same as on the tap-in screen)."""
        self.app.screens["tapin"].controller.undo()

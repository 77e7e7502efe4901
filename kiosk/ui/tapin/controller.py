"""The tap-in controller: who teaches, confirm, exemption, card reader, undo.

Every action is one agent call on the worker thread; the result comes back as a
message and the home screen.
"""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.factory import Factory

from kiosk.i18n import _
from kiosk.ui import model
from kiosk.ui.text import REASON_LABELS, label


class TapInController:
    """Drives the tap-in view."""

    def __init__(self, view: Any) -> None:
        self.view = view
        self.selected = ""
        self.lesson: model.PeriodInfo | None = None

    @property
    def app(self) -> Any:
        return App.get_running_app()

    @property
    def config(self) -> Any:
        return self.app.agent.config

    def on_show(self) -> None:
        """Pre-select the timetable's teacher of the lesson a tap now belongs to."""
        state = self.app.home_state
        self.view.query = ""
        self.view.is_searching = False
        self.view.is_exempt_open = False
        self.lesson = None
        if state is not None and state.tap_period is not None:
            day, period = state.tap_period
            self.lesson = model.period_info(self.config, day, period, state.now_at)
        self.selected = self.lesson.teacher_id if self.lesson else ""
        self.view.can_undo = bool(state and state.tap)
        self._titles()
        self._fill_roster()
        self._fill_reasons()

    def on_language(self) -> None:
        self._titles()
        self._fill_reasons()

    def _titles(self) -> None:
        lesson = self.lesson
        if lesson is None:
            self.view.title_text = _("Start lesson")
            self.view.lesson_text = _("No lesson now or in the next 10 minutes")
        else:
            self.view.title_text = _("Start lesson · period {period}").format(period=lesson.period)
            if lesson.class_name:
                self.view.lesson_text = _("Class {cls} · {subject}").format(cls=lesson.class_name, subject=lesson.subject)
            else:
                self.view.lesson_text = _("Not in the timetable")
        name = self.config.teacher_name(self.selected) if self.selected else ""
        self.view.teacher_text = name or _("Choose your name")

    def _fill_roster(self) -> None:
        grid = self.view.ids.roster
        grid.clear_widgets()
        teachers = model.roster(self.config, self.selected)
        if self.view.query:
            teachers = model.search(teachers, self.view.query)
        for teacher in teachers:
            button = Factory.NameButton(text=teacher.name, action=teacher.id)
            button.is_selected = teacher.id == self.selected
            button.bind(on_release=lambda b: self.select(b.action))
            grid.add_widget(button)

    def _fill_reasons(self) -> None:
        box = self.view.ids.reasons
        box.clear_widgets()
        for reason in self.config.policy_rules.exempt_reasons:
            button = Factory.ReasonButton(text=label(REASON_LABELS, reason), action=reason)
            button.bind(on_release=lambda b: self.exempt(b.action))
            box.add_widget(button)

    # --- taps -----------------------------------------------------------------------------
    def select(self, teacher_id: str) -> None:
        """A name was tapped."""
        self.selected = teacher_id
        self.view.is_searching = False
        self.app.close_keyboard()
        for button in self.view.ids.roster.children:
            button.is_selected = button.action == teacher_id
        self._titles()

    def open_search(self) -> None:
        """Show the keyboard for the name search."""
        self.view.is_searching = True
        self.view.is_exempt_open = False
        self.app.open_keyboard(self.search_key)

    def search_key(self, key: str) -> None:
        """A key for the search field (letters only; accents are ignored when matching)."""
        if key == "done":
            self.view.is_searching = False
            self.app.close_keyboard()
            return
        if key == "backspace":
            self.view.query = self.view.query[:-1]
        elif key == "space":
            self.view.query += " "
        else:
            self.view.query += key
        self._fill_roster()

    def toggle_exempt(self) -> None:
        """Show or hide the reasons a lesson needs no equipment."""
        self.view.is_exempt_open = not self.view.is_exempt_open

    def _lesson_fields(self) -> dict[str, Any]:
        lesson = self.lesson
        if lesson is None:
            return {}
        fields: dict[str, Any] = {"date": lesson.date, "period": lesson.period}
        if lesson.class_name:
            fields["class_name"] = lesson.class_name
            fields["subject"] = lesson.subject
        return fields

    def confirm(self) -> None:
        """Record the tap-in for the selected teacher."""
        if not self.selected:
            self.app.show_message(_("Choose your name first"), is_error=True)
            return
        self._submit(teacher=self.selected)

    def exempt(self, reason: str) -> None:
        """Record that this lesson does not need the room's equipment."""
        if not self.selected:
            self.app.show_message(_("Choose your name first"), is_error=True)
            return
        self._submit(teacher=self.selected, exempt_reason=reason)

    def _submit(self, **kwargs: Any) -> None:
        agent = self.app.agent
        fields = {**self._lesson_fields(), **kwargs}
        self.view.is_busy = True
        self.app.worker.submit(lambda: agent.tap_in(**fields), self._done, self._failed)

    def tap_card(self, card: str) -> None:
        """A card reader typed ``card`` and Enter: tap in its teacher for the lesson now."""
        agent = self.app.agent
        state = self.app.home_state
        fields: dict[str, Any] = {}
        if state is not None and state.tap_period is not None:
            day, period = state.tap_period
            info = model.period_info(agent.config, day, period, state.now_at)
            fields = {"date": day, "period": period}
            if info.class_name:
                fields.update(class_name=info.class_name, subject=info.subject)

        def call() -> dict[str, Any]:
            teacher = agent.teacher_by_card(card)
            return dict(agent.tap_in(teacher=teacher, card=card, **fields))

        self.app.worker.submit(call, self._done, self._failed)

    def _done(self, event: dict[str, Any]) -> None:
        self.view.is_busy = False
        name = self.config.teacher_name(event.get("teacher"))
        if event["type"] == "exempt":
            self.app.show_message(_("Recorded: no equipment needed ({name})").format(name=name))
        else:
            self.app.show_message(_("Lesson started: {name}").format(name=name))
        self.app.go("home")

    def _failed(self, exc: BaseException) -> None:
        self.view.is_busy = False
        self.app.show_error(exc)

    def undo(self) -> None:
        """Undo the tap-in in force for the lesson now (allowed until it ends)."""
        state = self.app.home_state
        if state is None or state.tap is None:
            self.app.show_message(_("There is no tap-in to undo"), is_error=True)
            return
        agent = self.app.agent
        seq = state.tap.seq

        def done(_event: Any) -> None:
            self.app.show_message(_("Tap-in undone"))
            self.app.go("home")

        self.app.worker.submit(lambda: agent.undo(seq), done, self._failed)

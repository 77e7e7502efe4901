"""The fault report controller: choose device and symptom, type a note, send one event."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.factory import Factory

from kiosk.agent import FAULT_SYMPTOMS
from kiosk.i18n import _
from kiosk.ui.telex import type_key
from kiosk.ui.text import KIND_LABELS, SYMPTOM_LABELS, label

NOTE_MAX = 200


class FaultController:
    """Drives the fault view."""

    def __init__(self, view: Any) -> None:
        self.view = view
        self.kind = ""
        self.symptom = ""

    @property
    def app(self) -> Any:
        return App.get_running_app()

    def on_show(self) -> None:
        """A fresh, empty report."""
        self.kind = ""
        self.symptom = ""
        self.view.note = ""
        self.view.is_typing = False
        self._fill()

    def on_language(self) -> None:
        self._fill()

    def _fill(self) -> None:
        devices = self.view.ids.devices
        devices.clear_widgets()
        kinds: list[str] = []
        for device in self.app.agent.config.devices:
            if device.kind not in kinds:
                kinds.append(device.kind)
        for kind in kinds:
            button = Factory.ChoiceButton(text=label(KIND_LABELS, kind), action=kind)
            button.is_selected = kind == self.kind
            button.bind(on_release=lambda b: self.pick_device(b.action))
            devices.add_widget(button)
        symptoms = self.view.ids.symptoms
        symptoms.clear_widgets()
        for symptom in FAULT_SYMPTOMS:
            button = Factory.ChoiceButton(text=label(SYMPTOM_LABELS, symptom), action=symptom)
            button.is_selected = symptom == self.symptom
            button.bind(on_release=lambda b: self.pick_symptom(b.action))
            symptoms.add_widget(button)
        self._summary()

    def _summary(self) -> None:
        parts = [label(KIND_LABELS, self.kind) if self.kind else _("Which device?"),
                 label(SYMPTOM_LABELS, self.symptom) if self.symptom else _("What is wrong?")]
        self.view.summary_text = " · ".join(parts)

    def pick_device(self, kind: str) -> None:
        """A device was tapped."""
        self.kind = kind
        for button in self.view.ids.devices.children:
            button.is_selected = button.action == kind
        self._summary()

    def pick_symptom(self, symptom: str) -> None:
        """A symptom was tapped."""
        self.symptom = symptom
        for button in self.view.ids.symptoms.children:
            button.is_selected = button.action == symptom
        self._summary()

    def open_note(self) -> None:
        """Show the keyboard for the note."""
        self.view.is_typing = True
        self.app.open_keyboard(self.note_key)

    def note_key(self, key: str) -> None:
        """A key for the note; with Telex on, letters compose Vietnamese."""
        note = self.view.note
        if key == "done":
            self.view.is_typing = False
            self.app.close_keyboard()
            return
        if key == "backspace":
            note = note[:-1]
        elif key == "space":
            note += " "
        elif self.app.telex:
            head, sep, word = note.rpartition(" ")
            note = head + sep + type_key(word, key)
        else:
            note += key
        self.view.note = note[:NOTE_MAX]

    def send(self) -> None:
        """Record the fault report through the agent."""
        if not self.kind or not self.symptom:
            self.app.show_message(_("Choose the device and what is wrong"), is_error=True)
            return
        agent = self.app.agent
        kind, symptom, note = self.kind, self.symptom, self.view.note.strip()
        self.view.is_busy = True

        def done(_event: Any) -> None:
            self.view.is_busy = False
            self.app.show_message(_("Fault reported: {device} · {symptom}").format(
                device=label(KIND_LABELS, kind), symptom=label(SYMPTOM_LABELS, symptom)))
            self.app.go("home")

        def failed(exc: BaseException) -> None:
            self.view.is_busy = False
            self.app.show_error(exc)

        self.app.worker.submit(lambda: agent.report_fault(kind=kind, symptom=symptom, note=note), done, failed)

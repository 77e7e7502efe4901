"""IT-mode enrolment: ``classroom enroll`` on the touchscreen.

The enrolment is :func:`kiosk.commands.sync.enroll_pi` (the CLI's own), run on the
worker: a network call and a file write never run on the UI thread. Its errors are
already one translated line (expired code, unreachable server, …).
"""

from __future__ import annotations

from typing import Any

from kivy.app import App

from kiosk.i18n import _
from kiosk.identity import Identity
from kiosk.ui import model

FIELDS = ("server", "code", "room")
MAX_LEN = {"server": 120, "code": 32, "room": 16}


class EnrolController:
    """Drives the enrolment view."""

    def __init__(self, view: Any) -> None:
        self.view = view
        self.identity: Identity | None = None

    @property
    def app(self) -> Any:
        return App.get_running_app()

    def on_show(self) -> None:
        """Only from an unlocked IT mode: read the current enrolment, type into the address first."""
        if not self.app.screens["itmode"].is_unlocked:
            self.app.go("home")
            return
        self.view.code = ""
        self.view.room = ""
        self.view.result_text = ""
        self.view.is_error = False
        self.select("server")
        self.app.worker.submit(lambda: model.current_identity(self.app.agent), self._got_identity,
                               self._identity_failed)

    def on_language(self) -> None:
        self._status()

    def leave(self) -> None:
        """Back to the (still unlocked) IT panel."""
        self.app.close_keyboard()
        self.app.screens["itmode"].controller.resume()

    def _got_identity(self, identity: Identity | None) -> None:
        self.identity = identity
        if identity is not None and not self.view.server:
            self.view.server = identity.server
        self._status()

    def _identity_failed(self, exc: BaseException) -> None:
        self.identity = None
        self._status()
        self._result(str(exc), is_error=True)

    def _status(self) -> None:
        identity = self.identity
        self.view.is_enrolled = identity is not None
        if identity is None:
            self.view.status_text = _("This Pi is not enrolled with the district.")
        else:
            self.view.status_text = _("Enrolled as {pi_id} (school {school}, room {room}) at {server}").format(
                pi_id=identity.pi_id, school=identity.school, room=identity.room, server=identity.server)

    def _result(self, text: str, *, is_error: bool) -> None:
        self.view.result_text = text
        self.view.is_error = is_error

    # --- typing -------------------------------------------------------------------------------
    def select(self, field: str) -> None:
        """Type into ``field`` (server, code or room)."""
        self.view.field = field
        self.app.open_keyboard(self.key)

    def key(self, key: str) -> None:
        """A key of the address keyboard for the selected field."""
        field = self.view.field
        value = getattr(self.view, field)
        if key == "backspace":
            value = value[:-1]
        elif key == "done":
            self.select(FIELDS[(FIELDS.index(field) + 1) % len(FIELDS)])
            return
        elif key == "clear":
            value = ""
        elif key in ("space", "telex"):
            return
        else:
            if field != "server":
                key = key.upper()  # codes and room codes are upper case
            value = (value + key)[: MAX_LEN[field]]
        setattr(self.view, field, value)

    def clear(self) -> None:
        """Empty the selected field."""
        setattr(self.view, self.view.field, "")

    # --- enrolling ----------------------------------------------------------------------------
    def enrol(self) -> None:
        """Enrol with the typed address and code (and room), on the worker."""
        view = self.view
        if view.is_busy:
            return
        server, code, room = view.server.strip(), view.code.strip(), view.room.strip()
        if not server or not code:
            self._result(_("Type the server address and the enrolment code first."), is_error=True)
            return
        view.is_busy = True
        self._result(_("Contacting {server}…").format(server=server), is_error=False)
        agent, force = self.app.agent, self.identity is not None
        self.app.worker.submit(lambda: model.enrol(agent, server, code, room or None, force=force),
                               self._enrolled, self._failed)

    def _enrolled(self, identity: Identity) -> None:
        self.view.is_busy = False
        self.identity = identity
        self.view.code = ""
        self._status()
        self._result(_("Enrolled: Pi {pi_id} in room {room} of school {school}").format(
            pi_id=identity.pi_id, room=identity.room, school=identity.school), is_error=False)

    def _failed(self, exc: BaseException) -> None:
        self.view.is_busy = False
        self._result(str(exc), is_error=True)

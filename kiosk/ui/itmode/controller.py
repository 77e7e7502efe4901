"""IT mode: PIN check, live channels and detector states, sync and clock, settings, faults.

The PIN is compared in constant time against the room config's ``[agent] it_pin``;
leaving the screen locks it again.
"""

from __future__ import annotations

import hmac
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.factory import Factory

from kiosk.i18n import _
from kiosk.ui import model
from kiosk.ui.text import KIND_LABELS, STATE_LABELS, SYMPTOM_LABELS, label, sync_lines

PIN_MAX = 8
BLANK_CHOICES_S = (60, 120, 300, 600)


class ItController:
    """Drives the IT view."""

    def __init__(self, view: Any) -> None:
        self.view = view
        self.pin = ""
        self.state: dict[str, Any] | None = None
        self._poll: Any = None
        self._restart_armed = False
        self._resuming = False

    @property
    def app(self) -> Any:
        return App.get_running_app()

    def on_show(self) -> None:
        """Start locked, unless coming back from one of IT mode's own screens."""
        if self._resuming and self.view.is_unlocked:
            self._resuming = False
            self._start_polling()
            return
        self._resuming = False
        self.lock()

    def open_screen(self, name: str) -> None:
        """Open an IT-mode screen (calibration, enrolment); IT mode stays unlocked for the way back."""
        if not self.view.is_unlocked:
            return
        self._stop_polling()
        self.app.go(name)

    def resume(self) -> None:
        """Back from an IT-mode screen to the unlocked panel."""
        self._resuming = True
        self.app.go("itmode")

    def _start_polling(self) -> None:
        self._stop_polling()
        self.poll(force=True)
        self._poll = Clock.schedule_interval(lambda _dt: self.poll(), 2.0)

    def _stop_polling(self) -> None:
        if self._poll is not None:
            self._poll.cancel()
            self._poll = None

    def on_language(self) -> None:
        self._settings_text()
        if self.state is not None:
            self.show(self.state)

    def lock(self) -> None:
        """Back to the PIN pad; stop polling."""
        self.pin = ""
        self.view.pin_dots = ""
        self.view.is_unlocked = False
        self._restart_armed = False
        self._stop_polling()

    def leave(self) -> None:
        """Lock and go home."""
        self.lock()
        self.app.go("home")

    # --- the PIN pad ---------------------------------------------------------------------
    def digit(self, key: str) -> None:
        """A PIN pad key: a digit, ``del`` or ``ok``."""
        if key == "del":
            self.pin = self.pin[:-1]
        elif key == "ok":
            self.check()
            return
        elif len(self.pin) < PIN_MAX:
            self.pin += key
        self.view.pin_dots = "●" * len(self.pin)

    def check(self) -> None:
        """Unlock if the PIN is right; refuse (and clear) otherwise."""
        expected = str(self.app.agent.config.agent.it_pin)
        is_right = hmac.compare_digest(self.pin.encode(), expected.encode())
        self.pin = ""
        self.view.pin_dots = ""
        if not is_right:
            self.app.show_message(_("Wrong PIN"), is_error=True)
            return
        self.view.is_unlocked = True
        self.view.ids.panel.scroll_y = 1  # the panel opens at its top
        self.state = None
        self._settings_text()
        self._start_polling()

    # --- the panel -------------------------------------------------------------------------
    def poll(self, *, force: bool = False) -> None:
        """Read channels, clock, sync and faults on the worker (skipped while it is busy)."""
        agent, syncer = self.app.agent, self.app.syncer
        if force or self.app.worker.pending == 0:
            self.app.worker.submit(lambda: model.it_state(agent, syncer), self.show, self.app.show_error)

    def show(self, state: dict[str, Any]) -> None:
        """Fill the channel rows, the status lines and the open faults."""
        self.state = state
        if not self.view.is_unlocked:
            return
        rows = self.view.ids.channels
        rows.clear_widgets()
        for ch in state["channels"]:
            amps = "—" if ch["amps"] is None else f"{ch['amps']:.3f} A"
            text = _("Channel {channel} · {kind}").format(channel=ch["channel"], kind=label(KIND_LABELS, ch["kind"]))
            detail = _("{state} · {amps} (standby {standby} A, on {on} A)").format(
                state=label(STATE_LABELS, ch["state"]), amps=amps, standby=ch["standby_amps"], on=ch["on_amps"])
            rows.add_widget(Factory.ItRow(text=f"{text}\n{detail}"))
        self.view.clock_text = _("Clock synchronised") if state["clock_synced"] else _("Clock NOT synchronised")
        sync = state["sync"]
        if sync is None:
            self.view.sync_text = _("Sync: not installed on this Pi")
        else:
            self.view.sync_text = "\n".join(sync_lines(sync, self.app.agent.config.tz))
        faults = self.view.ids.faults
        faults.clear_widgets()
        if not state["open_faults"]:
            faults.add_widget(Factory.ItRow(text=_("No open faults")))
        for fault in state["open_faults"]:
            text = _("#{seq} {device} · {symptom}").format(
                seq=fault["seq"], device=label(KIND_LABELS, fault["device"]),
                symptom=label(SYMPTOM_LABELS, fault["symptom"]))
            if fault.get("note"):
                text += f" · “{fault['note']}”"
            row = Factory.FaultRow(text=text, seq=fault["seq"])
            faults.add_widget(row)

    def _settings_text(self) -> None:
        app = self.app
        self.view.screen_text = _("Brightness {b} % · dim after {m} min").format(
            b=int(app.brightness), m=int(app.blank_timeout_s // 60))
        self.view.restart_text = _("Tap again to restart") if self._restart_armed else _("Restart the agent")

    def brighter(self, step: float) -> None:
        """Brightness up or down by ``step`` percent."""
        self.app.set_brightness(self.app.brightness + step)
        self._settings_text()

    def next_blank(self) -> None:
        """Cycle the dimming timeout."""
        current = int(self.app.blank_timeout_s)
        later = [s for s in BLANK_CHOICES_S if s > current]
        self.app.blank_timeout_s = float(later[0] if later else BLANK_CHOICES_S[0])
        self._settings_text()

    def language(self, lang: str) -> None:
        """Switch the kiosk's language."""
        self.app.set_lang(lang)

    def close_fault(self, seq: int) -> None:
        """Record that fault ``seq`` is fixed."""
        agent = self.app.agent

        def done(_event: Any) -> None:
            self.app.show_message(_("Fault #{seq} closed").format(seq=seq))
            self.poll(force=True)

        self.app.worker.submit(lambda: agent.close_fault(seq, note="closed in IT mode", by="it"), done,
                               self.app.show_error)

    def restart(self) -> None:
        """Two taps: stop the program; its service manager starts it again."""
        if not self._restart_armed:
            self._restart_armed = True
            self._settings_text()
            return
        self.app.show_message(_("Restarting…"))
        self.app.stop_event.set()

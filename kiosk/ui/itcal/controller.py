"""IT-mode calibration: ``classroom calibrate``'s walk-through on the touchscreen, one device at a time.

Standby and on levels are sampled from the agent's live readings
(:meth:`~kiosk.agent.Agent.channel_states`), one quick worker call per sample, so the
worker stays free for the other screens. Thresholds and the "too close" refusal are
:func:`kiosk.calibration.propose`'s; saving is the CLI's: the room TOML rewritten by
:func:`kiosk.calibration.write_levels`, then a ``calibration`` event through the agent.
The running detector takes the new levels at once (Agent.record_calibration).
"""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.factory import Factory

from kiosk.calibration import CalibrationRejected, Proposal, propose
from kiosk.i18n import _
from kiosk.ui import model
from kiosk.ui.text import KIND_LABELS, STATE_LABELS, label

SAMPLE_S = 0.25
LIVE_S = 0.5


class CalibrationController:
    """Drives the calibration view. Steps: pick, switch, off, measure_off, on, measure_on, result, rejected, saved."""

    measure_s = 10.0  # per level; tests shorten it

    def __init__(self, view: Any) -> None:
        self.view = view
        self.channel: int | None = None
        self.standby: list[float] = []
        self.on: list[float] = []
        self.proposal: Proposal | None = None
        self._samples: list[float] = []
        self._asked = 0
        self._got = 0
        self._sampler: Any = None
        self._live: Any = None
        self._live_states: dict[int, tuple[str, float | None]] = {}

    @property
    def app(self) -> Any:
        return App.get_running_app()

    # --- showing -----------------------------------------------------------------------------
    def on_show(self) -> None:
        """Only from an unlocked IT mode; starts with the device list."""
        if not self.app.screens["itmode"].is_unlocked:
            self.app.go("home")
            return
        self._stop_sampling()
        self.channel = None
        self._set_step("pick")
        self._fill()
        if self._live is None:
            self._live = Clock.schedule_interval(lambda _dt: self._poll_live(), LIVE_S)

    def on_language(self) -> None:
        self._fill()
        self._texts()

    def leave(self) -> None:
        """Back to the (still unlocked) IT panel."""
        self._stop_sampling()
        if self._live is not None:
            self._live.cancel()
            self._live = None
        self.app.screens["itmode"].controller.resume()

    def _device(self, channel: int | None) -> Any:
        return self.app.agent.config.device(channel) if channel is not None else None

    def _fill(self) -> None:
        box = self.view.ids.devices
        box.clear_widgets()
        for device in self.app.agent.config.devices:
            text = _("Channel {channel} · {kind}").format(channel=device.channel, kind=label(KIND_LABELS, device.kind))
            button = Factory.CalDeviceButton(text=text, action=str(device.channel))
            button.is_selected = device.channel == self.channel
            button.bind(on_release=lambda b: self.pick(int(b.action)))
            box.add_widget(button)

    # --- the steps -------------------------------------------------------------------------------
    def pick(self, channel: int) -> None:
        """Start with device ``channel``: ask to switch it off."""
        if self.view.is_busy:
            return
        self._stop_sampling()
        self.channel = channel
        self.standby, self.on, self.proposal = [], [], None
        device = self._device(channel)
        self._fill()
        self._set_step("switch" if device.source == "gpio" else "off")
        self._poll_live()  # the new device's reading at once, not at the next poll

    def action(self) -> None:
        """The big button: measure standby, measure on, save, or start again, by step."""
        step = self.view.step
        if step == "off":
            self._measure("measure_off")
        elif step == "on":
            self._measure("measure_on")
        elif step == "result":
            self.save()
        elif step in ("rejected", "saved") and self.channel is not None:
            self.pick(self.channel)

    def cancel(self) -> None:
        """Stop measuring and go back to the device list."""
        self._stop_sampling()
        self.channel = None
        self._fill()
        self._set_step("pick")

    def _measure(self, step: str) -> None:
        self._samples, self._asked, self._got = [], 0, 0
        self.view.progress = 0.0
        self._set_step(step)
        self._sampler = Clock.schedule_interval(lambda _dt: self._sample(), SAMPLE_S)

    def _wanted(self) -> int:
        return max(2, round(self.measure_s / SAMPLE_S))

    def _sample(self) -> None:
        if self._asked >= self._wanted():
            return
        self._asked += 1
        agent, channel, step = self.app.agent, self.channel, self.view.step
        self.app.worker.submit(lambda: model.calibration_sample(agent, channel),
                               lambda amps: self._got_sample(step, amps), lambda _exc: self._got_sample(step, None))

    def _got_sample(self, step: str, amps: float | None) -> None:
        if self.view.step != step:
            return  # cancelled or restarted meanwhile
        self._got += 1
        if amps is not None:
            self._samples.append(amps)
        self.view.progress = self._got / self._wanted()
        if self._got < self._wanted():
            return
        self._stop_sampling()
        if step == "measure_off":
            self.standby = list(self._samples)
            self._set_step("on")
        else:
            self.on = list(self._samples)
            self._propose()

    def _propose(self) -> None:
        detector = self.app.agent.config.detector
        try:  # pure arithmetic: fine on the UI thread
            self.proposal = propose(self.channel, self.standby, self.on, on_fraction=detector.on_fraction,
                                    off_fraction=detector.off_fraction)
        except CalibrationRejected as exc:
            self.proposal = None
            self.view.result_text = _("Channel {channel} rejected: {error}").format(channel=self.channel, error=exc)
            self._set_step("rejected")
            return
        self._set_step("result")

    def save(self) -> None:
        """Write the levels to the room file and journal them, on the worker."""
        proposal, agent, path = self.proposal, self.app.agent, self.app.config_path
        if proposal is None or self.view.is_busy:
            return
        self.view.is_busy = True

        def done(_config: Any) -> None:
            self.view.is_busy = False
            self._set_step("saved")
            self.app.show_message(_("Calibration of channel {channel} saved").format(channel=proposal.channel))

        def failed(exc: BaseException) -> None:
            self.view.is_busy = False
            self.view.result_text = _("Not saved: {error}").format(error=exc)
            self._set_step("rejected")

        self.app.worker.submit(lambda: model.save_calibration(agent, path, proposal), done, failed)

    def _stop_sampling(self) -> None:
        if self._sampler is not None:
            self._sampler.cancel()
            self._sampler = None

    # --- texts ---------------------------------------------------------------------------------------
    def _set_step(self, step: str) -> None:
        self.view.step = step
        self.view.is_error = step == "rejected"
        self._texts()

    def _texts(self) -> None:
        view, step = self.view, self.view.step
        device = self._device(self.channel)
        kind = label(KIND_LABELS, device.kind) if device else ""
        view.device_text = _("Channel {channel} · {kind}").format(channel=self.channel, kind=kind) if device else \
            _("Calibration")
        s = int(self.measure_s)
        p = self.proposal
        instructions = {
            "pick": _("Choose the device to calibrate."),
            "switch": _("Channel {channel} is a current switch: standby 0, on 1; nothing to measure.").format(
                channel=self.channel),
            "off": _("Switch OFF the {device} (leave it plugged in, on standby), then tap “Measure standby”.").format(
                device=kind.lower()),
            "measure_off": _("Measuring standby for {s} s… keep the {device} switched off.").format(
                s=s, device=kind.lower()),
            "on": _("Switch ON the {device} and wait until it is fully on, then tap “Measure on”.").format(
                device=kind.lower()),
            "measure_on": _("Measuring on for {s} s… keep the {device} switched on.").format(s=s, device=kind.lower()),
            "result": _("Standby {standby} A, on {on} A.\nOn above {up} A, off below {down} A.").format(
                standby=p.standby_amps, on=p.on_amps, up=p.on_threshold_amps, down=p.off_threshold_amps)
            if p else "",
            "rejected": view.result_text,
            "saved": _("Saved to {path} and the journal; the new levels apply now.").format(
                path=self.app.config_path) if p else "",
        }
        view.instruction_text = instructions.get(step, "")
        view.action_text = {
            "off": _("Measure standby"),
            "on": _("Measure on"),
            "measure_off": _("Measuring…"),
            "measure_on": _("Measuring…"),
            "result": _("Save these levels"),
            "rejected": _("Measure again"),
            "saved": _("Measure again"),
        }.get(step, "")
        self._reading_text()

    # --- the live reading ----------------------------------------------------------------------------
    def _poll_live(self) -> None:
        if self.app.manager.current != self.view.name:
            return
        if self.channel is None or self.app.worker.pending > 2:
            return
        agent = self.app.agent
        self.app.worker.submit(agent.channel_states, self._got_live, self.app.show_error)

    def _got_live(self, states: dict[int, tuple[str, float | None]]) -> None:
        self._live_states = states
        self._reading_text()

    def _reading_text(self) -> None:
        if self.channel is None:
            self.view.reading_text = ""
            return
        state, amps = self._live_states.get(self.channel, ("missing", None))
        self.view.reading_text = _("Now: {amps} · {state}").format(
            amps="—" if amps is None else f"{amps:.3f} A", state=label(STATE_LABELS, state))

"""Status outputs on GPIO: an LED saying "logging OK / sensor problem / not synced", a buzzer.

- logging OK: LED steadily on;
- sensor problem (a clamp unplugged, a channel missing): fast blink, 0.2 s on / 0.2 s off;
- not synced (events waiting for the district for long): slow blink, 1 s on / 2 s off;
- stopped: off.

A sensor problem outranks "not synced": a technician in the room can fix it. The
buzzer (optional) beeps to acknowledge a teacher's fault report.
"""

from __future__ import annotations

from typing import Any, Literal

from gpiozero import LED, Buzzer

from hardware.errors import BadSetting

Status = Literal["ok", "sensor_problem", "not_synced", "stopped"]
BLINKS: dict[str, tuple[float, float]] = {"sensor_problem": (0.2, 0.2), "not_synced": (1.0, 2.0)}


def worst(*, sensor_problem: bool, synced: bool, running: bool = True) -> Status:
    """The one status to show for these facts (sensor problems outrank sync)."""
    if not running:
        return "stopped"
    if sensor_problem:
        return "sensor_problem"
    if not synced:
        return "not_synced"
    return "ok"


class StatusLed:
    """An LED on a BCM pin showing a :data:`Status`; ``pin_factory`` as gpiozero takes it."""

    def __init__(self, pin: int, *, pin_factory: Any = None) -> None:
        if not 2 <= pin <= 27:
            raise BadSetting(f"status led pin {pin} out of range 2-27 (BCM numbering)")
        self._led = LED(pin, pin_factory=pin_factory)
        self.status: Status = "stopped"

    def show(self, status: Status) -> None:
        """Show ``status``; a repeated status leaves a running blink alone."""
        if status == self.status:
            return
        self.status = status
        if status == "ok":
            self._led.on()
        elif status == "stopped":
            self._led.off()
        else:
            on_s, off_s = BLINKS[status]
            self._led.blink(on_time=on_s, off_time=off_s, background=True)

    @property
    def is_lit(self) -> bool:
        """Whether the LED is lit this instant."""
        return bool(self._led.is_lit)

    def close(self) -> None:
        """Turn off and release the pin."""
        self._led.close()


class AckBuzzer:
    """An optional buzzer: :meth:`acknowledge` beeps twice when a fault report is recorded."""

    def __init__(self, pin: int, *, pin_factory: Any = None) -> None:
        self._buzzer = Buzzer(pin, pin_factory=pin_factory)

    def acknowledge(self, *, beeps: int = 2) -> None:
        """Beep ``beeps`` times in the background."""
        self._buzzer.beep(on_time=0.1, off_time=0.1, n=beeps, background=True)

    @property
    def is_sounding(self) -> bool:
        """Whether the buzzer sounds this instant."""
        return bool(self._buzzer.is_active)

    def close(self) -> None:
        """Silence and release the pin."""
        self._buzzer.close()

"""A split-core current-operated switch on a GPIO pin: 1.0 while current flows, else 0.0.

The switch (e.g. a Hall-effect "current sensing relay" or an SCT-style current switch)
closes a dry contact or pulls an open-collector output low while its conductor carries
more than its trip current. gpiozero's :class:`~gpiozero.DigitalInputDevice` is the
fitting class: a plain on/off input with the internal pull-up and ``bounce_time``
debounce (a contact chatters for a few ms as it closes). Nothing else is needed: no
``Button`` semantics (held, pressed).

The pin factory is passed in (``pin_factory=``); when it is None gpiozero picks the
real one for this Pi (lgpio on a Pi 5, RPi.GPIO or lgpio elsewhere). Tests pass
gpiozero's ``MockFactory``; the mock is never picked silently.
"""

from __future__ import annotations

from typing import Any

from gpiozero import DigitalInputDevice

from hardware.errors import BadSetting
from hardware.settings import GpioSettings


class CurrentSwitch:
    """One current switch on a BCM GPIO pin; :attr:`amps` is 1.0 (current flows) or 0.0.

    >>> from gpiozero.pins.mock import MockFactory
    >>> switch = CurrentSwitch(17, pin_factory=MockFactory())
    >>> switch.amps
    0.0
    """

    def __init__(self, pin: int, *, pull_up: bool = True, bounce_s: float = 0.05,
                 pin_factory: Any = None) -> None:
        if not 2 <= pin <= 27:
            raise BadSetting(f"gpio pin {pin} out of range 2-27 (BCM numbering)")
        self.pin = pin
        # pull_up=True: the contact pulls the pin to ground, so "active" is low.
        self._device = DigitalInputDevice(
            pin, pull_up=pull_up, bounce_time=bounce_s or None, pin_factory=pin_factory
        )

    @classmethod
    def from_settings(cls, settings: GpioSettings, *, pin_factory: Any = None) -> CurrentSwitch:
        """A switch as the room config describes it."""
        return cls(settings.pin, pull_up=settings.pull_up, bounce_s=settings.bounce_s,
                   pin_factory=pin_factory)

    @property
    def is_on(self) -> bool:
        """Whether the switch reports current flowing now."""
        return bool(self._device.is_active)

    @property
    def amps(self) -> float:
        """1.0 while current flows, else 0.0 (calibration: standby 0, on 1)."""
        return 1.0 if self.is_on else 0.0

    def close(self) -> None:
        """Release the pin."""
        self._device.close()

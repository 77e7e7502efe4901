"""Errors of the sensor package; each also inherits the builtin it resembles.

Messages are one lower-case English sentence naming the value, the limit and the fix;
the kiosk translates them at its edge (this package imports nothing of the kiosk).
"""

from __future__ import annotations


class HardwareError(Exception):
    """Base class of every error raised by :mod:`hardware`."""


class BadSetting(HardwareError, ValueError):
    """A sensor setting is out of range or inconsistent (e.g. ``channel 9 out of range 0-7``)."""


class SensorProblem(HardwareError, RuntimeError):
    """A sensor is wired or working wrongly; its channel reports nothing rather than "off".

    ``reason`` is a short machine word (``unplugged``, ``bias``, ``clipped``, ``io``) that
    the kiosk translates; ``channel`` is the room channel when known.
    """

    reason = "sensor"

    def __init__(self, message: str, *, channel: int | None = None) -> None:
        super().__init__(message)
        self.channel = channel


class CtUnplugged(SensorProblem):
    """The CT clamp's plug is out of its jack: the input sits at ground with no swing."""

    reason = "unplugged"


class BiasFault(SensorProblem):
    """The mid-rail bias is wrong (open resistor, shorted capacitor): the waveform is off-centre."""

    reason = "bias"


class Clipped(SensorProblem):
    """The waveform hits the ADC's rails: burden too large or current above the clamp's range."""

    reason = "clipped"


class SpiFailed(SensorProblem):
    """The SPI transfer to the ADC failed (bus not enabled, chip not answering)."""

    reason = "io"

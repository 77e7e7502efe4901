"""The one shape in which sensor data enters the system."""

from __future__ import annotations

from typing import NamedTuple


class Reading(NamedTuple):
    """One sample of one channel: UTC epoch seconds, channel number, RMS amps.

    A current switch reports 0.0 (off) or 1.0 (on); a CT clamp the measured RMS
    current. Nothing past the detector knows which source produced it.
    """

    time: float
    channel: int
    amps: float

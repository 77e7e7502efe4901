"""Fakes at the hardware boundaries: an MCP3008 answering ``transfer()`` from synthetic waves."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any

from gpiozero.pins.mock import MockFactory

Wave = Callable[[float], float]  # time in s -> volts at the ADC input (bias included)


def ct_wave(*, amps_rms: float, amps_per_volt: float, bias_v: float = 1.65, mains_hz: float = 50.0,
            harmonics: tuple[tuple[int, float], ...] = ((3, 0.3), (5, 0.15), (7, 0.05)),
            phase: float = 0.0) -> tuple[Wave, float]:
    """A CT's voltage with harmonics (fractions of the fundamental); returns it and its true RMS amps.

    True RMS of a sum of sines = fundamental RMS × sqrt(1 + Σ h²).
    """
    norm = math.sqrt(1 + sum(h * h for _, h in harmonics))
    fundamental_v = amps_rms / norm / amps_per_volt * math.sqrt(2)

    def wave(t: float) -> float:
        w = 2 * math.pi * mains_hz * t
        v = math.sin(w + phase)
        for order, fraction in harmonics:
            v += fraction * math.sin(order * (w + phase) + order * 0.4)
        return bias_v + fundamental_v * v

    return wave, amps_rms


class FakeMcp3008:
    """Answers MCP3008 transfers with counts of ``waves[adc_channel](t)`` and advances its own time.

    ``rate_hz`` is the conversion rate (with ``jitter`` as a fraction); ``noise_counts``
    the RMS of added white noise; :meth:`timer` is the clock the sampler reads.
    """

    def __init__(self, waves: dict[int, Wave], *, rate_hz: float = 8000.0, vref: float = 3.3,
                 noise_counts: float = 1.0, jitter: float = 0.05, seed: int = 1) -> None:
        self.waves = waves
        self.vref = vref
        self.dt = 1.0 / rate_hz
        self.noise = noise_counts
        self.jitter = jitter
        self.rng = random.Random(seed)
        self.t = self.rng.uniform(0, 0.02)
        self.transfers = 0
        self.fail: Exception | None = None

    bits_per_word = 8

    def close(self) -> None:
        pass

    def timer(self) -> float:
        return self.t

    def transfer(self, data: list[int]) -> list[int]:
        if self.fail is not None:
            raise self.fail
        assert data[0] == 0x01 and data[1] & 0x80, "single-ended MCP3008 command expected"
        channel = (data[1] >> 4) & 0x07
        volts = self.waves[channel](self.t) if channel in self.waves else 0.0
        counts = volts / self.vref * 1024 + self.rng.gauss(0, self.noise)
        value = max(0, min(1023, int(round(counts))))
        self.t += self.dt * (1 + self.rng.uniform(-self.jitter, self.jitter))
        self.transfers += 1
        return [0x00, (value >> 8) & 0x03, value & 0xFF]


class FakeSpiFactory(MockFactory):
    """gpiozero's MockFactory (mock pins for switches and LEDs) whose ``spi()`` is ``fake``."""

    def __init__(self, fake: FakeMcp3008) -> None:
        super().__init__()
        self.fake = fake

    def spi(self, **spi_args: Any) -> FakeMcp3008:
        return self.fake

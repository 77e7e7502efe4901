"""A CT clamp on one input of an MCP3008 ADC: sample whole mains cycles, return RMS amps.

**gpiozero's MCP3008, not spidev, and why.** RMS of a 50 Hz current with its
harmonics (a projector's switch-mode supply draws a peaky current; the 3rd-15th
harmonics matter) needs ≥ 2 kS/s, i.e. ≥ 40 samples per 20 ms cycle, of one channel at
a time. ``benchmarks/bench_sensors.py`` measures gpiozero's ``MCP3008.raw_value``
against one bare ``transfer()`` on the same zero-cost fake bus: ~5 µs against ~0.3 µs
per read on the x86 build machine. A Pi Zero 2 W / 3B+ runs Python roughly 8-10×
slower, so gpiozero's layers cost ~50 µs and the bus (24 clocks at 1.35 MHz plus the
driver call) ~25 µs: ~13 kS/s, over six times what is needed. So the sampling loop
reads through gpiozero's :class:`~gpiozero.MCP3008` and its pin factory (hardware SPI
through lgpio or spidev underneath), which keeps the ``pin_factory=`` keyword and
gpiozero's shared-bus locking; a bare ``spidev.xfer2`` loop would only be needed for
several channels at once or above ~10 kS/s. Tests pass a pin factory whose ``spi()``
returns a fake answering at the ``transfer()`` boundary (gpiozero's bit-level mock SPI
is too slow for thousands of samples). The maths is in :mod:`hardware.ct_maths`.

The achieved sample rate is measured over the window (``timer``), so jitter or a slow
Pi changes the samples per cycle, not the RMS.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from gpiozero import MCP3008
from gpiozero.exc import GPIOZeroError

from hardware import ct_maths
from hardware.errors import BadSetting, SpiFailed
from hardware.settings import Mcp3008Settings

log = logging.getLogger(__name__)

ADC_MAX = 1023  # MCP3008: 10 bits
MAX_SAMPLES = 50_000  # a runaway timer must not fill memory


def mcp3008_command(adc_channel: int) -> list[int]:
    """The three bytes asking an MCP3008 for a single-ended conversion of ``adc_channel`` (datasheet form)."""
    if not 0 <= adc_channel <= 7:
        raise BadSetting(f"adc channel {adc_channel} out of range 0-7")
    return [0x01, (0x08 | adc_channel) << 4, 0x00]


class CtClamp:
    """A CT clamp read through an MCP3008; :meth:`read_amps` returns primary RMS amps.

    ``pin_factory`` is gpiozero's (None: the real one on a Pi); ``adc`` replaces the
    gpiozero device outright; ``timer`` is a monotonic seconds function (injected so a
    fake bus can run on simulated time). Raises a
    :class:`~hardware.errors.SensorProblem` for an unplugged clamp, a bias fault,
    clipping or a failed transfer: the channel then reports nothing, never "off".
    """

    def __init__(self, settings: Mcp3008Settings, *, channel: int | None = None, pin_factory: Any = None,
                 adc: Any = None, timer: Callable[[], float] = time.perf_counter) -> None:
        self.settings = settings
        self.channel = channel
        mcp3008_command(settings.adc_channel)  # range check with our message
        if adc is None:
            try:
                adc = MCP3008(channel=settings.adc_channel, port=settings.spi_port, device=settings.spi_device,
                              pin_factory=pin_factory)
            except (GPIOZeroError, OSError) as exc:
                raise SpiFailed(f"channel {channel}: MCP3008 on SPI {settings.spi_port}.{settings.spi_device} "
                                f"cannot be opened: {exc}; enable SPI with raspi-config", channel=channel) from None
        self._adc = adc
        self._timer = timer
        self._amps_per_volt = settings.amps_per_volt()
        self.last_rate_hz = 0.0

    def sample(self) -> tuple[list[int], float]:
        """Raw counts over ``cycles`` mains cycles (a little more) and the achieved rate in Hz."""
        duration = self.settings.cycles / self.settings.mains_hz
        adc = self._adc
        out: list[int] = []
        start = self._timer()
        deadline = start + duration * 1.05  # a little over, so whole cycles fit after trimming
        now = start
        try:
            while now < deadline and len(out) < MAX_SAMPLES:
                out.append(adc.raw_value)
                now = self._timer()
        except (GPIOZeroError, OSError, IndexError) as exc:
            raise SpiFailed(f"channel {self.channel}: spi transfer failed: {exc}", channel=self.channel) from None
        elapsed = now - start
        rate = len(out) / elapsed if elapsed > 0 else 0.0
        self.last_rate_hz = rate
        return out, rate

    def read_amps(self) -> float:
        """Primary RMS amps over whole cycles (bias removed, scaled by the clamp and burden)."""
        samples, rate = self.sample()
        return ct_maths.rms_amps(
            samples,
            sample_rate_hz=rate,
            mains_hz=self.settings.mains_hz,
            vref_volts=self.settings.vref_volts,
            adc_max=ADC_MAX,
            amps_per_volt=self._amps_per_volt,
            channel=self.channel,
        )

    def close(self) -> None:
        """Release the ADC (and the bus when no other clamp shares it)."""
        close = getattr(self._adc, "close", None)
        if close is not None:
            close()

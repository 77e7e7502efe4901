"""A CT clamp on one input of an MCP3008 ADC: sample whole mains cycles, return RMS amps.

**spidev, not gpiozero's MCP3008 class, in the sampling loop — and why.** RMS of a
50 Hz current with its harmonics (a projector's switch-mode supply draws a peaky
current; the 3rd-15th harmonics matter) needs ≥ 2 kS/s, i.e. ≥ 40 samples per 20 ms
cycle, steady for the whole window. gpiozero's ``MCP3008.value`` adds several Python
layers per sample (property, ``_send``, ``_words_to_int`` loops, a lock in the SPI
wrapper); ``benchmarks/bench_sensors.py`` measures those layers against one bare
``transfer()`` call on the same fake bus. On this x86 box they cost several times the
bare call; on a Pi Zero 2 W / 3B+ (~5-8× slower per Python op) that overhead alone
drops gpiozero's reads to the low kS/s, at or below what we need, before the bus time.
A bare ``spidev.xfer2`` per conversion (24 clocks at 1.35 MHz ≈ 18 µs + the ioctl)
keeps ~10-20 kS/s even there. So this class talks to any object with gpiozero's SPI
``transfer(list[int]) -> list[int]`` shape: :func:`open_spi` gives spidev on a Pi, or
gpiozero's own SPI interface when a ``pin_factory`` is passed, and tests pass a fake at
the same ``transfer()`` boundary. The maths is in :mod:`hardware.ct_maths`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from hardware import ct_maths
from hardware.errors import BadSetting, SpiFailed
from hardware.settings import Mcp3008Settings

log = logging.getLogger(__name__)

ADC_MAX = 1023  # MCP3008: 10 bits
MAX_SAMPLES = 50_000  # a runaway timer must not fill memory
SPI_HZ = 1_350_000  # MCP3008's limit at 3.3 V


class SpiBus(Protocol):
    """Anything that exchanges SPI words like gpiozero's ``SPI.transfer``."""

    def transfer(self, data: list[int]) -> list[int]:
        """Send ``data``; return the words clocked in meanwhile."""
        ...


class SpidevBus:
    """``spidev`` behind the ``transfer()`` shape (the Pi's hardware SPI, no gpiozero layers)."""

    def __init__(self, port: int, device: int, *, max_speed_hz: int = SPI_HZ) -> None:
        import spidev  # only on a Pi

        self._dev = spidev.SpiDev()
        try:
            self._dev.open(port, device)
        except OSError as exc:
            raise SpiFailed(
                f"cannot open /dev/spidev{port}.{device}: {exc.strerror}; enable SPI with raspi-config"
            ) from None
        self._dev.max_speed_hz = max_speed_hz
        self._dev.mode = 0

    def transfer(self, data: list[int]) -> list[int]:
        return list(self._dev.xfer2(data))

    def close(self) -> None:
        self._dev.close()


def open_spi(port: int, device: int, *, pin_factory: Any = None) -> SpiBus:
    """The SPI bus for ``/dev/spidev<port>.<device>``: spidev, or ``pin_factory.spi(...)`` if given."""
    if pin_factory is not None:
        bus: SpiBus = pin_factory.spi(port=port, device=device)
        return bus
    return SpidevBus(port, device)


def mcp3008_command(adc_channel: int) -> list[int]:
    """The three bytes asking an MCP3008 for a single-ended conversion of ``adc_channel``."""
    if not 0 <= adc_channel <= 7:
        raise BadSetting(f"adc channel {adc_channel} out of range 0-7")
    return [0x01, (0x08 | adc_channel) << 4, 0x00]


class CtClamp:
    """A CT clamp read through an MCP3008; :meth:`read_amps` returns primary RMS amps.

    ``spi`` is the bus (see :func:`open_spi`); ``timer`` a monotonic seconds function
    (injected so a fake bus can run on simulated time). Raises a
    :class:`~hardware.errors.SensorProblem` for an unplugged clamp, a bias fault,
    clipping or a failed transfer: the channel then reports nothing, never "off".
    """

    def __init__(self, settings: Mcp3008Settings, *, spi: SpiBus, channel: int | None = None,
                 timer: Callable[[], float] = time.perf_counter) -> None:
        self.settings = settings
        self.channel = channel
        self._spi = spi
        self._timer = timer
        self._command = mcp3008_command(settings.adc_channel)
        self._amps_per_volt = settings.amps_per_volt()
        self.last_rate_hz = 0.0

    def sample(self) -> tuple[list[int], float]:
        """Raw counts over ``cycles`` mains cycles (a little more) and the achieved rate in Hz."""
        duration = self.settings.cycles / self.settings.mains_hz
        command = self._command
        transfer = self._spi.transfer
        out: list[int] = []
        start = self._timer()
        deadline = start + duration * 1.05  # a little over, so whole cycles fit after trimming
        now = start
        try:
            while now < deadline and len(out) < MAX_SAMPLES:
                reply = transfer(command)
                out.append(((reply[1] & 0x03) << 8) | reply[2])
                now = self._timer()
        except (OSError, IndexError) as exc:
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

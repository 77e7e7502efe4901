"""Pure maths of a CT clamp channel: whole cycles, bias removal, RMS, scaling, fault checks.

No I/O, no clock: functions over a list of raw ADC samples. The sampler
(:mod:`hardware.ct_clamp`) collects the samples; these turn them into amps.

The signal chain: the clamp's secondary current flows through a burden resistor
(on the board, or built into "voltage output" clamps such as the SCT-013-030), giving
a voltage that swings around a mid-rail bias (two equal resistors and a capacitor) so
the unipolar ADC sees all of it. Primary amps = secondary volts × ``amps_per_volt``,
where ``amps_per_volt = turns_ratio / burden_ohms`` for a current-output clamp, or the
clamp's rating (e.g. 30 A per 1 V) for a voltage-output one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from hardware.errors import BadSetting, BiasFault, Clipped, CtUnplugged


def whole_cycles(samples: Sequence[float], *, sample_rate_hz: float, mains_hz: float) -> Sequence[float]:
    """The longest leading part of ``samples`` that spans a whole number of mains cycles.

    RMS over a fraction of a cycle is biased by where the fraction starts; over whole
    cycles it is not. Raises :class:`BadSetting` if ``samples`` hold less than one cycle.

    >>> len(whole_cycles(list(range(250)), sample_rate_hz=5000, mains_hz=50))
    200
    """
    if sample_rate_hz <= 0 or mains_hz <= 0:
        raise BadSetting(f"sample rate {sample_rate_hz} Hz and mains {mains_hz} Hz must be above 0")
    per_cycle = sample_rate_hz / mains_hz
    cycles = int(len(samples) / per_cycle + 1e-9)
    if cycles < 1:
        raise BadSetting(
            f"{len(samples)} samples at {sample_rate_hz:.0f} Hz cover less than one {mains_hz:g} Hz cycle; "
            "sample for longer"
        )
    return samples[: round(cycles * per_cycle)]


def remove_bias(samples: Sequence[float]) -> list[float]:
    """The samples minus their mean (the DC bias), so only the AC part remains."""
    if not samples:
        return []
    mean = math.fsum(samples) / len(samples)
    return [s - mean for s in samples]


def rms(values: Sequence[float]) -> float:
    """Root mean square of ``values`` (0.0 for none)."""
    if not values:
        return 0.0
    return math.sqrt(math.fsum(v * v for v in values) / len(values))


def amps_per_volt(*, turns_ratio: float | None, burden_ohms: float | None,
                  rated_amps_per_volt: float | None = None) -> float:
    """Primary amps per volt across the burden.

    Current-output clamp: ``turns_ratio / burden_ohms`` (SCT-013-000: 2000 / 33 Ω ≈ 60.6 A/V).
    Voltage-output clamp: its rating, e.g. 30.0 for "30 A : 1 V".
    Raises :class:`BadSetting` when neither is given or a value is not positive.
    """
    if rated_amps_per_volt is not None:
        if rated_amps_per_volt <= 0:
            raise BadSetting(f"rated amps per volt {rated_amps_per_volt} must be above 0")
        return rated_amps_per_volt
    if turns_ratio is None or burden_ohms is None:
        raise BadSetting("a current-output clamp needs both turns_ratio and burden_ohms; "
                         "or pick a ct_model from the catalogue")
    if turns_ratio <= 0 or burden_ohms <= 0:
        raise BadSetting(f"turns ratio {turns_ratio} and burden {burden_ohms} ohm must be above 0")
    return turns_ratio / burden_ohms


def counts_to_amps(rms_counts: float, *, vref_volts: float, adc_max: int, amps_per_volt: float) -> float:
    """RMS amps on the primary from an RMS in ADC counts (bias already removed)."""
    volts = rms_counts * vref_volts / (adc_max + 1)
    return volts * amps_per_volt


@dataclass(frozen=True)
class WaveformLimits:
    """Where a healthy biased waveform sits, as fractions of the ADC's full scale."""

    unplugged_below: float = 0.05  # a switched jack grounds the input when the plug is out
    bias_low: float = 0.35
    bias_high: float = 0.65
    clip_fraction: float = 0.01  # more than 1 % of samples on a rail is clipping


def check_waveform(samples: Sequence[float], *, adc_max: int, channel: int | None = None,
                   limits: WaveformLimits = WaveformLimits()) -> None:
    """Raise a :class:`~hardware.errors.SensorProblem` if the raw waveform is not a healthy one.

    - :class:`CtUnplugged`: the mean sits near ground (the jack's switch grounds the input);
    - :class:`BiasFault`: the mean is away from mid-rail (open divider, shorted capacitor);
    - :class:`Clipped`: many samples on a rail (burden too big, current above range).

    A healthy idle channel (device off) is mid-rail with a small swing: it passes, so
    "off" and "broken" never look alike.
    """
    if not samples:
        raise BadSetting("no samples to check; sample at least one mains cycle")
    mean = math.fsum(samples) / len(samples)
    swing = max(samples) - min(samples)
    full = float(adc_max)
    where = f"channel {channel}: " if channel is not None else ""
    if mean < limits.unplugged_below * full and swing < limits.unplugged_below * full:
        raise CtUnplugged(
            f"{where}input at {mean:.0f} of {adc_max} counts with no swing; the CT plug is out of its jack",
            channel=channel,
        )
    if not limits.bias_low * full <= mean <= limits.bias_high * full:
        raise BiasFault(
            f"{where}bias at {mean / full:.0%} of full scale, expected {limits.bias_low:.0%}-{limits.bias_high:.0%}; "
            "check the bias resistors and capacitor",
            channel=channel,
        )
    on_rail = sum(1 for s in samples if s <= 0 or s >= full)
    if on_rail > limits.clip_fraction * len(samples):
        raise Clipped(
            f"{where}{on_rail} of {len(samples)} samples on the ADC's rails; "
            "use a smaller burden or a clamp with a higher rating",
            channel=channel,
        )


def rms_amps(samples: Sequence[float], *, sample_rate_hz: float, mains_hz: float, vref_volts: float,
             adc_max: int, amps_per_volt: float, channel: int | None = None) -> float:
    """Check the waveform, keep whole cycles, remove the bias and return primary RMS amps.

    Raises a :class:`~hardware.errors.SensorProblem` for an unplugged clamp, a bias fault
    or clipping, and :class:`BadSetting` for less than one cycle of samples.
    """
    check_waveform(samples, adc_max=adc_max, channel=channel)
    kept = whole_cycles(samples, sample_rate_hz=sample_rate_hz, mains_hz=mains_hz)
    return counts_to_amps(rms(remove_bias(kept)), vref_volts=vref_volts, adc_max=adc_max,
                          amps_per_volt=amps_per_volt)

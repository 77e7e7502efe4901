"""The pure CT maths: whole cycles, bias, RMS, scaling and waveform faults."""

from __future__ import annotations

import math

import pytest

from hardware import ct_maths
from hardware.errors import BadSetting, BiasFault, Clipped, CtUnplugged


def _sine(n: int, per_cycle: float, amp: float, bias: float) -> list[float]:
    return [bias + amp * math.sin(2 * math.pi * i / per_cycle) for i in range(n)]


def test_whole_cycles_trims_the_partial_cycle() -> None:
    assert len(ct_maths.whole_cycles(list(range(250)), sample_rate_hz=5000, mains_hz=50)) == 200


def test_less_than_a_cycle_is_refused() -> None:
    with pytest.raises(BadSetting, match="less than one"):
        ct_maths.whole_cycles([1.0] * 50, sample_rate_hz=5000, mains_hz=50)


def test_rms_of_a_biased_sine_is_peak_over_root_two() -> None:
    samples = _sine(1000, 100, 200, 512)
    assert ct_maths.rms(ct_maths.remove_bias(samples)) == pytest.approx(200 / math.sqrt(2), rel=1e-6)


def test_current_output_clamp_scale() -> None:
    assert ct_maths.amps_per_volt(turns_ratio=2000, burden_ohms=33) == pytest.approx(60.606, rel=1e-4)
    with pytest.raises(BadSetting):
        ct_maths.amps_per_volt(turns_ratio=2000, burden_ohms=None)


def test_idle_channel_passes_and_reads_near_zero() -> None:
    samples = [512.0 + (i % 3 - 1) for i in range(400)]
    amps = ct_maths.rms_amps(samples, sample_rate_hz=4000, mains_hz=50, vref_volts=3.3, adc_max=1023,
                             amps_per_volt=30)
    assert amps < 0.1


def test_unplugged_bias_and_clipping_are_problems_not_zero() -> None:
    with pytest.raises(CtUnplugged, match="channel 3"):
        ct_maths.check_waveform([0.0, 1.0, 0.0] * 100, adc_max=1023, channel=3)
    with pytest.raises(BiasFault):
        ct_maths.check_waveform(_sine(400, 80, 50, 900), adc_max=1023)
    with pytest.raises(Clipped):
        ct_maths.check_waveform([max(0.0, min(1023.0, s)) for s in _sine(400, 80, 900, 512)], adc_max=1023)

"""The MCP3008 CT sampler against a fake SPI ``transfer()`` driven by synthetic waves."""

from __future__ import annotations

import pytest

from hardware.ct_catalogue import CATALOGUE, ct_model
from hardware.ct_clamp import CtClamp, mcp3008_command
from hardware.errors import BadSetting, BiasFault, CtUnplugged, SpiFailed
from hardware.settings import Mcp3008Settings
from tests.hardware.fakes import FakeMcp3008, FakeSpiFactory, ct_wave

SETTINGS = Mcp3008Settings(adc_channel=2, ct_model="SCT-013-030", cycles=10)
SCALE = SETTINGS.amps_per_volt()


@pytest.mark.parametrize("model", ["SCT-013-005", "SCT-013-030", "SCT-013-000"])
@pytest.mark.parametrize("fraction", [0.05, 0.1, 0.25, 0.5, 0.8])
@pytest.mark.parametrize("rate_hz", [3000.0, 8000.0])
def test_rms_within_two_percent_over_the_calibrated_range(model: str, fraction: float, rate_hz: float) -> None:
    settings = Mcp3008Settings(adc_channel=2, ct_model=model, cycles=10)
    low, high = ct_model(model).calibrated_range_amps
    true_amps = low + (high - low) * (fraction - 0.05) / 0.75
    wave, truth = ct_wave(amps_rms=true_amps, amps_per_volt=settings.amps_per_volt(), phase=fraction * 7)
    fake = FakeMcp3008({2: wave}, rate_hz=rate_hz, noise_counts=1.0, seed=int(fraction * 100))
    clamp = CtClamp(settings, pin_factory=FakeSpiFactory(fake), channel=1, timer=fake.timer)
    assert clamp.read_amps() == pytest.approx(truth, rel=0.02)
    assert clamp.last_rate_hz == pytest.approx(rate_hz, rel=0.05)


def test_only_the_configured_adc_channel_is_read() -> None:
    loud, _ = ct_wave(amps_rms=10.0, amps_per_volt=SCALE)
    quiet, truth = ct_wave(amps_rms=1.0, amps_per_volt=SCALE)
    fake = FakeMcp3008({2: quiet, 3: loud})
    assert CtClamp(SETTINGS, pin_factory=FakeSpiFactory(fake), timer=fake.timer).read_amps() == pytest.approx(truth, rel=0.02)


def test_device_off_reads_near_zero_not_a_problem() -> None:
    fake = FakeMcp3008({2: lambda t: 1.65}, noise_counts=0.7)
    assert CtClamp(SETTINGS, pin_factory=FakeSpiFactory(fake), timer=fake.timer).read_amps() < 0.1  # the noise floor: well under the 1.5 A range start


def test_unplugged_clamp_is_a_sensor_problem() -> None:
    fake = FakeMcp3008({}, noise_counts=0.3)  # the switched jack grounds the input
    with pytest.raises(CtUnplugged):
        CtClamp(SETTINGS, pin_factory=FakeSpiFactory(fake), channel=4, timer=fake.timer).read_amps()


def test_bias_fault_is_a_sensor_problem() -> None:
    wave, _ = ct_wave(amps_rms=1.0, amps_per_volt=SCALE, bias_v=2.9)
    fake = FakeMcp3008({2: wave})
    with pytest.raises(BiasFault):
        CtClamp(SETTINGS, pin_factory=FakeSpiFactory(fake), timer=fake.timer).read_amps()


def test_failed_transfer_is_a_sensor_problem() -> None:
    fake = FakeMcp3008({})
    fake.fail = OSError(5, "Input/output error")
    with pytest.raises(SpiFailed):
        CtClamp(SETTINGS, pin_factory=FakeSpiFactory(fake), timer=fake.timer).read_amps()


def test_command_bytes_and_range() -> None:
    assert mcp3008_command(0) == [0x01, 0x80, 0x00]
    assert mcp3008_command(7) == [0x01, 0xF0, 0x00]
    with pytest.raises(BadSetting, match="out of range 0-7"):
        mcp3008_command(8)


def test_catalogue_and_settings() -> None:
    assert "SCT-013-000" in CATALOGUE and "SCT-013-100" in CATALOGUE
    assert ct_model("sct-013-000").scale(33.0) == pytest.approx(2000 / 33)
    assert Mcp3008Settings(ct_model=None, turns_ratio=2000, burden_ohms=22).amps_per_volt() == pytest.approx(2000 / 22)
    assert Mcp3008Settings(ct_model="SCT-013-005", loops=4).amps_per_volt() == pytest.approx(5.0 / 4)
    with pytest.raises(ValueError, match="unknown CT clamp model"):
        Mcp3008Settings(ct_model="XYZ")

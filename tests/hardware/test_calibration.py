"""Calibration: proposals, refusals, the TOML rewrite and the calibration event."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.agent import Agent
from kiosk.calibration import CalibrationRejected, propose, set_levels, write_levels
from kiosk.clock import ReplayClock
from kiosk.config import load_config
from kiosk.journal import Journal
from tests.conftest import EXAMPLE_CONFIG


def test_proposal_thresholds_between_levels() -> None:
    p = propose(1, [0.018, 0.019, 0.02, 0.019, 0.5], [1.3, 1.28, 1.31])
    assert (p.standby_amps, p.on_amps) == (0.019, 1.3)
    assert p.off_threshold_amps < p.on_threshold_amps < p.on_amps


@pytest.mark.parametrize("standby, on", [([0.02] * 5, [0.03] * 5), ([0.5] * 5, [0.8] * 5), ([], [1.0])])
def test_levels_too_close_are_rejected(standby: list[float], on: list[float]) -> None:
    with pytest.raises(CalibrationRejected):
        propose(1, standby, on)


def test_overlapping_series_rejected() -> None:
    with pytest.raises(CalibrationRejected, match="overlap"):
        propose(1, [0.02, 0.02, 0.02, 0.9, 0.9], [1.0, 1.0, 0.05, 1.0, 1.0])


def test_write_levels_keeps_layout_and_validates(tmp_path: Path) -> None:
    path = tmp_path / "room.toml"
    shutil.copy(EXAMPLE_CONFIG, path)
    before = path.read_text(encoding="utf-8")
    p = propose(3, [0.03, 0.031], [0.95, 0.96])
    config = write_levels(path, [p])
    device = config.device(3)
    assert device is not None and (device.standby_amps, device.on_amps) == (p.standby_amps, p.on_amps)
    after = path.read_text(encoding="utf-8")
    assert after.count("\n") == before.count("\n") and "# Ngày Nhà giáo Việt Nam" in after
    assert config.device(1).on_amps == load_config(EXAMPLE_CONFIG).device(1).on_amps  # type: ignore[union-attr]
    with pytest.raises(CalibrationRejected):
        set_levels(after, 42, 0.1, 1.0)


def test_calibration_event_through_the_agent(tmp_path: Path) -> None:
    config = load_config(EXAMPLE_CONFIG)
    clock = ReplayClock(1_800_000_000.0)
    journal = Journal.open(tmp_path / "j", tz=config.tz, clock=clock)
    agent = Agent(config, journal, clock)
    agent.start()
    event = agent.record_calibration(channel=2, standby_amps=0.006, on_amps=0.08)
    assert (event["type"], event["channel"], event["standby_amps"], event["on_amps"]) == ("calibration", 2, 0.006, 0.08)
    journal.close()

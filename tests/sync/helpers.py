"""Journals for the sync tests: a simulated week of a room, replayed with heartbeats."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from hardware.reading import Reading
from kiosk.agent import Agent
from kiosk.clock import ReplayClock
from kiosk.config import load_config
from kiosk.journal import Journal
from kiosk.readings_csv import ReadingsFile
from kiosk.simulate import simulate
from tests.conftest import EXAMPLE_CONFIG


def build_week_journal(folder: Path, *, heartbeat_s: float = 120.0) -> int:
    """Replay a simulated school week of the example room into ``folder``; return the last seq."""
    config = load_config(EXAMPLE_CONFIG)
    scenario_dir = folder.parent / (folder.name + "-scenario")
    simulate(config, scenario_dir, monday=dt.date(2026, 11, 16), seed=5, interval_s=10.0)
    clock = ReplayClock(boot_id="week-boot")
    journal = Journal.open(folder, tz=config.tz, clock=clock)
    agent = Agent(config, journal, clock, heartbeat_s=heartbeat_s)
    started = False
    for reading in ReadingsFile(scenario_dir / "readings.csv.gz"):
        assert isinstance(reading, Reading)
        clock.advance(reading.time)
        if not started:
            agent.start()
            started = True
        agent.process(reading)
        agent.tick()
    last = journal.last_seq
    journal.close()
    shutil.rmtree(scenario_dir)
    return last


def open_journal(folder: Path, *, readonly: bool = False) -> Journal:
    """Open a test journal for reading and cursor moves (the replay clock is irrelevant here)."""
    config = load_config(EXAMPLE_CONFIG)
    return Journal.open(folder, tz=config.tz, clock=ReplayClock(1_763_500_000.0, boot_id="sync-test"),
                        readonly=readonly)

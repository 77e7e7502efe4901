"""A realistic room with a month of data, for screenshots, the benchmark and trying the kiosk.

Four weeks of the demo room are simulated (``kiosk.simulate``) and replayed through a
real agent into a journal, stopping at ``now``; that agent, with its detector's live
channel states, is returned on a frozen clock. Plain Python, no Kivy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kiosk.agent import Agent
from kiosk.clock import ReplayClock
from kiosk.config import RoomConfig
from kiosk.journal import Journal
from kiosk.readings_csv import ReadingsFile
from kiosk.simulate import simulate

WEEKS = 4


def _timeline(readings: ReadingsFile, tapins: list[dict[str, Any]]) -> Iterator[tuple[float, Any]]:
    pending = sorted((dt.datetime.fromisoformat(t["time"]).timestamp(), t) for t in tapins)
    i = 0
    for reading in readings:
        while i < len(pending) and pending[i][0] <= reading.time:
            yield pending[i]
            i += 1
        yield reading.time, reading
    yield from pending[i:]


def month_agent(config: RoomConfig, workdir: Path, *, now: dt.datetime, seed: int = 7,
                interval_s: float = 10.0, heartbeat_s: float | None = 60.0) -> Agent:
    """An agent over a journal holding the four weeks up to ``now`` (local, aware), clock at ``now``.

    ``now`` must fall on a weekday; the simulated weeks end with ``now``'s week. With
    ``heartbeat_s`` the agent ticks as the live loop does, so the journal holds the
    heartbeats a real month has (a few hundred events per school day).
    """
    monday = now.date() - dt.timedelta(days=now.weekday() + 7 * (WEEKS - 1))
    scenario = simulate(config, workdir / "scenario", monday=monday, seed=seed, days=7 * WEEKS,
                        interval_s=interval_s)
    stop_at = now.timestamp()
    clock = ReplayClock(dt.datetime.combine(monday, dt.time(6), tzinfo=config.tz).timestamp(), boot_id="demo")
    journal = Journal.open(workdir / "journal", tz=config.tz, clock=clock)
    agent = Agent(config, journal, clock, heartbeat_s=heartbeat_s)
    agent.start()
    last_tick = 0.0
    for at, item in _timeline(ReadingsFile(workdir / "scenario" / "readings.csv.gz"), scenario["tapins"]):
        if at > stop_at:
            break
        clock.advance(at)
        if isinstance(item, dict):
            agent.tap_in(teacher=item["teacher"], date=dt.date.fromisoformat(item["date"]),
                         period=int(item["period"]), exempt_reason=item.get("exempt_reason"), at=at)
        else:
            agent.process(item)
        if heartbeat_s and at - last_tick >= 1.0:
            last_tick = at
            agent.tick()
    clock.advance(stop_at)
    return agent

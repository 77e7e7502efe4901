"""Regression: a replayed recording ended with the last device state still in force, so every
later lesson (days after the data stopped) was judged ``not_used`` instead of ``no_data``."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hardware.reading import Reading
from kiosk.agent import Agent
from kiosk.clock import ReplayClock
from kiosk.config import load_config
from kiosk.journal import Journal
from kiosk.report import room_verdicts
from tests.conftest import EXAMPLE_CONFIG


def test_after_the_end_of_a_recording_nothing_is_known() -> None:
    config = load_config(EXAMPLE_CONFIG)
    tz = ZoneInfo(config.timezone)
    monday = dt.date(2026, 11, 16)
    start = dt.datetime.combine(monday, dt.time(7, 0), tzinfo=tz).timestamp()
    clock = ReplayClock(start)
    journal = Journal.in_memory(tz=tz, clock=clock)
    agent = Agent(config, journal, clock)
    agent.start()
    t = start
    while t < start + 3 * 3600:  # Monday 07:00-10:00, everything off
        clock.advance(t)
        for device in config.devices:
            agent.process(Reading(t, device.channel, device.standby_amps))
        t += 5
    agent.end_of_readings()
    missing = [e for e in journal if e["type"] == "missing"]
    assert {e["channel"] for e in missing} == {d.channel for d in config.devices}
    assert all(abs(e["at"] - (t - 5 + config.policy_rules.stale_s)) < 1e-6 for e in missing)
    verdicts = room_verdicts(config, journal.events(), first_date=monday, last_date=monday + dt.timedelta(days=1))
    by_key = {(v.lesson.date, v.lesson.period): v.status for v in verdicts}
    assert by_key[(monday, 1)] == "not_used"  # 07:45-08:20: seen, all off
    assert by_key[(monday, 5)] == "no_data"  # 14:00: the recording had ended
    assert all(s == "no_data" for (day, _p), s in by_key.items() if day > monday)

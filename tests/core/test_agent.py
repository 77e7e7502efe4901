"""The agent core: readings to journalled events, start after a power cut, people's actions, reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from hardware.reading import Reading
from kiosk.agent import ActionRefused, Agent
from kiosk.config import RoomConfig, load_config
from kiosk.i18n import language, set_language
from kiosk.journal import Journal
from tests.conftest import EXAMPLE_CONFIG

CONFIG: RoomConfig = load_config(EXAMPLE_CONFIG)
TZ = CONFIG.tz
MON = dt.date(2026, 11, 16)


def local(h: int, m: int, day: dt.date = MON) -> float:
    return dt.datetime.combine(day, dt.time(h, m), tzinfo=TZ).timestamp()


class FakeClock:
    def __init__(self, wall: float, *, synced: bool = True) -> None:
        self.boot_id = "boot-1"
        self.now, self.synced = wall, synced

    def wall(self) -> float:
        return self.now

    def mono(self) -> float:
        return self.now - local(6, 0)

    def is_synced(self) -> bool:
        return self.synced


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    before = language()
    set_language("en")
    yield
    set_language(before)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(local(7, 0))


@pytest.fixture
def agent(clock: FakeClock) -> Agent:
    a = Agent(CONFIG, Journal.in_memory(tz=TZ, clock=clock), clock, heartbeat_s=60)
    a.start()
    return a


def _types(agent: Agent) -> list[str]:
    return [e["type"] for e in agent.journal]


def _feed(agent: Agent, clock: FakeClock, start: float, end: float, amps: dict[int, float], step: float = 5) -> None:
    t = start
    while t < end:
        clock.now = t
        for channel, value in amps.items():
            agent.process(Reading(t, channel, value))
        t += step


def test_readings_become_journalled_device_events(agent: Agent, clock: FakeClock) -> None:
    projector = CONFIG.devices[0]
    _feed(agent, clock, local(7, 40), local(7, 50), {projector.channel: projector.standby_amps})
    _feed(agent, clock, local(7, 50), local(8, 20), {projector.channel: projector.on_amps})
    events = [e for e in agent.journal if e["type"] in ("back", "on")]
    assert [(e["type"], e["channel"], e["kind"]) for e in events] == [
        ("back", projector.channel, "projector"), ("on", projector.channel, "projector")]
    assert events[0]["state"] == "off" and events[1]["at"] == local(7, 50)
    assert agent.channel_states()[projector.channel] == ("on", projector.on_amps)


def test_start_after_a_power_cut_closes_channels_left_on(clock: FakeClock) -> None:
    journal = Journal.in_memory(tz=TZ, clock=clock)
    first = Agent(CONFIG, journal, clock)
    first.start()
    channel = CONFIG.devices[0].channel
    _feed(first, clock, local(7, 40), local(8, 0), {channel: CONFIG.devices[0].on_amps})
    last_at = journal.last_event()["at"]  # type: ignore[index]
    clock.now = local(9, 0)  # the power came back an hour later
    Agent(CONFIG, journal, clock).start()
    closing = [e for e in journal if e["type"] == "missing"]
    assert [(e["channel"], e["at"]) for e in closing] == [(channel, last_at)]
    assert _types_of(journal)[-1] == "start"


def _types_of(journal: Journal) -> list[str]:
    return [e["type"] for e in journal]


def test_tick_records_clock_sync_once_and_heartbeats(clock: FakeClock) -> None:
    clock.synced = False
    agent = Agent(CONFIG, Journal.in_memory(tz=TZ, clock=clock), clock, heartbeat_s=60)
    agent.start()
    agent.tick()
    clock.synced = True
    for _ in range(5):
        clock.now += 30
        agent.tick()
    types = _types(agent)
    assert types.count("clock_synced") == 1
    assert types.count("heartbeat") == 3  # at 0, 60 and 120 s
    beat = next(e for e in agent.journal if e["type"] == "heartbeat")
    assert set(beat["channels"]) == {str(d.channel) for d in CONFIG.devices}


def test_tap_in_now_and_exemption(agent: Agent, clock: FakeClock) -> None:
    clock.now = local(7, 40)  # five minutes before period 1
    tap = agent.tap_in(teacher="GV01")
    assert (tap["type"], tap["date"], tap["period"]) == ("tapin", "2026-11-16", 1)
    exempt = agent.tap_in(teacher="GV01", date=MON, period=2, exempt_reason="exam")
    assert exempt["type"] == "exempt" and exempt["reason"] == "exam"


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"teacher": "nobody"}, "unknown teacher"),
    ({"teacher": "GV01", "date": MON, "period": 19}, "not in the bell schedule"),
    ({"teacher": "GV01", "date": MON, "period": 1, "exempt_reason": "sunny"}, "not allowed"),
    ({"teacher": "GV01", "at": local(12, 0)}, "no lesson now"),
])
def test_tap_in_refused(agent: Agent, kwargs: dict[str, Any], match: str) -> None:
    before = agent.journal.last_seq
    with pytest.raises(ActionRefused, match=match):
        agent.tap_in(**kwargs)
    assert agent.journal.last_seq == before  # nothing recorded


def test_undo_only_during_the_lesson(agent: Agent, clock: FakeClock) -> None:
    clock.now = local(7, 50)
    tap = agent.tap_in(teacher="GV01")
    assert agent.undo(tap["seq"])["undoes"] == tap["seq"]
    late = agent.tap_in(teacher="GV01", date=MON, period=1)
    clock.now = local(8, 30)
    with pytest.raises(ActionRefused, match="lesson is over"):
        agent.undo(late["seq"])
    with pytest.raises(ActionRefused, match="no tap-in"):
        agent.undo(1)


def test_faults_open_and_close(agent: Agent) -> None:
    fault = agent.report_fault(kind="projector", symptom="no_picture", note="x" * 900)
    assert len(fault["note"]) == 500
    assert [f["seq"] for f in agent.open_faults()] == [fault["seq"]]
    agent.close_fault(fault["seq"], note="lamp replaced")
    assert agent.open_faults() == []
    with pytest.raises(ActionRefused):
        agent.close_fault(fault["seq"])
    with pytest.raises(ActionRefused, match="unknown device"):
        agent.report_fault(kind="kettle", symptom="other")


def test_a_broken_listener_never_stops_logging(agent: Agent) -> None:
    seen: list[dict[str, Any]] = []

    def broken(event: dict[str, Any]) -> None:
        raise RuntimeError("screen gone")

    agent.listeners += [broken, seen.append]
    agent.report_fault(kind="audio", symptom="no_sound")
    assert seen and seen[0]["type"] == "fault"


def test_report_judges_lessons_from_the_journal(agent: Agent, clock: FakeClock) -> None:
    projector = CONFIG.devices[0]
    amps = {d.channel: d.standby_amps for d in CONFIG.devices}
    _feed(agent, clock, local(7, 30), local(7, 50), amps)
    _feed(agent, clock, local(7, 50), local(8, 15), {**amps, projector.channel: projector.on_amps})
    _feed(agent, clock, local(8, 15), local(9, 5), amps)
    report = agent.report(MON, MON, until_at=local(9, 5))
    statuses = {x["period"]: x["status"] for x in report["lessons"]}
    assert statuses == {1: "used", 2: "not_used"}
    assert report["summary"]["used"] == 1 and report["summary"]["share"] == 0.5

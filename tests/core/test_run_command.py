"""``classroom run``: the live agent journals readings, beats, and stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import EXAMPLE_CONFIG, scenario_dirs


def _events(journal: Path) -> list[dict]:
    out = []
    for path in sorted(journal.glob("*.jsonl")):
        for line in path.read_bytes().splitlines():
            body = line.rpartition(b"\t")[0]
            out.append(json.loads(body)[1])
    return out


def _wait_for(predicate, timeout_s: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_run_replays_paced_and_stops_on_sigterm(tmp_path: Path) -> None:
    folder = scenario_dirs()[0]
    config = tmp_path / "room.toml"
    # The example room's config with the scenario's channels is not needed: build one from the scenario.
    from kiosk.scenario import load_scenario

    scenario = load_scenario(folder)
    lines = [f'timezone = "{scenario.config.timezone}"', "[school]"]
    school = scenario.config.school
    lines += [f'code = "{school.code}"', f'name = "{school.name}"', f'level = "{school.level}"', f'model = "{school.model}"']
    room = scenario.config.room
    lines += ["[room]", f'code = "{room.code}"', f'name = "{room.name}"', f'type = "{room.type}"']
    for d in scenario.config.devices:
        lines += ["[[devices]]", f'kind = "{d.kind}"', f"channel = {d.channel}",
                  f"standby_amps = {d.standby_amps}", f"on_amps = {d.on_amps}"]
    for b in scenario.config.bells:
        lines += ["[[bells]]", f"period = {b.period}", f'start = "{b.start:%H:%M}"', f'end = "{b.end:%H:%M}"']
    lines += ["[agent]", f'journal_dir = "{tmp_path / "journal"}"', "heartbeat_s = 60"]
    config.write_text("\n".join(lines), encoding="utf-8")
    env = {**os.environ, "CLASSROOM_LANG": "en"}
    env.pop("DISPLAY", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "run", "--config", str(config), "--headless",
         "--replay", str(folder / "readings.csv.gz"), "--speed", "2000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    try:
        journal = tmp_path / "journal"
        assert _wait_for(lambda: sum(e["type"] == "heartbeat" for e in _events(journal)) >= 3), "no heartbeats"
        assert _wait_for(lambda: any(e["type"] == "off" for e in _events(journal))), "no device turned on and off"
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert b"Traceback" not in err
    events = _events(tmp_path / "journal")
    assert events[0]["type"] == "start"
    assert events[-1]["type"] == "stop"
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(seqs) + 1))
    assert {e["type"] for e in events} >= {"start", "back", "on", "off", "heartbeat", "stop"}


def test_run_refuses_a_bad_config(tmp_path: Path) -> None:
    bad = tmp_path / "room.toml"
    bad.write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8").replace('type = "regular_classroom"', 'type = "kitchen"'),
                   encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "kiosk", "--lang", "en", "run", "--config", str(bad), "--headless"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "room.type" in out.stderr and str(bad) in out.stderr
    assert "Traceback" not in out.stderr


def test_live_agent_events_equal_a_straight_replay(tmp_path: Path) -> None:
    """Regression: readings still queued behind a busy agent were judged missing by the
    wall-clock tick, so channels flapped missing/back under load or accelerated replay."""
    from kiosk.agent import detector_for
    from kiosk.readings_csv import ReadingsFile
    from kiosk.scenario import load_scenario

    folder = scenario_dirs()[0]
    test_run_replays_paced_and_stops_on_sigterm(tmp_path)  # leaves its journal in tmp_path
    run_events = _events(tmp_path / "journal")
    cut = max(e["at"] for e in run_events if e["type"] == "heartbeat") - 120
    detector = detector_for(load_scenario(folder).config)
    replayed = set()
    for reading in ReadingsFile(folder / "readings.csv.gz"):
        if reading.time > cut + 120:
            break
        for event in detector.feed(reading):
            replayed.add((event.type, event.channel, round(event.at, 3)))
    live = {(e["type"], e["channel"], e["at"]) for e in run_events if e["type"] in ("on", "off", "missing", "back")}
    assert {x for x in live if x[2] <= cut} == {x for x in replayed if x[2] <= cut}


def test_heartbeats_are_frequent_only_while_a_device_is_on() -> None:
    """SD wear: a page write per heartbeat, so beat every heartbeat_s while on, idle_heartbeat_s otherwise."""
    from zoneinfo import ZoneInfo

    from hardware.reading import Reading
    from kiosk.agent import Agent
    from kiosk.clock import ReplayClock
    from kiosk.config import load_config
    from kiosk.journal import Journal

    config = load_config(EXAMPLE_CONFIG)
    clock = ReplayClock(1_700_000_000.0)
    journal = Journal.in_memory(tz=ZoneInfo(config.timezone), clock=clock)
    agent = Agent(config, journal, clock, heartbeat_s=60, idle_heartbeat_s=600)
    agent.start()
    projector = config.devices[0]

    def run_for(seconds: int, amps: float) -> int:
        before = sum(e["type"] == "heartbeat" for e in journal)
        start = clock.wall()
        for t in range(0, seconds, 5):
            clock.advance(start + t + 5)
            for device in config.devices:
                level = amps if device is projector else device.standby_amps
                agent.process(Reading(clock.wall(), device.channel, level))
            agent.tick()
        return sum(e["type"] == "heartbeat" for e in journal) - before

    assert run_for(3600, projector.standby_amps) in (6, 7)   # idle hour: every 10 min
    assert run_for(3600, projector.on_amps) in (59, 60, 61)   # projector on: every minute

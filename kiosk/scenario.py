"""Scenario folders: a room's config, its recorded readings and its tap-ins, replayed through the core.

A scenario folder holds ``scenario.json`` (room, bells, timetable, holidays, teachers,
tap-ins; an ``expected`` block is ignored here) and a readings CSV. The runner builds
the room configuration, replays the readings through the detector into a real journal,
applies the tap-ins through the same agent calls the touchscreen makes, and derives the
verdicts from the journal.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import criteria
from hardware.reading import Reading
from kiosk.agent import Agent
from kiosk.clock import ReplayClock
from kiosk.config import RoomConfig, parse_config
from kiosk.errors import ScenarioError
from kiosk.i18n import _
from kiosk.journal import Journal
from kiosk.readings_csv import ReadingsFile
from kiosk.report import report_dict, room_verdicts


@dataclass(frozen=True)
class Scenario:
    """A loaded scenario: its folder, raw JSON, room config and tap-ins."""

    folder: Path
    raw: dict[str, Any]
    config: RoomConfig
    tapins: list[dict[str, Any]]

    @property
    def readings_path(self) -> Path:
        """The readings CSV of the scenario."""
        return self.folder / str(self.raw.get("readings", "readings.csv.gz"))


def config_from_scenario(raw: dict[str, Any], *, source: str, journal_dir: Path | None = None) -> RoomConfig:
    """The room configuration a scenario describes, validated like any TOML file."""
    try:
        room = raw["room"]
        data: dict[str, Any] = {
            "timezone": raw.get("timezone", "Asia/Ho_Chi_Minh"),
            "school": raw["school"],
            "room": {"code": room["code"], "name": room["name"], "type": room["type"]},
            "devices": [
                {
                    "kind": d["kind"],
                    "channel": d["channel"],
                    "standby_amps": d["standby_amps"],
                    "on_amps": d["on_amps"],
                    "source": "replay",
                    **({"counts": d["counts"]} if "counts" in d else {}),
                }
                for d in room["devices"]
            ],
            "bells": raw["bell_schedule"],
            "timetable": raw.get("timetable", []),
            "holidays": raw.get("holidays", []),
            "teachers": raw.get("teachers", []),
        }
    except (KeyError, TypeError) as exc:
        raise ScenarioError(_("{source}: missing key {key}").format(source=source, key=exc)) from None
    if journal_dir is not None:
        data["agent"] = {"journal_dir": str(journal_dir)}
    return parse_config(data, source=source)


def load_scenario(folder: Path) -> Scenario:
    """Read and validate ``folder/scenario.json``; raises :class:`ScenarioError`."""
    path = folder / "scenario.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(_("{path}: file not found").format(path=path)) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ScenarioError(_("{path}: not valid JSON: {error}").format(path=path, error=exc)) from None
    if not isinstance(raw, dict):
        raise ScenarioError(_("{path}: expected a JSON object").format(path=path))
    config = config_from_scenario(raw, source=str(path))
    tapins = raw.get("tapins", [])
    if not isinstance(tapins, list):
        raise ScenarioError(_("{path}: tapins: expected a list").format(path=path))
    return Scenario(folder=folder, raw=raw, config=config, tapins=tapins)


def _weeks(dates: list[dt.date]) -> tuple[dt.date, dt.date]:
    first, last = min(dates), max(dates)
    return first - dt.timedelta(days=first.weekday()), last + dt.timedelta(days=6 - last.weekday())


def _merged(readings: ReadingsFile, tapins: list[dict[str, Any]]) -> Iterator[Reading | dict[str, Any]]:
    pending = sorted(tapins, key=lambda t: dt.datetime.fromisoformat(t["time"]).timestamp())
    i = 0
    for reading in readings:
        while i < len(pending) and dt.datetime.fromisoformat(pending[i]["time"]).timestamp() <= reading.time:
            yield pending[i]
            i += 1
        yield reading
    yield from pending[i:]


def replay_scenario(scenario: Scenario, journal_dir: Path) -> tuple[Journal, list[dt.date]]:
    """Replay readings and tap-ins into a journal in ``journal_dir``; return it and the dates seen."""
    config = scenario.config
    clock = ReplayClock(boot_id=f"scenario-{scenario.folder.name}")
    journal = Journal.open(journal_dir, tz=config.tz, clock=clock)
    agent = Agent(config, journal, clock)
    agent.start()
    readings = ReadingsFile(scenario.readings_path)
    seen: set[dt.date] = set()
    last_day = None
    for item in _merged(readings, scenario.tapins):
        if isinstance(item, Reading):
            clock.advance(item.time)
            day = int(item.time // 3600)
            if day != last_day:
                last_day = day
                seen.add(dt.datetime.fromtimestamp(item.time, config.tz).date())
            agent.process(item)
        else:
            at = dt.datetime.fromisoformat(item["time"]).timestamp()
            clock.advance(at)
            seen.add(dt.date.fromisoformat(item["date"]))
            agent.tap_in(
                teacher=item["teacher"],
                date=dt.date.fromisoformat(item["date"]),
                period=int(item["period"]),
                class_name=item.get("class"),
                subject=item.get("subject"),
                exempt_reason=item.get("exempt_reason"),
                at=at,
            )
    agent.end_of_readings()
    return journal, sorted(seen)


def run_scenario(folder: Path, *, journal_dir: Path | None = None) -> dict[str, Any]:
    """Replay a scenario through the core and return ``{"lessons": [...], "summary": {...}}``."""
    scenario = load_scenario(folder)
    with tempfile.TemporaryDirectory(prefix="scenario-journal-") as tmp:
        target = journal_dir or Path(tmp)
        journal, dates = replay_scenario(scenario, target)
        if not dates:
            raise ScenarioError(_("{path}: no readings and no tap-ins").format(path=folder))
        first, last = _weeks(dates)
        events = journal.events()
        journal.close()
    config = scenario.config
    verdicts = room_verdicts(config, events, first_date=first, last_date=last)
    report = report_dict(config, verdicts)
    report["scenario"] = scenario.raw.get("name", folder.name)
    report["journal_events"] = len(events)
    return report


__all__ = ["Scenario", "config_from_scenario", "criteria", "load_scenario", "replay_scenario", "run_scenario"]

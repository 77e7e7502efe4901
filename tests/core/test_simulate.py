"""The simulator, and simulated weeks replayed through the whole core reaching their ground truth."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest

from kiosk.config import RoomConfig, load_config
from kiosk.scenario import config_from_scenario, run_scenario
from kiosk.simulate import simulate
from tests.conftest import EXAMPLE_CONFIG, scenario_dirs

MONDAY = dt.date(2026, 11, 16)


def _room(which: int) -> RoomConfig:
    """The example room (0) or the room of an acceptance scenario (1…), whatever they are."""
    if which == 0:
        return load_config(EXAMPLE_CONFIG)
    folders = scenario_dirs()
    folder = folders[(which - 1) % len(folders)]
    raw = json.loads((folder / "scenario.json").read_text(encoding="utf-8"))
    return config_from_scenario(raw, source=str(folder))


# (room, seed, sample interval): every interval, several seeds and rooms
WEEKS = [(0, 1, 2.0), (1, 2, 5.0), (2, 3, 7.0), (3, 4, 10.0), (4, 6, 10.0), (5, 7, 7.0), (0, 8, 2.0)]


@pytest.mark.parametrize(("room", "seed", "interval"), WEEKS, ids=[f"room{r}-seed{s}-{i:g}s" for r, s, i in WEEKS])
def test_simulated_week_reaches_its_ground_truth(tmp_path: Path, room: int, seed: int, interval: float) -> None:
    config = _room(room)
    data = simulate(config, tmp_path / "week", monday=MONDAY, seed=seed, interval_s=interval)
    report = run_scenario(tmp_path / "week")
    want = {(x["date"], x["period"]): x for x in data["expected"]["lessons"]}
    got = {(x["date"], x["period"]): x["status"] for x in report["lessons"]}
    assert set(got) == set(want)
    wrong = {k: (w["status"], got[k]) for k, w in want.items() if not w.get("borderline") and got[k] != w["status"]}
    assert not wrong, f"expected vs got: {wrong}"
    assert sum(1 for w in want.values() if not w.get("borderline")) >= 0.8 * len(want)


def test_same_seed_same_week_other_seed_other_week(tmp_path: Path) -> None:
    config = _room(0)
    a = simulate(config, tmp_path / "a", monday=MONDAY, seed=11, interval_s=10)
    b = simulate(config, tmp_path / "b", monday=MONDAY, seed=11, interval_s=10)
    c = simulate(config, tmp_path / "c", monday=MONDAY, seed=12, interval_s=10)
    assert a == b
    assert gzip.decompress((tmp_path / "a" / "readings.csv.gz").read_bytes()) == gzip.decompress(
        (tmp_path / "b" / "readings.csv.gz").read_bytes())
    assert a["expected"] != c["expected"] or a["tapins"] != c["tapins"]


def test_readings_cover_school_hours_of_school_days_only(tmp_path: Path) -> None:
    config = _room(0)
    data = simulate(config, tmp_path / "w", monday=MONDAY, seed=2, interval_s=10)
    lines = gzip.decompress((tmp_path / "w" / "readings.csv.gz").read_bytes()).decode().splitlines()
    assert lines[0] == "time,channel,amps"
    times = {dt.datetime.fromisoformat(line.split(",")[0]) for line in lines[1:]}
    assert len(lines) - 1 == data["readings_count"]
    assert all(dt.time(6, 30) <= t.time() <= dt.time(17, 30) for t in times)
    assert all(t.isoweekday() <= 5 and t.date() not in config.holidays for t in times)
    assert {int(line.split(",")[1]) for line in lines[1:]} == {d.channel for d in config.devices}
    assert data["sample_interval_s"] == 10


@pytest.mark.parametrize(("monday", "interval", "match"), [
    (dt.date(2026, 11, 17), 5.0, "not a Monday"),
    (MONDAY, 0.5, "out of range 1-10"),
    (MONDAY, 11.0, "out of range 1-10"),
])
def test_bad_arguments_are_refused(tmp_path: Path, monday: dt.date, interval: float, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        simulate(_room(0), tmp_path / "x", monday=monday, interval_s=interval)

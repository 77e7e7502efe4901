"""Acceptance: every scenario, replayed on a Pi journal and uploaded, is scored by the district
to exactly its expected verdicts, on SQLite and PostgreSQL.

Events come from the real classroom core (``kiosk.scenario.replay_scenario``; test code
only: the district itself never imports kiosk). Configuration goes in through the API.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from kiosk.scenario import load_scenario, replay_scenario
from sync.schema import MAX_BATCH_EVENTS
from tests.conftest import expected_of, scenario_dirs
from tests.district.conftest import API, Api

SCENARIOS = scenario_dirs()


def configure(api: Api, raw: dict[str, Any]) -> tuple[str, str]:
    """School, room, bells, teachers, timetable and holidays of a scenario, through the API."""
    school = api.school(model=raw["school"]["model"], level=raw["school"]["level"], code=api.uid(raw["school"]["code"] + "-"))
    room = raw["room"]
    api.room(school, code=room["code"], type=room["type"], devices=[
        {k: d[k] for k in ("kind", "channel", "standby_amps", "on_amps", "counts") if k in d} for d in room["devices"]
    ])
    c, h = api.client, api.admin
    assert c.put(f"{API}/schools/{school}/bells", json={"bells": raw["bell_schedule"]}, headers=h).status_code == 200
    if raw.get("teachers"):
        r = c.put(f"{API}/schools/{school}/teachers", json={"teachers": raw["teachers"]}, headers=h)
        assert r.status_code == 200, r.text
    r = c.put(f"{API}/schools/{school}/rooms/{room['code']}/timetable", json={"lessons": raw.get("timetable", [])}, headers=h)
    assert r.status_code == 200, r.text
    for day in raw.get("holidays", []):
        assert c.post(f"{API}/schools/{school}/holidays", json={"date": day}, headers=h).status_code == 201
    return school, room["code"]


def weeks(dates: list[dt.date]) -> tuple[dt.date, dt.date]:
    first, last = min(dates), max(dates)
    return first - dt.timedelta(days=first.weekday()), last + dt.timedelta(days=6 - last.weekday())


@pytest.mark.parametrize("folder", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_district_reaches_expected_verdicts(api: Api, folder: Path, tmp_path: Path) -> None:
    scenario = load_scenario(folder)
    journal, dates = replay_scenario(scenario, tmp_path / "journal")
    events = sorted(journal.events(), key=lambda e: e["seq"])
    journal.close()
    school, room = configure(api, scenario.raw)
    pi_id, auth = api.enroll(school, room)
    for i in range(0, len(events), MAX_BATCH_EVENTS):
        r = api.upload(pi_id, auth, events[i : i + MAX_BATCH_EVENTS], gzipped=i % 2 == 0)
        assert r.status_code == 200, r.text
    assert r.json()["acked_seq"] == events[-1]["seq"]
    first, last = weeks(dates)
    r = api.client.get(f"{API}/reports", params={"school": school, "room": room, "from": str(first), "to": str(last)}, headers=api.admin)
    assert r.status_code == 200, r.text
    report = r.json()
    [got_room] = report["rooms"]
    expected = expected_of(folder)
    got = {(x["date"], x["period"]): x["status"] for x in got_room["lessons"]}
    want = {(x["date"], x["period"]): x["status"] for x in expected["lessons"]}
    assert got == want
    for key in ("used", "not_used", "no_data", "exempt", "share", "target", "meets_target"):
        assert got_room["summary"][key] == expected["summary"][key], key

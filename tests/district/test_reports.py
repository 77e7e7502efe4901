"""Reports, pagination, exports and the CLI: the same numbers everywhere."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kiosk.scenario import load_scenario, replay_scenario
from tests.conftest import expected_of, scenario_dirs
from tests.district.conftest import API, Api
from tests.district.test_scenarios import configure

FOLDER = next(p for p in scenario_dirs() if not expected_of(p)["summary"]["meets_target"])


@pytest.fixture(scope="module")
def loaded(api: Api, tmp_path_factory: pytest.TempPathFactory) -> dict:
    scenario = load_scenario(FOLDER)
    journal, _dates = replay_scenario(scenario, tmp_path_factory.mktemp("j"))
    events = sorted(journal.events(), key=lambda e: e["seq"])
    journal.close()
    school, room = configure(api, scenario.raw)
    pi_id, auth = api.enroll(school, room)
    assert api.upload(pi_id, auth, events).status_code == 200
    return {"school": school, "room": room, "pi": pi_id, "events": len(events), "expected": expected_of(FOLDER)}


def test_report_has_lessons_teachers_below_target_and_freshness(api: Api, loaded: dict) -> None:
    r = api.client.get(f"{API}/reports", params={"school": loaded["school"], "from": "2026-11-16", "to": "2026-11-22"}, headers=api.admin)
    assert r.status_code == 200
    report = r.json()
    [room] = report["rooms"]
    lesson = next(x for x in room["lessons"] if x["status"] == "used")
    assert set(lesson) >= {"date", "period", "status", "teacher", "used_minutes", "devices", "coverage"}
    assert all(set(d) == {"used_minutes", "coverage"} for d in lesson["devices"].values())
    assert room["summary"]["share"] == loaded["expected"]["summary"]["share"]
    assert room["summary"]["meets_target"] is False and room["below_target_reason"] in ("not_used", "no_data")
    assert report["rooms_below_target"][0]["why"] == room["below_target_reason"]
    assert sum(t["used"] + t["not_used"] + t["no_data"] + t["exempt"] for t in report["teachers"]) == len(room["lessons"])
    [fresh] = report["freshness"]
    assert fresh["pi"] == loaded["pi"] and fresh["acked_seq"] == loaded["events"] and fresh["gaps"] == 0
    assert fresh["last_sync_at"] is not None and fresh["clock_skew_s"] is not None


def test_lessons_are_paginated_and_filtered(api: Api, loaded: dict) -> None:
    params = {"school": loaded["school"], "from": "2026-11-16", "to": "2026-11-22"}
    everything = api.client.get(f"{API}/lessons", params={**params, "limit": 1000}, headers=api.admin).json()
    page1 = api.client.get(f"{API}/lessons", params={**params, "limit": 5}, headers=api.admin).json()
    page2 = api.client.get(f"{API}/lessons", params={**params, "limit": 5, "offset": 5}, headers=api.admin).json()
    assert page1["total"] == everything["total"] == len(loaded["expected"]["lessons"])
    assert page1["items"] + page2["items"] == everything["items"][:10]
    used = api.client.get(f"{API}/lessons", params={**params, "status": "used", "limit": 1000}, headers=api.admin).json()
    assert used["total"] == loaded["expected"]["summary"]["used"] and {i["status"] for i in used["items"]} == {"used"}
    r = api.client.get(f"{API}/lessons", params={**params, "limit": 0}, headers=api.admin)
    assert r.status_code == 422


def test_room_months(api: Api, loaded: dict) -> None:
    r = api.client.get(f"{API}/room-months", params={"school": loaded["school"], "from": "2026-11-16", "to": "2026-11-22"}, headers=api.admin).json()
    [row] = r["items"]
    assert row["month"] == "2026-11" and row["share"] == loaded["expected"]["summary"]["share"]


@pytest.mark.parametrize(("lang", "header"), [("vi", "Trường"), ("en", "School")])
def test_csv_export_headers(api: Api, loaded: dict, lang: str, header: str) -> None:
    r = api.client.get(f"{API}/exports/lessons", params={"school": loaded["school"], "from": "2026-11-16", "to": "2026-11-22", "lang": lang}, headers=api.admin)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][0] == header and len(rows) - 1 == len(loaded["expected"]["lessons"])


@pytest.mark.parametrize("kind", ["lessons", "intervals", "room_months"])
def test_xlsx_exports(api: Api, loaded: dict, kind: str) -> None:
    r = api.client.get(f"{API}/exports/{kind}", params={"school": loaded["school"], "from": "2026-11-16", "to": "2026-11-22", "format": "xlsx"}, headers=api.admin)
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet is not None and sheet.max_row >= 2
    assert sheet.cell(1, 1).value == "Trường"


def test_bad_range_is_422(api: Api, loaded: dict) -> None:
    r = api.client.get(f"{API}/reports", params={"school": loaded["school"]}, headers=api.admin)
    assert r.status_code == 422 and r.json()["detail"]["code"] == "bad_range"
    r = api.client.get(f"{API}/reports", params={"school": loaded["school"], "month": "2026-13"}, headers=api.admin)
    assert r.status_code == 422 and r.json()["detail"]["code"] == "bad_month"


def test_cli_report_gives_the_api_numbers(api: Api, loaded: dict, tmp_path: Path) -> None:
    params = {"school": loaded["school"], "from": "2026-11-16", "to": "2026-11-22"}
    via_api = api.client.get(f"{API}/reports", params=params, headers=api.admin).json()
    out = subprocess.run([sys.executable, "-m", "district", "--database-url", api.db_url, "report", "--school", loaded["school"],
                          "--from", "2026-11-16", "--to", "2026-11-22", "--json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    via_cli = json.loads(out.stdout)
    for key in ("rooms", "totals", "rooms_below_target", "teachers"):
        assert via_cli[key] == via_api[key], key
    text = subprocess.run([sys.executable, "-m", "district", "--database-url", api.db_url, "--lang", "en", "report", "--school",
                           loaded["school"], "--from", "2026-11-16", "--to", "2026-11-22"], capture_output=True, text=True, timeout=120)
    share = via_api["rooms"][0]["summary"]["share"]
    assert f"{share * 100:.1f} %" in text.stdout and "below target" in text.stdout
    xlsx = tmp_path / "rm.xlsx"
    out = subprocess.run([sys.executable, "-m", "district", "--database-url", api.db_url, "export", "room_months", "--school",
                          loaded["school"], "--from", "2026-11-16", "--to", "2026-11-22", "--format", "xlsx", "--headers", "en", "-o", str(xlsx)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    sheet = load_workbook(xlsx).active
    assert sheet is not None and sheet.cell(1, 1).value == "School" and sheet.cell(2, 10).value == share

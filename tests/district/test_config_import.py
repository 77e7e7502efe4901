"""CSV imports through the API and the CLI: the example files load; a bad row is named by line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.district.conftest import API, Api

EXAMPLES = Path(__file__).resolve().parents[2] / "district" / "examples"


def post_csv(api: Api, school: str, what: str, text: str) -> object:
    return api.client.post(f"{API}/schools/{school}/{what}.csv", content=text.encode(), headers={**api.admin, "Content-Type": "text/csv"})


@pytest.fixture
def school(api: Api) -> str:
    code = api.school()
    api.room(code, code="R101")
    api.room(code, code="R102")
    return code


def test_example_files_import_and_reach_the_pi_config(api: Api, school: str) -> None:
    for what in ("bells", "teachers", "timetable"):
        r = post_csv(api, school, what, (EXAMPLES / f"{what}.csv").read_text(encoding="utf-8"))
        assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    config = api.client.get(f"{API}/schools/{school}/rooms/R101/config", headers=api.admin).json()
    assert len(config["bells"]) == 7 and len(config["teachers"]) == 3
    assert [(e["weekday"], e["period"], e["teacher"]) for e in config["timetable"]] == [(1, 1, "GV01"), (1, 2, "GV01"), (2, 1, "GV02"), (3, 3, "GV03")]
    assert config["timetable"][3]["valid_from"] == "2026-09-05"


@pytest.mark.parametrize(
    ("what", "text", "needle"),
    [
        ("bells", "period,start,end\n1,07:00,07:45\n2,7h50,08:35\n", "line 3: column start"),
        ("bells", "period,start,end\n1,07:00,06:45\n", "line 2: column end"),
        ("bells", "period,begin,end\n1,07:00,07:45\n", "line 1: missing column 'start'"),
        ("teachers", "id,name,card\nGV1,Lan,\nGV1,Minh,\n", "line 3: column id"),
        ("timetable", "room,weekday,period,class,subject,teacher\nR101,1,1,4A,Toán,GV01\nR101,9,1,4A,Toán,GV01\n", "line 3: column weekday"),
        ("timetable", "room,weekday,period,class,subject,teacher\nR999,1,1,4A,Toán,GV01\n", "line 2: column room"),
        ("timetable", "room,weekday,period,class,subject,teacher\nR101,1,1,4A,Toán\n", "line 2"),
    ],
    ids=["bad-time", "ends-before-start", "missing-column", "duplicate-teacher", "bad-weekday", "unknown-room", "short-row"],
)
def test_bad_row_is_named_and_nothing_stored(api: Api, school: str, what: str, text: str, needle: str) -> None:
    r = post_csv(api, school, what, text)
    assert r.status_code == 422, r.text  # type: ignore[attr-defined]
    detail = r.json()["detail"]  # type: ignore[attr-defined]
    assert detail["code"] == "bad_csv" and needle in detail["message"], detail
    config = api.client.get(f"{API}/schools/{school}/rooms/R101/config", headers=api.admin).json()
    assert config["bells"] == [] and config["timetable"] == [] and config["teachers"] == []


def test_timetable_checks_periods_against_bells(api: Api, school: str) -> None:
    post_csv(api, school, "bells", "period,start,end\n1,07:00,07:45\n")
    r = post_csv(api, school, "timetable", "room,weekday,period,class,subject,teacher\nR101,1,1,4A,Toán,GV01\nR101,1,5,4A,Toán,GV01\n")
    assert r.status_code == 422 and "line 3: column period" in r.json()["detail"]["message"]  # type: ignore[attr-defined]


def test_non_utf8_csv_is_refused(api: Api, school: str) -> None:
    r = post_csv(api, school, "teachers", "id,name\nGV1,Nguy\xe1n\n".encode("latin-1").decode("latin-1") + "")
    r = api.client.post(f"{API}/schools/{school}/teachers.csv", content="id,name\nGV1,Nguy\xe9n\n".encode("latin-1"), headers={**api.admin, "Content-Type": "text/csv"})
    assert r.status_code == 422 and r.json()["detail"]["code"] == "bad_csv"


def test_holidays_district_and_school(api: Api, school: str) -> None:
    other = api.school()
    assert api.client.post(f"{API}/holidays", json={"date": "2026-09-02", "name": "Quốc khánh"}, headers=api.admin).status_code == 201
    assert api.client.post(f"{API}/schools/{school}/holidays", json={"date": "2026-11-20"}, headers=api.admin).status_code == 201
    mine = api.client.get(f"{API}/schools/{school}/holidays", headers=api.admin).json()
    theirs = api.client.get(f"{API}/schools/{other}/holidays", headers=api.admin).json()
    assert "2026-09-02" in mine and "2026-11-20" in mine
    assert "2026-09-02" in theirs and "2026-11-20" not in theirs


def test_policy_override_changes_target(api: Api, school: str) -> None:
    r = api.client.put(f"{API}/schools/{school}/policy", json={"model": "partial", "targets": {"regular_classroom": 0.7}}, headers=api.admin)
    assert r.status_code == 200 and r.json()["model"] == "partial"
    config = api.client.get(f"{API}/schools/{school}/rooms/R101/config", headers=api.admin).json()
    assert config["school"]["model"] == "partial" and config["policy"]["targets"] == {"regular_classroom": 0.7}
    r = api.client.put(f"{API}/schools/{school}/policy", json={"targets": {"regular_classroom": 1.5}}, headers=api.admin)
    assert r.status_code == 422


def district(db_url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "district", "--lang", "en", "--database-url", db_url, *args],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120,
    )


def test_cli_import_and_bad_row_is_one_line(api: Api, tmp_path: Path) -> None:
    school = api.school()
    api.room(school, code="R101")
    api.room(school, code="R102")
    out = district(api.db_url, "import-timetable", "--school", school, "--bells", str(EXAMPLES / "bells.csv"),
                   "--teachers", str(EXAMPLES / "teachers.csv"), "--timetable", str(EXAMPLES / "timetable.csv"))
    assert out.returncode == 0, out.stderr
    bad = tmp_path / "tt.csv"
    bad.write_text("room,weekday,period,class,subject,teacher\nR101,1,1,4A,Toán,GV01\nR101,x,1,4A,Toán,GV01\n", encoding="utf-8")
    out = district(api.db_url, "import-timetable", "--school", school, "--timetable", str(bad))
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert "line 3: column weekday" in out.stderr and str(bad) in out.stderr


def test_cli_errors_are_one_line_in_vietnamese_by_default(api: Api) -> None:
    out = subprocess.run([sys.executable, "-m", "district", "--database-url", api.db_url, "report", "--school", "NOPE-X", "--month", "2026-11"],
                         capture_output=True, text=True, env={k: v for k, v in os.environ.items() if k != "DISTRICT_LANG"}, timeout=120)
    assert out.returncode == 1 and out.stderr.count("\n") == 1
    assert out.stderr.startswith("lỗi: ") and "NOPE-X" in out.stderr


def test_cli_create_commands_and_code(api: Api) -> None:
    code = api.uid("C")
    assert district(api.db_url, "create-school", "--code", code, "--name", "Trường C", "--level", "THCS").returncode == 0
    out = district(api.db_url, "create-room", "--school", code, "--code", "R1", "--name", "P1", "--type", "it_room",
                   "--devices", str(EXAMPLES / "devices.json"))
    assert out.returncode == 0, out.stderr
    out = district(api.db_url, "create-user", "--username", api.uid("st"), "--role", "staff", "--school", code,
                   env={"DISTRICT_NEW_PASSWORD": "password-123"})
    assert out.returncode == 0, out.stderr
    out = district(api.db_url, "enrollment-code", "--school", code, "--room", "R1")
    assert out.returncode == 0
    r = api.client.post(f"{API}/enroll", json={"code": out.stdout.strip()})
    assert r.status_code == 201 and r.json()["room"] == "R1"
    assert json.loads(json.dumps(r.json()))["school"] == code

"""Acceptance: every scenario folder reaches exactly its expected verdicts through the core.

Expectations are read from the scenario files, never copied here; new scenarios in
``../shared/scenarios`` are picked up as they come.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.scenario import run_scenario
from tests.conftest import expected_of, scenario_dirs

SCENARIOS = scenario_dirs()


def test_there_are_scenarios() -> None:
    assert SCENARIOS, "no scenario folders found"


@pytest.mark.parametrize("folder", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_core_reaches_expected_verdicts(folder: Path, tmp_path: Path) -> None:
    expected = expected_of(folder)
    report = run_scenario(folder, journal_dir=tmp_path / "journal")
    got = {(x["date"], x["period"]): x["status"] for x in report["lessons"]}
    want = {(x["date"], x["period"]): x["status"] for x in expected["lessons"]}
    assert got == want
    for key in ("used", "not_used", "no_data", "exempt", "share", "target", "meets_target"):
        assert report["summary"][key] == expected["summary"][key], key


@pytest.mark.parametrize("folder", SCENARIOS[:1], ids=[p.name for p in SCENARIOS[:1]])
def test_cli_json_shape(folder: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "scenario", "run", str(folder), "--json", "--local"],
        capture_output=True, text=True, check=True,
    )
    report = json.loads(out.stdout)
    assert set(report) >= {"lessons", "summary"}
    assert set(report["summary"]) >= {"used", "not_used", "no_data", "exempt", "share", "target", "meets_target"}
    assert {"date", "period", "status"} <= set(report["lessons"][0])


def test_every_verdict_explains_itself(tmp_path: Path) -> None:
    report = run_scenario(SCENARIOS[0], journal_dir=tmp_path / "j")
    for lesson in report["lessons"]:
        assert lesson["devices"], lesson
        if lesson["status"] == "used":
            assert lesson["used_minutes"] >= 5
        if lesson["status"] == "no_data":
            assert lesson["coverage"] < 0.5

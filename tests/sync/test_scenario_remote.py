"""Acceptance: every scenario reaches the same verdicts through the district as through the core."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.scenario import run_scenario
from kiosk.scenario_remote import SUMMARY_KEYS, run_scenario_via_district
from tests.conftest import expected_of, scenario_dirs
from tests.sync.conftest import ROOT

SCENARIOS = scenario_dirs()


def statuses(report: dict) -> dict:
    return {(x["date"], x["period"]): x["status"] for x in report["lessons"]}


@pytest.mark.parametrize("folder", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_district_path_agrees_with_core_and_expected(folder: Path, tmp_path: Path) -> None:
    remote = run_scenario_via_district(folder, journal_dir=tmp_path / "journal")
    local = run_scenario(folder, journal_dir=tmp_path / "local")
    expected = expected_of(folder)
    assert statuses(remote) == statuses(local) == statuses(expected)
    for key in SUMMARY_KEYS:
        assert remote["summary"][key] == local["summary"][key] == expected["summary"][key], key
    assert remote["district"]["events_stored"] == remote["journal_events"] == remote["district"]["acked_seq"]


def test_cli_without_local_goes_through_the_district() -> None:
    folder = SCENARIOS[0]
    out = subprocess.run([sys.executable, "-m", "kiosk", "scenario", "run", str(folder), "--json"],
                         capture_output=True, text=True, check=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    report = json.loads(out.stdout)
    assert "district" in report  # the district path, not the core
    assert statuses(report) == statuses(expected_of(folder))


@pytest.mark.parametrize("folder", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_district_path_on_postgresql(folder: Path, tmp_path: Path, pg_url: str) -> None:
    remote = run_scenario_via_district(folder, journal_dir=tmp_path / "journal", database_url=pg_url)
    expected = expected_of(folder)
    assert statuses(remote) == statuses(expected)
    for key in SUMMARY_KEYS:
        assert remote["summary"][key] == expected["summary"][key], key

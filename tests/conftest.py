"""Fixtures shared by every test package: where the scenarios are, the example room."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_SCENARIOS = ROOT.parent / "shared" / "scenarios"
LOCAL_SCENARIOS = Path(__file__).resolve().parent / "scenarios"
EXAMPLE_CONFIG = ROOT / "kiosk" / "examples" / "room.toml"


def scenario_root() -> Path:
    """``../shared/scenarios`` when present (CI), else the copies under ``tests/scenarios``."""
    return SHARED_SCENARIOS if SHARED_SCENARIOS.is_dir() else LOCAL_SCENARIOS


def scenario_dirs() -> list[Path]:
    """Every scenario folder, whatever scenarios exist: none is named in test code."""
    return sorted(p for p in scenario_root().iterdir() if (p / "scenario.json").is_file())


def expected_of(folder: Path) -> dict:
    """The ``expected`` block of a scenario, read from its file."""
    return json.loads((folder / "scenario.json").read_text(encoding="utf-8"))["expected"]


@pytest.fixture
def example_config_path() -> Path:
    return EXAMPLE_CONFIG

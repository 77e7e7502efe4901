"""A bad first-boot file shows on the touchscreen (the Pi keeps logging; nobody reads logs)."""

from __future__ import annotations

import json
from pathlib import Path

from deploy.firstboot import Outcome, write_status
from kiosk.agent import Agent
from kiosk.clock import ReplayClock
from kiosk.config import load_config
from kiosk.journal import Journal
from kiosk.ui import model
from tests.conftest import EXAMPLE_CONFIG


def _agent(state: Path) -> Agent:
    config = load_config(EXAMPLE_CONFIG)
    clock = ReplayClock(1_763_250_000.0)
    journal = Journal.open(state / "journal", tz=config.tz, clock=clock)
    return Agent(config, journal, clock)


def test_a_failed_first_boot_is_a_setup_problem_until_fixed(tmp_path: Path) -> None:
    agent = _agent(tmp_path)
    assert model.setup_problem(agent) is None
    write_status(tmp_path, Outcome(ok=False, step="file", message="classroom.toml: room: thiếu giá trị"))
    assert model.setup_problem(agent) == "classroom.toml: room: thiếu giá trị"
    write_status(tmp_path, Outcome(ok=True, step="done", message="ok"))
    assert model.setup_problem(agent) is None


def test_an_unreadable_status_file_is_not_a_crash(tmp_path: Path) -> None:
    agent = _agent(tmp_path)
    (tmp_path / "status").mkdir()
    (tmp_path / "status" / "firstboot.json").write_text("{torn", encoding="utf-8")
    assert model.setup_problem(agent) is None
    (tmp_path / "status" / "firstboot.json").write_text(json.dumps([1, 2]), encoding="utf-8")
    assert model.setup_problem(agent) is None

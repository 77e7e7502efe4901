"""``classroom doctor``: one screen of checks, each with its fix, non-zero exit when something is wrong."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from deploy.checks import FAIL, OK, WARN, Probe, run_checks
from kiosk.agent import Agent
from kiosk.cli import cli
from kiosk.clock import ReplayClock
from kiosk.commands.doctor import build_probe
from kiosk.i18n import set_language
from kiosk.identity import Identity, save_identity
from kiosk.journal import Journal

from .conftest import EXAMPLE_CONFIG


@pytest.fixture
def room(tmp_path: Path) -> Path:
    """The example room with its journal in ``tmp_path/state/journal``."""
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    journal = tmp_path / "state" / "journal"
    text, count = re.subn(r"(?m)^journal_dir = .*$", f'journal_dir = "{journal}"', text)
    assert count == 1
    path = tmp_path / "room.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _run_agent(room: Path, *, silent_hour: bool = False) -> None:
    """Journal what a running agent would: readings from every device, then a heartbeat."""
    from hardware.reading import Reading
    from kiosk.config import load_config

    config = load_config(room)
    clock = ReplayClock(time.time() - 3700 if silent_hour else time.time() - 20)
    journal = Journal.open(config.agent.journal_dir, tz=config.tz, clock=clock)
    agent = Agent(config, journal, clock, heartbeat_s=60)
    agent.start()
    for _step in range(15):
        clock.advance(clock.wall() + 1)
        for device in config.devices:
            agent.process(Reading(clock.wall(), device.channel, device.standby_amps))
    if silent_hour:
        clock.advance(clock.wall() + 3600)  # the sensors went quiet
        agent.tick()
    agent.heartbeat()
    journal.close()


def _statuses(checks: list[Any]) -> dict[str, str]:
    return {c.name: c.status for c in checks}


def test_a_healthy_pi_passes_every_check(room: Path) -> None:
    set_language("en")
    _run_agent(room)
    state = room.parent / "state"
    save_identity(state, Identity("https://so-gd.example.vn", "pi-1", "t0k3n", "TH-NGOCLAM", "P4A", 0.0))
    (state / "district-config.json").write_text(json.dumps({"etag": "x", "fetched_at": time.time(), "config": {}}))
    probe = build_probe(room, ask_server=lambda identity, etag: "ok")
    probe.clock = ReplayClock()  # synchronised
    checks = run_checks(probe)
    assert _statuses(checks) == {"Version": OK, "Configuration": OK, "Journal": OK, "Clock": OK,
                                 "Sensors": OK, "Server": OK, "Token": OK}


def test_problems_are_named_with_their_fix(room: Path) -> None:
    set_language("en")
    _run_agent(room, silent_hour=True)
    state = room.parent / "state"
    save_identity(state, Identity("https://so-gd.example.vn", "pi-1", "bad", "TH-NGOCLAM", "P4A", 0.0))
    probe = build_probe(room, ask_server=lambda identity, etag: "refused")
    checks = {c.name: c for c in run_checks(probe)}
    assert checks["Sensors"].status == FAIL and "channel" in checks["Sensors"].found
    assert "classroom sensors" in checks["Sensors"].fix
    assert checks["Token"].status == FAIL and "enroll" in checks["Token"].fix
    assert checks["Configuration"].status == WARN
    unreachable = {c.name: c for c in run_checks(build_probe(room, ask_server=lambda identity, etag: "unreachable"))}
    assert unreachable["Server"].status == FAIL and unreachable["Token"].status == WARN


def test_a_read_only_journal_folder_fails(room: Path, tmp_path: Path) -> None:
    set_language("en")
    probe = Probe(config=None, config_error="boom", journal_dir=tmp_path / "nowhere", clock=ReplayClock(),
                  identity=None, ask_server=None)
    checks = {c.name: c for c in run_checks(probe)}
    assert checks["Journal"].status == FAIL
    assert checks["Configuration"].status == FAIL and checks["Configuration"].found == "boom"


def test_doctor_command_exits_non_zero_and_speaks_vietnamese(room: Path) -> None:
    set_language("vi")
    try:
        result = CliRunner().invoke(cli, ["doctor", "--config", str(room)], terminal_width=120)
    finally:
        set_language("en")
    assert result.exit_code == 1
    assert "Đồng hồ" in result.output  # "Clock"
    assert "chưa đăng ký" in result.output  # "not enrolled"


def test_a_failed_first_boot_is_on_the_doctor_screen(room: Path) -> None:
    set_language("en")
    from deploy.firstboot import Outcome, write_status

    write_status(room.parent / "state", Outcome(False, "read", "First boot: key 'code': missing."))
    checks = {c.name: c for c in run_checks(build_probe(room, ask_server=lambda identity, etag: "ok"))}
    assert checks["First boot"].status == FAIL and "key 'code'" in checks["First boot"].found


def test_config_is_current_only_when_the_district_says_so(room: Path) -> None:
    set_language("en")
    _run_agent(room)
    state = room.parent / "state"
    save_identity(state, Identity("https://so-gd.example.vn", "pi-1", "t0k3n", "TH-NGOCLAM", "P4A", 0.0))
    old = time.time() - 10 * 86400  # fetched long ago, never changed since: still current
    (state / "district-config.json").write_text(json.dumps({"etag": "v7", "fetched_at": old, "config": {}}))
    asked: list[str | None] = []

    def district(answer: str) -> Any:
        def ask(identity: object, etag: str | None) -> str:
            asked.append(etag)
            return answer
        return ask

    status = {c.name: c for c in run_checks(build_probe(room, ask_server=district("ok")))}
    assert status["Configuration"].status == OK and asked == ["v7"]  # asked once, with the cached ETag
    status = {c.name: c for c in run_checks(build_probe(room, ask_server=district("changed")))}
    assert status["Configuration"].status == WARN and "newer" in status["Configuration"].found
    status = {c.name: c for c in run_checks(build_probe(room, ask_server=district("unreachable")))}
    assert status["Configuration"].status == WARN and "10 days" in status["Configuration"].found

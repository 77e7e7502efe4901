"""The systemd units pass ``systemd-analyze verify`` and say what the Pi needs of them."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import DEPLOY

UNITS = DEPLOY / "pi" / "systemd"
SERVER_UNITS = DEPLOY / "server" / "systemd"


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text())
    return parser


def _verify_root(tmp_path: Path, units: list[Path], executables: list[str]) -> subprocess.CompletedProcess[str]:
    """``systemd-analyze verify --root`` over a temp root holding systemd's own units and ours."""
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is missing: scripts/setup.sh installs the systemd package")
    root = tmp_path / "root"
    (root / "usr" / "lib" / "systemd").mkdir(parents=True)
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True)
    target = root / "etc" / "systemd" / "system"
    target.mkdir(parents=True)
    for exe in executables:
        path = root / exe.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
    for unit in units:
        shutil.copy(unit, target / unit.name)
    argv = ["systemd-analyze", "verify", f"--root={root}", *(str(target / u.name) for u in units)]
    return subprocess.run(argv, capture_output=True, text=True, check=False)


def test_pi_units_verify(tmp_path: Path) -> None:
    units = sorted(UNITS.glob("*.service")) + sorted(UNITS.glob("*.timer"))
    assert len(units) == 5
    done = _verify_root(tmp_path, units, ["/opt/classroom/current/bin/classroom"])
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == ""


def test_verify_catches_a_missing_program(tmp_path: Path) -> None:
    done = _verify_root(tmp_path, [UNITS / "classroom-agent.service"], [])
    assert done.returncode != 0
    assert "/opt/classroom/current/bin/classroom" in done.stderr


def test_agent_is_notify_with_watchdog_and_never_needs_the_kiosk() -> None:
    agent = _unit(UNITS / "classroom-agent.service")
    service = agent["Service"]
    assert service["Type"] == "notify"
    assert int(service["WatchdogSec"]) > 0
    assert service["Restart"] == "on-failure"  # covers a watchdog timeout
    assert agent["Install"]["WantedBy"] == "multi-user.target"
    for key in ("Requires", "Wants", "After", "BindsTo", "Requisite", "PartOf"):
        assert "kiosk" not in agent["Unit"].get(key, "")
    kiosk = _unit(UNITS / "classroom-kiosk.service")
    assert kiosk["Service"]["Type"] == "notify" and int(kiosk["Service"]["WatchdogSec"]) > 0
    assert "classroom-agent.service" in kiosk["Unit"]["Conflicts"]  # one journal writer
    assert kiosk["Unit"]["OnFailure"] == "classroom-agent.service"  # a failing screen falls back
    assert "--ui" in kiosk["Service"]["ExecStart"]
    assert kiosk["Service"]["Environment"].count("SDL_VIDEODRIVER=kmsdrm") == 1


def test_journald_is_kept_in_ram_and_capped() -> None:
    conf = _unit(UNITS / "journald-classroom.conf")["Journal"]
    assert conf["Storage"] == "volatile"
    assert conf["RuntimeMaxUse"].endswith("M")


def test_server_units_verify(tmp_path: Path) -> None:
    units = sorted(SERVER_UNITS.glob("*.service")) + sorted(SERVER_UNITS.glob("*.timer"))
    assert {u.name for u in units} >= {"district.service", "district-backup.timer",
                                       "district-alerts-evaluate.timer", "district-alerts-digest.timer"}
    done = _verify_root(tmp_path, units, ["/opt/district/venv/bin/district", "/opt/district/venv/bin/python",
                                          "/opt/district/deploy/server/backup.sh"])
    assert done.returncode == 0, done.stderr
    serve = _unit(SERVER_UNITS / "district.service")["Service"]["ExecStart"]
    assert "--workers" in serve and "127.0.0.1" in serve  # only nginx faces the network


@pytest.mark.parametrize("script", sorted(DEPLOY.rglob("*.sh")), ids=lambda p: p.name)
def test_scripts_parse_and_stop_on_errors(script: Path) -> None:
    done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "set -euo pipefail" in script.read_text()
    assert script.stat().st_mode & 0o111, "scripts are executable"

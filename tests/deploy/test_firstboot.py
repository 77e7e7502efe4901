"""First boot from the boot partition's file: a good file enrols, a bad one says why and logging goes on."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from deploy.firstboot import first_boot, read_status
from kiosk.agent import Agent
from kiosk.cli import cli
from kiosk.clock import ReplayClock
from kiosk.config import load_config
from kiosk.i18n import set_language
from kiosk.journal import Journal

from .conftest import DEPLOY, EXAMPLE_CONFIG

SAMPLE = DEPLOY / "examples" / "classroom.toml"


@pytest.fixture
def boot(tmp_path: Path) -> Path:
    folder = tmp_path / "boot-firmware"
    folder.mkdir()
    return folder


@pytest.fixture
def fake_enroll(tmp_path: Path) -> Path:
    """A stand-in for `classroom enroll` that records its arguments and writes an identity."""
    log = tmp_path / "enroll.log"
    script = tmp_path / "fake-enroll"
    script.write_text(f"#!/bin/sh\necho \"$@\" >> {log}\n")
    script.chmod(0o755)
    return script


def test_good_file_sets_wifi_enrols_and_retires_the_file(boot: Path, tmp_path: Path, fake_enroll: Path) -> None:
    set_language("en")
    shutil.copy(SAMPLE, boot / "classroom.toml")
    state, nm = tmp_path / "state", tmp_path / "nm"
    calls: list[list[str]] = []

    def run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        calls.append(argv)
        return subprocess.run(argv, capture_output=True, text=True, check=False)

    outcome = first_boot(boot / "classroom.toml", state_dir=state, nm_dir=nm, enroll=[str(fake_enroll)],
                         reload_network=["true"], run=run)
    assert outcome.ok, outcome.message
    assert (tmp_path / "enroll.log").read_text().split() == [
        "--server", "https://so-gd.example.vn", "--code", "493817", "--room", "R101"]
    keyfile = nm / "classroom-wifi.nmconnection"
    assert stat.S_IMODE(keyfile.stat().st_mode) == 0o600
    assert "ssid=THCS-NgocLam" in keyfile.read_text()
    assert not (boot / "classroom.toml").exists()
    done = (boot / "classroom.toml.done").read_text()
    assert "493817" not in done and "matkhau-wifi" not in done and 'room = "R101"' in done
    status = read_status(state)
    assert status is not None and status["ok"] is True
    assert ["true"] in calls  # the network was told to reload its connections


@pytest.mark.parametrize("bad, key", [
    ('room = "R101"\nserver = "https://so-gd.example.vn"\n', "code"),
    ('room = "R101"\nserver = "so-gd"\ncode = "493817"\n', "server"),
    ('room = "R101"\nserver = "https://so-gd.example.vn"\ncode = "493817"\nromm = "x"\n', "romm"),
    ('room = "R101\n', "TOML"),
    ('room = "R101"\nserver = "https://so-gd.example.vn"\ncode = "493817"\n[wifi]\nssid = "x"\npassword = "short"\n',
     "wifi.password"),
])
def test_bad_file_names_the_key_keeps_the_file_and_the_pi_logs(bad: str, key: str, boot: Path, tmp_path: Path,
                                                              fake_enroll: Path) -> None:
    set_language("en")
    (boot / "classroom.toml").write_text(bad)
    state = tmp_path / "state"
    outcome = first_boot(boot / "classroom.toml", state_dir=state, nm_dir=tmp_path / "nm", enroll=[str(fake_enroll)])
    assert not outcome.ok and outcome.step == "read"
    assert key in outcome.message and "keeps logging" in outcome.message
    assert (boot / "classroom.toml").exists()
    assert not (tmp_path / "enroll.log").exists()
    status = read_status(state)
    assert status is not None and status["ok"] is False and key in status["message"]
    # ... and the agent still starts and logs with the image's room file.
    config = load_config(EXAMPLE_CONFIG)
    clock = ReplayClock(time.time())
    journal = Journal.open(tmp_path / "journal", tz=config.tz, clock=clock)
    agent = Agent(config, journal, clock, heartbeat_s=60)
    agent.start()
    agent.heartbeat()
    assert [e["type"] for e in journal] == ["start", "heartbeat"]
    journal.close()


def test_failed_enrolment_keeps_the_file_for_the_next_boot(boot: Path, tmp_path: Path) -> None:
    set_language("en")
    shutil.copy(SAMPLE, boot / "classroom.toml")
    failing = tmp_path / "fail"
    failing.write_text("#!/bin/sh\necho 'cannot reach https://so-gd.example.vn: ConnectionError' >&2\nexit 1\n")
    failing.chmod(0o755)
    outcome = first_boot(boot / "classroom.toml", state_dir=tmp_path / "state", nm_dir=tmp_path / "nm",
                         enroll=[str(failing)], reload_network=["true"])
    assert not outcome.ok and outcome.step == "enrol"
    assert "ConnectionError" in outcome.message
    assert (boot / "classroom.toml").exists()


def test_firstboot_command_prints_a_vietnamese_message_and_exits_non_zero(
        boot: Path, tmp_path: Path, fake_enroll: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (boot / "classroom.toml").write_text('room = "R101"\n')
    monkeypatch.setenv("CLASSROOM_ENROLL", str(fake_enroll))
    set_language("vi")
    try:
        result = CliRunner().invoke(cli, ["firstboot", "--file", str(boot / "classroom.toml"),
                                          "--state", str(tmp_path / "state"), "--nm-dir", str(tmp_path / "nm"),
                                          "--config", str(EXAMPLE_CONFIG)])
    finally:
        set_language("en")
    assert result.exit_code == 2
    assert "Khởi động lần đầu" in result.output
    status = json.loads((tmp_path / "state" / "status" / "firstboot.json").read_text())
    assert "Khởi động lần đầu" in status["message"] and not status["ok"]
    assert os.access(tmp_path / "state" / "status" / "firstboot.json", os.R_OK)

"""An update that fails its health check is rolled back, and the journal keeps every event.

Real agents (``classroom run --replay``, paced in real time) run from release folders
under a temporary prefix, started and stopped with SIGTERM by a stand-in for
``systemctl`` (the updater's boundary). Release 0.2.0 is broken: its agent dies at
start. The updater installs it while the old agent logs, switches, sees no healthy
start, switches back and restarts the old agent.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from deploy.updater import Release, Updater
from kiosk.clock import SystemClock
from kiosk.config import load_config
from kiosk.journal import Journal

from .conftest import EXAMPLE_CONFIG, ROOT

FAKE_SYSTEMCTL = textwrap.dedent('''\
    #!{python}
    """systemctl stand-in for one unit: start / stop / restart / is-active with a pid file."""
    import os, signal, subprocess, sys, time
    state = os.environ["FAKE_SYSTEMD"]
    pidfile = os.path.join(state, "agent.pid")
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    verb = args[0]

    def pid():
        try:
            p = int(open(pidfile).read())
        except (OSError, ValueError):
            return None
        try:
            with open(f"/proc/{{p}}/stat") as f:
                if f.read().split(") ")[1].startswith("Z"):
                    return None
        except OSError:
            return None
        return p

    def stop():
        p = pid()
        if p is None:
            return
        os.kill(p, signal.SIGTERM)
        for _ in range(600):
            if pid() is None:
                return
            time.sleep(0.05)
        os.kill(p, signal.SIGKILL)

    def start():
        command = open(os.path.join(state, "command")).read().split()
        log = open(os.path.join(state, "agent.log"), "ab")
        child = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)
        open(pidfile, "w").write(str(child.pid))

    if verb == "restart":
        stop(); start()
    elif verb == "start":
        pid() or start()
    elif verb == "stop":
        stop()
    elif verb == "is-active":
        sys.exit(0 if pid() else 3)
''')


def _readings(path: Path, *, seconds: int, channel: int, on_amps: float, off_amps: float) -> None:
    """One channel switching on and off every 3 s, two samples a second."""
    start = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    rows = ["time,channel,amps"]
    for half in range(seconds * 2):
        amps = on_amps if (half // 6) % 2 == 0 else off_amps
        rows.append(f"{(start + dt.timedelta(seconds=half / 2)).isoformat()},{channel},{amps}")
    path.write_text("\n".join(rows) + "\n")


def _events(journal_dir: Path) -> list[dict[str, Any]]:
    if not journal_dir.is_dir():
        return []
    config = load_config(EXAMPLE_CONFIG)
    journal = Journal.open(journal_dir, tz=config.tz, clock=SystemClock(), readonly=True)
    try:
        return journal.after_seq(0, limit=100000)
    finally:
        journal.close()


def _until(condition: Callable[[], bool], what: str, limit_s: float = 60.0) -> None:
    deadline = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.2)


@pytest.fixture
def fleet_pi(tmp_path: Path) -> dict[str, Path]:
    """A Pi laid out as install-pi.sh does, with release 0.1.0 current and a fake systemd."""
    prefix, state, journal = tmp_path / "opt", tmp_path / "systemd", tmp_path / "lib" / "journal"
    old = prefix / "releases" / "0.1.0"
    (old / "bin").mkdir(parents=True)
    (old / "bin" / "classroom").write_text(f'#!/bin/sh\nexec {ROOT / ".venv/bin/python"} -m kiosk "$@"\n')
    (old / "bin" / "classroom").chmod(0o755)
    (old / ".complete").write_text("0.1.0")
    (prefix / "current").symlink_to(Path("releases") / "0.1.0")
    config_text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    config_path = tmp_path / "room.toml"
    config_text = config_text.replace('journal_dir = "var/journal"', f'journal_dir = "{journal}"')
    config_path.write_text(config_text.replace("persist_s = 4.0", "persist_s = 1.0"))  # quicker events
    config = load_config(config_path)
    device = config.devices[0]
    readings = tmp_path / "readings.csv"
    _readings(readings, seconds=900, channel=device.channel, on_amps=device.on_amps, off_amps=device.standby_amps)
    state.mkdir()
    (state / "command").write_text(
        f"{prefix / 'current' / 'bin' / 'classroom'} run --headless --config {config_path} --replay {readings}")
    systemctl = tmp_path / "fake-systemctl"
    systemctl.write_text(FAKE_SYSTEMCTL.format(python=sys.executable))
    systemctl.chmod(0o755)
    return {"prefix": prefix, "state": state, "journal": journal, "systemctl": systemctl}


def test_failed_update_rolls_back_and_no_event_is_lost(fleet_pi: dict[str, Path],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_SYSTEMD", str(fleet_pi["state"]))
    monkeypatch.setenv("CLASSROOM_LANG", "en")
    journal_dir = fleet_pi["journal"]
    systemctl = [str(fleet_pi["systemctl"])]

    def devices_after(seq: int) -> int:
        return sum(1 for e in _events(journal_dir) if e["seq"] > seq and e["type"] in ("on", "off"))

    def install_broken(release: Release, folder: Path) -> None:
        # While this runs the old agent goes on logging: wait for it to journal something.
        seq = max((e["seq"] for e in _events(journal_dir)), default=0)
        _until(lambda: devices_after(seq) >= 1, "an event during the install")
        (folder / "bin").mkdir(parents=True)
        (folder / "bin" / "classroom").write_text("#!/bin/sh\necho 'broken release' >&2\nexit 3\n")
        (folder / "bin" / "classroom").chmod(0o755)

    os.system(f"{systemctl[0]} restart")  # noqa: S605 - the test's own fake
    try:
        _until(lambda: devices_after(0) >= 2, "the old agent logging before the update")
        before = _events(journal_dir)
        updater = Updater(prefix=fleet_pi["prefix"], journal_dir=journal_dir, tz=dt.UTC,
                          install=install_broken, systemctl=systemctl, health_timeout_s=6.0, poll_s=0.3)
        result = updater.update(Release("0.2.0", "broken.whl"))
        assert result.status == "rolled_back" and result.previous == "0.1.0"
        assert updater.current_version() == "0.1.0"
        assert "0.2.0" in updater.bad_versions()
        assert updater.update(Release("0.2.0", "broken.whl")).status == "skipped_bad"
        last_restart = max(e["seq"] for e in _events(journal_dir) if e["type"] == "start")
        _until(lambda: devices_after(last_restart) >= 2, "the rolled-back agent logging after the update")
    finally:
        os.system(f"{systemctl[0]} stop")  # noqa: S605
    after = _events(journal_dir)
    seqs = [e["seq"] for e in after]
    assert seqs == list(range(1, len(after) + 1))  # nothing lost, nothing doubled
    by_seq = {e["seq"]: e for e in after}
    assert all(by_seq[e["seq"]] == e for e in before)  # every event from before, unchanged
    types = [e["type"] for e in after]
    assert types.count("start") == 2 and types.count("stop") == 2  # clean stops, no crash
    first_stop = types.index("stop")
    during = [e for e in after if before[-1]["seq"] < e["seq"] < after[first_stop]["seq"]]
    assert any(e["type"] in ("on", "off") for e in during)
    assert any(e["type"] in ("on", "off") for e in after if e["seq"] > last_restart)
    assert json.loads((fleet_pi["prefix"] / "releases" / "bad-releases.json").read_text()) == ["0.2.0"]


def test_healthy_update_switches_and_keeps_every_event(fleet_pi: dict[str, Path],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_SYSTEMD", str(fleet_pi["state"]))
    journal_dir = fleet_pi["journal"]
    systemctl = [str(fleet_pi["systemctl"])]
    old_script = (fleet_pi["prefix"] / "releases" / "0.1.0" / "bin" / "classroom").read_text()

    def install_good(release: Release, folder: Path) -> None:
        (folder / "bin").mkdir(parents=True)
        (folder / "bin" / "classroom").write_text(old_script)
        (folder / "bin" / "classroom").chmod(0o755)

    os.system(f"{systemctl[0]} restart")  # noqa: S605 - the test's own fake
    try:
        _until(lambda: any(e["type"] == "heartbeat" for e in _events(journal_dir)), "the old agent running")
        before = _events(journal_dir)
        updater = Updater(prefix=fleet_pi["prefix"], journal_dir=journal_dir, tz=dt.UTC,
                          install=install_good, systemctl=systemctl, health_timeout_s=60.0, poll_s=0.3)
        result = updater.update(Release("0.2.0", "good.whl"))
        assert result.status == "updated" and result.previous == "0.1.0"
        assert updater.current_version() == "0.2.0"
        assert (fleet_pi["prefix"] / "releases" / "0.1.0").is_dir()  # kept for a manual rollback
        assert updater.update(Release("0.2.0", "good.whl")).status == "current"
    finally:
        os.system(f"{systemctl[0]} stop")  # noqa: S605
    after = _events(journal_dir)
    assert [e["seq"] for e in after] == list(range(1, len(after) + 1))
    assert after[: len(before)] == before
    assert [e["type"] for e in after].count("stop") == 2


def test_quiet_hour_is_school_time() -> None:
    from zoneinfo import ZoneInfo

    from deploy.updater import is_quiet_hour

    hanoi = ZoneInfo("Asia/Ho_Chi_Minh")
    at = dt.datetime(2026, 11, 23, 2, 30, tzinfo=hanoi).timestamp()
    assert is_quiet_hour(at, tz=hanoi)
    assert not is_quiet_hour(at + 6 * 3600, tz=hanoi)  # 08:30, lessons
    assert not is_quiet_hour(at, tz=dt.UTC)  # 02:30 in Hanoi is 19:30 UTC


def test_update_command_installs_a_real_venv_and_rolls_back_a_release_that_cannot_start(
        fleet_pi: dict[str, Path], wheel: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`classroom update --release`: pip builds the new venv for real; installed without its
    dependencies the new agent cannot even import click, so the health check fails."""
    from click.testing import CliRunner

    from kiosk.cli import cli
    from kiosk.commands import doctor
    from kiosk.i18n import set_language

    monkeypatch.setenv("FAKE_SYSTEMD", str(fleet_pi["state"]))
    monkeypatch.setenv("SYSTEMCTL", str(fleet_pi["systemctl"]))
    monkeypatch.setenv("PYTHON", sys.executable)
    monkeypatch.setenv("PIP_ARGS", "--no-deps --no-index")
    monkeypatch.setattr(doctor, "PREFIX", fleet_pi["prefix"])
    config = fleet_pi["state"].parent / "room.toml"
    os.system(f"{fleet_pi['systemctl']} restart")  # noqa: S605 - the test's own fake
    set_language("en")
    try:
        _until(lambda: any(e["type"] == "heartbeat" for e in _events(fleet_pi["journal"])), "the old agent running")
        result = CliRunner().invoke(cli, ["update", "--config", str(config), "--now", "--release", str(wheel),
                                          "--version", "0.2.0", "--health-timeout", "5"])
    finally:
        os.system(f"{fleet_pi['systemctl']} stop")  # noqa: S605
    assert result.exit_code == 1, result.output
    assert "rolled back to 0.1.0" in result.output
    new_venv = fleet_pi["prefix"] / "releases" / "0.2.0"
    assert (new_venv / "bin" / "classroom").is_file() and (new_venv / ".complete").is_file()
    assert os.readlink(fleet_pi["prefix"] / "current") == "releases/0.1.0"
    events = _events(fleet_pi["journal"])
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert [e["type"] for e in events].count("start") == 2

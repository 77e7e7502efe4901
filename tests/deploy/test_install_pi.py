"""deploy/install-pi.sh run for real inside a throwaway Debian root (debootstrap, chroot).

What cannot run in a chroot goes through the script's boundaries: SYSTEMCTL is a fake
that keeps unit state in files, ENROLL a fake that records its arguments, and pip
installs the project's wheel without its dependencies (no index in the test: the
venv, the entry point and every file the script lays out are real; Kivy and the
other extras are not downloaded).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from .chroot import NoDebianRoot, fresh_root
from .conftest import DEPLOY

pytestmark = pytest.mark.slow

FAKE_SYSTEMCTL = r"""#!/bin/bash
# systemctl stand-in: records every call, keeps enabled/active units as files.
echo "$*" >> /var/log/fake-systemctl.log
state=/var/lib/fake-systemd; mkdir -p $state/enabled $state/active
quiet=""; now=""; args=()
for a in "$@"; do case "$a" in --quiet) ;; --now) now=1 ;; *) args+=("$a") ;; esac; done
verb="${args[0]}"; unit="${args[1]:-}"
case "$verb" in
  daemon-reload) ;;
  enable) touch $state/enabled/$unit; if [ -n "$now" ]; then touch $state/active/$unit; fi ;;
  disable) rm -f $state/enabled/$unit; if [ -n "$now" ]; then rm -f $state/active/$unit; fi ;;
  start|restart) touch $state/active/$unit ;;
  stop) rm -f $state/active/$unit ;;
  is-enabled) [ -e $state/enabled/$unit ] ;;
  is-active) [ -e $state/active/$unit ] ;;
  *) echo "fake systemctl: $verb not handled" >&2; exit 1 ;;
esac
"""
FAKE_ENROLL = """#!/bin/sh
echo "$@" >> /var/log/fake-enroll.log
"""


@pytest.fixture
def pi_root(tmp_path: Path, wheel: Path) -> Path:
    try:
        root = fresh_root(tmp_path / "root")
    except NoDebianRoot as exc:
        pytest.fail(f"no Debian root could be built: {exc}")
    shutil.copytree(DEPLOY, root / "srv" / "deploy", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(wheel, root / "srv" / wheel.name)
    for name, text in (("fake-systemctl", FAKE_SYSTEMCTL), ("fake-enroll", FAKE_ENROLL)):
        path = root / "usr" / "local" / "bin" / name
        path.write_text(text)
        path.chmod(0o755)
    return root


def _chroot(root: Path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "SYSTEMCTL": "/usr/local/bin/fake-systemctl",
        "ENROLL": "/usr/local/bin/fake-enroll",
        "APT_GET": "false",  # every package is in the root already: apt must not be needed
        "PIP_ARGS": "--no-deps --no-index",
        "LANG": "C.UTF-8",
    }
    return subprocess.run(["chroot", str(root), "bash", f"/srv/deploy/{script}", *args],
                          env=env, capture_output=True, text=True, check=False, timeout=240)


def _install(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    wheel = next((root / "srv").glob("*.whl")).name
    done = _chroot(root, "install-pi.sh", "--source", f"/srv/{wheel}", "--server", "https://so-gd.example.vn",
                   "--code", "123456", "--room", "R101", *extra)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _snapshot(root: Path) -> dict[str, tuple[object, ...]]:
    """Every path the installer touches: type, mode, owner, content hash or link target."""
    out: dict[str, tuple[object, ...]] = {}
    for top in ("etc", "opt/classroom", "var/lib/classroom", "var/lib/fake-systemd"):
        base = root / top
        for dirpath, dirnames, filenames in os.walk(base):
            for name in [*dirnames, *filenames]:
                path = Path(dirpath) / name
                st = path.lstat()
                if stat.S_ISLNK(st.st_mode):
                    detail: object = os.readlink(path)
                elif stat.S_ISREG(st.st_mode):
                    detail = hashlib.sha256(path.read_bytes()).hexdigest()
                else:
                    detail = None
                out[str(path.relative_to(root))] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode),
                                                    st.st_uid, st.st_gid, detail, st.st_mtime_ns)
    return out


def _ids(root: Path, name: str) -> tuple[int, int]:
    for line in (root / "etc" / "passwd").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == name:
            return int(fields[2]), int(fields[3])
    raise AssertionError(f"no user {name}")


def _members(root: Path, group: str) -> list[str]:
    for line in (root / "etc" / "group").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == group:
            return fields[3].split(",") if fields[3] else []
    raise AssertionError(f"no group {group}")


def test_install_lays_out_users_folders_program_units_and_enrols(pi_root: Path) -> None:
    _install(pi_root)
    uid, gid = _ids(pi_root, "classroom")
    for group in ("gpio", "spi", "dialout", "video", "render", "input"):
        assert "classroom" in _members(pi_root, group)
    expected = {
        "etc/classroom": (0o750, 0, gid),
        "etc/classroom/room.toml": (0o640, 0, gid),
        "var/lib/classroom": (0o750, uid, gid),
        "var/lib/classroom/journal": (0o750, uid, gid),
        "opt/classroom/releases": (0o755, 0, 0),
    }
    for rel, (mode, owner, group_id) in expected.items():
        st = (pi_root / rel).stat()
        assert (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid) == (mode, owner, group_id), rel
    current = pi_root / "opt" / "classroom" / "current"
    assert os.readlink(current).startswith("releases/")
    assert (current / "bin" / "classroom").is_file()
    assert (current / "bin" / "python").exists()
    units = pi_root / "etc" / "systemd" / "system"
    for unit in ("classroom-agent.service", "classroom-kiosk.service", "classroom-firstboot.service",
                 "classroom-update.service", "classroom-update.timer"):
        assert (units / unit).read_bytes() == (DEPLOY / "pi" / "systemd" / unit).read_bytes()
        assert stat.S_IMODE((units / unit).stat().st_mode) == 0o644
    assert "Storage=volatile" in (pi_root / "etc/systemd/journald.conf.d/classroom.conf").read_text()
    enabled = sorted(p.name for p in (pi_root / "var/lib/fake-systemd/enabled").iterdir())
    assert enabled == ["classroom-firstboot.service", "classroom-kiosk.service", "classroom-update.timer"]
    active = sorted(p.name for p in (pi_root / "var/lib/fake-systemd/active").iterdir())
    assert active == ["classroom-kiosk.service"]  # the agent with the touchscreen: one journal writer
    enrol = (pi_root / "var/log/fake-enroll.log").read_text().split()
    assert enrol == ["--server", "https://so-gd.example.vn", "--code", "123456", "--room", "R101"]


def test_second_run_changes_nothing(pi_root: Path) -> None:
    _install(pi_root)
    before = _snapshot(pi_root)
    log = pi_root / "var/log/fake-systemctl.log"
    calls_before = log.read_text().splitlines()
    _install(pi_root)
    assert _snapshot(pi_root) == before
    second = log.read_text().splitlines()[len(calls_before):]
    assert all(call.split()[0] in ("is-enabled", "is-active") for call in second), second
    assert len((pi_root / "var/log/fake-enroll.log").read_text().splitlines()) == 1


def test_uninstall_removes_the_program_and_keeps_the_journal(pi_root: Path) -> None:
    _install(pi_root)
    day = pi_root / "var/lib/classroom/journal/2026-11-23.0000000001.jsonl"
    day.write_text('{"seq": 1, "type": "start"}\n')
    done = _chroot(pi_root, "uninstall-pi.sh")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (pi_root / "opt/classroom").exists()
    assert not list((pi_root / "etc/systemd/system").glob("classroom-*"))
    assert not (pi_root / "etc/systemd/journald.conf.d/classroom.conf").exists()
    assert "classroom:" not in (pi_root / "etc/passwd").read_text()
    assert not list((pi_root / "var/lib/fake-systemd/enabled").iterdir())
    assert day.read_text() == '{"seq": 1, "type": "start"}\n'
    # and a reinstall takes the kept journal over again
    _install(pi_root)
    uid, _gid = _ids(pi_root, "classroom")
    assert day.stat().st_uid == uid


def test_headless_switches_to_the_agent_alone_never_both(pi_root: Path) -> None:
    _install(pi_root)
    _install(pi_root, "--headless")
    enabled = sorted(p.name for p in (pi_root / "var/lib/fake-systemd/enabled").iterdir())
    assert "classroom-agent.service" in enabled and "classroom-kiosk.service" not in enabled
    active = sorted(p.name for p in (pi_root / "var/lib/fake-systemd/active").iterdir())
    assert active == ["classroom-agent.service"]


def test_prepare_image_leaves_nothing_unique_to_this_pi(pi_root: Path) -> None:
    _install(pi_root)
    state = pi_root / "var/lib/classroom"
    (state / "journal" / "2026-11-23.0000000001.jsonl").write_text('{"seq": 1}\n')
    (state / "identity.json").write_text("{}")
    (pi_root / "etc/machine-id").write_text("0123456789abcdef0123456789abcdef\n")
    done = _chroot(pi_root, "prepare-image.sh")
    assert done.returncode == 0, done.stdout + done.stderr
    assert list((state / "journal").iterdir()) == []
    assert not (state / "identity.json").exists() and not (state / "enrolled").exists()
    assert (pi_root / "etc/machine-id").read_text() == ""
    assert (pi_root / "opt/classroom/current/bin/classroom").exists()  # the program stays

"""``classroom enroll`` and ``classroom sync`` as a user runs them, against a real server on loopback."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.i18n import set_language
from tests.conftest import EXAMPLE_CONFIG
from tests.sync.conftest import ROOT, ServerProcess, free_port
from tests.sync.faultproxy import FaultProxy
from tests.sync.helpers import open_journal


def run(*args: str, lang: str = "vi") -> tuple[int, str]:
    try:
        result = CliRunner().invoke(cli, ["--lang", lang, *args])
    finally:
        set_language("vi")
    return result.exit_code, result.output


def test_enroll_stores_identity_owner_only(server: ServerProcess, tmp_path: Path) -> None:
    state = tmp_path / "state"
    code, out = run("enroll", "--server", server.url, "--code", server.new_code(), "--state-dir", str(state),
                    lang="en")
    assert code == 0, out
    assert "Enrolled: Pi pi-" in out
    identity = state / "identity.json"
    assert stat.S_IMODE(identity.stat().st_mode) == 0o600
    token = __import__("json").loads(identity.read_text())["token"]
    assert token not in out
    code, out = run("enroll", "--server", server.url, "--code", server.new_code(), "--state-dir", str(state))
    assert code != 0 and "--force" in out


def test_enroll_expired_used_and_unknown_codes(server: ServerProcess, tmp_path: Path) -> None:
    expired = server.new_code(ttl_s=-1)
    code, out = run("enroll", "--server", server.url, "--code", expired, "--state-dir", str(tmp_path / "a"))
    assert code != 0
    assert f"mã đăng ký {expired} đã hết hạn" in out
    assert len(out.strip().splitlines()) == 1
    used = server.new_code()
    assert run("enroll", "--server", server.url, "--code", used, "--state-dir", str(tmp_path / "b"))[0] == 0
    code, out = run("enroll", "--server", server.url, "--code", used, "--state-dir", str(tmp_path / "c"),
                    lang="en")
    assert code != 0 and "has already been used" in out
    code, out = run("enroll", "--server", server.url, "--code", "NOSUCHCODE", "--state-dir", str(tmp_path / "d"),
                    lang="en")
    assert code != 0 and "NOSUCHCODE is not valid" in out
    revoked = server.new_code(revoked=True)
    code, out = run("enroll", "--server", server.url, "--code", revoked, "--state-dir", str(tmp_path / "e"))
    assert code != 0 and f"mã đăng ký {revoked} đã bị thu hồi" in out
    assert not any((tmp_path / d / "identity.json").exists() for d in "acde")


def test_enroll_school_code_needs_room(server: ServerProcess, tmp_path: Path) -> None:
    school_code = server.new_code(room=None)
    code, out = run("enroll", "--server", server.url, "--code", school_code, "--state-dir", str(tmp_path), lang="en")
    assert code != 0 and "check --room" in out
    code, out = run("enroll", "--server", server.url, "--code", school_code, "--room", "P4B",
                    "--state-dir", str(tmp_path), lang="en")
    assert code == 0 and "in room P4B" in out


def test_enroll_unreachable_server(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    code, out = run("enroll", "--server", url, "--code", "ABCDEFGH", "--state-dir", str(tmp_path))
    assert code != 0
    assert f"không kết nối được máy chủ của Phòng GD&ĐT {url}" in out


def test_sync_not_enrolled_fails_clearly(tmp_path: Path) -> None:
    code, out = run("sync", "--journal", str(tmp_path / "journal"), "--state-dir", str(tmp_path), lang="en")
    assert code != 0
    assert "this Pi is not enrolled" in out


def test_sync_uploads_backlog_and_config(server: ServerProcess, week_journal: tuple[Path, int]) -> None:
    folder, last_seq = week_journal
    state = folder.parent
    assert run("enroll", "--server", server.url, "--code", server.new_code(), "--journal", str(folder))[0] == 0
    code, out = run("sync", "--journal", str(folder), "--batch", "300", "--config", str(EXAMPLE_CONFIG), lang="en")
    assert code == 0, out
    assert f"{last_seq} events sent in 5 batches ({last_seq} new, 0 already there" in out
    assert "room configuration updated from the district" in out
    assert (state / "district-config.json").is_file()
    code, out = run("sync", "--journal", str(folder), "--config", str(EXAMPLE_CONFIG), lang="en")
    assert code == 0 and "0 events sent" in out and "room configuration unchanged" in out
    assert open_journal(folder, readonly=True).cursor == last_seq


def _sync_process(folder: Path, url_state: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk", "sync", "--journal", str(folder), "--state-dir", str(url_state),
         "--batch", "50"], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_client_killed_mid_upload_then_restarted(server: ServerProcess, week_journal: tuple[Path, int]) -> None:
    folder, last_seq = week_journal
    state = folder.parent
    proxy = FaultProxy(server.port, ["delay"] * 10_000, delay_s=0.05)
    assert run("enroll", "--server", server.url, "--code", server.new_code(), "--state-dir", str(state))[0] == 0
    ident = state / "identity.json"
    ident.write_text(ident.read_text().replace(server.url, proxy.url))
    proc = _sync_process(folder, state)
    deadline = time.monotonic() + 120
    while proxy.seen < 6 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    pi_id = __import__("json").loads(ident.read_text())["pi_id"]
    stored = server.seqs(pi_id)
    cursor = open_journal(folder, readonly=True).cursor
    assert 0 < len(stored) < last_seq, "killed too late to test anything"
    assert stored == list(range(1, len(stored) + 1))
    assert cursor <= len(stored)  # never ahead of what the server holds
    proxy.plan.clear()
    proc = _sync_process(folder, state)
    assert proc.wait(timeout=120) == 0, proc.stderr.read() if proc.stderr else ""
    assert server.seqs(pi_id) == list(range(1, last_seq + 1))
    assert open_journal(folder, readonly=True).cursor == last_seq
    proxy.close()


def test_reenrolled_pi_uploads_its_journal_under_the_new_identity(server: ServerProcess,
                                                                  week_journal: tuple[Path, int]) -> None:
    import json

    folder, last_seq = week_journal
    ident = folder.parent / "identity.json"
    assert run("enroll", "--server", server.url, "--code", server.new_code(), "--journal", str(folder))[0] == 0
    assert run("sync", "--journal", str(folder), "--config", str(EXAMPLE_CONFIG))[0] == 0
    old = json.loads(ident.read_text())["pi_id"]
    code, out = run("enroll", "--server", server.url, "--code", server.new_code(room="P4B"), "--room", "P4B",
                    "--journal", str(folder), "--force", lang="en")
    assert code == 0 and "uploaded again under the new identity" in out
    new = json.loads(ident.read_text())["pi_id"]
    code, out = run("sync", "--journal", str(folder), "--config", str(EXAMPLE_CONFIG), lang="en")
    assert code == 0, out
    assert f"{last_seq} events sent" in out
    assert server.seqs(new) == server.seqs(old) == list(range(1, last_seq + 1))

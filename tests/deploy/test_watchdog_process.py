"""The real `classroom run` under a stand-in for systemd's notify + watchdog handling.

systemd cannot run here (no systemd as PID 1 in this container), so the test plays its
part for one unit with ``Type=notify`` and ``WatchdogSec=3``: it passes
``NOTIFY_SOCKET`` / ``WATCHDOG_USEC`` to the real agent process, waits for ``READY=1``,
expects ``WATCHDOG=1`` to keep coming, and when the agent goes silent (frozen with
SIGSTOP) kills and restarts it as ``Restart=on-failure`` does after a watchdog timeout.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from .conftest import EXAMPLE_CONFIG, ROOT, NotifyListener
from .test_update import _events, _readings

WATCHDOG_S = 3.0


def _spawn(notify: Path, config: Path, readings: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NOTIFY_SOCKET": str(notify), "WATCHDOG_USEC": str(int(WATCHDOG_S * 1e6)),
           "CLASSROOM_LANG": "en"}
    env.pop("WATCHDOG_PID", None)
    return subprocess.Popen([str(ROOT / ".venv/bin/classroom"), "run", "--headless", "--config", str(config),
                             "--replay", str(readings)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def _supervise_until_restart(listener: NotifyListener, child: subprocess.Popen[bytes], limit_s: float) -> bool:
    """systemd's side: True once the watchdog expired (the child is then killed)."""
    last_fed = time.monotonic()
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        try:
            message = listener.receive(timeout_s=0.5)
            if "WATCHDOG=1" in message.split("\n"):
                last_fed = time.monotonic()
        except TimeoutError:
            pass
        if time.monotonic() - last_fed > WATCHDOG_S:
            child.kill()  # systemd: SIGABRT, then SIGKILL; the journal is power-cut safe
            child.wait()
            return True
    return False


def test_watchdog_timeout_restarts_the_real_agent(notify_socket: NotifyListener, tmp_path: Path) -> None:
    journal = tmp_path / "journal"
    config = tmp_path / "room.toml"
    config.write_text(EXAMPLE_CONFIG.read_text(encoding="utf-8").replace(
        'journal_dir = "var/journal"', f'journal_dir = "{journal}"'))
    readings = tmp_path / "readings.csv"
    _readings(readings, seconds=600, channel=1, on_amps=1.3, off_amps=0.018)

    first = _spawn(notify_socket.path, config, readings)
    try:
        notify_socket.wait_for("READY=1", timeout_s=60)
        notify_socket.wait_for("WATCHDOG=1", timeout_s=30)
        os.kill(first.pid, signal.SIGSTOP)  # the agent hangs
        assert _supervise_until_restart(notify_socket, first, limit_s=60)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    second = _spawn(notify_socket.path, config, readings)  # Restart=on-failure
    try:
        notify_socket.wait_for("READY=1", timeout_s=60)
        notify_socket.wait_for("WATCHDOG=1", timeout_s=30)
        second.send_signal(signal.SIGTERM)  # systemctl stop
        notify_socket.wait_for("STOPPING=1", timeout_s=30)
        assert second.wait(timeout=30) == 0
    finally:
        if second.poll() is None:
            second.kill()
    events = _events(journal)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    types = [e["type"] for e in events]
    assert types.count("start") == 2 and types[-1] == "stop"

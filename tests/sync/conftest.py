"""Fixtures for the sync tests: a real district-side HTTP server on loopback, in its own process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    """The Pi-facing server as a subprocess on a fixed loopback port over one database file."""

    def __init__(self, db: Path, port: int | None = None) -> None:
        self.db = db
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.sync.standin", "--port", str(self.port), "--db", str(self.db)],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "/docs", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def new_code(self, room: str = "P4A", ttl_s: float = 3600) -> str:
        return str(requests.post(self.url + "/test/codes", params={"room": room, "ttl_s": ttl_s}, timeout=10)
                   .json()["code"])

    def seqs(self, pi_id: str) -> list[int]:
        return list(requests.get(f"{self.url}/test/pis/{pi_id}/seqs", timeout=10).json())

    def set_config(self, body: str) -> None:
        requests.put(self.url + "/test/config", data=body.encode(), timeout=10).raise_for_status()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path / "district.db")
    proc.start()
    yield proc
    proc.kill()


@pytest.fixture(scope="session")
def week_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A journal of a simulated school week (built once); copy it before use."""
    from tests.sync.helpers import build_week_journal

    folder = tmp_path_factory.mktemp("week") / "journal"
    return folder, build_week_journal(folder)


@pytest.fixture
def week_journal(tmp_path: Path, week_template: tuple[Path, int]) -> tuple[Path, int]:
    """A fresh copy of the week's journal in ``tmp_path/pi/journal`` and its last seq."""
    import shutil

    target = tmp_path / "pi" / "journal"
    shutil.copytree(week_template[0], target)
    return target, week_template[1]

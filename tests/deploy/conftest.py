"""Fixtures of the deployment tests: the project root, the example room, a fake notify socket."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
EXAMPLE_CONFIG = ROOT / "kiosk" / "examples" / "room.toml"


class NotifyListener:
    """A stand-in for systemd's end of ``$NOTIFY_SOCKET``: a datagram socket we read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.messages: list[str] = []

    def receive(self, timeout_s: float = 10.0) -> str:
        """The next datagram (raises ``TimeoutError`` when none comes)."""
        self.sock.settimeout(timeout_s)
        data = self.sock.recv(4096).decode()
        self.messages.append(data)
        return data

    def wait_for(self, state: str, timeout_s: float = 20.0) -> str:
        """Read datagrams until one contains ``state``."""
        while True:
            message = self.receive(timeout_s)
            if state in message.split("\n"):
                return message

    def drain(self) -> list[str]:
        """Every datagram already waiting."""
        out = []
        self.sock.setblocking(False)
        try:
            while True:
                out.append(self.sock.recv(4096).decode())
        except BlockingIOError:
            pass
        finally:
            self.sock.setblocking(True)
        self.messages.extend(out)
        return out

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[NotifyListener]:
    listener = NotifyListener(tmp_path / "notify.sock")
    yield listener
    listener.close()


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This project built as a wheel (once per session), as a release would ship it."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([str(ROOT / ".venv" / "bin" / "pip"), "wheel", "-q", "--no-deps",
                    "-w", str(out), str(ROOT)], check=True, capture_output=True)
    return next(out.glob("*.whl"))

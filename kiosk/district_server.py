"""A district server in a child process on loopback, and a small admin client for its HTTP API.

The classroom program never imports the district's code (DESIGN.md: it talks HTTP), so
the scenario runner and the demo start the server as a process — uvicorn over
``district.app:app_factory`` with settings in ``DISTRICT_*`` variables — and set it up
through the same admin API people use.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import requests

from kiosk.errors import KioskError
from sync.schema import API_PREFIX

log = logging.getLogger(__name__)


class DistrictServerError(KioskError, RuntimeError):
    """The district server did not start, or its admin API refused a request."""


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DistrictServer:
    """``python -m uvicorn district.app:app_factory`` on ``127.0.0.1:port`` over ``database_url``.

    A bootstrap admin with a random password is created at start; :meth:`admin` logs in
    as it. ``settings`` adds server settings by name (``{"max_body_bytes": "4096"}``). Use as a context manager, or :meth:`start` / :meth:`stop`.
    """

    def __init__(self, database_url: str, *, port: int | None = None, workers: int = 1,
                 start_timeout_s: float = 60.0, log_path: Path | None = None,
                 settings: dict[str, str] | None = None) -> None:
        self.database_url = database_url
        self.settings = dict(settings or {})
        self.port = port or free_port()
        self.workers = workers
        self.start_timeout_s = start_timeout_s
        self.log_path = log_path
        self.admin_user = "admin"
        self.admin_password = secrets.token_urlsafe(18)
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The server's root URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the process and wait until ``/healthz`` answers; raises :class:`DistrictServerError`."""
        env = {
            **os.environ,
            "DISTRICT_DATABASE_URL": self.database_url,
            "DISTRICT_AUTO_MIGRATE": "true",
            "DISTRICT_BOOTSTRAP_ADMIN": self.admin_user,
            "DISTRICT_BOOTSTRAP_PASSWORD": self.admin_password,
            **{f"DISTRICT_{key.upper()}": value for key, value in self.settings.items()},
        }
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        cmd = [sys.executable, "-m", "uvicorn", "district.app:app_factory", "--factory", "--host", "127.0.0.1",
               "--port", str(self.port), "--log-level", "warning", "--workers", str(self.workers)]
        self.proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=out if self.log_path else subprocess.PIPE)
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                if self.proc.stderr is not None:
                    err = self.proc.stderr.read().decode(errors="replace")
                else:
                    err = self.log_path.read_text(errors="replace") if self.log_path else ""
                last = [line for line in err.strip().splitlines() if line.strip()][-1:] or [""]
                raise DistrictServerError(f"the district server on port {self.port} exited with code "
                                          f"{self.proc.returncode}: {last[0][-300:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    log.info("district server up at %s over %s", self.url, self.database_url)
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise DistrictServerError(f"the district server did not answer on {self.url} within {self.start_timeout_s:.0f} s")

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL after 10 s)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def kill(self) -> None:
        """Kill the process at once (SIGKILL), as a power cut would."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def admin(self) -> AdminApi:
        """An admin client logged in as the bootstrap admin."""
        return AdminApi.login(self.url, self.admin_user, self.admin_password)

    def __enter__(self) -> DistrictServer:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


class AdminApi:
    """The district's admin API as a logged-in user (JSON in, JSON out; errors raise)."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    @classmethod
    def login(cls, base_url: str, username: str, password: str) -> AdminApi:
        """Log in with a user name and password."""
        answer = requests.post(f"{base_url.rstrip('/')}{API_PREFIX}/auth/login",
                               json={"username": username, "password": password}, timeout=30)
        if answer.status_code != 200:
            raise DistrictServerError(f"login as {username} refused: HTTP {answer.status_code} {answer.text[:200]}")
        return cls(base_url, str(answer.json()["token"]))

    def call(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None) -> Any:
        """One request; returns the JSON answer (None for 204); raises :class:`DistrictServerError`."""
        answer = self.session.request(method, f"{self.base_url}{API_PREFIX}{path}", json=json, params=params,
                                      timeout=120)
        if answer.status_code >= 400:
            raise DistrictServerError(f"{method} {path}: HTTP {answer.status_code}: {answer.text[:300]}")
        return None if answer.status_code == 204 or not answer.content else answer.json()

    def close(self) -> None:
        """Close the connection pool."""
        self.session.close()

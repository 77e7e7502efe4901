"""District test fixtures: one database per backend per session (SQLite file, PostgreSQL db).

PostgreSQL: the server at ``DISTRICT_TEST_PG`` (default ``postgresql://postgres@127.0.0.1:5432/test``)
is used to create a fresh database per session; when none answers, a throwaway cluster
is started with initdb/pg_ctl (as the ``postgres`` user when run as root) on a free port.
Tests make their own schools, users and Pis with unique codes, so exact counts hold
without a shared reset.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ["DISTRICT_LANG"] = "en"  # assertions read English messages; the default is Vietnamese

import psycopg  # noqa: E402
import pytest  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from district.app import create_app  # noqa: E402
from district.i18n import set_language  # noqa: E402
from district.settings import get_settings  # noqa: E402

API = "/api/v1"
ADMIN_USER, ADMIN_PASSWORD = "root-admin", "root-password-1"
PG_ADMIN_URL = os.environ.get("DISTRICT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_binaries() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    return Path(found).parent if found else None


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """A PostgreSQL URL where databases may be created: the running server, or a throwaway one."""
    try:
        psycopg.connect(PG_ADMIN_URL, connect_timeout=3).close()
        yield PG_ADMIN_URL
        return
    except psycopg.OperationalError:
        pass
    binaries = _pg_binaries()
    if binaries is None:
        pytest.fail("no PostgreSQL reachable and no initdb found; install Debian's postgresql package")
    data = Path(tempfile.mkdtemp(prefix="district-pg-"))
    port = _free_port()
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_pg:
        shutil.chown(data, "postgres")
    subprocess.run([*as_pg, str(binaries / "initdb"), "-D", str(data / "db"), "-A", "trust", "-U", "postgres"], check=True, capture_output=True)
    subprocess.run([*as_pg, str(binaries / "pg_ctl"), "-D", str(data / "db"), "-o", f"-p {port} -k {data} -c listen_addresses=127.0.0.1",
                    "-w", "start", "-l", str(data / "log")], check=True, capture_output=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_pg, str(binaries / "pg_ctl"), "-D", str(data / "db"), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_database(pg_admin_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this session; dropped afterwards."""
    name = f"district_test_{secrets.token_hex(4)}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = pg_admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    yield f"{base}/{name}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def new_pg_database(pg_admin_url: str) -> str:
    """Another fresh PostgreSQL database (caller drops it)."""
    name = f"district_test_{secrets.token_hex(4)}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{pg_admin_url.rsplit('/', 1)[0].replace('postgresql://', 'postgresql+psycopg://')}/{name}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database URL of each backend (both always run)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('district') / 'district.db'}"
    return str(request.getfixturevalue("pg_database"))


@dataclass
class Clock:
    """The server's clock in tests: real time plus an offset the test may move."""

    offset_s: float = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset_s


@dataclass
class Api:
    """A test client with helpers to build tenants quickly through the real API."""

    client: TestClient
    clock: Clock
    admin: dict[str, str]
    db_url: str
    _n: itertools.count = field(default_factory=lambda: itertools.count(1))

    def uid(self, prefix: str) -> str:
        return f"{prefix}{secrets.token_hex(3)}{next(self._n)}"

    def login(self, username: str, password: str) -> dict[str, str]:
        r = self.client.post(f"{API}/auth/login", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def school(self, *, model: str = "full", code: str | None = None, level: str = "TH") -> str:
        code = code or self.uid("S")
        r = self.client.post(f"{API}/schools", json={"code": code, "name": f"Trường {code}", "level": level, "model": model}, headers=self.admin)
        assert r.status_code == 201, r.text
        return code

    def room(self, school: str, *, code: str = "R101", type: str = "regular_classroom", devices: list[dict[str, Any]] | None = None) -> str:
        devices = devices if devices is not None else [
            {"kind": "projector", "channel": 1, "standby_amps": 0.02, "on_amps": 1.3},
            {"kind": "audio", "channel": 3, "standby_amps": 0.005, "on_amps": 0.13},
        ]
        r = self.client.post(f"{API}/schools/{school}/rooms", json={"code": code, "name": f"Phòng {code}", "type": type, "devices": devices}, headers=self.admin)
        assert r.status_code == 201, r.text
        return code

    def user(self, role: str, school: str | None = None) -> dict[str, str]:
        name = self.uid(role)
        body: dict[str, Any] = {"username": name, "password": "password-123", "role": role}
        if school:
            body["school"] = school
        r = self.client.post(f"{API}/users", json=body, headers=self.admin)
        assert r.status_code == 201, r.text
        return self.login(name, "password-123")

    def code(self, school: str, room: str | None = None, ttl_hours: float = 1.0) -> dict[str, Any]:
        body: dict[str, Any] = {"school": school, "ttl_hours": ttl_hours}
        if room:
            body["room"] = room
        r = self.client.post(f"{API}/enrollment-codes", json=body, headers=self.admin)
        assert r.status_code == 201, r.text
        return dict(r.json())

    def enroll(self, school: str, room: str) -> tuple[str, dict[str, str]]:
        code = self.code(school, room)["code"]
        r = self.client.post(f"{API}/enroll", json={"code": code})
        assert r.status_code == 201, r.text
        return r.json()["pi_id"], {"Authorization": f"Bearer {r.json()['token']}"}

    def upload(self, pi_id: str, pi_auth: dict[str, str], events: list[dict[str, Any]], *, gzipped: bool = False,
               clock_synced: bool = True, sent_mono: float | None = None, boot: str | None = None) -> Any:
        body = batch(pi_id, events, clock_synced=clock_synced, sent_at=self.clock(), sent_mono=sent_mono, boot=boot)
        raw = json.dumps(body).encode()
        headers = {**pi_auth, "Content-Type": "application/json"}
        if gzipped:
            raw = gzip.compress(raw)
            headers["Content-Encoding"] = "gzip"
        return self.client.post(f"{API}/pis/{pi_id}/events", content=raw, headers=headers)


def batch(pi_id: str, events: list[dict[str, Any]], *, clock_synced: bool = True, sent_at: float | None = None,
          sent_mono: float | None = None, boot: str | None = None) -> dict[str, Any]:
    """An EventBatch body for ``events``."""
    return {
        "schema": 1, "pi_id": pi_id, "sent_at": sent_at if sent_at is not None else time.time(),
        "sent_mono": sent_mono if sent_mono is not None else (events[-1]["mono"] if events else 0.0),
        "boot": boot or (events[-1]["boot"] if events else "boot-1"), "clock_synced": clock_synced, "events": events,
    }


def device_event(seq: int, at: float, type_: str = "on", *, channel: int = 1, kind: str = "projector",
                 boot: str = "boot-1", synced: bool = True, mono: float | None = None) -> dict[str, Any]:
    """A device state event as the Pi's journal holds it."""
    return {"seq": seq, "type": type_, "at": at, "boot": boot, "mono": mono if mono is not None else at - 1e9 if at > 1e9 else at,
            "synced": synced, "channel": channel, "kind": kind}


@pytest.fixture(scope="session")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="session")
def app_for(db_url: str, clock: Clock) -> Any:
    settings = get_settings(database_url=db_url, auto_migrate=True, bootstrap_admin=ADMIN_USER,
                            bootstrap_password=ADMIN_PASSWORD, login_max_failures=5, max_body_bytes=2_000_000)
    return create_app(settings, now=clock)


@pytest.fixture(scope="session")
def api(app_for: Any, clock: Clock, db_url: str) -> Iterator[Api]:
    with TestClient(app_for) as client:
        r = client.post(f"{API}/auth/login", json={"username": ADMIN_USER, "password": ADMIN_PASSWORD})
        assert r.status_code == 200, r.text
        yield Api(client=client, clock=clock, admin={"Authorization": f"Bearer {r.json()['token']}"}, db_url=db_url)


@pytest.fixture
def backend(db_url: str) -> str:
    return "postgresql" if db_url.startswith("postgresql") else "sqlite"


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    """Assertions read English messages; another test package may have imported the
    district (which reads DISTRICT_LANG once) before this conftest set it."""
    set_language("en")
    yield

"""Fixtures for the sync tests: a real district-side HTTP server on loopback, in its own process."""

from __future__ import annotations

import os
import secrets
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.district_server import AdminApi, DistrictServer

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    """The real district server (a uvicorn child process) on a fixed loopback port over one SQLite file.

    Set up with one school and room; enrolment codes come from its admin API; what it
    stores is read straight from its database, so the check does not trust the API.
    """

    school = "TH-SYNC"

    def __init__(self, db: Path, port: int | None = None, settings: dict[str, str] | None = None) -> None:
        self.db = db
        self.server = DistrictServer(f"sqlite:///{db}", port=port or free_port(), settings=settings)
        self.port = self.server.port
        self._admin: AdminApi | None = None

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> None:
        self.server.start()
        self._admin = None
        if not self.db.with_suffix(".ready").exists():
            admin = self.admin()
            admin.call("POST", "/schools", json={"code": self.school, "name": "Trường TH Đồng Bộ",
                                                 "level": "TH", "model": "full"})
            for room in ("P4A", "P4B"):
                admin.call("POST", f"/schools/{self.school}/rooms", json={
                    "code": room, "name": f"Phòng {room}", "type": "regular_classroom", "devices": [
                        {"kind": "projector", "channel": 1, "standby_amps": 0.018, "on_amps": 1.3}]})
            admin.call("PUT", f"/schools/{self.school}/bells", json={"bells": [
                {"period": 1, "start": "07:45", "end": "08:20"}, {"period": 2, "start": "08:25", "end": "09:00"}]})
            self.db.with_suffix(".ready").touch()

    def admin(self) -> AdminApi:
        if self._admin is None:
            self._admin = self.server.admin()
        return self._admin

    def kill(self) -> None:
        self.server.kill()

    def new_code(self, room: str | None = "P4A", ttl_s: float = 3600, *, revoked: bool = False) -> str:
        body = {"school": self.school, **({"room": room} if room else {})}
        answer = self.admin().call("POST", "/enrollment-codes", json=body)
        if ttl_s <= 0:
            with sqlite3.connect(self.db) as db:
                db.execute("UPDATE enrollment_codes SET expires_at = 0 WHERE id = ?", (answer["id"],))
        if revoked:
            self.admin().call("POST", f"/enrollment-codes/{answer['id']}/revoke")
        return str(answer["code"])

    def seqs(self, pi_id: str) -> list[int]:
        with sqlite3.connect(self.db) as db:
            return [row[0] for row in db.execute("SELECT seq FROM events WHERE pi_id = ? ORDER BY seq", (pi_id,))]

    def change_bells(self) -> list[str]:
        """Move the school's bells to the other of two timetables; return the new start times."""
        self._bells_moved = not getattr(self, "_bells_moved", False)
        first = ("07:30", "08:05", "08:10", "08:45") if self._bells_moved else ("07:45", "08:20", "08:25", "09:00")
        self.admin().call("PUT", f"/schools/{self.school}/bells", json={"bells": [
            {"period": 1, "start": first[0], "end": first[1]}, {"period": 2, "start": first[2], "end": first[3]}]})
        return [first[0], first[2]]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One district server for the session (each test enrols its own Pis, so counts stay exact)."""
    proc = ServerProcess(tmp_path_factory.mktemp("district") / "district.db")
    proc.start()
    yield proc
    proc.kill()


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A district server of this test alone (for tests that kill it or change the school)."""
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


PG_ADMIN_URL = os.environ.get("DISTRICT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (SQLAlchemy URL), dropped afterwards."""
    import psycopg

    name = f"sync_test_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.fail(f"no PostgreSQL at {PG_ADMIN_URL} ({exc}); set DISTRICT_TEST_PG or run scripts/setup.sh")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{PG_ADMIN_URL.rsplit('/', 1)[0].replace('postgresql://', 'postgresql+psycopg://')}/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

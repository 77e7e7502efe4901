"""Two server processes (uvicorn) on one PostgreSQL take concurrent uploads of the same Pis
and end with every event exactly once."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest
from sqlalchemy import create_engine, text

from district.migrate import upgrade
from tests.district.conftest import (
    ADMIN_PASSWORD,
    ADMIN_USER,
    _free_port,
    batch,
    device_event,
    new_pg_database,
)

EVENTS_PER_PI = 400
BATCH = 40
PIS = 3


@pytest.fixture
def two_servers(pg_admin_url: str) -> Iterator[tuple[str, list[str]]]:
    url = new_pg_database(pg_admin_url)
    upgrade(url)
    env = {**os.environ, "DISTRICT_DATABASE_URL": url, "DISTRICT_BOOTSTRAP_ADMIN": ADMIN_USER, "DISTRICT_BOOTSTRAP_PASSWORD": ADMIN_PASSWORD}
    ports = [_free_port(), _free_port()]
    procs = [
        subprocess.Popen([sys.executable, "-m", "uvicorn", "district.app:app_factory", "--factory", "--port", str(p), "--log-level", "warning"],
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for p in ports
    ]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        for base, proc in zip(bases, procs, strict=True):
            for _ in range(300):
                if proc.poll() is not None:
                    raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "server died")
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
        yield url, bases
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def test_concurrent_uploads_store_every_event_once(two_servers: tuple[str, list[str]]) -> None:
    url, bases = two_servers
    with httpx.Client(base_url=bases[0], timeout=30) as c:
        token = c.post("/api/v1/auth/login", json={"username": ADMIN_USER, "password": ADMIN_PASSWORD}).json()["token"]
        admin = {"Authorization": f"Bearer {token}"}
        assert c.post("/api/v1/schools", json={"code": "MW", "name": "MW", "level": "TH", "model": "full"}, headers=admin).status_code == 201
        assert c.post("/api/v1/schools/MW/rooms", json={"code": "R1", "name": "R1", "type": "it_room"}, headers=admin).status_code == 201
        pis = []
        for _ in range(PIS):
            code = c.post("/api/v1/enrollment-codes", json={"school": "MW", "room": "R1"}, headers=admin).json()["code"]
            made = c.post("/api/v1/enroll", json={"code": code}).json()
            pis.append((made["pi_id"], {"Authorization": f"Bearer {made['token']}"}))
    now = time.time()
    jobs = []
    for pi_id, auth in pis:
        events = [device_event(s, now - 5000 + s, "on" if s % 2 else "off") for s in range(1, EVENTS_PER_PI + 1)]
        chunks = [events[i : i + BATCH] for i in range(0, EVENTS_PER_PI, BATCH)]
        for base in bases:  # every batch goes to both servers, in different orders
            order = list(range(len(chunks)))
            random.Random(base).shuffle(order)
            jobs += [(base, pi_id, auth, chunks[i]) for i in order]
    random.Random(7).shuffle(jobs)

    def send(job: tuple) -> int:
        base, pi_id, auth, chunk = job
        return httpx.post(f"{base}/api/v1/pis/{pi_id}/events", json=batch(pi_id, chunk), headers=auth, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(send, jobs))
    assert set(statuses) == {200}
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT pi_id, COUNT(*), COUNT(DISTINCT seq), MIN(seq), MAX(seq) FROM events GROUP BY pi_id")).all()
        acked = dict(conn.execute(text("SELECT id, acked_seq FROM pis")).all())
    engine.dispose()
    assert sorted(r[1:] for r in rows) == [(EVENTS_PER_PI, EVENTS_PER_PI, 1, EVENTS_PER_PI)] * PIS
    assert set(acked.values()) == {EVENTS_PER_PI}

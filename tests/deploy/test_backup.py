"""A backup of the running PostgreSQL, restored into an empty database, holds the same rows and scores the same.

The district is filled through its real API with a scenario's room and the events a
Pi journaled for it (the district's own acceptance helpers), dumped with
deploy/server/backup.sh, restored with deploy/server/restore.sh into a new database,
then compared table by table and by the district's report (the scores) on both.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from district.app import create_app
from district.settings import get_settings
from kiosk.scenario import load_scenario, replay_scenario
from sync.schema import MAX_BATCH_EVENTS
from tests.conftest import scenario_dirs
from tests.district.conftest import ADMIN_PASSWORD, ADMIN_USER, API, PG_ADMIN_URL, Api, Clock
from tests.district.test_scenarios import configure, weeks

from .conftest import DEPLOY


@pytest.fixture
def databases() -> Iterator[dict[str, str]]:
    """Names for a source and a restored database on the running PostgreSQL; both dropped afterwards."""
    try:
        psycopg.connect(PG_ADMIN_URL, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        pytest.fail(f"no PostgreSQL at {PG_ADMIN_URL}: {exc}")
    suffix = secrets.token_hex(4)
    names = {"source": f"district_bk_src_{suffix}", "restored": f"district_bk_dst_{suffix}"}
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{names["source"]}"')
    yield names
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        for name in names.values():
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _url(name: str) -> str:
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{name}"


def _pg_env() -> dict[str, str]:
    info = psycopg.conninfo.conninfo_to_dict(PG_ADMIN_URL)
    env = dict(os.environ)
    env.update({"PGHOST": str(info.get("host", "127.0.0.1")), "PGPORT": str(info.get("port", 5432)),
                "PGUSER": str(info.get("user", "postgres"))})
    return env


def _api(client: TestClient) -> Api:
    r = client.post(f"{API}/auth/login", json={"username": ADMIN_USER, "password": ADMIN_PASSWORD})
    assert r.status_code == 200, r.text
    return Api(client=client, clock=Clock(), admin={"Authorization": f"Bearer {r.json()['token']}"}, db_url="")


def _app(name: str) -> Any:
    settings = get_settings(database_url=_url(name), auto_migrate=True, bootstrap_admin=ADMIN_USER,
                            bootstrap_password=ADMIN_PASSWORD)
    return create_app(settings)


def _tables(name: str) -> dict[str, list[str]]:
    """Every table's rows as text, sorted: equal dicts mean equal contents."""
    with psycopg.connect(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}") as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        return {t: sorted(r[0] for r in conn.execute(f'SELECT t::text FROM "{t}" AS t')) for t in tables}


def _stored(report: dict[str, Any]) -> dict[str, Any]:
    """The report without ``since_sync_s`` (now minus ``last_sync_at``, which is compared)."""
    for pi in report.get("freshness", []):
        pi.pop("since_sync_s", None)
    return report


def test_backup_restored_into_an_empty_database_matches_and_scores_the_same(databases: dict[str, str],
                                                                             tmp_path: Path) -> None:
    scenario = load_scenario(scenario_dirs()[0])
    journal, dates = replay_scenario(scenario, tmp_path / "journal")
    events = sorted(journal.events(), key=lambda e: e["seq"])
    journal.close()
    first, last = weeks(dates)
    with TestClient(_app(databases["source"])) as client:
        api = _api(client)
        school, room = configure(api, scenario.raw)
        pi_id, auth = api.enroll(school, room)
        for i in range(0, len(events), MAX_BATCH_EVENTS):
            assert api.upload(pi_id, auth, events[i : i + MAX_BATCH_EVENTS]).status_code == 200
        params = {"school": school, "room": room, "from": str(first), "to": str(last)}
        scored = client.get(f"{API}/reports", params=params, headers=api.admin)
        assert scored.status_code == 200, scored.text

    env = {**_pg_env(), "DISTRICT_DB": databases["source"], "DISTRICT_BACKUP_DIR": str(tmp_path / "backups")}
    done = subprocess.run(["bash", str(DEPLOY / "server" / "backup.sh")], env=env, capture_output=True, text=True,
                          check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    dump = Path(done.stdout.strip().splitlines()[-1])
    assert dump.is_file() and not list(dump.parent.glob("*.partial"))
    done = subprocess.run(["bash", str(DEPLOY / "server" / "restore.sh"), str(dump), databases["restored"]],
                          env=_pg_env(), capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr

    source, restored = _tables(databases["source"]), _tables(databases["restored"])
    assert source == restored
    assert sum(len(rows) for rows in source.values()) > len(events)  # events and everything else
    with TestClient(_app(databases["restored"])) as client:
        again = client.get(f"{API}/reports", params=params, headers=_api(client).admin)
    assert again.status_code == 200
    assert _stored(again.json()) == _stored(scored.json())
    assert again.json()["rooms"][0]["lessons"]

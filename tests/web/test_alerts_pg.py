"""Alert evaluation racing itself on PostgreSQL: two workers at once raise each alert once."""

from __future__ import annotations

import threading

import psycopg
import pytest
from sqlalchemy import func, select

from district.alerts.service import evaluate
from district.db import transaction
from district.web.settings import get_web_settings
from district.web.tables import Alert
from tests.district.conftest import new_pg_database, pg_admin_url  # noqa: F401 (fixture)
from tests.web.conftest import NOW, build_demo


@pytest.fixture
def pg_demo(pg_admin_url, tmp_path):  # noqa: F811 (the imported fixture)
    url = new_pg_database(pg_admin_url)
    _url, _demo, sessions = build_demo(tmp_path, url, alerts=False)
    yield sessions
    sessions.kw["bind"].dispose()
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def test_two_workers_evaluating_at_once_open_each_alert_once(pg_demo):
    barrier = threading.Barrier(2)
    results = []
    errors = []

    def worker() -> None:
        try:
            barrier.wait()
            with transaction(pg_demo) as session:
                results.append(evaluate(session, now=NOW, settings=get_web_settings()))
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    with pg_demo() as session:
        rows = session.execute(select(Alert.kind, Alert.cause, func.count()).group_by(Alert.kind, Alert.cause)).all()
    assert rows and all(count == 1 for _kind, _cause, count in rows)
    assert sum(r.opened for r in results) == len(rows) == results[0].open_now

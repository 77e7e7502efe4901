"""Migrations from empty to head (and back and up again) on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, inspect

from district.db import Base
from district.migrate import downgrade, upgrade
from tests.district.conftest import new_pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    admin = request.getfixturevalue("pg_admin_url")
    url = new_pg_database(admin)
    request.addfinalizer(lambda: _drop(admin, url))
    return url


def _drop(admin: str, url: str) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def test_empty_to_head_matches_the_models(empty_url: str) -> None:
    upgrade(empty_url)
    engine = create_engine(empty_url)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    indexes = {ix["name"] for ix in inspect(engine).get_indexes("events")}
    uniques = {uq["name"] for uq in inspect(engine).get_unique_constraints("events")}
    assert "ix_events_room_id_at" in indexes and "uq_events_pi_id_seq" in uniques
    engine.dispose()
    downgrade(empty_url)
    engine = create_engine(empty_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    upgrade(empty_url)

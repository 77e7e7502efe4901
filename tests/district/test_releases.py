"""Staged rollout served by the district: a few Pis first, then more once they are healthy,
paused by itself when updated Pis go silent, resumed by a person (``deploy/rollout.py`` rules).

Each test builds its own database so the fleet is exactly the Pis it enrols.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from deploy import rollout
from district.app import create_app
from district.settings import get_settings
from tests.district.conftest import ADMIN_PASSWORD, ADMIN_USER, API, Api, Clock, new_pg_database

FLEET = 12
SHA = "ab" * 32


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Api]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'district.db'}"
    else:
        admin_url = str(request.getfixturevalue("pg_admin_url"))
        url = new_pg_database(admin_url)
    clock = Clock()
    settings = get_settings(database_url=url, auto_migrate=True, bootstrap_admin=ADMIN_USER,
                            bootstrap_password=ADMIN_PASSWORD)
    with TestClient(create_app(settings, now=clock)) as client:
        r = client.post(f"{API}/auth/login", json={"username": ADMIN_USER, "password": ADMIN_PASSWORD})
        yield Api(client=client, clock=clock, admin={"Authorization": f"Bearer {r.json()['token']}"}, db_url=url)
    if request.param == "postgresql":
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(str(request.getfixturevalue("pg_admin_url")), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _start(api: Api, pi_id: str, auth: dict[str, str], seq: int, version: str) -> None:
    event = {"seq": seq, "type": "start", "at": api.clock() - 1, "boot": f"boot-{seq}", "mono": 1.0,
             "synced": True, "version": version, "room": "R"}
    r = api.upload(pi_id, auth, [event])
    assert r.status_code == 200, r.text


def _fleet(api: Api) -> dict[str, tuple[dict[str, str], int]]:
    school = api.school()
    pis: dict[str, tuple[dict[str, str], int]] = {}
    for i in range(FLEET):
        room = api.room(school, code=f"R{i}")
        pi_id, auth = api.enroll(school, room)
        _start(api, pi_id, auth, 1, "0.1.0")
        pis[pi_id] = (auth, 1)
    return pis


def _offered(api: Api, pis: dict[str, Any]) -> set[str]:
    out = set()
    for pi_id, (auth, _seq) in pis.items():
        r = api.client.get(f"{API}/pis/{pi_id}/release", headers=auth)
        assert r.status_code in (200, 204), r.text
        if r.status_code == 200:
            assert r.json() == {"version": "0.2.0", "url": "https://example.invalid/classroom-0.2.0.whl", "sha256": SHA}
            out.add(pi_id)
    return out


def test_nothing_is_offered_without_a_release(fresh: Api) -> None:
    pis = _fleet(fresh)
    assert _offered(fresh, pis) == set()


def test_rollout_grows_by_stage_and_pauses_when_updated_pis_go_silent(fresh: Api) -> None:
    api = fresh
    pis = _fleet(api)
    r = api.client.post(f"{API}/releases", headers=api.admin,
                        json={"version": "0.2.0", "url": "https://example.invalid/classroom-0.2.0.whl", "sha256": SHA})
    assert r.status_code == 201, r.text
    first = _offered(api, pis)
    expected = rollout.stage_members(rollout.RolloutState("0.2.0"), pis)
    assert first == expected and len(first) == 3  # "a few Pis first"
    # the first Pis update and report healthy; a day later the next stage opens
    for pi_id in first:
        auth, seq = pis[pi_id]
        _start(api, pi_id, auth, seq + 1, "0.2.0")
        pis[pi_id] = (auth, seq + 1)
    assert _offered(api, pis) == set()  # updated Pis are not offered again; others wait for the soak
    api.clock.offset_s += 86400 + 60
    for pi_id, (auth, seq) in pis.items():  # everyone keeps syncing (heartbeat)
        r = api.upload(pi_id, auth, [{"seq": seq + 1, "type": "heartbeat", "at": api.clock() - 1, "boot": "b",
                                      "mono": 2.0, "synced": True, "channels": {"1": "off"}}])
        assert r.status_code == 200, r.text
        pis[pi_id] = (auth, seq + 1)
    second = _offered(api, pis)
    assert second and not second & first
    admin = api.login(ADMIN_USER, ADMIN_PASSWORD)  # a day later: a fresh session
    status = api.client.get(f"{API}/releases", headers=admin).json()[0]
    assert status["stage"] >= 1 and not status["paused"] and status["pis_running"] == len(first)
    # the updated Pis go silent for hours: the rollout pauses itself and offers nothing
    api.clock.offset_s += 4 * 3600
    silent_check = next(p for p in pis if p not in first)
    auth, _seq = pis[silent_check]
    assert api.client.get(f"{API}/pis/{silent_check}/release", headers=auth).status_code == 204
    admin = api.login(ADMIN_USER, ADMIN_PASSWORD)
    status = api.client.get(f"{API}/releases", headers=admin).json()[0]
    assert status["paused"] and "unhealthy or silent" in status["reason"]
    # a person resumes it
    r = api.client.post(f"{API}/releases/0.2.0/resume", headers=admin)
    assert r.status_code == 200 and not r.json()["paused"]


def test_only_admins_publish_and_bad_releases_are_refused(fresh: Api) -> None:
    api = fresh
    school = api.school()
    staff = api.user("staff", school)
    analyst = api.user("analyst")
    body = {"version": "0.3.0", "url": "https://example.invalid/x.whl"}
    assert api.client.post(f"{API}/releases", headers=staff, json=body).status_code == 403
    assert api.client.post(f"{API}/releases", headers=analyst, json=body).status_code == 403
    assert api.client.get(f"{API}/releases", headers=staff).status_code == 403
    assert api.client.get(f"{API}/releases", headers=analyst).status_code == 200
    assert api.client.post(f"{API}/releases", headers=api.admin, json={**body, "sha256": "xyz"}).status_code == 422
    assert api.client.post(f"{API}/releases", headers=api.admin, json={**body, "url": "file:///etc/passwd"}).status_code == 422
    assert api.client.post(f"{API}/releases", headers=api.admin, json=body).status_code == 201
    r = api.client.post(f"{API}/releases", headers=api.admin, json=body)
    assert r.status_code == 409 and r.json()["detail"]["code"] == "conflict"
    assert api.client.post(f"{API}/releases/9.9.9/resume", headers=api.admin).status_code == 404
    assert api.client.get(f"{API}/pis/nope/release", headers={"Authorization": "Bearer x"}).status_code == 401


def test_stages_never_shrink_and_empty_stages_are_passed_at_once() -> None:
    """Regression: with 12 Pis the 5 % stage held fewer Pis than the first stage's three,
    so a day of soak went by with nobody new offered the release."""
    fleet = [f"pi-{i}" for i in range(12)]
    sizes = [len(rollout.stage_members(rollout.RolloutState("1.0", stage), fleet)) for stage in range(len(rollout.STAGES))]
    assert sizes == sorted(sizes) and sizes[0] == 3 and sizes[-1] == 12
    first = rollout.stage_members(rollout.RolloutState("1.0"), fleet)
    reports = {p: rollout.PiReport(p, "1.0" if p in first else "0.9", True, 99_900.0, 0.0) for p in fleet}
    moved = rollout.next_state(rollout.RolloutState("1.0"), reports, now=100_000.0)
    assert len(rollout.stage_members(moved, fleet)) > len(first)

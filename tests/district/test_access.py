"""Access rules: every endpoint × role × tenant, and a test for each forbidden path."""

from __future__ import annotations

import pytest

from tests.district.conftest import API, Api, device_event


@pytest.fixture(scope="module")
def world(api: Api) -> dict:
    """Two schools with a room and a Pi each; staff of school A, an analyst, an admin."""
    a, b = api.school(), api.school()
    api.room(a)
    api.room(b)
    pi_a, pi_a_auth = api.enroll(a, "R101")
    pi_b, pi_b_auth = api.enroll(b, "R101")
    return {
        "a": a, "b": b, "pi_a": pi_a, "pi_b": pi_b, "pi_a_auth": pi_a_auth, "pi_b_auth": pi_b_auth,
        "roles": {"admin": api.admin, "staff_a": api.user("staff", a), "analyst": api.user("analyst"), "anonymous": {}},
    }


# (name, method, path template, json body, whether it writes)
ENDPOINTS = [
    ("list schools", "GET", "/schools", None, False),
    ("read school", "GET", "/schools/{s}", None, False),
    ("list rooms", "GET", "/schools/{s}/rooms", None, False),
    ("room config", "GET", "/schools/{s}/rooms/R101/config", None, False),
    ("holidays", "GET", "/schools/{s}/holidays", None, False),
    ("report", "GET", "/reports?school={s}&month=2026-11", None, False),
    ("lessons", "GET", "/lessons?school={s}&month=2026-11", None, False),
    ("room months", "GET", "/room-months?school={s}&month=2026-11", None, False),
    ("export", "GET", "/exports/lessons?school={s}&month=2026-11", None, False),
    ("pis", "GET", "/pis?school={s}", None, False),
    ("bells", "PUT", "/schools/{s}/bells", {"bells": [{"period": 1, "start": "07:00", "end": "07:45"}]}, True),
    ("teachers", "PUT", "/schools/{s}/teachers", {"teachers": [{"id": "GV1", "name": "Cô Lan"}]}, True),
    ("timetable", "PUT", "/schools/{s}/rooms/R101/timetable", {"lessons": []}, True),
    ("school holiday", "POST", "/schools/{s}/holidays", {"date": "2026-12-24"}, True),
    ("enrolment code", "POST", "/enrollment-codes", {"school": "{s}"}, True),
    ("devices", "PUT", "/schools/{s}/rooms/R101/devices", {"devices": [{"kind": "projector", "channel": 1, "standby_amps": 0.1, "on_amps": 1.0}]}, True),
]
ADMIN_ONLY = [
    ("create school", "POST", "/schools", {"code": "ZZ{uid}", "name": "Z", "level": "TH", "model": "full"}),
    ("create room", "POST", "/schools/{s}/rooms", {"code": "R{uid}", "name": "R", "type": "it_room"}),
    ("policy", "PUT", "/schools/{s}/policy", {"targets": {"regular_classroom": 0.8}}),
    ("district holiday", "POST", "/holidays", {"date": "2026-12-25"}),
    ("create user", "POST", "/users", {"username": "u{uid}", "password": "password-123", "role": "analyst"}),
]


def _call(api: Api, method: str, path: str, body: object, headers: dict, world: dict, tenant: str) -> int:
    school = world[tenant]
    uid = api.uid("")
    fill = lambda v: v.replace("{s}", school).replace("{uid}", uid) if isinstance(v, str) else v  # noqa: E731
    if isinstance(body, dict):
        body = {k: fill(v) for k, v in body.items()}
    return api.client.request(method, API + fill(path), json=body, headers=headers).status_code


def expected(role: str, tenant: str, writes: bool) -> int:
    if role == "anonymous":
        return 401
    if role == "admin":
        return 200
    if role == "analyst":
        return 403 if writes else 200
    return 200 if tenant == "a" else 403  # staff of school A


@pytest.mark.parametrize("tenant", ["a", "b"])
@pytest.mark.parametrize("role", ["admin", "staff_a", "analyst", "anonymous"])
@pytest.mark.parametrize(("name", "method", "path", "body", "writes"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_matrix(api: Api, world: dict, name: str, method: str, path: str, body: object, writes: bool, role: str, tenant: str) -> None:
    status = _call(api, method, path, body, world["roles"][role], world, tenant)
    want = expected(role, tenant, writes)
    if name == "list schools" and role == "staff_a":
        want = 200  # lists only its own school (checked below)
    assert (status if status >= 400 else 200) == want, (name, role, tenant, status)


@pytest.mark.parametrize("role", ["staff_a", "analyst", "anonymous"])
@pytest.mark.parametrize(("name", "method", "path", "body"), ADMIN_ONLY, ids=[e[0] for e in ADMIN_ONLY])
def test_admin_only(api: Api, world: dict, name: str, method: str, path: str, body: object, role: str) -> None:
    status = _call(api, method, path, body, world["roles"][role], world, "a")
    assert status == (401 if role == "anonymous" else 403), (name, role)
    assert _call(api, method, path, body, api.admin, world, "a") in (200, 201, 204), name


def test_staff_lists_only_its_school(api: Api, world: dict) -> None:
    r = api.client.get(f"{API}/schools", headers=world["roles"]["staff_a"])
    assert [s["code"] for s in r.json()] == [world["a"]]
    r = api.client.get(f"{API}/reports?month=2026-11", headers=world["roles"]["staff_a"])
    assert {room["school"] for room in r.json()["rooms"]} == {world["a"]}


def test_staff_cannot_retire_or_move_another_schools_pi(api: Api, world: dict) -> None:
    staff = world["roles"]["staff_a"]
    r = api.client.post(f"{API}/pis/{world['pi_b']}/retire", headers=staff)
    assert r.status_code == 403 and r.json()["detail"]["code"] == "forbidden"
    r = api.client.post(f"{API}/pis/{world['pi_a']}/move", json={"school": world["b"], "room": "R101"}, headers=staff)
    assert r.status_code == 403


def test_pi_cannot_write_another_rooms_events(api: Api, world: dict) -> None:
    event = device_event(1, api.clock() - 60)
    r = api.upload(world["pi_b"], world["pi_a_auth"], [event])  # A's token on B's path
    assert r.status_code == 401
    r = api.client.get(f"{API}/pis/{world['pi_b']}/config", headers=world["pi_a_auth"])
    assert r.status_code == 401


def test_pi_token_is_not_a_user_token(api: Api, world: dict) -> None:
    assert api.client.get(f"{API}/schools", headers=world["pi_a_auth"]).status_code == 401


def test_wrong_and_missing_user_token(api: Api) -> None:
    r = api.client.get(f"{API}/schools", headers={"Authorization": "Bearer u_nonsense"})
    assert r.status_code == 401 and r.json()["detail"]["code"] == "bad_token"
    r = api.client.get(f"{API}/schools")
    assert r.status_code == 401 and set(r.json()["detail"]) >= {"code", "message"}


def test_api_token_for_programmatic_pulls(api: Api, world: dict) -> None:
    r = api.client.post(f"{API}/auth/tokens", json={"name": "ministry pull"}, headers=world["roles"]["analyst"])
    assert r.status_code == 201
    token = {"Authorization": f"Bearer {r.json()['token']}"}
    assert api.client.get(f"{API}/room-months?month=2026-11", headers=token).status_code == 200
    assert api.client.post(f"{API}/holidays", json={"date": "2026-12-31"}, headers=token).status_code == 403


class TestEnrolmentCodes:
    def test_code_is_single_use(self, api: Api, world: dict) -> None:
        code = api.code(world["a"], "R101")["code"]
        assert api.client.post(f"{API}/enroll", json={"code": code}).status_code == 201
        r = api.client.post(f"{API}/enroll", json={"code": code})
        assert r.status_code == 401 and r.json()["detail"]["code"] == "code_used"

    def test_expired_code(self, api: Api, world: dict) -> None:
        code = api.code(world["a"], "R101", ttl_hours=0.1)["code"]
        api.clock.offset_s += 3600
        try:
            r = api.client.post(f"{API}/enroll", json={"code": code})
        finally:
            api.clock.offset_s -= 3600
        assert r.status_code == 401 and r.json()["detail"]["code"] == "code_expired"

    def test_revoked_code(self, api: Api, world: dict) -> None:
        made = api.code(world["a"], "R101")
        assert api.client.post(f"{API}/enrollment-codes/{made['id']}/revoke", headers=api.admin).status_code == 204
        r = api.client.post(f"{API}/enroll", json={"code": made["code"]})
        assert r.status_code == 401 and r.json()["detail"]["code"] == "code_revoked"

    def test_unknown_code(self, api: Api) -> None:
        r = api.client.post(f"{API}/enroll", json={"code": "AAAA-BBBB-CCCC-DDDD"})
        assert r.status_code == 401 and r.json()["detail"]["code"] == "bad_code"

    def test_school_code_needs_a_room_and_binds_to_it(self, api: Api, world: dict) -> None:
        code = api.code(world["a"])["code"]
        r = api.client.post(f"{API}/enroll", json={"code": code})
        assert r.status_code == 422 and r.json()["detail"]["code"] == "room_required"
        r = api.client.post(f"{API}/enroll", json={"code": code.lower(), "room": "R101", "hostname": "pi-101"})
        assert r.status_code == 201 and r.json()["room"] == "R101" and r.json()["school"] == world["a"]
        assert len(r.json()["token"]) > 40

    def test_staff_cannot_make_codes_for_another_school(self, api: Api, world: dict) -> None:
        r = api.client.post(f"{API}/enrollment-codes", json={"school": world["b"]}, headers=world["roles"]["staff_a"])
        assert r.status_code == 403

    def test_codes_are_unguessable(self, api: Api, world: dict) -> None:
        codes = {api.code(world["a"])["code"] for _ in range(5)}
        assert len(codes) == 5 and all(len(c.replace("-", "")) == 16 for c in codes)


class TestLogin:
    def test_rate_limited_in_the_database(self, api: Api, app_for: object) -> None:
        from district.app import create_app

        name = api.uid("victim")
        api.client.post(f"{API}/users", json={"username": name, "password": "password-123", "role": "analyst"}, headers=api.admin)
        for _ in range(5):
            assert api.client.post(f"{API}/auth/login", json={"username": name, "password": "wrong-one"}).status_code == 401
        # A second application instance (another worker) over the same database refuses too.
        from fastapi.testclient import TestClient

        other = create_app(app_for.state.ctx.settings.model_copy(update={"auto_migrate": False}), now=api.clock)  # type: ignore[attr-defined]
        with TestClient(other) as client:
            r = client.post(f"{API}/auth/login", json={"username": name, "password": "password-123"})
        assert r.status_code == 429 and r.json()["detail"]["code"] == "rate_limited" and "Retry-After" in r.headers

    def test_wrong_password(self, api: Api) -> None:
        r = api.client.post(f"{API}/auth/login", json={"username": "nobody-here", "password": "x"})
        assert r.status_code == 401 and r.json()["detail"]["code"] == "bad_credentials"

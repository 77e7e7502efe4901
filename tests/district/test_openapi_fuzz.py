"""schemathesis over the served OpenAPI document: no input gets a 5xx (bounded budget).

Every operation gets a fixed number of generated cases, sent with an admin token so
they reach the handlers, not just the auth check.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from district.app import create_app  # noqa: E402
from district.settings import get_settings  # noqa: E402
from tests.district.conftest import ADMIN_PASSWORD, ADMIN_USER  # noqa: E402

_DB = Path(tempfile.mkdtemp(prefix="district-fuzz-")) / "fuzz.db"
APP = create_app(get_settings(database_url=f"sqlite:///{_DB}", auto_migrate=True, bootstrap_admin=ADMIN_USER,
                              bootstrap_password=ADMIN_PASSWORD, login_max_failures=1000))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module")
def admin_header() -> dict[str, str]:
    with TestClient(APP) as client:
        r = client.post("/api/v1/auth/login", json={"username": ADMIN_USER, "password": ADMIN_PASSWORD})
        client.post("/api/v1/schools", json={"code": "S1", "name": "S1", "level": "TH", "model": "full"},
                    headers={"Authorization": f"Bearer {r.json()['token']}"})
        return {"Authorization": f"Bearer {r.json()['token']}"}


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_5xx_and_one_error_shape(case: Any, admin_header: dict[str, str]) -> None:
    case.headers = {**(case.headers or {}), **admin_header}
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
    if response.status_code >= 400:
        detail = response.json()["detail"]
        assert isinstance(detail["code"], str) and isinstance(detail["message"], str)

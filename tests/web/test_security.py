"""Session and CSRF rules, without a browser."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from district.settings import get_settings
from district.web.app import create_app_with_web
from tests.web.conftest import NOW, build_demo


@pytest.fixture
def client(tmp_path):
    url, demo, _sessions = build_demo(tmp_path)
    app = create_app_with_web(get_settings(database_url=url), now=lambda: NOW)
    with TestClient(app, follow_redirects=False) as c:
        yield c, demo


def log_in(c, demo, who="admin"):
    c.get("/web/login")
    username, password = demo.logins[who]
    return c.post("/web/login", data={"username": username, "password": password, "csrf_token": c.cookies.get("district_csrf")})


def test_pages_need_a_session(client):
    c, _demo = client
    response = c.get("/web/district")
    assert response.status_code == 303 and response.headers["location"].startswith("/web/login?next=")


def test_login_without_the_csrf_token_is_refused(client):
    c, demo = client
    c.get("/web/login")
    response = c.post("/web/login", data={"username": "admin", "password": demo.logins["admin"][1], "csrf_token": "forged"})
    assert response.status_code == 403 and "district_session" not in response.cookies


def test_wrong_password_is_refused_in_vietnamese(client):
    c, _demo = client
    c.get("/web/login")
    response = c.post("/web/login", data={"username": "admin", "password": "not-the-password", "csrf_token": c.cookies.get("district_csrf")})
    assert response.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu." in response.text


def test_session_cookie_is_httponly_and_samesite(client):
    c, demo = client
    response = log_in(c, demo)
    cookie = response.headers["set-cookie"]
    assert "district_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_closing_a_fault_without_the_csrf_token_is_refused(client):
    c, demo = client
    log_in(c, demo)
    page = c.get("/web/faults").text
    action = page.split('action="/web/faults/')[1].split('"')[0]
    response = c.post("/web/faults/" + action.replace("&amp;", "&"), data={"note": "x", "csrf_token": "forged"})
    assert response.status_code == 403
    assert c.get("/web/faults").text.count('class="close-form"') == page.count('class="close-form"')


def test_logout_revokes_the_token_server_side(client):
    c, demo = client
    log_in(c, demo)
    token = c.cookies.get("district_session")
    csrf = c.get("/web/faults").text.split('name="csrf_token" value="')[1].split('"')[0]
    c.post("/web/logout", data={"csrf_token": csrf})
    c.cookies.set("district_session", token)
    assert c.get("/web/district").status_code == 303  # the old token no longer works

"""The demo district in a SQLite file, served by uvicorn on loopback, and Chromium via Playwright.

One demo database per test session (building it takes seconds); tests that change data
(closing a fault) use their own fault and assert only on it. The clock is fixed.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from district import migrate
from district.alerts.service import evaluate
from district.db import make_engine, make_sessionmaker, transaction
from district.settings import get_settings
from district.web.demo import TZ, DemoDistrict, load_demo
from district.web.settings import get_web_settings

NOW = dt.datetime(2026, 11, 18, 17, 30, tzinfo=TZ).timestamp()
MONTH = "2026-11"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@dataclass
class Served:
    """A running demo server."""

    url: str
    database_url: str
    demo: DemoDistrict
    sessions: object


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_demo(folder: Path, url: str | None = None, *, alerts: bool = True) -> tuple[str, DemoDistrict, object]:
    """A migrated database (SQLite in ``folder`` unless ``url``) with the demo district and its alerts evaluated."""
    url = url or f"sqlite:///{folder / 'demo.db'}"
    migrate.upgrade(url)
    sessions = make_sessionmaker(make_engine(url))
    with transaction(sessions) as session:
        demo = load_demo(session, now=NOW)
    if alerts:
        with transaction(sessions) as session:
            evaluate(session, now=NOW, settings=get_web_settings())
    return url, demo, sessions


def serve(url: str) -> tuple[str, object, threading.Thread]:
    """Start uvicorn in a thread over the database; returns the base URL."""
    import uvicorn

    from district.web.app import create_app_with_web

    app = create_app_with_web(get_settings(database_url=url, login_max_failures=1000), now=lambda: NOW)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    url, demo, sessions = build_demo(tmp_path_factory.mktemp("web-demo"))
    base, server, thread = serve(url)
    yield Served(url=base, database_url=url, demo=demo, sessions=sessions)
    server.should_exit = True  # type: ignore[attr-defined]
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/setup.sh installs it)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.set_default_timeout(20000)
    yield pg
    context.close()


def login(page: object, served: Served, who: str) -> None:
    """Log in through the form as ``admin``, ``analyst`` or ``staff:<school code>``."""
    username, password = served.demo.logins[who]
    page.goto(served.url + "/web/login")  # type: ignore[attr-defined]
    page.fill("input[name=username]", username)  # type: ignore[attr-defined]
    page.fill("input[name=password]", password)  # type: ignore[attr-defined]
    page.click("form.stack button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]

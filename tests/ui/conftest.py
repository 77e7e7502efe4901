"""UI test fixtures: a private Xvfb display for the whole session, and running the app in it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def display() -> Iterator[str]:
    """A virtual 1280×800 X display started for these tests (Xvfb from scripts/setup.sh)."""
    from kiosk.ui.xvfb import NoDisplay, virtual_display

    try:
        with virtual_display(1280, 800) as name:
            yield name
    except NoDisplay as exc:
        pytest.skip(str(exc))


@pytest.fixture
def run_app(display: str, tmp_path: Path) -> Callable[..., tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Run one scenario of ``tests/ui/app_driver.py`` in a child process; return its result and journal."""

    def run(scenario: str, size: str = "800x480") -> tuple[dict[str, Any], list[dict[str, Any]]]:
        import datetime as dt

        from kiosk.clock import ReplayClock
        from kiosk.journal import Journal

        journal_dir = tmp_path / "journal"
        result_path = tmp_path / "result.json"
        env = {**os.environ, "DISPLAY": display, "CLASSROOM_UI_SIZE": size,
               "KIVY_HOME": str(tmp_path / "kivy"), "CLASSROOM_LANG": "vi"}
        proc = subprocess.run([sys.executable, "-m", "tests.ui.app_driver", scenario, str(journal_dir),
                               str(result_path)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert result_path.exists(), proc.stderr[-3000:]
        result = json.loads(result_path.read_text(encoding="utf-8"))
        assert result["error"] is None, proc.stderr[-3000:]
        journal = Journal.open(journal_dir, tz=dt.UTC, clock=ReplayClock())
        events = list(journal)
        journal.close()
        return result, events

    return run

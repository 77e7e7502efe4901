"""Install extras follow the machines: a Pi pulls no web framework or SQL database, a
district server pulls no Kivy and no GPIO library (DESIGN.md, "Boundaries").

Resolved for real with ``pip install --dry-run --report`` (no install happens).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVER_ONLY = {"fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg", "psycopg-binary",
               "openpyxl", "weasyprint", "jinja2", "matplotlib"}
PI_ONLY = {"kivy", "gpiozero", "rpi.gpio", "rpi-gpio", "spidev", "pyserial", "lgpio", "tinydb"}


def _resolve(extras: str, tmp_path: Path) -> set[str]:
    report = tmp_path / "report.json"
    out = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
         "--report", str(report), f"{ROOT}[{extras}]"],
        capture_output=True, text=True, timeout=300,
    )
    if out.returncode != 0:
        pytest.fail(f"pip could not resolve [{extras}]: {out.stderr[-2000:]}")
    data = json.loads(report.read_text())
    return {item["metadata"]["name"].lower() for item in data["install"]}


def test_a_pi_install_pulls_no_server_packages(tmp_path: Path) -> None:
    names = _resolve("pi,kiosk", tmp_path)
    assert {"tinydb", "kivy", "gpiozero", "pyserial"} <= names
    assert not names & SERVER_ONLY, names & SERVER_ONLY


def test_a_server_install_pulls_no_kivy_or_gpio(tmp_path: Path) -> None:
    names = _resolve("server", tmp_path)
    assert not names & PI_ONLY, names & PI_ONLY

"""``district serve`` works with no set-up: a SQLite file in the working directory."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.district.conftest import _free_port


def test_serve_with_no_setup(tmp_path: Path) -> None:
    port = _free_port()
    env = {"PATH": "/usr/bin:/bin", "DISTRICT_LANG": "en"}
    proc = subprocess.Popen([sys.executable, "-m", "district", "serve", "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        answered = None
        for _ in range(200):
            try:
                answered = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert answered is not None and answered.status_code == 200
        assert "/api/v1/pis/{pi_id}/events" in answered.json()["paths"]
        assert (tmp_path / "district.db").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=20)

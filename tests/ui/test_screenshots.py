"""``classroom ui-screenshots DIR`` writes every screen in both languages."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENS = ("home", "tapin", "tapin-exempt", "tapin-search", "fault", "fault-note", "today-month", "it-pin",
           "it-panel", "it-panel-lower", "it-calibrate", "it-calibrate-off", "it-calibrate-measuring",
           "it-calibrate-result", "it-calibrate-saved", "it-calibrate-rejected", "it-enrol", "it-enrol-enrolled",
           "home-prompt", "home-dimmed")


def _png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


def test_screenshots_of_every_screen_in_both_languages(tmp_path, display):
    out = tmp_path / "shots"
    proc = subprocess.run([sys.executable, "-m", "kiosk", "ui-screenshots", str(out), "--size", "800x480"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 and "Xvfb" in proc.stderr:
        pytest.skip(proc.stderr)
    assert proc.returncode == 0, proc.stderr[-3000:]
    names = sorted(p.name for p in out.glob("*.png"))
    for lang in ("vi", "en"):
        shown = {n.split("-", 3)[3].removesuffix(".png") for n in names if n.startswith(f"800x480-{lang}-")}
        assert shown == set(SCREENS)
    assert {_png_size(p) for p in out.glob("*.png")} == {(800, 480)}

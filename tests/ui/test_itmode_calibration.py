"""IT mode calibrates a device on the touchscreen the way ``classroom calibrate`` does."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tests.ui.itmode_driver import run_scenario


def _projector(room: Path) -> dict[str, float]:
    device = next(d for d in tomllib.loads(room.read_text(encoding="utf-8"))["devices"] if d["channel"] == 1)
    return {"standby_amps": device["standby_amps"], "on_amps": device["on_amps"]}


def test_calibration_through_the_screens_journals_it_and_rewrites_the_room_file(display: str, tmp_path: Path):
    result, events = run_scenario(display, tmp_path, "calibration_ok")
    assert result["screen"] == "itcal"
    assert "TẮT" in result["off_text"] and "BẬT" in result["on_text"]
    assert result["step"] == "result", result["result_text"]
    [cal] = [e for e in events if e["type"] == "calibration"]
    assert (cal["channel"], cal["kind"]) == (1, "projector")
    assert 0.019 <= cal["standby_amps"] <= 0.021 and 1.2 <= cal["on_amps"] <= 1.25
    assert _projector(tmp_path / "room.toml") == {"standby_amps": cal["standby_amps"], "on_amps": cal["on_amps"]}
    assert "room.toml" in result["saved_text"]
    assert result["back_to"] == ["itmode", True]  # back to the IT panel, still unlocked


def test_levels_too_close_are_refused_with_the_cli_message(display: str, tmp_path: Path):
    result, events = run_scenario(display, tmp_path, "calibration_too_close")
    original = _projector(tmp_path / "room.toml")
    assert result["step"] == "rejected"
    assert "Kênh 1 bị từ chối" in result["result_text"] or "quá gần" in result["result_text"], result["result_text"]
    assert "quá gần nhau" in result["result_text"]
    assert not [e for e in events if e["type"] == "calibration"]
    assert original == {"standby_amps": 0.018, "on_amps": 1.3}

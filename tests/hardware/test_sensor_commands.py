"""``classroom calibrate`` and ``classroom sensors`` end to end over a fake board on a pty."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from firmware_bridge.simulator import FakeBoard
from kiosk.cli import cli
from kiosk.clock import SystemClock
from kiosk.commands import sensors as sensors_module
from kiosk.config import load_config
from kiosk.journal import Journal
from tests.conftest import EXAMPLE_CONFIG


def _serial_room(tmp_path: Path, link: Path) -> Path:
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    text = text.replace('source = "replay"', 'source = "serial"')
    text = text.replace('journal_dir = "var/journal"', f'journal_dir = "{tmp_path / "journal"}"')
    text = text.replace('on_amps = 0.13\n', f'on_amps = 0.13\nserial = {{ port = "{link}" }}\n')
    for ch in (1, 2, 3):
        text = text.replace(f"channel = {ch}\n", f'channel = {ch}\nserial = {{ port = "{link}" }}\n', 1)
    path = tmp_path / "room.toml"
    path.write_text(text, encoding="utf-8")
    load_config(path)
    return path


def test_calibrate_measures_writes_config_and_journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    link = tmp_path / "usb-Pico-if00"
    board = FakeBoard(link)
    path = _serial_room(tmp_path, link)
    phase = {"amps": 0.011}
    original = sensors_module.Collector.collect
    calls = []

    def collect(self, channel, seconds, stop):  # type: ignore[no-untyped-def]
        calls.append(channel)
        phase["amps"] = 0.011 if len(calls) % 2 else 0.9  # the technician flips the switch
        return original(self, channel, seconds, stop)

    monkeypatch.setattr(sensors_module.Collector, "collect", collect)
    done = threading.Event()

    def board_loop() -> None:
        while not done.wait(0.05):
            board.send(0, {2: phase["amps"]})

    threading.Thread(target=board_loop, daemon=True).start()
    try:
        result = CliRunner().invoke(cli, ["--lang", "en", "calibrate", "--config", str(path), "--channel", "2",
                                          "--seconds", "1", "--yes"], input="\n\n")
    finally:
        done.set()
        board.close()
    assert result.exit_code == 0, result.output
    assert "standby 0.011 A, on 0.9 A" in result.output
    device = load_config(path).device(2)
    assert device is not None and (device.standby_amps, device.on_amps) == (0.011, 0.9)
    journal = Journal.open(tmp_path / "journal", tz=load_config(path).tz, clock=SystemClock())
    events = [e for e in journal.events() if e["type"] == "calibration"]
    journal.close()
    assert [(e["channel"], e["standby_amps"], e["on_amps"]) for e in events] == [(2, 0.011, 0.9)]


def test_calibrate_rejects_levels_too_close(tmp_path: Path) -> None:
    link = tmp_path / "usb-Pico-if00"
    board = FakeBoard(link)
    path = _serial_room(tmp_path, link)
    before = path.read_text(encoding="utf-8")
    done = threading.Event()
    threading.Thread(target=lambda: [board.send(0, {1: 0.02}) for _ in iter(lambda: done.wait(0.05), True)],
                     daemon=True).start()
    try:
        result = CliRunner().invoke(cli, ["--lang", "en", "calibrate", "--config", str(path), "--channel", "1",
                                          "--seconds", "1", "--yes"], input="\n\n")
    finally:
        done.set()
        board.close()
    assert result.exit_code != 0
    assert "too close to separate" in result.output
    assert path.read_text(encoding="utf-8") == before


def test_clamp_catalogue_listed() -> None:
    result = CliRunner().invoke(cli, ["--lang", "vi", "calibrate", "--list-clamps"])
    assert result.exit_code == 0 and "SCT-013-030" in result.output


def test_sensors_table_over_a_board(tmp_path: Path) -> None:
    link = tmp_path / "usb-Pico-if00"
    board = FakeBoard(link)
    path = _serial_room(tmp_path, link)
    done = threading.Event()
    threading.Thread(target=lambda: [board.send(0, {1: 1.2, 2: 0.006}, {3: "unplugged"})
                                     for _ in iter(lambda: done.wait(0.05), True)], daemon=True).start()
    try:
        result = CliRunner().invoke(cli, ["--lang", "en", "sensors", "--config", str(path), "--seconds", "1.5"])
    finally:
        done.set()
        board.close()
    assert result.exit_code == 0, result.output
    assert "unplugged" in result.output and "1.200" in result.output and "missing" in result.output


def test_sensors_simulated_board_starts_and_stops(tmp_path: Path) -> None:
    path = tmp_path / "room.toml"
    shutil.copy(EXAMPLE_CONFIG, path)
    result = CliRunner().invoke(cli, ["--lang", "vi", "sensors", "--config", str(path), "--simulate", "--seconds", "1"])
    assert result.exit_code == 0, result.output
    assert "P4A" in result.output

"""The firmware's logic on CPython: commands, sampling over whole cycles, frames; hw.py with a fake `machine`."""

from __future__ import annotations

import math
import sys
import types
from collections.abc import Iterator

import pytest

from firmware_bridge.protocol import Frame, parse_line
from firmware_bridge.simulator import load_firmware


class FakeTicks:
    """MicroPython-style µs ticks; each ADC read takes ``us_per_read``."""

    def __init__(self, us_per_read: int = 25) -> None:
        self.us = 0
        self.step = us_per_read

    def ticks_us(self) -> int:
        return self.us

    @staticmethod
    def ticks_diff(a: int, b: int) -> int:
        return a - b


def _board(waves: dict[int, float], ticks: FakeTicks, saved: list[dict] | None = None):  # type: ignore[no-untyped-def]
    firmware = load_firmware()

    def read(ch: int) -> int:
        ticks.us += ticks.step
        amp = waves.get(ch)
        if amp is None:
            return 120  # grounded input: plug out
        t = ticks.us / 1e6
        v = 1.65 + amp * math.sqrt(2) / 30.0 * math.sin(2 * math.pi * 50 * t)
        return int(v / 3.3 * 65536)

    return firmware.Board("PICO-TEST", read, ticks.ticks_us, ticks.ticks_diff,
                          save=(saved.append if saved is not None else None))


def test_identify_and_settings() -> None:
    saved: list[dict] = []
    board = _board({}, FakeTicks(), saved)
    ident = parse_line(board.handle_command("ID"))
    assert isinstance(ident, Frame) and ident.kind == "identity" and ident.fields["id"] == "PICO-TEST"
    ack = parse_line(board.handle_command("SET iv=2000 en=1:2 cal2=60"))
    assert isinstance(ack, Frame) and ack.kind == "ack"
    assert board.settings["iv"] == 2000 and board.settings["en"] == [1, 2] and saved[-1]["cal2"] == 60.0
    for bad, msg in (("SET iv=5", "out_of_range"), ("SET colour=red", "unknown_key"), ("FLY", "unknown_command")):
        reply = parse_line(board.handle_command(bad))
        assert isinstance(reply, Frame) and reply.kind == "error" and reply.fields["msg"] == msg
    assert board.settings["iv"] == 2000


def test_report_measures_rms_and_flags_unplugged() -> None:
    ticks = FakeTicks()
    board = _board({1: 2.0, 2: 0.5}, ticks)
    board.handle_command("SET en=1:2:3")
    frame = parse_line(board.report(12345))
    assert isinstance(frame, Frame) and frame.seq == 1 and frame.board_ms == 12345
    assert frame.amps[1] == pytest.approx(2.0, rel=0.02)
    assert frame.amps[2] == pytest.approx(0.5, rel=0.02)
    assert frame.faults == {3: "unplugged"}


def test_too_slow_sampling_is_a_fault_not_a_number() -> None:
    board = _board({1: 2.0}, FakeTicks(us_per_read=4000))
    board.handle_command("SET en=1")
    frame = parse_line(board.report(1))
    assert isinstance(frame, Frame) and frame.faults == {1: "slow"}


@pytest.fixture
def fake_machine() -> Iterator[types.ModuleType]:
    calls: list[tuple] = []
    machine = types.ModuleType("machine")

    class Pin:
        OUT = 1

        def __init__(self, n: int, mode: int | None = None, value: int | None = None) -> None:
            self.n = n
            calls.append(("pin", n))

        def value(self, v: int) -> None:
            calls.append(("cs", v))

    class ADC:
        def __init__(self, n: int) -> None:
            self.n = n
            calls.append(("adc", n))

        def read_u16(self) -> int:
            return 1000 + self.n

    class SPI:
        def __init__(self, bus: int, **kw: object) -> None:
            calls.append(("spi", bus))

        def write_readinto(self, tx: bytearray, rx: bytearray) -> None:
            rx[0], rx[1], rx[2] = 0, 0x02, 0x01  # 513 counts

    machine.Pin, machine.ADC, machine.SPI = Pin, ADC, SPI  # type: ignore[attr-defined]
    machine.unique_id = lambda: bytes([0xE6, 0x61, 0x41, 0x03, 0x12, 0x34, 0x56, 0x78])  # type: ignore[attr-defined]
    machine.calls = calls  # type: ignore[attr-defined]
    sys.modules["machine"] = machine
    sys.modules.pop("hw", None)
    yield machine
    sys.modules.pop("machine", None)
    sys.modules.pop("hw", None)


def test_hw_adapters_on_a_fake_machine(fake_machine: types.ModuleType) -> None:
    load_firmware()
    import hw  # type: ignore[import-not-found]

    read = hw.internal_reader()
    assert read(1) == 1026 and read(3) == 1028
    spi_read = hw.mcp3008_reader()
    assert spi_read(2) == 513 << 6
    assert ("cs", 0) in fake_machine.calls and hw.board_id() == "PICO-12345678"  # type: ignore[attr-defined]

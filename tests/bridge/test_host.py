"""The host side over a real pty with pyserial: frames, garbage, unplug and replug."""

from __future__ import annotations

import threading

import pytest

from firmware_bridge.host import SerialBridge
from firmware_bridge.simulator import FakeBoard
from tests.bridge.conftest import Reader


def _bridge(board: FakeBoard, **kw) -> SerialBridge:  # type: ignore[no-untyped-def]
    return SerialBridge(str(board.link), {1: 11, 2: 12}, reconnect_s=0.1, read_timeout_s=0.05, **kw)


def test_frames_become_readings_of_room_channels(board: FakeBoard) -> None:
    times = iter(float(t) for t in range(1000, 2000))
    reader = Reader(_bridge(board, wall=lambda: next(times)))
    try:
        reader.wait_connected()
        board.send(5000, {1: 1.25, 2: 0.02})
        got = reader.take(2)
        assert [(r.channel, r.amps) for r in got] == [(11, 1.25), (12, 0.02)]
        assert got[0].time == got[1].time
        assert reader.bridge.stats.identity.get("id") == "SIM-00000001"  # answered ID on connect
    finally:
        reader.close()
    assert reader.errors == []


def test_board_timestamps_and_faulty_channel(board: FakeBoard) -> None:
    reader = Reader(_bridge(board, timestamps="board"))
    try:
        reader.wait_connected()
        board.send(1_700_000_000_000, {1: 0.5}, {2: "unplugged"})
        (reading,) = reader.take(1)
        assert (reading.time, reading.channel) == (1_700_000_000.0, 11)
        assert reader.bridge.health.snapshot() == {12: "unplugged"}
    finally:
        reader.close()


def test_garbage_is_counted_and_reading_goes_on(board: FakeBoard) -> None:
    reader = Reader(_bridge(board))
    try:
        reader.wait_connected()
        board.send(1, {1: 1.0, 2: 1.0})
        reader.take(2)
        board.send_garbage(b"\x00\xff\x13garbage$CR1,D,seq=9*FFFF\r\n" + b"x" * 3000 + b"\n")
        board.send(2, {1: 2.0, 2: 2.0})
        assert [r.amps for r in reader.take(2)] == [2.0, 2.0]
        stats = reader.bridge.stats
        assert stats.bad_frames == 2
        assert set(stats.bad_reasons) == {"checksum mismatch", "line too long"}
    finally:
        reader.close()
    assert reader.errors == []


def test_sequence_gaps_are_missed_frames(board: FakeBoard) -> None:
    reader = Reader(_bridge(board))
    try:
        reader.wait_connected()
        board.send(1, {1: 1.0})
        board.firmware.seq += 3  # three frames lost on the way
        board.send(2, {1: 1.0})
        reader.take(2)
        assert reader.bridge.stats.missed_frames == 3
    finally:
        reader.close()


def test_unplug_and_replug_resumes_within_five_seconds(board: FakeBoard) -> None:
    reader = Reader(_bridge(board))
    try:
        reader.wait_connected()
        board.send(1, {1: 1.0, 2: 1.0})
        reader.take(2)
        board.unplug()
        assert not board.send(2, {1: 1.0})
        board.plug()
        reader.wait_connected()
        keep_sending = threading.Event()

        def sender() -> None:
            ms = 3
            while not keep_sending.wait(0.1):
                board.send(ms, {1: 3.0, 2: 3.0})
                ms += 1

        thread = threading.Thread(target=sender, daemon=True)
        thread.start()
        try:
            resumed = reader.take(2, timeout_s=5.0)  # the 5 s bound of the issue
        finally:
            keep_sending.set()
            thread.join()
        assert [r.amps for r in resumed] == [3.0, 3.0]
        assert reader.bridge.stats.connects == 2 and reader.bridge.stats.disconnects >= 1
    finally:
        reader.close()
    assert reader.errors == []


def test_no_board_at_all_keeps_trying_without_raising(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bridge = SerialBridge(str(tmp_path / "nothing"), {1: 1}, reconnect_s=0.05)
    reader = Reader(bridge)
    try:
        with pytest.raises(Exception):  # noqa: B017 - queue.Empty: nothing arrives
            reader.take(1, timeout_s=0.3)
    finally:
        reader.close()
    assert reader.errors == [] and bridge.stats.connects == 0


def test_oem_board_watts_to_amps_with_its_voltage(board: FakeBoard) -> None:
    board.oem = True
    reader = Reader(_bridge(board, dialect="oem"))
    try:
        reader.wait_connected()
        board.send(1, {1: 2.0, 2: 0.5})
        got = reader.take(2)
        assert [r.amps for r in got] == [2.0, 0.5]  # P = 440 W, 110 W at Vrms 220
        assert board.commands == []  # nothing is sent to an emonTx (its letters are settings)
    finally:
        reader.close()


def test_oem_default_voltage_when_board_reports_none() -> None:
    bridge = SerialBridge("/dev/null", {1: 1}, dialect="oem", volts=220.0, wall=lambda: 5.0)
    (reading,) = bridge.handle_line(b"MSG:1,P1:440,E1:0,pulse:0")
    assert reading.amps == 2.0
    (calibrated,) = bridge.handle_line(b"MSG:2,Vrms:231.0,P1:440,I1:1.905")
    assert calibrated.amps == 1.905
    assert bridge.handle_line(b"emonTx V4 CM Continuous Monitoring V1.5.7") == []
    assert bridge.stats.text_lines == 1 and bridge.stats.bad_frames == 0
    bridge.handle_line(b"MSG:7,P1:440")
    assert bridge.stats.missed_frames == 4
    bridge.handle_line(b"MSG:1,P1:440")  # the board reset: its counter restarts, not a gap
    assert bridge.stats.board_restarts == 1 and bridge.stats.missed_frames == 4

"""The host's pure parser: CR1 frames, emonTx4 / emonPi2 lines as their firmware prints them."""

from __future__ import annotations

import pytest

from firmware_bridge.protocol import TEXT, BadFrame, Frame, encode, parse_line
from firmware_bridge.simulator import load_firmware


def test_cr1_data_frame_round_trip() -> None:
    line = encode("D", [("id", "PICO-1"), ("seq", "42"), ("t", "123456"), ("iv", "5000"),
                        ("c1", "1.2340"), ("c2", "0.0180"), ("c3", "!unplugged")])
    frame = parse_line(line)
    assert isinstance(frame, Frame)
    assert (frame.kind, frame.seq, frame.board_ms) == ("data", 42, 123456)
    assert frame.amps == {1: 1.234, 2: 0.018}
    assert frame.faults == {3: "unplugged"}


def test_firmware_encoder_agrees_with_host() -> None:
    board = load_firmware()
    import crframe  # type: ignore[import-not-found]

    line = crframe.data_frame("PICO-1", 7, 1000, 5000, {1: 0.5, 2: 1.25}, {4: "bias"})
    assert line == encode("D", [("id", "PICO-1"), ("seq", "7"), ("t", "1000"), ("iv", "5000"),
                                ("c1", "0.5000"), ("c2", "1.2500"), ("c4", "!bias")])
    assert board.FIRMWARE


@pytest.mark.parametrize("mutate, reason", [
    (lambda b: b.replace(b"c1=1.2340", b"c1=1.2350"), "checksum mismatch"),
    (lambda b: b[:-8] + b"\r\n", "no checksum"),
    (lambda b: b.replace(b"$CR1", b"$CR9").replace(b"*", b"*"), None),
    (lambda b: b[: len(b) // 2], "no checksum"),
])
def test_damaged_frames_are_bad(mutate, reason) -> None:  # type: ignore[no-untyped-def]
    line = encode("D", [("seq", "1"), ("c1", "1.2340")])
    got = parse_line(mutate(line))
    assert isinstance(got, BadFrame)
    if reason:
        assert got.reason == reason


def test_unsupported_version_named() -> None:
    from firmware_bridge.protocol import crc16

    body = b"CR2,D,seq=1"
    got = parse_line(b"$" + body + b"*" + f"{crc16(body):04X}".encode())
    assert isinstance(got, BadFrame) and "unsupported version" in got.reason


# Lines in the format emonTx4 / emonPi2 firmware prints them (EmonTxV4 continuous monitoring sketch):
# MSG, Vrms, P1..P6, E1..E6, optional T1.., pulse; I1.. and pf1.. in calibration mode.
EMONTX4 = b"MSG:117,Vrms:229.65,P1:312,P2:0,P3:-4,P4:0,P5:0,P6:0,E1:1523,E2:0,E3:12,E4:0,E5:0,E6:0,T1:23.50,pulse:0\r\n"
EMONTX4_CAL = b"MSG:118,Vrms:229.71,P1:310,P2:0,E1:1523,E2:0,I1:1.432,I2:0.012,pf1:0.9412,pf2:0.1010\r\n"
EMONPI2 = b"MSG:5,V1:231.02,V2:0.00,V3:0.00,P1:44,P2:1210,P3:0,E1:3,E2:80,E3:0,pulse:0"
EMONTX4_JSON = b'{"MSG":119,"Vrms":229.7,"P1":305,"P2":0,"E1":1524,"E2":0,"T1":23.5,"pulse":0}'


def test_emontx4_key_value_line() -> None:
    frame = parse_line(EMONTX4)
    assert isinstance(frame, Frame) and frame.dialect == "oem"
    assert frame.seq == 117 and frame.volts == pytest.approx(229.65)
    assert frame.watts[1] == 312 and frame.watts[3] == -4 and frame.amps == {}


def test_calibration_mode_currents_and_emonpi2_voltage() -> None:
    cal = parse_line(EMONTX4_CAL)
    assert isinstance(cal, Frame) and cal.amps == {1: 1.432, 2: 0.012}
    pi2 = parse_line(EMONPI2)
    assert isinstance(pi2, Frame) and pi2.volts == pytest.approx(231.02) and pi2.watts[2] == 1210


def test_json_mode_and_field_order_does_not_matter() -> None:
    frame = parse_line(EMONTX4_JSON)
    assert isinstance(frame, Frame) and frame.seq == 119 and frame.watts[1] == 305
    shuffled = parse_line(b"P2:7,pulse:0,MSG:3,P1:5,Vrms:220")
    assert isinstance(shuffled, Frame) and shuffled.watts == {1: 5.0, 2: 7.0}


@pytest.mark.parametrize("banner", [
    b"emonTx V4 CM Continuous Monitoring V1.5.7",
    b"OpenEnergyMonitor.org",
    b"Settings:",
    b"Band 433 MHz, Group 210, Node 17, 7 dBm",
    b"Calibration:",
    b"ack",
    b"",
])
def test_start_up_text_is_ignored_not_bad(banner: bytes) -> None:
    assert parse_line(banner) == TEXT


def test_data_shaped_line_with_garbage_is_bad() -> None:
    assert isinstance(parse_line(b"MSG:4,Vrms:2x0,P1:5"), BadFrame)
    assert isinstance(parse_line(b'{"MSG": 1, "P1": '), BadFrame)
    assert isinstance(parse_line(b"\xff\xfe$$"), BadFrame)

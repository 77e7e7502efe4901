"""Acceptance: the three ways feed the real detector and journal, with no hardware.

GPIO through gpiozero's MockFactory, a CT clamp through a fake SPI ``transfer()``, a
board over a real pty read with pyserial; a simulated week over the pty reaches the
same verdicts as replaying the same readings; an unplugged board's channels go
``missing``, never ``off``.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import shutil
import threading
from pathlib import Path

from firmware_bridge.host import SerialBridge
from firmware_bridge.simulator import FakeBoard, frames_from_readings, play
from hardware.reading import Reading
from kiosk.agent import Agent
from kiosk.clock import ReplayClock, SystemClock
from kiosk.journal import Journal
from kiosk.readings_csv import ReadingsFile
from kiosk.scenario import run_scenario
from kiosk.simulate import simulate
from kiosk.sources import build_sources
from tests.bridge.conftest import Reader, room
from tests.hardware.fakes import FakeMcp3008, FakeSpiFactory, ct_wave

BASE = {"standby_amps": 0.02, "on_amps": 1.0}


def test_three_ways_feed_detector_and_journal(tmp_path: Path) -> None:
    link = tmp_path / "usb-Raspberry_Pi_Pico-if00"
    config = room([
        {"kind": "projector", "channel": 1, "source": "gpio", "standby_amps": 0.0, "on_amps": 1.0,
         "gpio": {"pin": 17, "bounce_s": 0.0, "interval_s": 0.5}},
        {"kind": "interactive_board", "channel": 2, "source": "mcp3008", **BASE,
         "mcp3008": {"adc_channel": 0, "ct_model": "SCT-013-005", "interval_s": 0.5}},
        {"kind": "document_camera", "channel": 3, "source": "serial", **BASE,
         "serial": {"port": str(link), "board_channel": 1}},
        {"kind": "audio", "channel": 4, "source": "serial", **BASE,
         "serial": {"port": str(link), "board_channel": 2}},
    ])
    wave, _ = ct_wave(amps_rms=1.2, amps_per_volt=5.0)
    spi = FakeMcp3008({0: wave})
    factory = FakeSpiFactory(spi)  # mock pins for the switch; the fake ADC at SPI transfer()
    board = FakeBoard(link)
    clock = SystemClock()
    journal = Journal.open(tmp_path / "journal", tz=config.tz, clock=clock)
    agent = Agent(config, journal, clock)
    agent.start()
    stop = threading.Event()
    sources = build_sources(config, clock=clock, stop=stop, pin_factory=factory, spi_timer=spi.timer)
    factory.pin(17).drive_low()  # the projector's switch closed: current flows
    sending = threading.Event()

    def board_loop() -> None:
        while not sending.wait(0.1):
            board.send(0, {1: 0.9, 2: 0.01})

    threading.Thread(target=board_loop, daemon=True).start()
    backs: dict[int, str] = {}
    try:
        for reading in sources:
            for event in agent.process(reading):
                if event["type"] == "back":
                    backs[event["channel"]] = event["state"]
            if len(backs) == 4:
                break
    finally:
        sending.set()
        stop.set()
        board.close()
        factory.reset()
    assert backs == {1: "on", 2: "on", 3: "on", 4: "off"}
    stored = {(e["type"], e.get("channel")) for e in journal.events()}
    assert {("back", 1), ("back", 2), ("back", 3), ("back", 4)} <= stored
    journal.close()


def test_unplugged_board_channels_are_missing_not_off(tmp_path: Path, board: FakeBoard) -> None:
    config = room([{"kind": "projector", "channel": 1, "source": "serial", **BASE},
                   {"kind": "audio", "channel": 2, "source": "serial", **BASE}])
    t0 = dt.datetime(2026, 11, 16, 8, 0, tzinfo=config.tz).timestamp()
    clock = ReplayClock(t0)
    journal = Journal.open(tmp_path / "journal", tz=config.tz, clock=clock)
    agent = Agent(config, journal, clock)
    agent.start()
    bridge = SerialBridge(str(board.link), {1: 1, 2: 2}, wall=clock.wall, reconnect_s=0.1, read_timeout_s=0.05)
    reader = Reader(bridge)
    try:
        reader.wait_connected()
        for k in range(6):
            clock.advance(t0 + 5 * k)
            board.send(k, {1: 1.0, 2: 0.02})
            for reading in reader.take(2):
                agent.process(reading)
        assert {c: s for c, (s, _) in agent.channel_states().items()} == {1: "on", 2: "off"}
        board.unplug()
        clock.advance(t0 + 5 * 6 + 60)  # a minute without frames: past stale_s
        agent.tick()
        assert {c: s for c, (s, _) in agent.channel_states().items()} == {1: "missing", 2: "missing"}
        board.plug()
        reader.wait_connected()
        stop_sending = threading.Event()

        def sender() -> None:
            while not stop_sending.wait(0.1):
                board.send(99, {1: 1.0, 2: 0.02})

        threading.Thread(target=sender, daemon=True).start()
        try:
            resumed = reader.take(2, timeout_s=5.0)
        finally:
            stop_sending.set()
        for reading in resumed:
            agent.process(reading)
    finally:
        reader.close()
    assert reader.errors == []
    types = [(e["type"], e.get("channel")) for e in journal.events() if e.get("channel") is not None]
    assert ("missing", 1) in types and ("missing", 2) in types
    assert ("off", 1) not in types  # never read as "off" while unplugged
    assert {c: s for c, (s, _) in agent.channel_states().items()} == {1: "on", 2: "off"}
    journal.close()


def _write_readings(path: Path, readings: list[Reading], tz: dt.tzinfo) -> None:
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["time", "channel", "amps"])
        for r in readings:
            out.writerow([dt.datetime.fromtimestamp(r.time, tz).isoformat(), r.channel, r.amps])


def test_simulated_week_over_pty_matches_replay(tmp_path: Path, board: FakeBoard) -> None:
    config = room()
    folder = tmp_path / "replayed"
    simulate(config, folder, monday=dt.date(2026, 11, 9), seed=5)
    channels = {d.channel: i + 1 for i, d in enumerate(sorted(config.devices, key=lambda d: d.channel))}
    bridge = SerialBridge(str(board.link), {b: r for r, b in channels.items()}, timestamps="board",
                          reconnect_s=0.1, read_timeout_s=0.05)
    reader = Reader(bridge)
    reader.wait_connected()
    frames = list(frames_from_readings(ReadingsFile(folder / "readings.csv.gz"), channels))
    half = len(frames) // 2
    stop = threading.Event()
    sent = play(board, frames[:half], stop=stop)
    board.write_all(b"\x07\x00noise on the line\r\n$CR1,D,seq=1,c1=9.9*0000\r\n")
    sent += play(board, frames[half:], stop=stop)
    received: list[Reading] = []
    want = sum(len(v) for _, v in frames)
    while len(received) < want:
        received.append(reader.queue.get(timeout=10))
    reader.close()
    assert reader.errors == [] and sent == len(frames)
    assert bridge.stats.bad_frames == 1 and bridge.stats.missed_frames == 0
    assert bridge.stats.text_lines >= 1  # the noise line: ignored as text
    over_pty = tmp_path / "over-pty"
    shutil.copytree(folder, over_pty)
    _write_readings(over_pty / "readings.csv.gz", received, config.tz)
    replayed = run_scenario(folder, journal_dir=tmp_path / "j1")
    live = run_scenario(over_pty, journal_dir=tmp_path / "j2")
    assert live["lessons"] == replayed["lessons"]
    assert live["summary"] == replayed["summary"]
    truth = json.loads((folder / "scenario.json").read_text(encoding="utf-8"))["expected"]
    assert live["summary"]["used"] == truth["summary"]["used"]

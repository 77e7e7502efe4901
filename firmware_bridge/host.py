"""The host side of the serial bridge: read → decode → map to readings, reconnecting by itself.

Shaped after emonhub's interfacer (read → decode → buffer → post) without its faults:
the parser is pure (:func:`firmware_bridge.protocol.parse_line`), the line buffer is
capped, every rejected line is counted by reason and logged, and the port is opened
from a stable path (``/dev/serial/by-id/…``) again and again until the board answers,
so unplugging and plugging it back (USB re-enumeration gives a new ``/dev/ttyACMn``)
needs nobody.

While no frames arrive the bridge yields nothing for the board's channels: the
detector's staleness marks them ``missing``, never ``off``. A channel the board reports
as faulty (``c3=!unplugged``) also yields nothing, and is recorded in :attr:`health`.

:meth:`SerialBridge.readings` blocks only its own thread (reads time out every
``read_timeout_s``) and returns soon after ``stop`` is set.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import serial

from firmware_bridge.errors import BadSetting
from firmware_bridge.linebuffer import LineBuffer
from firmware_bridge.protocol import MAX_LINE, BadFrame, Frame, parse_line
from hardware.polling import Health
from hardware.reading import Reading

log = logging.getLogger(__name__)

MIN_PLAUSIBLE_VOLTS = 80.0


@dataclass
class BridgeStats:
    """What the bridge has seen since it started (exact counts; tests assert them)."""

    frames: int = 0
    bad_frames: int = 0
    bad_reasons: Counter[str] = field(default_factory=Counter)
    missed_frames: int = 0
    board_restarts: int = 0
    text_lines: int = 0
    connects: int = 0
    disconnects: int = 0
    identity: Mapping[str, str] = field(default_factory=dict)
    last_frame_wall: float | None = None


def _open_serial(path: str, baud: int, timeout_s: float) -> Any:
    return serial.Serial(path, baud, timeout=timeout_s)


class SerialBridge:
    """One board on one serial path, its channels mapped to the room's.

    ``channels`` maps board channel (1-based) → room channel. ``volts`` turns an OEM
    board's watts into amps when it prints no ``I<n>``. ``timestamps="board"`` takes a
    CR1 frame's ``t`` (ms) as the reading time (a simulator replaying a recorded week);
    ``"host"`` stamps each frame when it arrives.
    """

    def __init__(
        self,
        path: str,
        channels: Mapping[int, int],
        *,
        dialect: str = "cr1",
        baud: int = 115200,
        volts: float = 220.0,
        timestamps: str = "host",
        wall: Callable[[], float] = time.time,
        reconnect_s: float = 1.0,
        read_timeout_s: float = 0.2,
        silent_reopen_s: float = 30.0,
        open_serial: Callable[[str, int, float], Any] = _open_serial,
        health: Health | None = None,
    ) -> None:
        if not channels:
            raise BadSetting(f"{path}: no channels mapped; give each device a board_channel")
        if timestamps not in ("host", "board"):
            raise BadSetting(f"timestamps {timestamps!r} must be 'host' or 'board'")
        self.path = path
        self.channels = dict(channels)
        self.dialect = dialect
        self.baud = baud
        self.volts = volts
        self.timestamps = timestamps
        self.wall = wall
        self.reconnect_s = reconnect_s
        self.read_timeout_s = read_timeout_s
        self.silent_reopen_s = silent_reopen_s
        self._open_serial = open_serial
        self.health = health or Health()
        self.stats = BridgeStats()
        self._lines = LineBuffer(MAX_LINE)
        self._last_seq: int | None = None
        self._port: Any = None
        self._port_lock = threading.Lock()
        self._silent_limit_s = silent_reopen_s

    # --- decoding (no I/O) ---------------------------------------------------------
    def handle_line(self, raw: bytes) -> list[Reading]:
        """Decode one line into readings of the room's channels; count and log what is rejected."""
        parsed = parse_line(raw)
        if isinstance(parsed, BadFrame):
            self.stats.bad_frames += 1
            self.stats.bad_reasons[parsed.reason] += 1
            log.warning("%s: bad frame #%d (%s): %r", self.path, self.stats.bad_frames, parsed.reason,
                        parsed.excerpt)
            return []
        if parsed.kind == "text":
            self.stats.text_lines += 1
            log.debug("%s: text line ignored: %r", self.path, raw[:60])
            return []
        if parsed.kind != "data":
            self._on_reply(parsed)
            return []
        return self._data(parsed)

    def _on_reply(self, frame: Frame) -> None:
        if frame.kind == "identity":
            self.stats.identity = dict(frame.fields)
            log.info("%s: board %s firmware %s", self.path, frame.fields.get("id"), frame.fields.get("fw"))
        elif frame.kind == "error":
            log.warning("%s: board refused a command: %s", self.path, frame.fields.get("msg"))
        else:
            log.info("%s: board acknowledged %s", self.path, dict(frame.fields))

    def _count_sequence(self, seq: int | None) -> None:
        if seq is None:
            return
        last = self._last_seq
        self._last_seq = seq
        if last is None:
            return
        if seq <= last:
            # the counter restarts when the board resets: not a gap
            self.stats.board_restarts += 1
            log.info("%s: board restarted (seq %d after %d)", self.path, seq, last)
        elif seq > last + 1:
            self.stats.missed_frames += seq - last - 1
            log.warning("%s: %d frames missed (seq %d after %d)", self.path, seq - last - 1, seq, last)

    def _data(self, frame: Frame) -> list[Reading]:
        self.stats.frames += 1
        interval = frame.fields.get("iv", "")
        if interval.isdigit():  # a board reporting every minute is not silent after 30 s
            self._silent_limit_s = max(self.silent_reopen_s, 3 * int(interval) / 1000)
        self._count_sequence(frame.seq)
        now = self.wall()
        self.stats.last_frame_wall = now
        at = frame.board_ms / 1000.0 if self.timestamps == "board" and frame.board_ms is not None else now
        out = []
        for board_channel, room_channel in self.channels.items():
            fault = frame.faults.get(board_channel)
            if fault is not None:
                self.health.report(room_channel, fault)
                continue
            amps = self._amps(frame, board_channel)
            if amps is None:
                continue  # not in this frame: the channel goes stale, then missing
            self.health.report(room_channel, None)
            out.append(Reading(at, room_channel, amps))
        return out

    def _amps(self, frame: Frame, board_channel: int) -> float | None:
        if board_channel in frame.amps:
            return frame.amps[board_channel]
        watts = frame.watts.get(board_channel)
        if watts is None:
            return None
        volts = frame.volts if frame.volts is not None and frame.volts >= MIN_PLAUSIBLE_VOLTS else self.volts
        return round(abs(watts) / volts, 4)

    # --- the port ----------------------------------------------------------------------
    def _connect(self) -> bool:
        try:
            target = os.path.realpath(self.path)
            port = self._open_serial(target, self.baud, self.read_timeout_s)
        except (serial.SerialException, OSError, ValueError) as exc:
            log.debug("%s: cannot open: %s", self.path, exc)
            return False
        self._lines.reset()
        with self._port_lock:
            self._port = port
        self.stats.connects += 1
        log.info("%s: connected (%s)", self.path, target)
        if self.dialect == "cr1":
            self.send("ID")
        return True

    def _disconnect(self, why: object) -> None:
        with self._port_lock:
            port, self._port = self._port, None
        if port is None:
            return
        if why in ("stopped", "closed"):
            log.info("%s: port closed (%s)", self.path, why)
        else:
            self.stats.disconnects += 1
            log.warning("%s: board gone (%s); reconnecting every %.1f s", self.path, why, self.reconnect_s)
        try:
            port.close()
        except (serial.SerialException, OSError) as exc:
            log.debug("%s: close failed: %s", self.path, exc)

    @property
    def is_connected(self) -> bool:
        """Whether the port is open now."""
        return self._port is not None

    def send(self, command: str) -> bool:
        """Send one command line (``ID``, ``SET iv=5000``); False when no board is connected."""
        with self._port_lock:
            port = self._port
            if port is None:
                return False
            try:
                port.write(command.encode("ascii") + b"\n")
            except (serial.SerialException, OSError) as exc:
                log.warning("%s: sending %r failed: %s", self.path, command, exc)
                return False
        return True

    def readings(self, stop: threading.Event) -> Iterator[Reading]:
        """Readings from the board until ``stop``; reconnects forever, never raises on I/O."""
        last_data = time.monotonic()
        while not stop.is_set():
            if self._port is None:
                if not self._connect():
                    stop.wait(self.reconnect_s)
                    continue
                last_data = time.monotonic()
            try:
                data = self._port.read(max(1, self._port.in_waiting))
            except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
                self._disconnect(exc)
                continue
            if not data:
                if time.monotonic() - last_data > self._silent_limit_s:
                    self._disconnect("silent")
                continue
            last_data = time.monotonic()
            yield from self.feed_bytes(data)
        self._disconnect("stopped")

    def feed_bytes(self, data: bytes) -> list[Reading]:
        """Split raw bytes into lines and decode them; an overlong line counts as a bad frame."""
        before = self._lines.overlong
        out: list[Reading] = []
        for line in self._lines.feed(data):
            out.extend(self.handle_line(line))
        dropped = self._lines.overlong - before
        if dropped:
            self.stats.bad_frames += dropped
            self.stats.bad_reasons["line too long"] += dropped
            log.warning("%s: %d overlong line(s) dropped", self.path, dropped)
        return out

    def close(self) -> None:
        """Close the port."""
        self._disconnect("closed")

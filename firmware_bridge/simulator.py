"""A fake board on a pseudo-terminal, speaking the real protocol, for tests and ``--simulate``.

The board's own firmware logic (``firmware/board.py``) answers ``ID`` and ``SET`` and
numbers the frames; instead of sampling an ADC, :meth:`FakeBoard.send` frames values
given to it (from the room simulator or a recorded CSV). The host opens it through a
stable symlink (like ``/dev/serial/by-id/…`` on a Pi); :meth:`unplug` closes the pty and
removes the link, :meth:`plug` makes a new pty behind the same link, as USB
re-enumeration does. :meth:`send_garbage` writes line noise.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import sys
import threading
import tty
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from hardware.reading import Reading

log = logging.getLogger(__name__)

FIRMWARE_DIR = Path(__file__).resolve().parent / "firmware"


def load_firmware() -> ModuleType:
    """The firmware's ``board`` module, imported on CPython (its folder goes on ``sys.path``)."""
    folder = str(FIRMWARE_DIR)
    if folder not in sys.path:
        sys.path.append(folder)
    import board  # type: ignore[import-not-found]

    return board  # type: ignore[no-any-return]


class FakeBoard:
    """A simulated board behind ``link`` (a symlink path the host opens)."""

    def __init__(self, link: Path, *, board_id: str = "SIM-00000001", oem: bool = False) -> None:
        self.link = Path(link)
        self.oem = oem
        firmware = load_firmware()
        self.firmware: Any = firmware.Board(board_id, lambda ch: 32768, lambda: 0, lambda a, b: a - b)
        self._master: int | None = None
        self._slave: int | None = None
        self._lock = threading.Lock()
        self._inbox = b""
        self.dropped_bytes = 0
        self.commands: list[str] = []
        self.plug()

    @property
    def is_plugged(self) -> bool:
        """Whether the board is on the link now."""
        return self._master is not None

    def plug(self) -> None:
        """A new pty behind the link (a board plugged in); a no-op if already plugged."""
        with self._lock:
            if self._master is not None:
                return
            master, slave = os.openpty()
            tty.setraw(slave)
            flags = fcntl.fcntl(master, fcntl.F_GETFL)
            fcntl.fcntl(master, fcntl.F_SETFL, flags | os.O_NONBLOCK)
            self._master, self._slave = master, slave
            tmp = self.link.with_name(self.link.name + ".new")
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(os.ttyname(slave))
            os.replace(tmp, self.link)  # atomic, like udev updating by-id
            log.info("fake board plugged at %s -> %s", self.link, os.ttyname(slave))

    def unplug(self) -> None:
        """Close the pty and remove the link (the USB cable pulled)."""
        with self._lock:
            if self._master is None:
                return
            self.link.unlink(missing_ok=True)
            for fd in (self._master, self._slave):
                if fd is not None:
                    os.close(fd)
            self._master = self._slave = None
            self._inbox = b""
            log.info("fake board unplugged from %s", self.link)

    def close(self) -> None:
        """Unplug for good."""
        self.unplug()

    def write(self, data: bytes) -> int:
        """Write raw bytes to the host; bytes the pty cannot take now are dropped and counted."""
        with self._lock:
            if self._master is None:
                self.dropped_bytes += len(data)
                return 0
            self._answer_commands()
            sent = 0
            while sent < len(data):
                try:
                    sent += os.write(self._master, data[sent:])
                except BlockingIOError:
                    break
                except OSError as exc:
                    if exc.errno in (errno.EIO, errno.EBADF):
                        break
                    raise
            self.dropped_bytes += len(data) - sent
            return sent

    def write_all(self, data: bytes, *, stop: threading.Event | None = None, wait_s: float = 0.002) -> bool:
        """Write ``data`` waiting while the host drains the pty; False if unplugged or stopped."""
        view = memoryview(data)
        waiter = stop or threading.Event()
        while view:
            with self._lock:
                if self._master is None:
                    return False
                self._answer_commands()
                try:
                    n = os.write(self._master, view)
                except BlockingIOError:
                    n = 0
                except OSError:
                    return False
            view = view[n:]
            if view and waiter.wait(wait_s):
                return False
        return True

    def _answer_commands(self) -> None:
        assert self._master is not None
        try:
            self._inbox += os.read(self._master, 4096)
        except (BlockingIOError, OSError):
            return
        while b"\n" in self._inbox:
            raw, self._inbox = self._inbox.split(b"\n", 1)
            line = raw.decode("ascii", "replace").strip()
            if not line:
                continue
            self.commands.append(line)
            reply = None if self.oem else self.firmware.handle_command(line)
            if reply:
                os.write(self._master, reply)
        self._inbox = self._inbox[-256:]

    def frame(self, board_ms: int, amps: Mapping[int, float], faults: Mapping[int, str] | None = None) -> bytes:
        """The line this board sends for these values (CR1, or an emonTx4 line when ``oem``)."""
        if self.oem:
            self.firmware.seq += 1
            fields = [f"MSG:{self.firmware.seq}", "Vrms:220.00"]
            fields += [f"P{ch}:{round(a * 220.0)}" for ch, a in sorted(amps.items())]
            fields += [f"E{ch}:0" for ch in sorted(amps)]
            fields.append("pulse:0")
            return (",".join(fields) + "\r\n").encode("ascii")
        line: bytes = self.firmware.frame(board_ms, dict(amps), dict(faults or {}))
        return line

    def send(self, board_ms: int, amps: Mapping[int, float], faults: Mapping[int, str] | None = None,
             *, stop: threading.Event | None = None) -> bool:
        """Frame and send values; waits for the host to drain. False while unplugged."""
        return self.write_all(self.frame(board_ms, amps, faults), stop=stop)

    def send_garbage(self, data: bytes) -> int:
        """Line noise (anything at all) to the host."""
        return self.write(data)


def frames_from_readings(readings: Iterable[Reading], channel_map: Mapping[int, int]) -> Iterator[tuple[int, dict[int, float]]]:
    """Group readings of equal time into ``(board_ms, {board_channel: amps})``; ``channel_map`` room → board."""
    current: float | None = None
    values: dict[int, float] = {}
    for reading in readings:
        board_channel = channel_map.get(reading.channel)
        if board_channel is None:
            continue
        if current is not None and reading.time != current:
            yield round(current * 1000), values
            values = {}
        current = reading.time
        values[board_channel] = reading.amps
    if current is not None and values:
        yield round(current * 1000), values


def play(board: FakeBoard, frames: Iterable[tuple[int, dict[int, float]]], *, stop: threading.Event,
         interval_s: float = 0.0) -> int:
    """Send frames in order, ``interval_s`` apart (0: as fast as the host reads); return how many went."""
    sent = 0
    for board_ms, values in frames:
        if stop.is_set():
            break
        if board.send(board_ms, values, stop=stop):
            sent += 1
        if interval_s and stop.wait(interval_s):
            break
    return sent

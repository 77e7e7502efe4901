"""Clocks: wall time, monotonic time, boot id and whether the wall clock is synchronised.

The Pi has no battery-backed clock: its wall time is wrong until the network gives it.
Every event carries all four (DESIGN.md, "Time") so that events recorded before the
clock was synchronised can be re-stamped (same boot: wall = monotonic + offset).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import time
import uuid
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")
_TIME_ERROR = 5  # adjtimex(2): clock not synchronised


class Clock(Protocol):
    """What the agent and journal need to know about time."""

    boot_id: str

    def wall(self) -> float:
        """UTC epoch seconds, as the system believes."""
        ...

    def mono(self) -> float:
        """Seconds since boot, never going backwards."""
        ...

    def is_synced(self) -> bool:
        """Whether the wall clock has been synchronised (NTP) since boot."""
        ...


class _Timex(ctypes.Structure):
    # struct timex from <sys/timex.h> (Linux); only the leading fields are read, the
    # rest is padding large enough for every architecture.
    _fields_ = [("modes", ctypes.c_uint), ("_rest", ctypes.c_byte * 512)]


class SystemClock:
    """The real clock of this machine; synchronisation from the kernel's ``adjtimex``."""

    def __init__(self) -> None:
        try:
            self.boot_id = _BOOT_ID.read_text().strip()
        except OSError:
            self.boot_id = uuid.uuid4().hex
        libc_name = ctypes.util.find_library("c")
        self._libc = ctypes.CDLL(libc_name, use_errno=True) if libc_name else None

    def wall(self) -> float:
        return time.time()

    def mono(self) -> float:
        return time.monotonic()

    def is_synced(self) -> bool:
        if self._libc is None:
            return False
        timex = _Timex()
        state = self._libc.adjtimex(ctypes.byref(timex))
        return state not in (-1, _TIME_ERROR)


class ReplayClock:
    """A clock driven by recorded data: time is what the last reading said; always synced."""

    def __init__(self, start: float = 0.0, *, boot_id: str = "replay") -> None:
        self.boot_id = boot_id
        self._now = start
        self._origin = start

    def advance(self, now: float) -> None:
        """Move time forward to ``now`` (never backwards)."""
        if now > self._now:
            self._now = now

    def wall(self) -> float:
        return self._now

    def mono(self) -> float:
        return self._now - self._origin

    def is_synced(self) -> bool:
        return True

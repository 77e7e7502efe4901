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
#: systemd-timesyncd touches this file once it has synchronised the clock in this boot.
TIMESYNCD_FLAG = Path("/run/systemd/timesync/synchronized")


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


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name, use_errno=True) if name else None


def kernel_synced(libc: ctypes.CDLL | None = None) -> bool:
    """Whether the kernel's clock is synchronised (adjtimex(2) not ``TIME_ERROR``).

    An NTP daemon (chrony, ntpd, timesyncd) clears the kernel's unsynchronised flag
    once it disciplines the clock; reading it needs no privilege (modes = 0).
    """
    libc = libc if libc is not None else _libc()
    if libc is None:
        return False
    timex = _Timex()
    state = libc.adjtimex(ctypes.byref(timex))
    return state not in (-1, _TIME_ERROR)


def sync_source(*, timesyncd_flag: Path = TIMESYNCD_FLAG, libc: ctypes.CDLL | None = None) -> str | None:
    """Which evidence says the clock is synchronised: ``"timesyncd"``, ``"kernel"`` or None.

    systemd-timesyncd's flag file first (``timedatectl``'s "System clock
    synchronized" comes from the same place), then the kernel's status, which chrony
    and ntpd keep.
    """
    if timesyncd_flag.exists():
        return "timesyncd"
    if kernel_synced(libc):
        return "kernel"
    return None


class SystemClock:
    """The real clock of this machine.

    Synchronisation comes from :func:`sync_source`. Once seen synchronised, the clock
    stays so for this process: the flag file and the kernel's status are read only
    until then (every journal append asks), and an NTP daemon losing its servers
    later does not make the wall clock wrong.
    """

    def __init__(self, *, timesyncd_flag: Path = TIMESYNCD_FLAG) -> None:
        try:
            self.boot_id = _BOOT_ID.read_text().strip()
        except OSError:
            self.boot_id = uuid.uuid4().hex
        self._libc = _libc()
        self._timesyncd_flag = timesyncd_flag
        self._synced = False

    def wall(self) -> float:
        return time.time()

    def mono(self) -> float:
        return time.monotonic()

    def is_synced(self) -> bool:
        if not self._synced and sync_source(timesyncd_flag=self._timesyncd_flag, libc=self._libc):
            self._synced = True
            log.info("clock: synchronised")
        return self._synced


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

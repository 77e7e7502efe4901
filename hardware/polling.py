"""Turn sensors that are read on demand into a timed :class:`Reading` stream.

A sensor whose read raises a :class:`~hardware.errors.SensorProblem` yields nothing for
that round: the detector's staleness marks its channel missing, never "off". Each
problem is counted and logged when it starts and when it clears.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from hardware.errors import SensorProblem
from hardware.reading import Reading

log = logging.getLogger(__name__)


@dataclass
class Health:
    """Per-channel sensor problems now (channel → reason word) and counts so far."""

    problems: dict[int, str] = field(default_factory=dict)
    problem_counts: dict[int, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def report(self, channel: int, reason: str | None) -> None:
        """Record ``reason`` (None: healthy) for ``channel``; log changes."""
        with self._lock:
            before = self.problems.get(channel)
            if reason is None:
                self.problems.pop(channel, None)
                if before is not None:
                    log.info("channel %d: sensor problem %s cleared", channel, before)
                return
            self.problems[channel] = reason
            self.problem_counts[channel] = self.problem_counts.get(channel, 0) + 1
            if before != reason:
                log.warning("channel %d: sensor problem: %s", channel, reason)

    def snapshot(self) -> dict[int, str]:
        """A copy of the current problems."""
        with self._lock:
            return dict(self.problems)


def poll(sensors: Sequence[tuple[int, Callable[[], float]]], *, wall: Callable[[], float],
         interval_s: float, stop: threading.Event, health: Health | None = None) -> Iterator[Reading]:
    """Read every ``(channel, read_amps)`` once per ``interval_s`` until ``stop`` is set."""
    health = health or Health()
    while not stop.is_set():
        for channel, read in sensors:
            try:
                amps = read()
            except SensorProblem as exc:
                health.report(channel, exc.reason)
                log.debug("channel %d: %s", channel, exc)
                continue
            health.report(channel, None)
            yield Reading(wall(), channel, amps)
        if stop.wait(interval_s):
            return

"""Reading sources for the live agent, chosen per device in the room configuration.

Every source yields :class:`hardware.reading.Reading`; the agent does not know which
one it was. This module builds them from the config: today a readings CSV replayed at
real time or accelerated; the sensors work adds GPIO current switches, MCP3008 CT
clamps and the serial bridge.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

from hardware.reading import Reading
from kiosk.clock import Clock, ReplayClock
from kiosk.readings_csv import ReadingsFile


def paced_replay(
    path: Path, *, clock: Clock, speed: float, stop: threading.Event, skip_bad: bool = False
) -> Iterator[Reading]:
    """Replay a readings file paced at ``speed`` × real time.

    At ``speed == 1`` reading times are shifted so the first one is now (a live room);
    faster, the original times are kept and ``clock`` (a :class:`ReplayClock`) follows them.
    """
    if speed <= 0:
        raise ValueError(f"speed {speed} must be above 0")
    started_wall = time.monotonic()
    first: float | None = None
    shift = 0.0
    for reading in ReadingsFile(path, skip_bad=skip_bad):
        if stop.is_set():
            return
        if first is None:
            first = reading.time
            shift = clock.wall() - first if speed == 1 else 0.0
        due = (reading.time - first) / speed
        delay = due - (time.monotonic() - started_wall)
        if delay > 0 and stop.wait(delay):
            return
        if isinstance(clock, ReplayClock):
            clock.advance(reading.time)
        yield Reading(reading.time + shift, reading.channel, reading.amps)

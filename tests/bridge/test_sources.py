"""build_sources: config checks, and the merged stream never holding the agent up."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from hardware.polling import Health
from hardware.reading import Reading
from kiosk.clock import SystemClock
from kiosk.sources import SourceError, Sources, build_sources
from tests.bridge.conftest import room

BASE = {"standby_amps": 0.02, "on_amps": 1.0}


def test_replay_only_room_has_no_live_sensors() -> None:
    with pytest.raises(SourceError):
        build_sources(room(), clock=SystemClock(), stop=threading.Event())


def test_two_devices_on_one_board_channel_refused() -> None:
    config = room([
        {"kind": "projector", "channel": 1, "source": "serial", **BASE, "serial": {"port": "/dev/x", "board_channel": 2}},
        {"kind": "audio", "channel": 2, "source": "serial", **BASE, "serial": {"port": "/dev/x"}},
    ])
    with pytest.raises(SourceError):
        build_sources(config, clock=SystemClock(), stop=threading.Event())


def test_settings_for_another_source_are_refused() -> None:
    from kiosk.errors import ConfigError

    with pytest.raises(ConfigError, match="devices"):
        room([{"kind": "projector", "channel": 1, "source": "serial", **BASE, "gpio": {"pin": 5}}])
    with pytest.raises(ConfigError, match="colour"):
        room([{"kind": "projector", "channel": 1, "source": "gpio", **BASE, "gpio": {"pin": 5, "colour": 1}}])


def test_a_stuck_source_does_not_hold_the_stream() -> None:
    stop = threading.Event()
    sources = Sources(stop, Health())
    stuck = threading.Event()

    def blocked() -> Iterator[Reading]:
        stuck.wait()  # a source that never yields (a hung driver)
        yield Reading(0.0, 1, 0.0)

    def one() -> Iterator[Reading]:
        yield Reading(1.0, 2, 0.5)

    sources.add("stuck", blocked)
    sources.add("one", one)
    got: list[Reading] = []
    done = threading.Event()

    def consume() -> None:
        for reading in sources:
            got.append(reading)
            stop.set()  # the agent is told to stop after its first reading
        done.set()

    threading.Thread(target=consume, daemon=True).start()
    assert done.wait(5.0)  # the stream ends on stop although one source is still stuck
    stuck.set()
    assert got == [Reading(1.0, 2, 0.5)]

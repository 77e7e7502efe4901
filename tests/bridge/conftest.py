"""Helpers for the live tests: a room config with chosen sources, a bridge read in a thread."""

from __future__ import annotations

import copy
import queue
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from firmware_bridge.host import SerialBridge
from firmware_bridge.simulator import FakeBoard
from hardware.reading import Reading
from kiosk.config import RoomConfig, parse_config
from tests.conftest import EXAMPLE_CONFIG


def room(devices: list[dict[str, Any]] | None = None, **top: Any) -> RoomConfig:
    """The example room, its devices replaced when given."""
    data = tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    if devices is not None:
        data["devices"] = devices
    data.update(top)
    return parse_config(data, source="test")


class Reader:
    """Runs ``bridge.readings`` in a thread into a queue; ``errors`` holds anything that escaped."""

    def __init__(self, bridge: SerialBridge) -> None:
        self.bridge = bridge
        self.stop = threading.Event()
        self.queue: queue.Queue[Reading] = queue.Queue()
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.started = True

    def _run(self) -> None:
        try:
            for reading in self.bridge.readings(self.stop):
                self.queue.put(reading)
        except BaseException as exc:  # noqa: BLE001 - the test asserts nothing escapes
            self.errors.append(exc)

    def wait_connected(self, timeout_s: float = 5.0) -> None:
        """Wait until the bridge has the port open (pyserial flushes input on open)."""
        done = threading.Event()
        for _ in range(int(timeout_s / 0.01)):
            if self.bridge.is_connected:
                return
            done.wait(0.01)
        raise AssertionError("the bridge never connected")

    def take(self, n: int, timeout_s: float = 5.0) -> list[Reading]:
        return [self.queue.get(timeout=timeout_s) for _ in range(n)]

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)


@pytest.fixture
def board(tmp_path: Path) -> Iterator[FakeBoard]:
    fake = FakeBoard(tmp_path / "usb-Raspberry_Pi_Pico_E6614103-if00")
    yield fake
    fake.close()

"""The agent's systemd readiness and watchdog over the real notify protocol (a fake socket)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from hardware.reading import Reading
from kiosk.agent import Agent
from kiosk.clock import ReplayClock
from kiosk.config import load_config
from kiosk.journal import Journal
from kiosk.service import Watchdog, attach, watchdog_s

from .conftest import EXAMPLE_CONFIG, NotifyListener


class _Recorder:
    def __init__(self) -> None:
        self.states: list[str] = []

    def notify(self, state: str) -> None:
        self.states.append(state)


def test_watchdog_is_fed_only_while_the_loop_ticks() -> None:
    now = [100.0]
    recorder = _Recorder()
    dog = Watchdog(recorder, 60.0, mono=lambda: now[0])
    assert dog.feed() is True
    now[0] += 20.0
    dog.alive()
    now[0] += 20.0
    assert dog.feed() is True  # last tick 20 s ago, limit 30 s
    now[0] += 15.0
    assert dog.feed() is False  # 35 s without a tick: systemd must see the silence
    assert recorder.states == ["WATCHDOG=1", "WATCHDOG=1"]
    dog.alive()
    assert dog.feed() is True


def test_watchdog_period_comes_from_systemd_and_only_for_this_process() -> None:
    assert watchdog_s({"WATCHDOG_USEC": "60000000"}) == 60.0
    assert watchdog_s({"WATCHDOG_USEC": "60000000", "WATCHDOG_PID": "1"}, pid=2) is None
    assert watchdog_s({"WATCHDOG_USEC": "60000000", "WATCHDOG_PID": "2"}, pid=2) == 60.0
    assert watchdog_s({}) is None
    assert watchdog_s({"WATCHDOG_USEC": "junk"}) is None


def test_without_systemd_nothing_is_sent() -> None:
    assert attach(_Tickless(), threading.Event(), env={}) is None


class _Tickless:
    def tick(self) -> None:
        pass


def _idle_readings(stop: threading.Event) -> Iterator[Reading]:
    """A sensor source that has nothing to say until the agent stops."""
    stop.wait()
    yield from ()


def test_a_stalled_agent_loop_stops_feeding_and_a_live_one_feeds(
    notify_socket: NotifyListener, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real agent loop, the real sdnotify client, a fake systemd socket.

    Holding the agent's lock stalls its loop exactly as a blocked journal write would.
    """
    config = load_config(EXAMPLE_CONFIG)
    clock = ReplayClock(1_790_000_000.0)
    agent = Agent(config, Journal.in_memory(tz=config.tz, clock=clock), clock, heartbeat_s=60)
    agent.start()
    stop = threading.Event()
    monkeypatch.setenv("NOTIFY_SOCKET", str(notify_socket.path))  # as systemd sets them
    monkeypatch.setenv("WATCHDOG_USEC", "3000000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    dog = attach(agent, stop)
    assert dog is not None
    assert "READY=1" in notify_socket.receive().split("\n")

    loop = threading.Thread(target=agent.run, args=(_idle_readings(stop), stop))
    loop.start()
    try:
        notify_socket.wait_for("WATCHDOG=1")  # the live loop feeds
        with agent._lock:  # stall the loop
            _until(lambda: dog.withheld >= 2)
            fed_while_stalled = dog.fed
            _until(lambda: dog.withheld >= 3)
            assert dog.fed == fed_while_stalled
            notify_socket.drain()
            _until(lambda: dog.withheld >= 4)
            assert "WATCHDOG=1" not in "\n".join(notify_socket.drain())
        notify_socket.wait_for("WATCHDOG=1")  # alive again
    finally:
        stop.set()
        loop.join(timeout=30)
    assert "STOPPING=1" in notify_socket.wait_for("STOPPING=1").split("\n")
    assert not loop.is_alive()


def _until(condition: object, limit_s: float = 30.0) -> None:
    """Poll ``condition`` (a callable) until true; fail after a generous limit."""
    assert callable(condition)
    deadline = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < deadline, "condition never became true"
        time.sleep(0.05)

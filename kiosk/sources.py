"""Reading sources for the live agent, chosen per device in the room configuration.

Every source yields :class:`hardware.reading.Reading`; the agent does not know which
one it was. :func:`build_sources` starts one thread per source (GPIO current switches,
MCP3008 CT clamps, each serial board, or the simulated board) and merges them into one
iterator that never blocks the agent for longer than a queue poll. A readings CSV can
also be replayed at real time or accelerated (:func:`paced_replay`).
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from firmware_bridge.host import SerialBridge
from firmware_bridge.settings import SerialSettings
from hardware.errors import HardwareError
from hardware.polling import Health, poll
from hardware.reading import Reading
from kiosk.clock import Clock, ReplayClock
from kiosk.config import Device, RoomConfig
from kiosk.errors import KioskError
from kiosk.i18n import _
from kiosk.readings_csv import ReadingsFile

log = logging.getLogger(__name__)

QUEUE_SIZE = 10000
SIMULATED_BOARD_CHANNELS = 6


class SourceError(KioskError, RuntimeError):
    """A configured sensor cannot be started (no SPI, no GPIO library, bad settings)."""


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


class Sources:
    """Several reading streams merged through one bounded queue; iterate until ``stop``.

    ``health`` holds per-channel sensor problems (for the status LED and ``classroom
    sensors``); ``bridges`` the serial boards; ``board`` the simulated board, if any.
    """

    def __init__(self, stop: threading.Event, health: Health) -> None:
        self.stop = stop
        self.health = health
        self.bridges: list[SerialBridge] = []
        self.board: Any = None
        self._queue: queue.Queue[Reading] = queue.Queue(maxsize=QUEUE_SIZE)
        self._threads: list[threading.Thread] = []
        self._cleanups: list[Callable[[], None]] = []

    def add(self, name: str, make: Callable[[], Iterator[Reading]]) -> None:
        """Run ``make()``'s readings in their own thread into the merged stream."""

        def pump() -> None:
            try:
                for reading in make():
                    while not self.stop.is_set():
                        try:
                            self._queue.put(reading, timeout=0.5)
                            break
                        except queue.Full:
                            log.warning("source %s: queue full; the agent is behind", name)
                    if self.stop.is_set():
                        return
            except Exception:  # one broken source must not stop the others
                log.exception("source %s stopped with an error", name)

        self._threads.append(threading.Thread(target=pump, name=f"source-{name}", daemon=True))

    def on_close(self, cleanup: Callable[[], None]) -> None:
        """Call ``cleanup`` when the stream ends (close pins, unplug the simulated board)."""
        self._cleanups.append(cleanup)

    def __iter__(self) -> Iterator[Reading]:
        for thread in self._threads:
            if not thread.is_alive() and thread.ident is None:
                thread.start()
        try:
            while not self.stop.is_set():
                try:
                    yield self._queue.get(timeout=0.5)
                except queue.Empty:
                    if not any(t.is_alive() for t in self._threads) and self._queue.empty():
                        return
        finally:
            self.close()

    def close(self) -> None:
        """Stop the threads' sources and release their devices (idempotent)."""
        self.stop.set()
        cleanups, self._cleanups = self._cleanups, []
        for cleanup in cleanups:
            try:
                cleanup()
            except (OSError, HardwareError) as exc:
                log.warning("closing a source failed: %s", exc)


def _serial_groups(devices: list[Device]) -> dict[str, tuple[SerialSettings, dict[int, int]]]:
    groups: dict[str, tuple[SerialSettings, dict[int, int]]] = {}
    for device in devices:
        settings = device.serial or SerialSettings()
        board_channel = settings.board_channel or device.channel
        first, channels = groups.setdefault(settings.port, (settings, {}))
        for key in ("dialect", "baud", "volts", "timestamps"):
            if getattr(first, key) != getattr(settings, key):
                raise SourceError(_("devices on {port} disagree on {key}; a board has one {key}").format(
                    port=settings.port, key=key))
        if board_channel in channels:
            raise SourceError(_("board channel {n} on {port} is used by two devices").format(
                n=board_channel, port=settings.port))
        channels[board_channel] = device.channel
    return groups


def add_serial(sources: Sources, devices: list[Device], *, clock: Clock,
               open_serial: Callable[..., Any] | None = None) -> None:
    """One :class:`SerialBridge` per port among ``devices``."""
    for port, (settings, channels) in _serial_groups(devices).items():
        kwargs: dict[str, Any] = {} if open_serial is None else {"open_serial": open_serial}
        bridge = SerialBridge(port, channels, dialect=settings.dialect, baud=settings.baud,
                              volts=settings.volts, timestamps=settings.timestamps, wall=clock.wall,
                              health=sources.health, **kwargs)
        sources.bridges.append(bridge)
        sources.add(f"serial:{port}", lambda b=bridge: b.readings(sources.stop))  # type: ignore[misc]
        sources.on_close(bridge.close)


def add_gpio(sources: Sources, devices: list[Device], *, clock: Clock, pin_factory: Any = None) -> None:
    """Current switches on GPIO pins, polled at the shortest configured interval."""
    from gpiozero.exc import GPIOZeroError

    from hardware.current_switch import CurrentSwitch

    readers = []
    for device in devices:
        assert device.gpio is not None
        try:
            switch = CurrentSwitch.from_settings(device.gpio, pin_factory=pin_factory)
        except (GPIOZeroError, HardwareError, OSError, ImportError) as exc:
            raise SourceError(_("channel {channel}: gpio pin {pin} cannot be used: {error}").format(
                channel=device.channel, pin=device.gpio.pin, error=exc)) from None
        sources.on_close(switch.close)
        readers.append((device.channel, lambda s=switch: s.amps))
    interval = min(d.gpio.interval_s for d in devices if d.gpio is not None)
    sources.add("gpio", lambda: poll(readers, wall=clock.wall, interval_s=interval, stop=sources.stop,
                                     health=sources.health))


def add_mcp3008(sources: Sources, devices: list[Device], *, clock: Clock, pin_factory: Any = None,
                timer: Callable[[], float] | None = None) -> None:
    """CT clamps through MCP3008s; one thread reads them in turn (they share the SPI bus)."""
    from hardware.ct_clamp import CtClamp

    readers = []
    for device in devices:
        settings = device.mcp3008
        assert settings is not None
        extra: dict[str, Any] = {} if timer is None else {"timer": timer}
        try:
            clamp = CtClamp(settings, channel=device.channel, pin_factory=pin_factory, **extra)
        except HardwareError as exc:
            raise SourceError(_("channel {channel}: SPI {port}.{device} cannot be opened: {error}").format(
                channel=device.channel, port=settings.spi_port, device=settings.spi_device, error=exc)) from None
        sources.on_close(clamp.close)
        readers.append((device.channel, clamp.read_amps))
    interval = min(d.mcp3008.interval_s for d in devices if d.mcp3008 is not None)
    sources.add("mcp3008", lambda: poll(readers, wall=clock.wall, interval_s=interval, stop=sources.stop,
                                        health=sources.health))


def add_simulated_board(sources: Sources, config: RoomConfig, *, clock: Clock, link: Path | None = None,
                        interval_s: float = 5.0) -> None:
    """The room simulator's week played through a fake board on a pty, read back over pyserial."""
    from firmware_bridge.simulator import FakeBoard, frames_from_readings, play
    from kiosk.simulate import simulate

    devices = sorted(config.devices, key=lambda d: d.channel)[:SIMULATED_BOARD_CHANNELS]
    folder = Path(tempfile.mkdtemp(prefix="classroom-sim-"))
    link = link or folder / "usb-Classroom_Simulated_Board-if00"
    board = FakeBoard(link)
    sources.board = board
    sources.on_close(lambda: shutil.rmtree(folder, ignore_errors=True))
    sources.on_close(board.close)
    room_to_board = {d.channel: i + 1 for i, d in enumerate(devices)}
    bridge = SerialBridge(str(link), {b: r for r, b in room_to_board.items()}, wall=clock.wall,
                          health=sources.health)
    sources.bridges.append(bridge)
    sources.on_close(bridge.close)
    now = dt.datetime.fromtimestamp(clock.wall(), config.tz)
    monday = now.date() - dt.timedelta(days=now.weekday())

    def board_thread() -> Iterator[Reading]:
        simulate(config, folder / "week", monday=monday, interval_s=interval_s)
        week = folder / "week" / "readings.csv.gz"
        now = clock.wall()
        # from this moment of the simulated week; after school hours, the week from its start
        start = now if any(r.time >= now for r in ReadingsFile(week)) else float("-inf")
        while not sources.stop.is_set():
            readings = (r for r in ReadingsFile(week) if r.time >= start)
            play(board, frames_from_readings(readings, room_to_board), stop=sources.stop, interval_s=interval_s)
            start = float("-inf")
        return iter(())

    sources.add("simulated-board", board_thread)
    sources.add(f"serial:{link}", lambda: bridge.readings(sources.stop))
    log.info("simulated board on %s feeds channels %s", link, sorted(room_to_board))


def build_sources(config: RoomConfig, *, clock: Clock, stop: threading.Event, simulate: bool = False,
                  pin_factory: Any = None, spi_timer: Callable[[], float] | None = None,
                  open_serial: Callable[..., Any] | None = None) -> Sources:
    """All configured sources merged into one reading stream (a :class:`Sources`).

    With ``simulate`` every device is read from a simulated board over a pseudo-terminal,
    whatever its configured source. ``pin_factory`` (gpiozero's, for pins and SPI),
    ``spi_timer`` and ``open_serial`` replace the real I/O in tests; gpiozero's mock is never picked by
    itself. Raises :class:`SourceError` when a configured sensor cannot start.
    """
    sources = Sources(stop, Health())
    if simulate:
        add_simulated_board(sources, config, clock=clock)
        return sources
    by_source: dict[str, list[Device]] = {}
    for device in config.devices:
        by_source.setdefault(device.source, []).append(device)
    for device in by_source.pop("replay", []) + by_source.pop("simulator", []):
        log.warning("channel %d: source %s has no live sensor; use --replay or --simulate",
                    device.channel, device.source)
    if "gpio" in by_source:
        add_gpio(sources, by_source["gpio"], clock=clock, pin_factory=pin_factory)
    if "mcp3008" in by_source:
        add_mcp3008(sources, by_source["mcp3008"], clock=clock, pin_factory=pin_factory, timer=spi_timer)
    if "serial" in by_source:
        add_serial(sources, by_source["serial"], clock=clock, open_serial=open_serial)
    if not sources._threads:
        raise SourceError(_("no live sensors configured; set each device's source, or use --simulate"))
    return sources


class StatusOutputs:
    """Drive the status LED (and the optional buzzer) from the agent and the sources.

    LED: steady = logging OK, fast blink = a sensor problem (a fault word from a sensor, or
    a channel missing), slow blink = not synced (``is_synced`` returns False). The buzzer
    beeps when a fault report is journalled. Call :meth:`update` periodically, or
    :meth:`start` for a thread that does it every second until ``stop``.
    """

    def __init__(self, agent: Any, sources: Sources, *, led_pin: int, buzzer_pin: int | None = None,
                 pin_factory: Any = None, is_synced: Callable[[], bool] = lambda: True) -> None:
        from hardware.status import AckBuzzer, StatusLed

        self.agent = agent
        self.sources = sources
        self.is_synced = is_synced
        self.led = StatusLed(led_pin, pin_factory=pin_factory)
        self.buzzer = AckBuzzer(buzzer_pin, pin_factory=pin_factory) if buzzer_pin is not None else None
        agent.listeners.append(self._on_event)
        sources.on_close(self.close)

    def _on_event(self, event: dict[str, Any]) -> None:
        if event.get("type") == "fault" and self.buzzer is not None:
            self.buzzer.acknowledge()

    def update(self) -> str:
        """Show the status now; return it."""
        from hardware.status import worst

        if self.sources.stop.is_set():
            return "stopped"  # close() has turned the LED off and released it
        states = self.agent.channel_states()
        problem = bool(self.sources.health.snapshot()) or any(s == "missing" for s, _ in states.values())
        status = worst(sensor_problem=problem, synced=self.is_synced())
        self.led.show(status)
        return status

    def start(self) -> threading.Thread:
        """Update every second in a thread until the sources stop."""

        def loop() -> None:
            while not self.sources.stop.wait(1.0):
                try:
                    self.update()
                except HardwareError as exc:
                    log.warning("status led: %s", exc)

        thread = threading.Thread(target=loop, name="status-led", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        """Turn the outputs off and release their pins."""
        self.led.close()
        if self.buzzer is not None:
            self.buzzer.close()

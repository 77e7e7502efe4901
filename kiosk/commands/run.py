"""``classroom run``: the live agent, headless or with the touchscreen."""

from __future__ import annotations

import importlib
import logging
import os
import signal
import threading
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

import click

from hardware.reading import Reading
from kiosk.agent import Agent
from kiosk.clock import Clock, ReplayClock, SystemClock
from kiosk.commands.common import config_option, journal_dir_of, journal_option, load
from kiosk.i18n import _
from kiosk.journal import Journal
from kiosk.readings_csv import ReadingsFile
from kiosk.sources import StatusOutputs, build_sources, paced_replay

log = logging.getLogger(__name__)


def _optional(module: str) -> ModuleType | None:
    """A part of the program that may not be installed on this machine (sync, UI, systemd)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        log.info("%s not available: %s", module, exc)
        return None


@click.command(help=_("Run the live agent: sources → detector → journal, heartbeats, sync."))
@config_option
@journal_option
@click.option("--replay", "replay_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help=_("Take readings from this CSV instead of the sensors."))
@click.option("--speed", type=click.FloatRange(min=0.001), default=1.0, show_default=True,
              help=_("Replay speed (1 = real time)."))
@click.option("--headless/--ui", default=None, help=_("Without / with the touchscreen (default: with, when a display is present)."))
@click.option("--simulate", is_flag=True, help=_("Read from a simulated board over a pseudo-terminal."))
def run(config_path: Path, journal_dir: Path | None, replay_path: Path | None, speed: float,
        headless: bool | None, simulate: bool) -> None:
    config = load(config_path)
    district_config = _optional("kiosk.district_config")  # the district's last copy wins, offline too
    if district_config is not None:
        config = district_config.load_effective_config(config_path, journal_dir=journal_dir)
    clock: Clock = SystemClock()
    if replay_path is not None and speed != 1:
        # accelerated replay: time is the readings' own, from the first one on
        first = next(iter(ReadingsFile(replay_path)), None)
        clock = ReplayClock(first.time if first else 0.0, boot_id="replay")
    journal = Journal.open(journal_dir_of(config, journal_dir), tz=config.tz, clock=clock)
    agent = Agent(config, journal, clock, heartbeat_s=config.agent.heartbeat_s,
                  idle_heartbeat_s=config.agent.idle_heartbeat_s)
    agent.start()
    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        log.info("signal %d: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    live_sources = None
    readings: Iterable[Reading]
    if replay_path is not None:
        readings = paced_replay(replay_path, clock=clock, speed=speed, stop=stop)
    else:
        live_sources = build_sources(config, clock=clock, stop=stop, simulate=simulate)
        readings = live_sources

    service = _optional("kiosk.service")
    if service is not None:
        service.attach(agent, stop)
    syncer = _optional("kiosk.syncer")
    if syncer is not None:
        syncer.attach(agent, stop)
    if config.agent.status_led_pin is not None and live_sources is not None:
        def _synced() -> bool:
            return bool(syncer is None or syncer.status().get("reachable") is not False)

        StatusOutputs(agent, live_sources, led_pin=config.agent.status_led_pin,
                      buzzer_pin=config.agent.buzzer_pin, is_synced=_synced).start()

    want_ui = (headless is False) or (headless is None and bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")))
    ui = _optional("kiosk.ui.app") if want_ui else None
    if ui is None:
        agent.run(readings, stop)
    else:
        worker = threading.Thread(target=agent.run, args=(readings, stop), name="agent")
        worker.start()
        try:
            ui.run_app(agent, stop, config_path)
        except Exception:  # the UI failing must never stop logging
            log.exception("the touchscreen stopped with an error; the agent goes on headless")
        worker.join()
    journal.close()

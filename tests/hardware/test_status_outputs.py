"""The status LED and buzzer driven by the agent's state and the sources' health."""

from __future__ import annotations

import threading
from pathlib import Path

from gpiozero.pins.mock import MockFactory

from hardware.polling import Health
from hardware.reading import Reading
from kiosk.agent import Agent
from kiosk.clock import ReplayClock
from kiosk.config import load_config
from kiosk.journal import Journal
from kiosk.sources import Sources, StatusOutputs
from tests.conftest import EXAMPLE_CONFIG


def test_led_follows_health_and_sync_buzzer_acknowledges_faults(tmp_path: Path, mock_factory: MockFactory) -> None:
    config = load_config(EXAMPLE_CONFIG)
    clock = ReplayClock(1_800_000_000.0)
    journal = Journal.open(tmp_path / "j", tz=config.tz, clock=clock)
    agent = Agent(config, journal, clock)
    agent.start()
    synced = {"yes": True}
    sources = Sources(threading.Event(), Health())
    outputs = StatusOutputs(agent, sources, led_pin=25, buzzer_pin=24, pin_factory=mock_factory,
                            is_synced=lambda: synced["yes"])
    for channel in (1, 2, 3, 4):
        agent.process(Reading(1_800_000_000.0, channel, 0.0))
    assert outputs.update() == "ok"
    synced["yes"] = False
    assert outputs.update() == "not_synced"
    sources.health.report(3, "unplugged")
    assert outputs.update() == "sensor_problem"
    sources.health.report(3, None)
    synced["yes"] = True
    assert outputs.update() == "ok"
    agent.report_fault(kind="projector", symptom="no_picture")
    buzzer_pin = mock_factory.pin(24)
    waited = threading.Event()
    for _ in range(200):
        if any(s.state for s in buzzer_pin.states):
            break
        waited.wait(0.01)
    assert any(s.state for s in buzzer_pin.states)
    sources.close()
    assert outputs.update() == "stopped"
    journal.close()

"""The current switch and status outputs on gpiozero's MockFactory, passed in explicitly."""

from __future__ import annotations

import threading

from gpiozero.pins.mock import MockFactory

from hardware.current_switch import CurrentSwitch
from hardware.polling import Health, poll
from hardware.settings import GpioSettings
from hardware.status import AckBuzzer, StatusLed, worst


def test_switch_reads_one_while_contact_pulls_low(mock_factory: MockFactory) -> None:
    switch = CurrentSwitch.from_settings(GpioSettings(pin=17, bounce_s=0.0), pin_factory=mock_factory)
    pin = mock_factory.pin(17)
    assert switch.amps == 0.0
    pin.drive_low()
    assert switch.amps == 1.0
    pin.drive_high()
    assert switch.amps == 0.0


def test_active_high_output(mock_factory: MockFactory) -> None:
    switch = CurrentSwitch(22, pull_up=False, bounce_s=0.0, pin_factory=mock_factory)
    mock_factory.pin(22).drive_high()
    assert switch.amps == 1.0


def test_poll_yields_readings_per_interval(mock_factory: MockFactory) -> None:
    switch = CurrentSwitch(17, bounce_s=0.0, pin_factory=mock_factory)
    mock_factory.pin(17).drive_low()
    stop = threading.Event()
    times = iter(range(100, 200))
    out = poll([(5, lambda: switch.amps)], wall=lambda: float(next(times)), interval_s=0.0, stop=stop,
               health=Health())
    first, second = next(out), next(out)
    assert (first.channel, first.amps, second.time - first.time) == (5, 1.0, 1.0)
    stop.set()


def test_status_led_and_buzzer(mock_factory: MockFactory) -> None:
    led = StatusLed(25, pin_factory=mock_factory)
    led.show(worst(sensor_problem=False, synced=True))
    assert led.status == "ok" and led.is_lit
    led.show(worst(sensor_problem=True, synced=False))
    assert led.status == "sensor_problem"
    led.show("stopped")
    assert not led.is_lit
    buzzer = AckBuzzer(24, pin_factory=mock_factory)
    buzzer.acknowledge(beeps=1)
    buzzer.close()
    led.close()

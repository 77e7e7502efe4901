"""Detector: readings in, device events out; what a caller sees at every sample interval."""

from __future__ import annotations

import os
from collections.abc import Iterable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardware.reading import Reading
from kiosk.detector import ChannelSpec, Detector, DeviceEvent
from kiosk.errors import TimeWentBackwards, UnknownChannel

STANDBY, ON = 0.02, 1.30
INTERVALS = [1.0, 2.0, 5.0, 7.0, 10.0]


def _detector() -> Detector:
    return Detector([ChannelSpec(1, "projector", STANDBY, ON), ChannelSpec(2, "audio", 0.005, 0.13)])


def _run(detector: Detector, samples: Iterable[tuple[float, float]], channel: int = 1) -> list[DeviceEvent]:
    out: list[DeviceEvent] = []
    for t, amps in samples:
        out.extend(detector.feed(Reading(t, channel, amps)))
    return out


def _projector_session(interval: float, *, on_at: float, off_at: float, end: float) -> list[tuple[float, float]]:
    """Standby, lamp warm-up at ~half current for 30 s, on, then the fan running on for 2 min."""
    samples = []
    t = 0.0
    while t <= end:
        if on_at <= t < on_at + 30:
            amps = ON * 0.5
        elif on_at + 30 <= t < off_at:
            amps = ON
        elif off_at <= t < off_at + 120:
            amps = ON * 0.2
        else:
            amps = STANDBY
        samples.append((t, amps))
        t += interval
    return samples


@pytest.mark.parametrize("interval", INTERVALS)
def test_warm_up_counts_as_use_and_fan_run_on_does_not(interval: float) -> None:
    events = _run(_detector(), _projector_session(interval, on_at=300, off_at=900, end=1500))
    assert [(e.type, e.state) for e in events] == [("back", "off"), ("on", "on"), ("off", "off")]
    on, off = events[1], events[2]
    assert 300 <= on.at < 300 + interval  # from the first warm-up sample
    assert 900 <= off.at < 900 + interval  # at switch-off, not when the fan stops


@pytest.mark.parametrize("interval", INTERVALS)
def test_fan_level_alone_never_turns_a_device_on(interval: float) -> None:
    samples = [(i * interval, ON * 0.2) for i in range(200)]
    assert [e.type for e in _run(_detector(), samples)] == ["back"]


@pytest.mark.parametrize("interval", INTERVALS)
def test_single_sample_interference_is_not_use(interval: float) -> None:
    samples = [(i * interval, ON * 0.9 if i in (10, 40, 41 + 5) else STANDBY) for i in range(100)]
    assert [e.type for e in _run(_detector(), samples)] == ["back"]


@pytest.mark.parametrize("interval", INTERVALS)
def test_single_sample_dropout_does_not_switch_off(interval: float) -> None:
    samples = [(i * interval, STANDBY if i == 50 else ON) for i in range(100)]
    assert [(e.type, e.state) for e in _run(_detector(), samples)] == [("back", "on")]


def test_interference_shorter_than_persistence_is_not_use() -> None:
    samples = [(t, ON if 10 <= t <= 12 else STANDBY) for t in range(60)]  # 3 samples over 2 s
    assert [e.type for e in _run(_detector(), samples)] == ["back"]


@pytest.mark.parametrize("interval", INTERVALS)
def test_gap_makes_missing_at_last_sample_plus_stale_then_back(interval: float) -> None:
    d = _detector()
    before = [(i * interval, ON) for i in range(20)]
    last = before[-1][0]
    events = _run(d, before)
    assert d.tick(last + 30) == []  # exactly 30 s of silence is not yet missing
    gone = d.tick(last + 31)
    assert [(e.type, e.at, e.state) for e in gone] == [("missing", last + 30, "missing")]
    assert d.states()[1] == "missing"
    back = d.feed(Reading(last + 600, 1, STANDBY))
    assert [(e.type, e.at, e.state) for e in back] == [("back", last + 600, "off")]
    assert [e.type for e in events] == ["back"]


def test_gap_noticed_by_the_next_reading_without_a_tick() -> None:
    d = _detector()
    _run(d, [(0, ON), (5, ON)])
    events = d.feed(Reading(100, 1, ON))
    assert [(e.type, e.at, e.state) for e in events] == [("missing", 35, "missing"), ("back", 100, "on")]


@pytest.mark.parametrize("interval", INTERVALS)
def test_interference_as_the_first_sample_after_a_gap_is_not_use(interval: float) -> None:
    """Regression: a channel came back in the state of its first sample, so one sample of
    interference right after a gap (or at start) counted as use until persistence undid it.
    Now the switch-off is dated at the back itself: no time on."""
    samples = [(0.0, ON * 0.8)] + [(i * interval, STANDBY) for i in range(1, 50)]
    samples += [(1000.0, ON * 0.8)] + [(1000 + i * interval, STANDBY) for i in range(1, 50)]
    events = _run(_detector(), samples)
    assert [(e.type, e.state, e.at) for e in events] == [
        ("back", "on", 0.0), ("off", "off", 0.0), ("missing", "missing", 49 * interval + 30),
        ("back", "on", 1000.0), ("off", "off", 1000.0)]


@pytest.mark.parametrize("interval", INTERVALS)
def test_dropout_as_the_first_sample_after_a_gap_loses_no_use(interval: float) -> None:
    samples = [(0.0, STANDBY)] + [(i * interval, ON) for i in range(1, 50)]
    assert [(e.type, e.state, e.at) for e in _run(_detector(), samples)] == [("back", "off", 0.0), ("on", "on", 0.0)]


def test_dead_channel_goes_missing_while_others_report() -> None:
    d = _detector()
    events = []
    for i in range(30):
        t = i * 5.0
        events += d.feed(Reading(t, 2, 0.005))
        if t < 50:
            events += d.feed(Reading(t, 1, STANDBY))
    missing = [e for e in events if e.type == "missing"]
    assert [(e.channel, e.at) for e in missing] == [(1, 45 + 30)]
    assert d.states() == {1: "missing", 2: "off"}


def test_time_going_backwards_raises() -> None:
    d = _detector()
    d.feed(Reading(100, 1, STANDBY))
    with pytest.raises(TimeWentBackwards, match="channel 1"):
        d.feed(Reading(99, 1, STANDBY))
    d.feed(Reading(100, 1, STANDBY))  # the same time again is fine


def test_unknown_channel_raises_naming_it_and_the_known_ones() -> None:
    with pytest.raises(UnknownChannel, match=r"channel 9 .*known: 1, 2"):
        _detector().feed(Reading(0, 9, 1.0))
    with pytest.raises(KeyError):
        _detector().feed(Reading(0, 9, 1.0))


def test_states_and_last_amps() -> None:
    d = _detector()
    assert d.states() == {1: "missing", 2: "missing"}
    assert d.last_amps() == {1: None, 2: None}
    d.feed(Reading(0, 1, ON))
    assert d.states()[1] == "on" and d.last_amps()[1] == ON
    assert d.channels == [1, 2]


# --- properties ---------------------------------------------------------------------

_TRANSITIONS = {
    ("missing", "back"), ("on", "off"), ("off", "on"), ("on", "missing"), ("off", "missing"),
}

levels = st.sampled_from([0.0, STANDBY, ON * 0.2, ON * 0.5, ON, ON * 2.5])


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "200")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.floats(0.0, 45.0), st.sampled_from([1, 2]), levels), max_size=150))
def test_events_follow_the_state_machine_in_time_order(steps: list[tuple[float, int, float]]) -> None:
    d = _detector()
    state = {1: "missing", 2: "missing"}
    last_at = {1: float("-inf"), 2: float("-inf")}
    t = 0.0
    for gap, channel, amps in steps:
        t += gap
        for event in d.feed(Reading(t, channel, amps)):
            assert (state[event.channel], event.type) in _TRANSITIONS
            assert event.at <= t
            assert event.at >= last_at[event.channel]
            last_at[event.channel] = event.at
            state[event.channel] = event.state
    assert d.states() == state


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    interval=st.floats(1.0, 10.0),
    segments=st.lists(st.tuples(st.booleans(), st.floats(60.0, 900.0)), min_size=1, max_size=12),
    jitter=st.lists(st.floats(0.0, 0.2), min_size=1, max_size=20),
    spikes=st.sets(st.integers(0, 3000).map(lambda i: 3 * i), max_size=40),
)
def test_on_time_matches_truth_within_an_interval_per_switch(
    interval: float, segments: list[tuple[bool, float]], jitter: list[float], spikes: set[int]
) -> None:
    """Whatever the interval (1-10 s, jittered), with lamp warm-up, fan run-on and single
    samples of interference, on-intervals match the truth at each switch."""
    truth: list[tuple[float, float]] = []
    t0 = 0.0
    for is_on, length in segments:
        if is_on:
            truth.append((t0, t0 + length))
        t0 += length
    d = _detector()
    on_since: float | None = None
    seen: list[tuple[float, float]] = []
    t, i = 0.0, 0
    while t < t0:
        amps = STANDBY
        for a, b in truth:
            if a <= t < b:
                amps = ON * 0.5 if t - a < 30 else ON  # the lamp warms up at half current
                break
            if b <= t < b + 120 and not any(c <= t < d for c, d in truth):
                amps = ON * 0.2  # the fan runs on after switch-off
        if i in spikes and amps == STANDBY:
            amps = ON * 0.8  # one sample of interference
        for e in d.feed(Reading(t, 1, amps)):
            if e.state == "on" and on_since is None:
                on_since = e.at
            elif e.state != "on" and on_since is not None:
                seen.append((on_since, e.at))
                on_since = None
        t += interval * (1 + jitter[i % len(jitter)])
        i += 1
    if on_since is not None:
        seen.append((on_since, t0))
    seen = [(a, b) for a, b in seen if b > a]  # an odd sample after a gap is dated away: no time on
    merged: list[tuple[float, float]] = []
    for a, b in truth:  # touching truth segments are one switch-on
        if merged and merged[-1][1] == a:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    assert len(seen) == len(merged)
    slack = 10.0 * 1.2 + 0.001
    for (ta, tb), (sa, sb) in zip(merged, seen, strict=True):
        assert abs(sa - ta) <= slack and abs(sb - tb) <= slack


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.floats(0.0, 20.0), st.sampled_from([1, 2]), levels, st.floats(0.0, 90.0)), max_size=120))
def test_ticks_ahead_of_queued_readings_keep_each_channels_events_in_order(
    steps: list[tuple[float, int, float, float]],
) -> None:
    """Regression: the live agent ticks on the wall clock while older readings wait in its
    queue; a tick's ``missing`` used to be followed by a ``back`` dated before it."""
    d = _detector()
    state = {1: "missing", 2: "missing"}
    last_at = {1: float("-inf"), 2: float("-inf")}
    t = 0.0
    for gap, channel, amps, lag in steps:
        t += gap
        for event in d.tick(t + lag) + d.feed(Reading(t, channel, amps)):
            assert (state[event.channel], event.type) in _TRANSITIONS
            assert event.at >= last_at[event.channel]
            last_at[event.channel] = event.at
            state[event.channel] = event.state

"""criteria.histories: on- and missing-intervals per channel, derived from journal events."""

from __future__ import annotations

from criteria import Interval, channel_histories


def _hist(events: list[dict], channels: tuple[int, ...] = (1,), start: float = 100, until: float = 1000):  # type: ignore[no-untyped-def]
    return channel_histories(events, channels=channels, start_at=start, until_at=until)


def test_state_events_make_intervals() -> None:
    h = _hist([
        {"type": "back", "at": 50, "channel": 1, "state": "off"},
        {"type": "on", "at": 200, "channel": 1},
        {"type": "off", "at": 500, "channel": 1},
        {"type": "missing", "at": 700, "channel": 1},
        {"type": "back", "at": 800, "channel": 1, "state": "on"},
    ])[1]
    assert h.on == [Interval(200, 500), Interval(800, 1000)]
    assert h.missing == [Interval(700, 800)]


def test_nothing_seen_is_nothing_known() -> None:
    h = _hist([], channels=(1, 2))
    assert h[2].missing == [Interval(100, 1000)] and h[2].on == []


def test_events_before_the_span_set_its_starting_state() -> None:
    h = _hist([{"type": "on", "at": 10, "channel": 1}])[1]
    assert h.on == [Interval(100, 1000)]


def test_heartbeat_reports_every_channel_and_other_channels_are_ignored() -> None:
    """Regression: the stretch before a channel's first event inside the span was left
    uncounted (neither on nor missing) instead of missing."""
    h = _hist([
        {"type": "heartbeat", "at": 150, "channels": {"1": "on", "2": "off"}},
        {"type": "on", "at": 160, "channel": 9},
        {"type": "tapin", "at": 170, "teacher": "gv01"},
        {"type": "off", "at": 400, "channel": 1},
    ], channels=(1, 2))
    assert h[1].on == [Interval(150, 400)]
    assert h[1].missing == [Interval(100, 150)]
    assert h[2].on == [] and h[2].missing == [Interval(100, 150)]


def test_events_after_the_span_are_ignored() -> None:
    h = _hist([{"type": "back", "at": 100, "channel": 1, "state": "off"}, {"type": "on", "at": 1000, "channel": 1}])[1]
    assert h.on == [] and h.missing == []

"""Device histories derived from journal events: when each channel was on, and when missing.

Events are plain mappings as stored in the journal and sent on the wire (see
``sync/schema.py``): ``type``, ``at`` (UTC epoch seconds), ``channel`` and, for ``back``
and ``heartbeat``, the state(s) they report. Intervals are always derived, never stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from criteria.intervals import Interval

ON, OFF, MISSING = "on", "off", "missing"


@dataclass
class ChannelHistory:
    """What one channel did over a span: on-intervals and missing-intervals (disjoint)."""

    channel: int
    on: list[Interval] = field(default_factory=list)
    missing: list[Interval] = field(default_factory=list)
    state: str = MISSING
    since: float | None = None

    def _close(self, at: float) -> None:
        if self.since is not None and at > self.since:
            if self.state == ON:
                self.on.append(Interval(self.since, at))
            elif self.state == MISSING:
                self.missing.append(Interval(self.since, at))

    def move(self, state: str, at: float) -> None:
        """Record that the channel is in ``state`` from ``at`` on."""
        if self.since is not None and state == self.state:
            return
        self._close(at)
        self.state, self.since = state, at


def _states_of(event: Mapping[str, Any]) -> Iterable[tuple[int, str]]:
    kind = event.get("type")
    if kind in (ON, OFF, MISSING):
        yield int(event["channel"]), str(kind)
    elif kind == "back":
        yield int(event["channel"]), str(event.get("state", OFF))
    elif kind == "heartbeat":
        for channel, state in (event.get("channels") or {}).items():
            yield int(channel), str(state)


def channel_histories(
    events: Iterable[Mapping[str, Any]],
    *,
    channels: Iterable[int],
    start_at: float,
    until_at: float,
) -> dict[int, ChannelHistory]:
    """Each channel's on- and missing-intervals inside ``[start_at, until_at)``.

    ``events`` must be in time order. Before the first event that tells a channel's
    state, the channel counts as missing (nothing seen is nothing known). Events before
    ``start_at`` only set the state the span starts in.
    """
    # Every channel starts the span missing: a first event inside the span closes the
    # unknown stretch before it as missing instead of leaving it uncounted.
    histories = {c: ChannelHistory(channel=c, since=start_at) for c in channels}
    for event in events:
        at = float(event["at"])
        if at >= until_at:
            break
        for channel, state in _states_of(event):
            history = histories.get(channel)
            if history is not None:
                history.move(state, max(at, start_at))
    for history in histories.values():
        if history.since is None:
            history.since = start_at
        history._close(until_at)
        history.since = until_at
    return histories

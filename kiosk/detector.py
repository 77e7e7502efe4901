"""Usage detector: a stream of readings in, device events (on / off / missing / back) out.

Pure and incremental: no I/O, no clock; time comes from the readings. Per channel:

- two thresholds between the installer's standby and on levels (hysteresis): a device
  turns on when its current reaches ``on_fraction`` of the way from standby to on (a
  projector lamp warming up at half current is use) and off when it falls below
  ``off_fraction`` (a projector fan running on at a fifth of it is not);
- persistence: a change is believed only after at least ``min_samples`` samples over at
  least ``persist_s`` seconds agree, so one sample of interference changes nothing; the
  event is dated at the first agreeing sample;
- staleness: a channel with no sample for ``stale_s`` seconds is ``missing`` from
  ``last sample + stale_s``; its next sample makes it ``back`` with its state then. If
  the samples right after contradict that state (and persist), the change is dated at
  the ``back`` itself: one odd sample after a gap is not use (nor a switch-off).

Samples may come every 1-10 s; nothing here assumes an interval.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from hardware.reading import Reading
from kiosk.errors import TimeWentBackwards, UnknownChannel

ON, OFF, MISSING = "on", "off", "missing"


class DeviceEvent(NamedTuple):
    """A device state change: ``type`` is on, off, missing or back; ``state`` the state after."""

    type: str
    at: float
    channel: int
    kind: str
    state: str


@dataclass(frozen=True)
class ChannelSpec:
    """What the detector needs to know of one channel."""

    channel: int
    kind: str
    standby_amps: float
    on_amps: float


class _Channel:
    __slots__ = (
        "spec",
        "on_threshold",
        "off_threshold",
        "state",
        "last_t",
        "last_amps",
        "pending_since",
        "pending_count",
        "back_at",
        "last_event_at",
    )

    def __init__(self, spec: ChannelSpec, on_fraction: float, off_fraction: float) -> None:
        span = spec.on_amps - spec.standby_amps
        self.spec = spec
        self.on_threshold = spec.standby_amps + on_fraction * span
        self.off_threshold = spec.standby_amps + off_fraction * span
        self.state = MISSING
        self.last_t: float | None = None
        self.last_amps = 0.0
        self.pending_since: float | None = None
        self.pending_count = 0
        self.back_at: float | None = None  # set while the state a "back" gave is unconfirmed
        self.last_event_at = float("-inf")

    def event(self, type_: str, at: float) -> DeviceEvent:
        """An event of this channel, never dated before its previous one.

        A tick may declare the channel missing at ``last sample + stale_s`` while older
        readings of it are still queued (a busy Pi); what they settle is dated no earlier
        than that, so the channel's events stay in time order.
        """
        self.last_event_at = at = max(at, self.last_event_at)
        return DeviceEvent(type_, at, self.spec.channel, self.spec.kind, self.state)


class Detector:
    """Turns readings into device events; one instance per room, fed in time order.

    >>> d = Detector([ChannelSpec(1, "projector", 0.02, 1.3)])
    >>> [e.type for e in d.feed(Reading(0.0, 1, 0.02))]
    ['back']
    """

    def __init__(
        self,
        channels: Iterable[ChannelSpec],
        *,
        on_fraction: float = 0.4,
        off_fraction: float = 0.3,
        persist_s: float = 4.0,
        min_samples: int = 2,
        stale_s: float = 30.0,
    ) -> None:
        self._channels = {c.channel: _Channel(c, on_fraction, off_fraction) for c in channels}
        self._on_fraction, self._off_fraction = on_fraction, off_fraction
        self._persist_s = persist_s
        self._min_samples = min_samples
        self._stale_s = stale_s
        self._last_tick = float("-inf")

    def last_times(self) -> dict[int, float | None]:
        """Each channel's last sample time (None before the first)."""
        return {n: c.last_t for n, c in self._channels.items()}

    def recalibrate(self, channel: int, *, standby_amps: float, on_amps: float) -> None:
        """Use new standby / on levels for ``channel`` from the next reading on.

        The channel keeps its state; only the thresholds move (a calibration while
        the agent runs). Raises :class:`UnknownChannel` for a channel not configured.
        """
        found = self._channels.get(channel)
        if found is None:
            raise UnknownChannel(f"channel {channel} is not configured")
        span = on_amps - standby_amps
        found.spec = ChannelSpec(channel, found.spec.kind, standby_amps, on_amps)
        found.on_threshold = standby_amps + self._on_fraction * span
        found.off_threshold = standby_amps + self._off_fraction * span

    @property
    def channels(self) -> list[int]:
        """The channel numbers this detector knows."""
        return list(self._channels)

    def states(self) -> dict[int, str]:
        """Each channel's state now: on, off or missing."""
        return {n: c.state for n, c in self._channels.items()}

    def last_amps(self) -> dict[int, float | None]:
        """Each channel's last reading in amps (None before the first)."""
        return {n: (c.last_amps if c.last_t is not None else None) for n, c in self._channels.items()}

    def feed(self, reading: Reading) -> list[DeviceEvent]:
        """Take one reading; return the events it settles (usually none).

        Raises :class:`UnknownChannel` for a channel not configured and
        :class:`TimeWentBackwards` for a reading older than its channel's previous one.
        """
        t, number, amps = reading
        channel = self._channels.get(number)
        if channel is None:
            known = ", ".join(str(c) for c in sorted(self._channels))
            raise UnknownChannel(f"channel {number} is not configured (known: {known})")
        if channel.last_t is not None and t < channel.last_t:
            raise TimeWentBackwards(
                f"channel {number}: reading at {t:.3f} is older than the previous one at {channel.last_t:.3f}"
            )
        events = self.tick(t) if t - self._last_tick >= 1.0 else []
        if channel.state != MISSING and channel.last_t is not None and t - channel.last_t > self._stale_s:
            events.append(self._go_missing(channel))
        channel.last_t = t
        channel.last_amps = amps
        if channel.state == MISSING:
            channel.state = ON if amps >= channel.on_threshold else OFF
            channel.pending_since = None
            channel.back_at = t
            events.append(channel.event("back", t))
            return events
        wants_change = (
            amps < channel.off_threshold if channel.state == ON else amps >= channel.on_threshold
        )
        if not wants_change:
            channel.pending_since = None
            channel.back_at = None  # the state the channel came back in is confirmed
            return events
        if channel.pending_since is None:
            channel.pending_since = t
            channel.pending_count = 1
        else:
            channel.pending_count += 1
        if (
            channel.pending_count >= self._min_samples
            and t - channel.pending_since >= self._persist_s
        ):
            channel.state = OFF if channel.state == ON else ON
            # A change that contradicts a "back" before anything confirmed it means the
            # back sample was the odd one out (interference, a dropout): the true state
            # holds from the back itself, so one odd sample is never counted as use.
            at = channel.back_at if channel.back_at is not None else channel.pending_since
            events.append(channel.event(channel.state, at))
            channel.pending_since = None
            channel.back_at = None
        return events

    def tick(self, now: float) -> list[DeviceEvent]:
        """Mark channels silent for more than ``stale_s`` at ``now`` as missing."""
        self._last_tick = now
        events = []
        for channel in self._channels.values():
            if (
                channel.state != MISSING
                and channel.last_t is not None
                and now - channel.last_t > self._stale_s
            ):
                events.append(self._go_missing(channel))
        return events

    def _go_missing(self, channel: _Channel) -> DeviceEvent:
        assert channel.last_t is not None
        channel.state = MISSING
        channel.pending_since = None
        channel.back_at = None
        return channel.event(MISSING, channel.last_t + self._stale_s)

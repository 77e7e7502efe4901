"""The agent under systemd: readiness, a watchdog fed by the agent loop's own liveness, stopping.

``classroom run`` calls :func:`attach` once the journal is open and the agent has
started. The unit (``deploy/systemd/classroom-agent.service``) is ``Type=notify`` with
``WatchdogSec=``: systemd waits for ``READY=1`` before it counts the agent as started,
and restarts it when ``WATCHDOG=1`` stops arriving.

The watchdog is fed from a small thread, but only while the agent loop proves it is
alive: every :meth:`Agent.tick` (about once a second, see :meth:`Agent.run`) marks
the loop as alive, and the feeder sends ``WATCHDOG=1`` only if the last tick is
recent. A stalled loop (a blocked journal write on a dying SD card, a deadlock) stops
the feeding, and systemd kills and restarts the agent. A thread that fed the watchdog
unconditionally would keep a dead agent "healthy" for ever.

The notify protocol itself is the ``sdnotify`` package's (pure Python, a datagram to
``$NOTIFY_SOCKET``); without ``$NOTIFY_SOCKET`` (run by hand) nothing is sent.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

log = logging.getLogger(__name__)

#: Fraction of the watchdog period between two feedings (systemd advises half or less).
FEED_FRACTION = 1 / 3
#: Fraction of the watchdog period the loop may go without a tick before feeding stops.
STALL_FRACTION = 1 / 2


class Notifier(Protocol):
    """Something that sends sd_notify state strings (``sdnotify.SystemdNotifier``)."""

    def notify(self, state: str) -> Any:
        """Send one state string such as ``READY=1``."""
        ...


class _Tickable(Protocol):
    def tick(self) -> None: ...


def default_notifier() -> Notifier:
    """The sd_notify client for this process (it reads ``$NOTIFY_SOCKET`` itself)."""
    import sdnotify

    notifier: Notifier = sdnotify.SystemdNotifier()
    return notifier


def watchdog_s(env: Mapping[str, str] | None = None, *, pid: int | None = None) -> float | None:
    """The watchdog period systemd asked for, in seconds, or None when there is none.

    Reads ``$WATCHDOG_USEC`` and, when set, checks ``$WATCHDOG_PID`` names this process
    (sd_watchdog_enabled(3)).
    """
    env = os.environ if env is None else env
    usec = env.get("WATCHDOG_USEC")
    if not usec:
        return None
    owner = env.get("WATCHDOG_PID")
    if owner and int(owner) != (os.getpid() if pid is None else pid):
        return None
    try:
        value = int(usec) / 1_000_000
    except ValueError:
        log.warning("WATCHDOG_USEC=%r is not a number; watchdog not fed", usec)
        return None
    return value if value > 0 else None


class Watchdog:
    """Feeds systemd's watchdog while the agent loop keeps ticking.

    ``period_s`` is systemd's watchdog period. :meth:`alive` is called by the agent
    loop; :meth:`feed` by the feeder thread every ``period_s * FEED_FRACTION``. It sends
    ``WATCHDOG=1`` only when the last :meth:`alive` is younger than
    ``period_s * STALL_FRACTION`` (measured on the monotonic clock ``mono``).
    """

    def __init__(self, notifier: Notifier, period_s: float, *, mono: Callable[[], float] = time.monotonic) -> None:
        self.notifier = notifier
        self.period_s = period_s
        self.stall_s = period_s * STALL_FRACTION
        self.interval_s = period_s * FEED_FRACTION
        self._mono = mono
        self._last_alive = mono()
        self.fed = 0
        self.withheld = 0

    def alive(self) -> None:
        """The agent loop has just completed a tick."""
        self._last_alive = self._mono()

    def stalled_s(self) -> float:
        """Seconds since the loop was last seen alive."""
        return self._mono() - self._last_alive

    def feed(self) -> bool:
        """Send ``WATCHDOG=1`` if the loop is alive; return whether it was sent."""
        stalled = self.stalled_s()
        if stalled < self.stall_s:
            self.notifier.notify("WATCHDOG=1")
            self.fed += 1
            return True
        self.withheld += 1
        log.error("agent loop silent for %.0f s (limit %.0f s): watchdog not fed, systemd will restart it",
                  stalled, self.stall_s)
        return False

    def run(self, stop: threading.Event) -> None:
        """Feed every ``interval_s`` until ``stop`` is set."""
        while not stop.wait(self.interval_s):
            self.feed()


def _wrap_tick(agent: _Tickable, on_tick: Callable[[], None]) -> None:
    # The agent has no tick hook: wrap this instance's tick so that every completed
    # tick (not a tick that raised or blocked) counts as proof of life.
    original = agent.tick

    def tick() -> None:
        original()
        on_tick()

    setattr(agent, "tick", tick)  # noqa: B010 - instance attribute shadows the method


def attach(
    agent: _Tickable,
    stop: threading.Event,
    *,
    notifier: Notifier | None = None,
    env: Mapping[str, str] | None = None,
) -> Watchdog | None:
    """Tell systemd the agent is ready, feed its watchdog from the loop, say when it stops.

    Returns the :class:`Watchdog` (None when systemd asked for none). Does nothing when
    not run by systemd (no ``$NOTIFY_SOCKET``) and no ``notifier`` is given.
    """
    env = os.environ if env is None else env
    if notifier is None:
        if not env.get("NOTIFY_SOCKET"):
            log.info("not started by systemd (no NOTIFY_SOCKET): no readiness or watchdog")
            return None
        notifier = default_notifier()
    period = watchdog_s(env)
    watchdog = Watchdog(notifier, period) if period else None
    if watchdog is not None:
        _wrap_tick(agent, watchdog.alive)
        threading.Thread(target=watchdog.run, args=(stop,), name="watchdog", daemon=True).start()
        log.info("watchdog %.0f s: fed every %.0f s while the agent loop ticks", period, watchdog.interval_s)
    notifier.notify("READY=1\nSTATUS=logging")

    def on_stop() -> None:
        stop.wait()
        notifier.notify("STOPPING=1\nSTATUS=stopping")

    threading.Thread(target=on_stop, name="sd-stopping", daemon=True).start()
    return watchdog

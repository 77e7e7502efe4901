"""The agent's background syncer: a thread that syncs every few minutes and never blocks logging.

``classroom run`` calls :func:`attach`. Events are read through ``agent.events_after``
(under the agent's lock, a short local read); the network is used outside the lock,
so a slow or dead server never delays an event being journalled. The state of the
last round is exposed to the touchscreen's IT mode through :func:`status`.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kiosk.agent import Agent
from kiosk.config import ClosedFault
from kiosk.district_config import check_district_copy, config_data, load_cached
from kiosk.errors import ConfigError
from kiosk.identity import IdentityError, load_identity, state_dir_for
from kiosk.sync_messages import explain
from kiosk.sync_round import client_for, sync_round
from sync.client import SyncClient, make_retry

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 300.0

_lock = threading.Lock()
_status: dict[str, Any] = {
    "enrolled": False,
    "server": None,
    "pi_id": None,
    "reachable": None,
    "last_attempt_at": None,
    "last_upload_at": None,
    "last_config_at": None,
    "waiting": None,
    "cursor": None,
    "last_seq": None,
    "last_error": None,
    "last_error_code": None,
    "gaps": [],
    "clock_skew_s": None,
    "running": False,
    "config_applied_at": None,
    "restart_needed": False,
}


def status() -> dict[str, Any]:
    """A copy of the sync state for the IT screen.

    Keys: ``enrolled``, ``server``, ``pi_id``, ``reachable`` (None before the first
    try), ``last_attempt_at`` / ``last_upload_at`` / ``last_config_at`` (UTC epoch s
    or None), ``waiting`` (events not yet acknowledged), ``cursor``, ``last_seq``,
    ``last_error`` (one line in the user's language) and ``last_error_code`` (None
    when the last round was clean),
    ``gaps``, ``clock_skew_s``, ``running``, ``config_applied_at`` (when a district
    config last took effect live) and ``restart_needed`` (a new copy changes devices or
    detector settings, which take effect at the next start).
    """
    with _lock:
        return dict(_status)


def _update(**values: Any) -> None:
    with _lock:
        _status.update(values)


class Syncer:
    """Syncs one agent's journal with the district, one round every ``interval_s`` (± 10 %)."""

    def __init__(self, agent: Agent, *, interval_s: float = DEFAULT_INTERVAL_S,
                 state_dir: Path | None = None, local_config: Path | None = None) -> None:
        self.agent = agent
        self.interval_s = interval_s
        self.state_dir = state_dir or state_dir_for(agent.journal._dir or Path("."))
        self.local_config = local_config
        self._client: SyncClient | None = None
        self._client_key: tuple[str, str] | None = None

    def _client_now(self) -> SyncClient | None:
        try:
            identity = load_identity(self.state_dir)
        except IdentityError as exc:
            _update(enrolled=False, last_error=str(exc), last_error_code="identity")
            return None
        if identity is None:
            _update(enrolled=False, last_error=None, last_error_code="not_enrolled",
                    waiting=self.agent.journal.last_seq - self.agent.journal.cursor)
            return None  # not configured is never "sent"
        key = (identity.server, identity.pi_id)
        if self._client is None or self._client_key != key:
            if self._client is not None:
                self._client.close()
            # few quick retries: the next round comes anyway, and the thread must stay responsive
            self._client = client_for(identity, retry=make_retry(total=3, backoff_max_s=30.0),
                                      timeout_s=(5.0, 30.0))
            self._client_key = key
        _update(enrolled=True, server=identity.server, pi_id=identity.pi_id)
        return self._client

    def run_once(self) -> None:
        """One round: upload the backlog, fetch the config, record the outcome in :func:`status`."""
        client = self._client_now()
        if client is None:
            return
        journal = self.agent.journal
        now = time.time()
        _update(last_attempt_at=now)
        base = self.local_config if self.local_config is not None else config_data(self.agent.config)
        result = sync_round(client, journal, self.agent.clock, state_dir=self.state_dir,
                            read_after=lambda seq, limit: self.agent.events_after(seq, limit=limit),
                            local_config=base)
        error = result.errors[0] if result.errors else None
        values: dict[str, Any] = {
            "reachable": not (error is not None and error.code == "unreachable"),
            "cursor": journal.cursor,
            "last_seq": journal.last_seq,
            "waiting": max(0, journal.last_seq - journal.cursor),
            "last_error": explain(error, server=client.base_url) if error else result.config_error,
            "last_error_code": error.code if error else ("config" if result.config_error else None),
        }
        if result.upload is not None:
            values["gaps"] = result.upload.gaps
            values["clock_skew_s"] = result.upload.clock_skew_s
            if result.upload.batches:
                values["last_upload_at"] = time.time()
        if result.config_changed:
            values["last_config_at"] = time.time()
            values.update(self._apply_config(base))
        if client.pi_id:
            # closes apply even when the copy waits for a restart (devices changed)
            for event in self.agent.apply_district_closes(client.pi_id, self._district_closes()):
                log.info("sync: fault %s closed at the district", event["fault"])
        _update(**values)

    def _district_closes(self) -> list[ClosedFault]:
        cached = load_cached(self.state_dir)
        closes = []
        for item in (cached or {}).get("config", {}).get("faults_closed", []) or []:
            try:
                closes.append(ClosedFault.model_validate(item))
            except ValidationError:
                log.warning("sync: ignored a malformed fault close from the district: %r", item)
        return closes

    def _apply_config(self, base: Path | dict[str, Any]) -> dict[str, Any]:
        """Make a new district copy live: bells, timetable, teachers, holidays, policy at once.

        Devices and detector settings shape the running detector, so a copy that changes
        them waits for the next start (``restart_needed``).
        """
        cached = load_cached(self.state_dir)
        if cached is None:
            return {}
        try:
            new = check_district_copy(cached["config"], base)
        except ConfigError:
            return {}
        current = self.agent.config
        if (new.devices, new.detector, new.agent) != (current.devices, current.detector, current.agent):
            log.warning("sync: the district's config changes devices or detector settings; restart to apply")
            return {"restart_needed": True}
        self.agent.config = new
        log.info("sync: district config for room %s applied live", new.room.code)
        return {"config_applied_at": time.time(), "restart_needed": False}

    def run(self, stop: threading.Event) -> None:
        """Sync until ``stop`` is set; a failing round is logged and the next one comes."""
        _update(running=True)
        try:
            while not stop.is_set():
                try:
                    self.run_once()
                except Exception:  # the syncer must never die: logging goes on without it
                    log.exception("sync: round failed unexpectedly; next round in %.0f s", self.interval_s)
                    _update(last_error_code="internal")
                stop.wait(self.interval_s * random.uniform(0.9, 1.1))  # noqa: S311 - jitter, not security
        finally:
            _update(running=False)
            if self._client is not None:
                self._client.close()


def attach(agent: Agent, stop: threading.Event, *, interval_s: float = DEFAULT_INTERVAL_S,
           state_dir: Path | None = None, local_config: Path | None = None) -> threading.Thread:
    """Start the background syncer for ``agent``; it stops when ``stop`` is set. Returns the thread."""
    syncer = Syncer(agent, interval_s=interval_s, state_dir=state_dir, local_config=local_config)
    thread = threading.Thread(target=syncer.run, args=(stop,), name="syncer", daemon=True)
    thread.start()
    return thread

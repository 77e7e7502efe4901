"""One sync round of a Pi: upload the journal's backlog, then refresh the district's room config.

Shared by ``classroom sync`` (once, with a progress bar), the agent's background
syncer and the district-path scenario runner. Events are read through functions the
caller passes (the agent's locked ``events_after`` in the live program), so network time
is never spent under the agent's lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.clock import Clock
from kiosk.district_config import cached_etag, check_district_copy, save_cached
from kiosk.errors import ConfigError
from kiosk.identity import Identity
from kiosk.journal import Journal
from sync.client import ClockState, SyncClient, UploadResult
from sync.errors import SyncError

log = logging.getLogger(__name__)


@dataclass
class RoundResult:
    """What a sync round did: the upload, whether the config changed, and the first error."""

    upload: UploadResult | None = None
    config_changed: bool = False
    config_error: str | None = None
    errors: list[SyncError] = field(default_factory=list)


def client_for(identity: Identity, **kwargs: Any) -> SyncClient:
    """A client for the enrolled server with this Pi's id and token."""
    return SyncClient(identity.server, pi_id=identity.pi_id, token=identity.token, **kwargs)


def clock_state(clock: Clock) -> Callable[[], ClockState]:
    """A function giving the clock's state now, for each batch."""
    return lambda: ClockState(clock.wall(), clock.mono(), clock.boot_id, clock.is_synced())


def sync_round(
    client: SyncClient,
    journal: Journal,
    clock: Clock,
    *,
    state_dir: Path,
    read_after: Callable[[int, int], list[dict[str, Any]]] | None = None,
    local_config: Path | Mapping[str, Any] | None = None,
    batch_events: int = 500,
    fetch_config: bool = True,
    on_progress: Callable[[UploadResult], None] | None = None,
) -> RoundResult:
    """Upload what waits, then fetch the config (ETag). Errors are collected, not raised.

    The upload stops at the first error with the cursor at the last acknowledgement; the
    config is still fetched (a Pi with a 409 still gets its bells). A changed copy is
    cached only if it validates over ``local_config`` (the TOML file, or the running
    configuration's data). ``read_after``
    defaults to the journal's own reader (use the agent's locked one in a live program).
    """
    result = RoundResult()
    try:
        result.upload = client.upload(
            read_after=read_after or (lambda seq, limit: journal.after_seq(seq, limit=limit)),
            get_cursor=lambda: journal.cursor,
            set_cursor=journal.set_cursor,
            last_seq=lambda: journal.last_seq,
            clock=clock_state(clock),
            batch_events=batch_events,
            on_progress=on_progress,
        )
    except SyncError as exc:
        log.warning("sync: pi %s: upload stopped: %s", client.pi_id, exc)
        result.upload = exc.partial if isinstance(exc.partial, UploadResult) else None
        result.errors.append(exc)
    if fetch_config and not any(e.code in ("unreachable", "auth_refused") for e in result.errors):
        try:
            download = client.fetch_config(cached_etag(state_dir))
            if download.changed and download.config is not None:
                check_district_copy(download.config, local_config)
                save_cached(state_dir, etag=download.etag, config=download.config)
                result.config_changed = True
        except SyncError as exc:
            log.warning("sync: pi %s: config download failed: %s", client.pi_id, exc)
            result.errors.append(exc)
        except ConfigError as exc:
            log.error("sync: pi %s: the district's config does not fit this Pi; kept the cached copy: %s",
                      client.pi_id, exc)
            result.config_error = str(exc)
    return result

"""The district's copy of the room configuration, cached on the Pi for offline use.

The district is authoritative for configuration (DESIGN.md). Each sync asks for the
room configuration with the ETag of the cached copy; a changed copy is checked against
this Pi's local TOML (it must make a valid :class:`RoomConfig` together with it) and
only then replaces the cache, atomically. The effective configuration is the local
TOML file with every top-level section the district sent replacing the local one,
except ``[agent]``, which stays the Pi's own (restart-only settings).
"""

from __future__ import annotations

import json
import logging
import time
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kiosk.config import RoomConfig, load_config, parse_config
from kiosk.errors import ConfigError
from kiosk.identity import state_dir_for, write_private

log = logging.getLogger(__name__)

CACHE_FILE = "district-config.json"
LOCAL_ONLY = ("agent",)


def cache_path(state_dir: Path) -> Path:
    """Where the district's copy is cached."""
    return state_dir / CACHE_FILE


def load_cached(state_dir: Path) -> dict[str, Any] | None:
    """The cached ``{"etag", "fetched_at", "config"}``, or None if there is none (or it is unreadable)."""
    path = cache_path(state_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.error("district config: cache %s unreadable (%s); using the local file until the next sync", path, exc)
        return None
    if not isinstance(data, dict) or not isinstance(data.get("config"), dict):
        log.error("district config: cache %s has no config object; ignored", path)
        return None
    return data


def cached_etag(state_dir: Path) -> str | None:
    """The ETag of the cached copy, for ``If-None-Match``."""
    cached = load_cached(state_dir)
    etag = cached.get("etag") if cached else None
    return etag if isinstance(etag, str) else None


def overlay(local: Mapping[str, Any], district: Mapping[str, Any]) -> dict[str, Any]:
    """The local data with each section the district sent replacing the local one.

    ``[agent]`` always stays local. An empty table from the district (``detector: {}``)
    or an empty device list means "nothing set at the district" and keeps the Pi's own;
    empty lists of holidays, teachers or lessons are meaningful and replace.
    """
    merged = dict(local)
    for key, value in district.items():
        if key in LOCAL_ONLY:
            continue
        if (isinstance(value, Mapping) or key == "devices") and not value and key in local:
            continue
        merged[key] = value
    return merged


def config_data(config: RoomConfig) -> dict[str, Any]:
    """A running configuration as plain data (the shape of the TOML file)."""
    return config.model_dump(mode="json", by_alias=True, exclude_none=True)


def _local_data(local: Path | Mapping[str, Any] | None) -> dict[str, Any]:
    if isinstance(local, Mapping):
        return dict(local)
    local_path = local
    if local_path is None or not local_path.is_file():
        return {}
    try:
        return tomllib.loads(local_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{local_path}: {exc}") from None


def check_district_copy(config: Mapping[str, Any], local: Path | Mapping[str, Any] | None) -> RoomConfig:
    """Validate a downloaded copy over the local file (or the running config's data).

    Raises :class:`ConfigError` naming the key.
    """
    return parse_config(overlay(_local_data(local), config), source="district config")


def save_cached(state_dir: Path, *, etag: str | None, config: dict[str, Any]) -> Path:
    """Replace the cached copy atomically (mode 0600: it names teachers)."""
    path = cache_path(state_dir)
    body = {"etag": etag, "fetched_at": time.time(), "config": config}
    write_private(path, json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"))
    log.info("district config: cached copy %s (etag %s)", path, etag)
    return path


def load_effective_config(local_path: Path, *, state_dir: Path | None = None,
                          journal_dir: Path | None = None) -> RoomConfig:
    """The configuration the agent runs with: the cached district copy over the local TOML.

    Without a cached copy (never synced) this is the local file. A cached copy that no
    longer validates with the local file is logged and ignored (the local file wins), so
    a Pi always starts. ``state_dir`` defaults to the parent of the journal folder
    (``journal_dir``, else the local file's ``[agent] journal_dir``).
    """
    local = load_config(local_path)
    folder = state_dir if state_dir is not None else state_dir_for(journal_dir or local.agent.journal_dir)
    cached = load_cached(folder)
    if cached is None:
        return local
    try:
        return check_district_copy(cached["config"], local_path)
    except ConfigError as exc:
        log.error("district config: cached copy does not fit %s: %s; using the local file", local_path, exc)
        return local

"""``classroom doctor``, ``classroom firstboot``, ``classroom update``: keeping a Pi alive for years.

Thin commands over :mod:`deploy.checks`, :mod:`deploy.firstboot` and
:mod:`deploy.updater`; each prints one screen in the user's language and exits
non-zero when something needs a person.
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from deploy.checks import FAIL, OK, Probe, run_checks
from deploy.firstboot import BOOT_FILE, NM_CONNECTIONS, first_boot, read_status
from deploy.updater import AGENT_UNIT, KIOSK_UNIT, Release, Updater, is_quiet_hour, pip_installer
from kiosk.clock import SystemClock
from kiosk.commands.common import DEFAULT_CONFIG, config_option
from kiosk.config import RoomConfig, load_config
from kiosk.errors import KioskError
from kiosk.i18n import _
from kiosk.identity import DEFAULT_STATE_DIR, IdentityError, load_identity, state_dir_for

log = logging.getLogger(__name__)

PREFIX = Path(os.environ.get("CLASSROOM_PREFIX", "/opt/classroom"))
STYLES = {OK: "green", "warn": "yellow", FAIL: "bold red"}
MARKS = {OK: "OK", "warn": "!", FAIL: "X"}


def _config(path: Path) -> tuple[RoomConfig | None, str | None]:
    try:
        from kiosk.district_config import load_effective_config

        return load_effective_config(path), None
    except (KioskError, OSError) as exc:
        return None, str(exc)
    except ImportError:
        try:
            return load_config(path), None
        except KioskError as exc:
            return None, str(exc)


def _ask_server(identity: Any, etag: str | None) -> str:
    """One authenticated request for the room's configuration (see :class:`deploy.checks.Probe`)."""
    from kiosk.sync_round import client_for
    from sync.client import make_retry
    from sync.errors import AuthRefused, SyncError, Unreachable

    client = client_for(identity, timeout_s=(5.0, 10.0), retry=make_retry(total=1))
    try:
        download = client.fetch_config(etag)
    except AuthRefused:
        return "refused"
    except Unreachable:
        return "unreachable"
    except SyncError:
        return "ok"  # it answered and knew the token; the config itself is sync's business
    finally:
        client.close()
    return "changed" if download.changed and etag is not None else "ok"


def _recent_events(journal_dir: Path, config: RoomConfig | None) -> list[dict[str, Any]]:
    from kiosk.journal import Journal

    if not journal_dir.is_dir() or config is None:
        return []
    try:
        journal = Journal.open(journal_dir, tz=config.tz, clock=SystemClock(), readonly=True)
    except (KioskError, OSError):
        return []
    try:
        return journal.after_seq(max(journal.last_seq - 200, 0), limit=200)
    finally:
        journal.close()


def build_probe(config_path: Path, *, ask_server: Any = _ask_server) -> Probe:
    """Look at this Pi: config, journal, clock, identity, the district (through ``ask_server``)."""
    config, error = _config(config_path)
    journal_dir = config.agent.journal_dir if config else DEFAULT_STATE_DIR / "journal"
    state_dir = state_dir_for(journal_dir)
    try:
        identity = load_identity(state_dir)
    except IdentityError as exc:
        identity, error = None, error or str(exc)
    cached = None
    try:
        from kiosk.district_config import load_cached

        cached = load_cached(state_dir)
    except ImportError:
        pass
    try:
        release = os.readlink(PREFIX / "current")
    except OSError:
        release = ""
    return Probe(config=config, config_error=error, journal_dir=journal_dir, clock=SystemClock(),
                 identity=identity, ask_server=ask_server, cached_config=cached,
                 recent_events=_recent_events(journal_dir, config), release=release,
                 firstboot=read_status(state_dir))


@click.command(help=_("Check this Pi and say how to fix what is wrong."))
@config_option
def doctor(config_path: Path) -> None:
    checks = run_checks(build_probe(config_path))
    table = Table(title=_("Classroom Pi check"), show_lines=False, expand=False)
    for header in ("", _("Check"), _("Found"), _("Fix")):
        table.add_column(header, overflow="fold")
    for check in checks:
        style = STYLES[check.status]
        table.add_row(f"[{style}]{MARKS[check.status]}[/]", check.name, check.found, check.fix)
    Console().print(table)
    failed = [c for c in checks if not c.is_ok]
    if failed:
        click.echo(_("{count} problem(s) need a fix.").format(count=len(failed)), err=True)
        sys.exit(1)


@click.command(help=_("Configure this Pi from the boot partition's file."))
@click.option("--file", "boot_file", type=click.Path(path_type=Path, dir_okay=False), default=BOOT_FILE,
              show_default=True, help=_("The first-boot file on the boot partition."))
@click.option("--state", "state_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help=_("The Pi's state folder (default: beside the journal)."))
@click.option("--nm-dir", type=click.Path(path_type=Path, file_okay=False), default=NM_CONNECTIONS,
              show_default=True, help=_("Where NetworkManager keeps its connections."))
@config_option
def firstboot(boot_file: Path, state_dir: Path | None, nm_dir: Path, config_path: Path) -> None:
    if state_dir is None:
        config, _error = _config(config_path)
        state_dir = state_dir_for(config.agent.journal_dir) if config else DEFAULT_STATE_DIR
    # `classroom enroll` of this install ($CLASSROOM_ENROLL replaces it in tests).
    enroll = None if os.environ.get("CLASSROOM_ENROLL") else [sys.executable, "-m", "kiosk", "enroll",
                                                             "--config", str(config_path)]
    outcome = first_boot(boot_file, state_dir=state_dir, nm_dir=nm_dir, enroll=enroll)
    # One line on the console and in journald (the unit sends stderr to both).
    click.echo(outcome.message, err=True)
    if outcome.ok:
        log.info("firstboot: %s", outcome.message)
    else:
        log.error("firstboot failed at %s: %s", outcome.step, outcome.message)
        sys.exit(2 if outcome.step == "read" else 1)


def _offered(config_path: Path) -> Release | None:
    import requests

    from sync.schema import API_PREFIX

    config, _error = _config(config_path)
    state_dir = state_dir_for(config.agent.journal_dir) if config else DEFAULT_STATE_DIR
    identity = load_identity(state_dir)
    if identity is None:
        raise click.ClickException(_("this Pi is not enrolled: run `classroom enroll` first"))
    url = f"{identity.server.rstrip('/')}{API_PREFIX}/pis/{identity.pi_id}/release"
    try:
        response = requests.get(url, headers={"Authorization": f"Bearer {identity.token}"}, timeout=(5, 30))
    except requests.RequestException as exc:
        raise click.ClickException(_("cannot reach the district: {error}").format(error=type(exc).__name__)) from None
    if response.status_code in (204, 404):
        return None
    response.raise_for_status()
    body = response.json()
    return Release(version=str(body["version"]), source=str(body["url"]), sha256=body.get("sha256"))


@click.command(help=_("Install the district's current release if one is due."))
@config_option
@click.option("--now", "now_", is_flag=True, help=_("Do not wait for the quiet hour."))
@click.option("--release", "release_source", default=None, help=_("Install this wheel or folder instead of asking the district."))
@click.option("--version", "release_version", default=None, help=_("The version of --release."))
@click.option("--health-timeout", "health_timeout_s", type=click.FloatRange(min=1), default=180.0, show_default=True,
              help=_("Seconds the new agent has to start and journal a heartbeat."))
def update(config_path: Path, now_: bool, release_source: str | None, release_version: str | None,
           health_timeout_s: float) -> None:
    config, error = _config(config_path)
    if config is None:
        raise click.ClickException(error or str(DEFAULT_CONFIG))
    clock = SystemClock()
    if not now_ and not (clock.is_synced() and is_quiet_hour(time.time(), tz=config.tz)):
        click.echo(_("not a quiet hour (or the clock is not synchronised): no update now"))
        return
    if release_source:
        release: Release | None = Release(version=release_version or Path(release_source).name, source=release_source)
    else:
        release = _offered(config_path)
    if release is None:
        click.echo(_("no release is due for this Pi"))
        return
    systemctl = shlex.split(os.environ.get("SYSTEMCTL", "systemctl"))
    python = os.environ.get("PYTHON", "/usr/bin/python3")
    pip_args = shlex.split(os.environ.get("PIP_ARGS", ""))
    # The agent runs in whichever unit is enabled: with the touchscreen or headless.
    kiosk = subprocess.run([*systemctl, "is-enabled", "--quiet", KIOSK_UNIT], check=False).returncode == 0
    updater = Updater(prefix=PREFIX, journal_dir=config.agent.journal_dir, tz=config.tz,
                      install=pip_installer(python, pip_args), systemctl=systemctl,
                      unit=KIOSK_UNIT if kiosk else AGENT_UNIT, health_timeout_s=health_timeout_s)
    result = updater.update(release)
    messages = {
        "current": _("already on {version}"),
        "skipped_bad": _("{version} failed its health check on this Pi before: skipped"),
        "updated": _("updated to {version}"),
        "rolled_back": _("{version} was not healthy: rolled back to {previous}"),
        "install_failed": _("installing {version} failed: still on {previous}"),
    }
    click.echo(messages[result.status].format(version=result.version, previous=result.previous))
    if result.status in ("rolled_back", "install_failed"):
        sys.exit(1)

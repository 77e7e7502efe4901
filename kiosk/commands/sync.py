"""``classroom enroll`` and ``classroom sync``: this Pi and the district server."""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from kiosk import __version__
from kiosk.clock import SystemClock
from kiosk.commands.common import DEFAULT_CONFIG, journal_option
from kiosk.config import load_config
from kiosk.errors import ConfigError, KioskError
from kiosk.i18n import _
from kiosk.identity import DEFAULT_STATE_DIR, Identity, load_identity, save_identity, state_dir_for
from kiosk.journal import Journal
from kiosk.sync_messages import explain
from kiosk.sync_round import client_for, sync_round
from sync.client import SyncClient, UploadResult, make_retry
from sync.errors import SyncError

config_option = click.option(
    "--config", "config_path", type=click.Path(path_type=Path, dir_okay=False), default=DEFAULT_CONFIG,
    show_default=True, help=_("Room configuration TOML file."))
state_option = click.option(
    "--state-dir", "state_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
    help=_("Folder for this Pi's identity and the cached district config (default: next to the journal)."))


def _journal_dir(config_path: Path, journal_dir: Path | None) -> Path | None:
    if journal_dir is not None:
        return journal_dir
    try:
        return load_config(config_path).agent.journal_dir
    except ConfigError:
        return None


def _state_dir(config_path: Path, journal_dir: Path | None, state_dir: Path | None) -> Path:
    if state_dir is not None:
        return state_dir
    found = _journal_dir(config_path, journal_dir)
    return state_dir_for(found) if found is not None else DEFAULT_STATE_DIR


class EnrolmentFailed(KioskError, ValueError):
    """Enrolment did not happen; the message says why in the user's language. ``param``: the option at fault."""

    def __init__(self, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


def enroll_pi(server: str, code: str, *, room: str | None, folder: Path, force: bool = False) -> tuple[Identity, Path, Identity | None]:
    """Exchange ``code`` for an identity at ``server`` and store it in ``folder`` (mode 0600).

    Returns the new identity, its file and the identity it replaced (``force``). Raises
    :class:`EnrolmentFailed` with one translated line (already enrolled, bad address,
    folder not writable, expired or used code, unreachable server, …). Used by
    ``classroom enroll`` and the touchscreen's IT mode.
    """
    existing = load_identity(folder)
    if existing is not None and not force:
        raise EnrolmentFailed(
            _("this Pi is already enrolled as {pi_id} (room {room}); use --force to enrol again").format(
                pi_id=existing.pi_id, room=existing.room))
    if not server.startswith(("http://", "https://")):
        raise EnrolmentFailed(_("expected an address starting with http:// or https://"), param="--server")
    try:  # a code is single-use: make sure the identity can be stored before spending it
        folder.mkdir(parents=True, exist_ok=True)
        writable = os.access(folder, os.W_OK)
    except OSError:
        writable = False
    if not writable:
        raise EnrolmentFailed(
            _("cannot write to {path}; run as root or choose another folder with --state-dir").format(path=folder))
    client = SyncClient(server, retry=make_retry(total=2, backoff_max_s=5.0), timeout_s=(5.0, 20.0))
    try:
        answer = client.enroll(code, room=room, hostname=socket.gethostname()[:64], version=__version__)
    except SyncError as exc:
        raise EnrolmentFailed(explain(exc, server=server, code=code)) from None
    finally:
        client.close()
    identity = Identity(server=server.rstrip("/"), pi_id=answer.pi_id, token=answer.token,
                        school=answer.school, room=answer.room, enrolled_at=time.time())
    return identity, save_identity(folder, identity), existing


@click.command(help=_("Enrol this Pi with the district server using a one-time code."))
@click.option("--server", required=True, help=_("The district server's address, e.g. https://so-gd.example.vn"))
@click.option("--code", required=True, help=_("The enrolment code from the district."))
@click.option("--room", default=None, help=_("Room code, when the code is for a whole school."))
@click.option("--force", is_flag=True, help=_("Enrol again even if this Pi already has an identity."))
@config_option
@journal_option
@state_option
def enroll(server: str, code: str, room: str | None, force: bool, config_path: Path,
           journal_dir: Path | None, state_dir: Path | None) -> None:
    folder = _state_dir(config_path, journal_dir, state_dir)
    try:
        identity, path, existing = enroll_pi(server, code, room=room, folder=folder, force=force)
    except EnrolmentFailed as exc:
        if exc.param:
            raise click.BadParameter(str(exc), param_hint=exc.param) from None
        raise click.ClickException(str(exc)) from None
    click.echo(_("Enrolled: Pi {pi_id} in room {room} of school {school}; identity saved in {path}").format(
        pi_id=identity.pi_id, room=identity.room, school=identity.school, path=path))
    if existing is not None and _reset_cursor(_journal_dir(config_path, journal_dir)):
        click.echo(_("the whole journal will be uploaded again under the new identity at the next sync"))


def _reset_cursor(journal_path: Path | None) -> bool:
    """Move the journal's sync cursor back to 0: it counted what the previous identity had acknowledged."""
    if journal_path is None or not journal_path.is_dir():
        return False
    journal = Journal.open(journal_path, tz=_default_tz(), clock=SystemClock(), readonly=True)
    try:
        if journal.cursor == 0:
            return False
        journal.set_cursor(0)
        return True
    finally:
        journal.close()


def _print_result(console: Console, upload: UploadResult | None, config_changed: bool) -> None:
    if upload is not None:
        console.print(_("{sent} events sent in {batches} batches ({stored} new, {duplicates} already there, "
                        "{kb:.1f} KB); {waiting} waiting").format(
            sent=upload.sent, batches=upload.batches, stored=upload.stored, duplicates=upload.duplicates,
            kb=upload.bytes_sent / 1024, waiting=upload.waiting))
        if upload.gaps:
            gaps = ", ".join(f"{a}-{b}" for a, b in upload.gaps)
            console.print(_("the server reports missing sequence ranges: {gaps}").format(gaps=gaps), style="bold red")
        if upload.rewound_to is not None:
            console.print(_("the server held only up to seq {seq}; the missing events were sent again").format(
                seq=upload.rewound_to), style="yellow")
        if upload.clock_skew_s is not None and abs(upload.clock_skew_s) > 60:
            console.print(_("this Pi's clock is {s:.0f} s off the server's").format(s=upload.clock_skew_s),
                          style="yellow")
    console.print(_("room configuration updated from the district") if config_changed
                  else _("room configuration unchanged"))


@click.command(help=_("Upload waiting events and fetch the room configuration, once, now."))
@config_option
@journal_option
@state_option
@click.option("--batch", "batch_events", type=click.IntRange(1, 1000), default=500, show_default=True,
              help=_("Events per batch."))
def sync(config_path: Path, journal_dir: Path | None, state_dir: Path | None, batch_events: int) -> None:
    folder = _state_dir(config_path, journal_dir, state_dir)
    identity = load_identity(folder)
    if identity is None:
        raise click.ClickException(
            _("this Pi is not enrolled (no identity in {path}); run: classroom enroll --server URL --code CODE").format(
                path=folder))
    journal_path = _journal_dir(config_path, journal_dir)
    if journal_path is None:
        raise click.ClickException(_("no journal folder: give --journal or a valid --config"))
    config = load_config(config_path) if config_path.is_file() else None
    clock = SystemClock()
    tz = config.tz if config is not None else None
    try:
        journal = Journal.open(journal_path, tz=tz or _default_tz(), clock=clock, readonly=True)
    except KioskError as exc:
        raise click.ClickException(str(exc)) from None
    client = client_for(identity)
    console = Console(stderr=True)
    waiting = max(0, journal.last_seq - journal.cursor)
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=console, disable=not console.is_terminal) as progress:
            task = progress.add_task(_("uploading events"), total=waiting or None)

            def advance(upload: UploadResult) -> None:
                progress.update(task, completed=max(0, upload.cursor_after - upload.cursor_before),
                                total=max(waiting, upload.cursor_after - upload.cursor_before + upload.waiting))

            result = sync_round(client, journal, clock, state_dir=folder, local_config=config_path,
                                batch_events=batch_events, on_progress=advance)
    finally:
        client.close()
        journal.close()
    out = Console()
    _print_result(out, result.upload, result.config_changed)
    if result.config_error:
        out.print(_("the district's configuration does not fit this Pi; kept the previous copy: {error}").format(
            error=result.config_error), style="bold red")
    if result.errors:
        raise click.ClickException(explain(result.errors[0], server=identity.server))


def _default_tz() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Ho_Chi_Minh")

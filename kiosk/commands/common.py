"""Shared pieces of the ``classroom`` commands: options, loading, translated labels, tables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from babel.numbers import format_decimal
from rich.console import Console
from rich.table import Table

from kiosk.config import RoomConfig, load_config
from kiosk.i18n import N_, _, language

DEFAULT_CONFIG = Path(os.environ.get("CLASSROOM_CONFIG", "/etc/classroom/room.toml"))

STATUS_LABELS = {
    "used": N_("used"),
    "not_used": N_("not used"),
    "no_data": N_("no data"),
    "exempt": N_("exempt"),
}
STATUS_STYLES = {"used": "green", "not_used": "red", "no_data": "yellow", "exempt": "cyan"}
KIND_LABELS = {
    "projector": N_("projector"),
    "document_camera": N_("document camera"),
    "interactive_board": N_("interactive board"),
    "audio": N_("audio"),
}

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=DEFAULT_CONFIG,
    show_default=True,
    help=_("Room configuration TOML file."),
)
journal_option = click.option(
    "--journal",
    "journal_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help=_("Journal folder (default: [agent] journal_dir of the config)."),
)


def load(config_path: Path) -> RoomConfig:
    """Load the room configuration or fail with its one-line message."""
    return load_config(config_path)


def journal_dir_of(config: RoomConfig, override: Path | None) -> Path:
    """The journal folder to use."""
    return override if override is not None else config.agent.journal_dir


def percent(value: float | None) -> str:
    """A share as a percentage in the user's locale, e.g. ``95,45 %``; a dash when undefined."""
    if value is None:
        return "—"
    return format_decimal(value * 100, format="0.##", locale=language()) + " %"


def print_report(report: Mapping[str, Any], *, console: Console | None = None, title: str = "") -> None:
    """The lesson table and the share against the target, in the user's language."""
    console = console or Console()
    table = Table(title=title or None, show_lines=False)
    table.add_column(_("Date"), no_wrap=True)
    table.add_column(_("Period"), justify="right")
    table.add_column(_("Class"), no_wrap=True)
    table.add_column(_("Subject"), min_width=10)
    table.add_column(_("Teacher"), min_width=14)
    table.add_column(_("Status"), no_wrap=True)
    table.add_column(_("Minutes"), justify="right")
    table.add_column(_("Coverage"), justify="right", no_wrap=True)
    for lesson in report["lessons"]:
        status = lesson["status"]
        table.add_row(
            lesson["date"],
            str(lesson["period"]),
            lesson.get("class") or "",
            lesson.get("subject") or "",
            lesson.get("teacher_name") or lesson.get("teacher") or "",
            f"[{STATUS_STYLES[status]}]{_(STATUS_LABELS[status])}[/]",
            f"{lesson.get('used_minutes', 0):.0f}",
            f"{lesson.get('coverage', 0) * 100:.0f} %",
        )
    console.print(table)
    s = report["summary"]
    verdict = _("meets the target") if s["meets_target"] else _("below the target")
    console.print(
        _("Used {used} · not used {not_used} · no data {no_data} · exempt {exempt}").format(**s)
    )
    console.print(
        _("Share {share} against target {target}: {verdict}").format(
            share=percent(s["share"]), target=percent(s["target"]), verdict=verdict
        ),
        style="bold green" if s["meets_target"] else "bold red",
    )

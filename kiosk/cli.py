"""``classroom``: the one command line of the classroom Pi.

Commands live in their own modules and are imported only when run, so a Pi without a
screen never imports Kivy and a broken optional part never breaks the others. Errors
reach the user as one translated line and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from kiosk.errors import KioskError
from kiosk.i18n import N_, _, set_language

# name -> "module:attribute" of a click command; each area owns its module.
COMMANDS: dict[str, str] = {
    "run": "kiosk.commands.run:run",
    "replay": "kiosk.commands.core:replay",
    "scenario": "kiosk.commands.core:scenario",
    "lessons": "kiosk.commands.core:lessons",
    "simulate": "kiosk.commands.core:simulate",
    "demo": "kiosk.commands.core:demo",
    "check-config": "kiosk.commands.core:check_config",
    "district-demo": "kiosk.commands.demo_district:district_demo",
    "enroll": "kiosk.commands.sync:enroll",
    "sync": "kiosk.commands.sync:sync",
    "calibrate": "kiosk.commands.sensors:calibrate",
    "sensors": "kiosk.commands.sensors:sensors",
    "ui": "kiosk.commands.ui:ui",
    "ui-screenshots": "kiosk.commands.ui:ui_screenshots",
    "doctor": "kiosk.commands.doctor:doctor",
    "firstboot": "kiosk.commands.doctor:firstboot",
    "update": "kiosk.commands.doctor:update",
}

HELP = {
    "run": N_("Run the live agent (sources → detector → journal)."),
    "replay": N_("Feed a readings CSV through the detector into the journal at full speed."),
    "scenario": N_("Run scenario folders through the core (or the district)."),
    "lessons": N_("Print the local lesson report from the journal."),
    "simulate": N_("Generate a realistic week of readings for a room."),
    "demo": N_("Simulate a week, replay it into a journal and print the verdicts."),
    "check-config": N_("Validate a room configuration file."),
    "district-demo": N_("Start a demo district server fed by simulated Pis; serve until Ctrl-C."),
    "enroll": N_("Enrol this Pi with the district server."),
    "sync": N_("Upload waiting events and fetch the room configuration."),
    "calibrate": N_("Measure standby and on current of each device."),
    "sensors": N_("Show live per-channel readings for wiring checks."),
    "ui": N_("Open the touchscreen kiosk."),
    "ui-screenshots": N_("Write screenshots of every kiosk screen."),
    "doctor": N_("Check this Pi and say how to fix what is wrong."),
    "firstboot": N_("Configure this Pi from the boot partition's file."),
    "update": N_("Install the district's current release if one is due."),
}


class LazyGroup(click.Group):
    """A click group that imports each command's module only when it runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            missing = exc.name or module_name
            return _unavailable(cmd_name, missing)
        command: click.Command = getattr(module, attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, _(HELP.get(name, ""))) for name in self.list_commands(ctx)]
        with formatter.section(_("Commands")):
            formatter.write_dl(rows)


def _unavailable(name: str, missing: str) -> click.Command:
    @click.command(name=name, context_settings={"ignore_unknown_options": True})
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def command(args: tuple[str, ...]) -> None:
        raise click.ClickException(
            _("`{name}` is not available on this install (missing: {missing}); "
              "install the matching extra, e.g. pip install 'classroom-it-log[pi,kiosk]'").format(
                name=name, missing=missing
            )
        )

    return command


@click.group(cls=LazyGroup, help=_("The classroom IT-equipment usage log on this Pi."))
@click.option("--lang", type=click.Choice(["vi", "en"]), default=None, help="vi | en")
@click.option("-v", "--verbose", count=True, help=_("More log output (-vv for debug)."))
@click.version_option(package_name="classroom-it-log")
def cli(lang: str | None, verbose: int) -> None:
    if lang:
        set_language(lang)
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def main(argv: list[str] | None = None) -> Any:
    """Entry point: run the CLI; turn our errors into one line on stderr and exit 2."""
    try:
        return cli.main(args=argv, prog_name="classroom", standalone_mode=True)
    except KioskError as exc:
        click.echo(_("error: {message}").format(message=exc), err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)

"""``classroom ui`` (the kiosk on a room) and ``classroom ui-screenshots DIR``."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import click

from kiosk.commands.common import config_option, journal_dir_of, journal_option, load
from kiosk.i18n import _

SIZES = ("800x480", "1280x800")


@click.command(help=_("Open the touchscreen kiosk on a room (without sensors: no live readings)."))
@config_option
@journal_option
@click.option("--demo", is_flag=True, help=_("Load a simulated month of the demo room first."))
def ui(config_path: Path, journal_dir: Path | None, demo: bool) -> None:
    from kiosk.agent import Agent
    from kiosk.clock import SystemClock
    from kiosk.journal import Journal

    config = load(config_path)
    stop = threading.Event()
    if demo:
        from kiosk.ui.demo import month_agent

        workdir = Path(tempfile.mkdtemp(prefix="kiosk-demo-"))
        now = dt.datetime.now(config.tz)
        if now.weekday() > 4:
            now -= dt.timedelta(days=now.weekday() - 4)
        click.echo(_("Simulating a month of {room} …").format(room=config.room.name))
        agent = month_agent(config, workdir, now=now)
        clock = agent.clock

        def follow() -> None:  # the demo's clock then runs with real time
            while not stop.wait(1.0):
                clock.advance(time.time())  # type: ignore[attr-defined]

        threading.Thread(target=follow, name="demo-clock", daemon=True).start()
    else:
        clock = SystemClock()
        journal = Journal.open(journal_dir_of(config, journal_dir), tz=config.tz, clock=clock)
        agent = Agent(config, journal, clock)
        agent.start()
    from kiosk.ui.app import run_app

    try:
        run_app(agent, stop, None if demo else config_path)  # a demo never rewrites its room file
    finally:
        stop.set()
        agent.journal.close()


@click.command("ui-screenshots", help=_("Write screenshots of every kiosk screen (800×480 and 1280×800, vi and en)."))
@click.argument("out_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--size", "sizes", multiple=True, default=SIZES, show_default=True, help="WIDTHxHEIGHT")
def ui_screenshots(out_dir: Path, sizes: tuple[str, ...]) -> None:
    from kiosk.ui.xvfb import virtual_display

    out_dir.mkdir(parents=True, exist_ok=True)
    for size in sizes:
        width, height = (int(v) for v in size.split("x"))
        with virtual_display(width, height) as display:
            env = {**os.environ, "DISPLAY": display, "CLASSROOM_UI_SIZE": size,
                   "KIVY_HOME": tempfile.mkdtemp(prefix="kivy-home-")}
            result = subprocess.run([sys.executable, "-m", "kiosk.ui.screenshots", str(out_dir)], env=env,
                                    check=False)
        if result.returncode != 0:
            raise click.ClickException(_("screenshots at {size} failed (exit {code})").format(
                size=size, code=result.returncode))
    shots = sorted(out_dir.glob("*.png"))
    click.echo(_("{n} screenshots written to {path}").format(n=len(shots), path=out_dir))

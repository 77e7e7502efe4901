"""``classroom district-demo``: a demo district served on loopback, fed through the real enrol + sync path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from kiosk.commands.common import percent
from kiosk.demo_district import DEMO_ROOMS, RoomFeed, build_demo_district
from kiosk.district_server import DistrictServer
from kiosk.i18n import _


def _score_table(report: dict) -> Table:
    table = Table(title=_("Room scores from the district ({first} – {last})").format(
        first=report["from"], last=report["to"]))
    table.add_column(_("School"), min_width=12)
    table.add_column(_("Room"), no_wrap=True)
    for header in (_("Used"), _("Not used"), _("No data"), _("Exempt")):
        table.add_column(header, justify="right")
    for header in (_("Share"), _("Target")):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column(_("Verdict"))
    for room in report["rooms"]:
        s = room["summary"]
        verdict = f"[green]{_('met')}[/]" if s["meets_target"] else f"[red]{_('below')}[/]"
        table.add_row(room["school"], room["room"], str(s["used"]), str(s["not_used"]),
                      str(s["no_data"]), str(s["exempt"]), percent(s["share"]), percent(s["target"]), verdict)
    return table


@click.command("district-demo", help=_("Start a demo district server fed by simulated weeks through enrol + sync; serve until Ctrl-C."))
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help=_("Port on 127.0.0.1 (0: any free port)."))
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("var/demo-district"), show_default=True, help=_("Folder for the database and the Pis' journals."))
@click.option("--weeks", type=click.IntRange(1, 8), default=1, show_default=True,
              help=_("Simulated school weeks per room."))
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--serve/--no-serve", default=True, help=_("Keep serving until Ctrl-C (default) or stop after the scores."))
def district_demo(port: int, out_dir: Path, weeks: int, seed: int, serve: bool) -> None:
    console = Console()
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    started = time.monotonic()
    server = DistrictServer(f"sqlite:///{(out_dir / 'district.db').resolve()}", port=port or None,
                            log_path=out_dir / "server.log")
    server.start()
    try:
        console.print(_("District server at {url} (database {db})").format(url=server.url, db=out_dir / "district.db"))
        schools = len({r.school_code for r in DEMO_ROOMS})

        def fed(feed: RoomFeed) -> None:
            console.print(_("  {school}/{room}: Pi {pi} enrolled, {events} events uploaded in {batches} batches "
                            "({kb:.1f} KB)").format(school=feed.room.school_code, room=feed.room.room_code,
                                                    pi=feed.pi_id, events=feed.events, batches=feed.batches,
                                                    kb=feed.bytes_sent / 1024))

        console.print(_("Feeding {rooms} rooms of {schools} schools with {weeks} simulated week(s) each…").format(
            rooms=len(DEMO_ROOMS), schools=schools, weeks=weeks))
        feeds, report = build_demo_district(server, out_dir, weeks=weeks, seed=seed, on_room=fed)
        # what the server's 10-minute timer does: room-month summaries for the dashboard, alerts
        job = subprocess.run([sys.executable, "-m", "district.alerts", "evaluate"], capture_output=True, text=True,
                             env={**os.environ, "DISTRICT_DATABASE_URL": server.database_url}, timeout=600)
        if job.returncode != 0:
            console.print(_("the dashboard summaries could not be computed: {error}").format(
                error=job.stderr.strip()[-500:]), style="red")
        console.print(_score_table(report))
        totals = report["totals"]
        console.print(_("District: {met} of {rooms} rooms meet their target; {used} of {lessons} lessons used IT equipment.").format(
            met=report["rooms_meeting_target"], rooms=len(report["rooms"]), used=totals["used"],
            lessons=totals["lessons"]))
        console.print(_("Took {s:.1f} s.").format(s=time.monotonic() - started))
        console.print(_("Dashboard: {url}/web/ — log in as {user} / {password} (district admin).").format(
            url=server.url, user=server.admin_user, password=server.admin_password), style="bold")
        console.print(_("API: {url}/docs (OpenAPI at {url}/openapi.json).").format(url=server.url))
        if serve:
            console.print(_("Serving until Ctrl-C."))
            try:
                while server.proc is not None and server.proc.poll() is None:
                    time.sleep(0.5)
            except KeyboardInterrupt:
                console.print(_("Stopping."))
    finally:
        server.stop()

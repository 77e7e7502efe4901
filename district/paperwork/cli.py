"""``district export-paperwork …`` (once wired into the ``district`` CLI) or ``python -m district.paperwork …``.

    python -m district.paperwork usage-log --school TH-NGOCLAM --room P101 --month 2026-11 --format pdf -o log.pdf
    python -m district.paperwork school-summary --school TH-NGOCLAM --month 2026-11 --format xlsx -o summary.xlsx
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from district.db import make_engine, make_sessionmaker, transaction
from district.errors import DistrictError
from district.paperwork.build import room_documents, school_document
from district.paperwork.pdf import render_pdf
from district.paperwork.xlsx import render_xlsx
from district.settings import get_settings
from district.web import data
from district.web.settings import get_web_settings


@click.command("export-paperwork")
@click.argument("kind", type=click.Choice(["usage-log", "school-summary"]))
@click.option("--school", required=True, help="school code")
@click.option("--room", help="room code (usage-log)")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "pdf"]), default="pdf", show_default=True)
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True, help="labels; the header stays Vietnamese")
@click.option("--database-url", envvar="DISTRICT_DATABASE_URL", default=None)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.pass_context
def export_paperwork(ctx: click.Context, kind: str, school: str, room: str | None, month: str, fmt: str, lang: str,
                     database_url: str | None, output: Path) -> None:
    """Write a room's usage log and monthly evaluation, or a school's self-assessment summary (XLSX or A4 PDF)."""
    env = ctx.obj
    url = database_url or (env.settings.database_url if env is not None and hasattr(env, "settings") else get_settings().database_url)
    try:
        data.month_bounds(month)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if kind == "usage-log" and not room:
        raise click.UsageError("usage-log needs --room")
    sessions = make_sessionmaker(make_engine(url))
    office = get_web_settings().office_name
    try:
        with transaction(sessions) as session:
            if kind == "usage-log":
                doc = room_documents(session, school_code=school, room_code=room or "", month=month, now=time.time(), office=office, lang=lang)
            else:
                doc = school_document(session, school_code=school, month=month, now=time.time(), office=office, lang=lang)
    except DistrictError as exc:
        raise click.ClickException(str(exc)) from None
    output.write_bytes(render_xlsx(doc) if fmt == "xlsx" else render_pdf(doc))
    click.echo(f"{output} ({doc.title})")

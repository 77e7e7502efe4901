"""The ``district`` command: serve, migrate, manage schools, users and codes, report, export.

Every error is one line on stderr (exit status 1), never a traceback.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from district import migrate as migrations
from district.auth import service as auth
from district.db import make_engine, make_sessionmaker, transaction
from district.errors import BadInput, DistrictError
from district.exports import service as exports
from district.i18n import _, set_language
from district.org import csv_import
from district.org import service as org
from district.pis import service as pis
from district.scoring import service as scoring
from district.settings import Settings, get_settings

F = TypeVar("F", bound=Callable[..., Any])


def N_(message: str) -> str:  # noqa: N802  (the gettext marker name)
    """Mark ``message`` for the catalogue without translating it now."""
    return message


WHY = {"not_used": N_("devices not used"), "no_data": N_("no data"), None: N_("no lessons")}


def _fail(message: str) -> None:
    prefix = _("error")
    click.echo(f"{prefix}: {message}", err=True)
    sys.exit(1)


def one_line_errors(func: F) -> F:
    """Turn every expected failure into one line on stderr and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DistrictError as exc:
            _fail(exc.message)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            _fail(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}")
        except SQLAlchemyError as exc:
            _fail(_("database error: {error}").format(error=str(exc).splitlines()[0]))
        except (OSError, ValueError) as exc:
            _fail(str(exc))
        return None

    return wrapper  # type: ignore[return-value]


class Env:
    """Settings and a session factory for one command."""

    def __init__(self, database_url: str | None) -> None:
        overrides = {"database_url": database_url} if database_url else {}
        self.settings: Settings = get_settings(**overrides)
        self._sessions: Any = None

    def tx(self) -> Any:
        if self._sessions is None:
            self._sessions = make_sessionmaker(make_engine(self.settings.database_url))
        return transaction(self._sessions)


pass_env = click.make_pass_decorator(Env)


@click.group()
@click.option("--database-url", envvar="DISTRICT_DATABASE_URL", help="SQLAlchemy URL (default: sqlite:///district.db)")
@click.option("--lang", type=click.Choice(["vi", "en"]), envvar="DISTRICT_LANG", default="vi", show_default=True)
@click.pass_context
def main(ctx: click.Context, database_url: str | None, lang: str) -> None:
    """District server for classroom IT-equipment use."""
    set_language(lang)
    try:
        ctx.obj = Env(database_url)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        _fail(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}")


@main.command()
@pass_env
@one_line_errors
def migrate(env: Env) -> None:
    """Migrate the database to the newest schema."""
    migrations.upgrade(env.settings.database_url)
    click.echo(_("database is at the newest schema"))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@pass_env
@one_line_errors
def serve(env: Env, host: str, port: int, workers: int) -> None:
    """Migrate, then serve the API with uvicorn (several worker processes with --workers)."""
    import os

    import uvicorn

    migrations.upgrade(env.settings.database_url)
    os.environ["DISTRICT_DATABASE_URL"] = env.settings.database_url
    click.echo(_("serving on http://{host}:{port} (API docs at /docs)").format(host=host, port=port))
    uvicorn.run("district.app:app_factory", factory=True, host=host, port=port, workers=workers, log_level="info")


@main.command("create-school")
@click.option("--code", required=True)
@click.option("--name", required=True)
@click.option("--level", type=click.Choice(["MN", "TH", "THCS"]), required=True)
@click.option("--model", type=click.Choice(["full", "partial"]), default="full", show_default=True)
@click.option("--timezone", default="Asia/Ho_Chi_Minh", show_default=True)
@pass_env
@one_line_errors
def create_school(env: Env, code: str, name: str, level: str, model: str, timezone: str) -> None:
    """Create a school."""
    with env.tx() as session:
        org.create_school(session=session, code=code, name=name, level=level, model=model, timezone=timezone)
    click.echo(_("school {code} created").format(code=code))


@main.command("create-room")
@click.option("--school", required=True)
@click.option("--code", required=True)
@click.option("--name", required=True)
@click.option("--type", "room_type", default="regular_classroom", show_default=True)
@click.option("--devices", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="JSON list of devices")
@pass_env
@one_line_errors
def create_room(env: Env, school: str, code: str, name: str, room_type: str, devices: Path | None) -> None:
    """Create a room (devices from a JSON file: kind, channel, standby_amps, on_amps)."""
    device_list = json.loads(devices.read_text(encoding="utf-8")) if devices else []
    with env.tx() as session:
        row = org.get_school(session=session, code=school)
        org.create_room(session=session, school=row, code=code, name=name, type=room_type, devices=device_list)
    click.echo(_("room {code} created").format(code=code))


@main.command("create-user")
@click.option("--username", required=True)
@click.option("--role", type=click.Choice(["admin", "staff", "analyst"]), required=True)
@click.option("--school", help="the school of a staff account")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, envvar="DISTRICT_NEW_PASSWORD")
@pass_env
@one_line_errors
def create_user(env: Env, username: str, role: str, school: str | None, password: str) -> None:
    """Create a user (the first admin too)."""
    with env.tx() as session:
        school_id = org.get_school(session=session, code=school).id if school else None
        auth.create_user(session=session, username=username, password=password, role=role, school_id=school_id)
    click.echo(_("user {name} created").format(name=username))


@main.command("enrollment-code")
@click.option("--school", required=True)
@click.option("--room", help="bind the code to one room")
@click.option("--hours", default=168.0, show_default=True, type=click.FloatRange(0.1, 2160))
@pass_env
@one_line_errors
def enrollment_code(env: Env, school: str, room: str | None, hours: float) -> None:
    """Print a new single-use enrolment code."""
    with env.tx() as session:
        row = org.get_school(session=session, code=school)
        room_row = org.get_room(session=session, school=row, code=room) if room else None
        code_row, code = pis.create_code(session=session, school=row, room=room_row, now=time.time(), ttl_s=hours * 3600)
    click.echo(code)
    click.echo(_("valid until {when}").format(when=dt.datetime.fromtimestamp(code_row.expires_at).isoformat(timespec="minutes")), err=True)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(_("{path}: not UTF-8 text").format(path=path)) from None


@main.command("import-timetable")
@click.option("--school", required=True)
@click.option("--bells", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="CSV period,start,end")
@click.option("--teachers", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="CSV id,name,card")
@click.option("--timetable", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="CSV room,weekday,period,class,subject,teacher")
@pass_env
@one_line_errors
def import_timetable(env: Env, school: str, bells: Path | None, teachers: Path | None, timetable: Path | None) -> None:
    """Import bells, teachers and timetable from CSV files; all or nothing."""
    from district.api.routes.admin import import_timetable_text

    with env.tx() as session:
        row = org.get_school(session=session, code=school)
        for path, what in ((bells, "bells"), (teachers, "teachers"), (timetable, "timetable")):
            if path is None:
                continue
            try:
                if what == "bells":
                    org.set_bells(session=session, school=row, bells=csv_import.parse_bells(_read(path)))
                elif what == "teachers":
                    org.set_teachers(session=session, school=row, teachers=csv_import.parse_teachers(_read(path)))
                else:
                    n = import_timetable_text(session=session, school=row, text=_read(path))
                    click.echo(_("{n} timetable rows imported").format(n=n))
            except DistrictError as exc:
                exc.message = f"{path}: {exc.message}"
                raise
    click.echo(_("import done"))


def _range(month: str | None, first: str | None, last: str | None) -> tuple[dt.date, dt.date]:
    try:
        f = dt.date.fromisoformat(first) if first else None
        t = dt.date.fromisoformat(last) if last else None
    except ValueError:
        raise ValueError(_("dates must be YYYY-MM-DD")) from None
    return scoring.date_range(month=month, first=f, last=t)


def _schools(session: Any, school: str | None) -> list[Any]:
    return [org.get_school(session=session, code=school)] if school else org.list_schools(session=session)


@main.command()
@click.option("--school", help="school code (default: the whole district)")
@click.option("--room")
@click.option("--month", help="YYYY-MM")
@click.option("--from", "first", help="YYYY-MM-DD")
@click.option("--to", "last", help="YYYY-MM-DD")
@click.option("--json", "as_json", is_flag=True, help="the same JSON as GET /api/v1/reports")
@pass_env
@one_line_errors
def report(env: Env, school: str | None, room: str | None, month: str | None, first: str | None, last: str | None, as_json: bool) -> None:
    """Scores of a room, school or the district for a month or date range."""
    first_date, last_date = _range(month, first, last)
    with env.tx() as session:
        if room is not None:
            if school is None:
                raise ValueError(_("a room filter needs a school"))
            org.get_room(session=session, school=org.get_school(session=session, code=school), code=room)
        result = scoring.report(session=session, schools=_schools(session, school), first=first_date, last=last_date,
                                lookback_s=env.settings.lookback_s, now=time.time(), room_code=room, include_lessons=as_json)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    click.echo(_("{first} to {last}").format(first=result["from"], last=result["to"]))
    for r in result["rooms"]:
        s = r["summary"]
        share = "-" if s["share"] is None else f"{s['share'] * 100:.1f} %"
        verdict = _("meets target") if s["meets_target"] else _("below target") + f" ({_(WHY[r['below_target_reason']])})"
        click.echo(f"{r['school']}/{r['room']}: {share} / {s['target'] * 100:.0f} % — {verdict}; "
                   + _("used {used}, not used {not_used}, no data {no_data}, exempt {exempt}").format(**s))
    for f in result["freshness"]:
        click.echo(_("Pi {pi} ({school}/{room}): last sync {since}, gaps {gaps}, clock skew {skew}").format(
            pi=f["pi"], school=f["school"], room=f["room"],
            since="-" if f["last_sync_at"] is None else dt.datetime.fromtimestamp(f["last_sync_at"]).isoformat(timespec="minutes"),
            gaps=f["gaps"], skew="-" if f["clock_skew_s"] is None else f"{f['clock_skew_s']:.1f} s"))


PAPERWORK_KINDS = ("usage-log", "school-summary")


@main.command()
@click.argument("kind", type=click.Choice([*exports.KINDS, *PAPERWORK_KINDS]))
@click.option("--school")
@click.option("--room")
@click.option("--month")
@click.option("--from", "first")
@click.option("--to", "last")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "pdf"]), default=None,
              help="csv | xlsx for data (default csv); xlsx | pdf for paperwork (default pdf)")
@click.option("--headers", "header_lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True)
@pass_env
@one_line_errors
def export(env: Env, kind: str, school: str | None, room: str | None, month: str | None, first: str | None,
           last: str | None, fmt: str | None, header_lang: str, output: Path) -> None:
    """Export lessons, device intervals or room-month summaries (CSV, XLSX), or the paperwork:
    a room's usage log and monthly evaluation, a school's self-assessment summary (XLSX, A4 PDF)."""
    if kind in PAPERWORK_KINDS:
        _export_paperwork(env, kind, school, room, month, fmt or "pdf", header_lang, output)
        return
    if fmt == "pdf":
        raise BadInput(_("{kind} is exported as csv or xlsx").format(kind=kind))
    fmt = fmt or "csv"
    first_date, last_date = _range(month, first, last)
    with env.tx() as session:
        scores = scoring.score_rooms(session=session, schools=_schools(session, school), first=first_date, last=last_date,
                                     lookback_s=env.settings.lookback_s, until_at=time.time(), room_code=room)
    data = exports.rows(kind, scores)
    output.write_bytes(exports.to_csv(kind, data, header_lang) if fmt == "csv" else exports.to_xlsx(kind, data, header_lang))
    click.echo(_("{n} rows written to {path}").format(n=len(data), path=output))


def _export_paperwork(env: Env, kind: str, school: str | None, room: str | None, month: str | None, fmt: str,
                      lang: str, output: Path) -> None:
    from district.paperwork.build import room_documents, school_document
    from district.paperwork.pdf import render_pdf
    from district.paperwork.xlsx import render_xlsx
    from district.web.settings import get_web_settings

    if fmt == "csv":
        raise BadInput(_("the paperwork is exported as xlsx or pdf"))
    if not school or not month:
        raise BadInput(_("the paperwork needs --school and --month"))
    if kind == "usage-log" and not room:
        raise BadInput(_("the usage log needs --room"))
    scoring.month_bounds(month)
    office = get_web_settings().office_name
    with env.tx() as session:
        if kind == "usage-log":
            doc = room_documents(session, school_code=school, room_code=room or "", month=month, now=time.time(),
                                 office=office, lang=lang)
        else:
            doc = school_document(session, school_code=school, month=month, now=time.time(), office=office, lang=lang)
    output.write_bytes(render_xlsx(doc) if fmt == "xlsx" else render_pdf(doc))
    click.echo(_("{title} written to {path}").format(title=doc.title, path=output))


if __name__ == "__main__":  # pragma: no cover
    main()

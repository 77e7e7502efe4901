"""Schools, rooms, configuration imports, holidays, enrolment codes, Pis (people's side)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session

from district import models
from district.api.deps import Ctx, CurrentUser
from district.api.errors import ERROR_SCHEMA
from district.api.schemas import (
    BellsIn,
    CodeIn,
    CodeOut,
    DevicesIn,
    HolidayIn,
    ImportOut,
    MoveIn,
    PolicyIn,
    RoomIn,
    RoomOut,
    SchoolIn,
    SchoolOut,
    TeachersIn,
    TimetableIn,
)
from district.auth.service import Principal
from district.errors import BadInput, TooLarge
from district.i18n import _
from district.org import csv_import
from district.org import service as org
from district.pis import service as pis
from district.scoring import service as scoring

router = APIRouter(tags=["admin"])
SchoolCode = Annotated[str, Path(min_length=1, max_length=40)]
RoomCode = Annotated[str, Path(min_length=1, max_length=40)]
PiId = Annotated[str, Path(min_length=1, max_length=64)]
MAX_CSV_BYTES = 1_000_000
CSV_BODY = {
    "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}},
    "responses": {"422": {"description": "a bad row, named by line", "content": {"application/json": {"schema": ERROR_SCHEMA}}}},
}


def _school_out(school: models.School) -> SchoolOut:
    return SchoolOut(code=school.code, name=school.name, level=school.level, model=school.model, timezone=school.timezone, policy=school.policy or {})


def _room_out(school: models.School, room: models.Room) -> RoomOut:
    return RoomOut(school=school.code, code=room.code, name=room.name, type=room.type, devices=list(room.devices or []))


def readable_school(session: Session, user: Principal, code: str) -> models.School:
    """A school the user may read (403 for another school's staff)."""
    school = org.get_school(session=session, code=code)
    user.require_read_school(school.id)
    return school


def manageable_school(session: Session, user: Principal, code: str) -> models.School:
    """A school the user may change (admin, or its own staff)."""
    school = org.get_school(session=session, code=code)
    user.require_manage_school(school.id)
    return school


async def read_csv(request: Request) -> str:
    """The request body as UTF-8 text, capped."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_CSV_BYTES:
            raise TooLarge(_("CSV file larger than {limit} bytes").format(limit=MAX_CSV_BYTES))
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(_("CSV file is not UTF-8 text"), code="bad_csv") from None


@router.get("/schools", response_model=list[SchoolOut])
def list_schools(ctx: Ctx, user: CurrentUser) -> list[SchoolOut]:
    """Schools the caller may read."""
    with ctx.tx() as session:
        only = user.school_id if user.role == "staff" else None
        if user.role == "staff" and only is None:
            return []
        return [_school_out(s) for s in org.list_schools(session=session, school_id=only)]


@router.post("/schools", response_model=SchoolOut, status_code=201)
def create_school(body: SchoolIn, ctx: Ctx, user: CurrentUser) -> SchoolOut:
    """Create a school (district admin)."""
    user.require_admin()
    with ctx.tx() as session:
        return _school_out(org.create_school(session=session, code=body.code, name=body.name, level=body.level, model=body.model, timezone=body.timezone))


@router.get("/schools/{school}", response_model=SchoolOut)
def get_school(school: SchoolCode, ctx: Ctx, user: CurrentUser) -> SchoolOut:
    """One school."""
    with ctx.tx() as session:
        return _school_out(readable_school(session, user, school))


@router.put("/schools/{school}/policy", response_model=SchoolOut)
def set_policy(school: SchoolCode, body: PolicyIn, ctx: Ctx, user: CurrentUser) -> SchoolOut:
    """Set the school's model (preset) and target overrides (district admin)."""
    user.require_admin()
    with ctx.tx() as session:
        row = org.get_school(session=session, code=school)
        policy = body.model_dump(exclude={"model"}, exclude_none=True)
        policy["targets"] = {str(k): float(v) for k, v in body.targets.items()}
        org.set_policy(session=session, school=row, policy=policy, model=body.model)
        return _school_out(row)


@router.get("/schools/{school}/rooms", response_model=list[RoomOut])
def list_rooms(school: SchoolCode, ctx: Ctx, user: CurrentUser) -> list[RoomOut]:
    """Rooms of a school."""
    with ctx.tx() as session:
        row = readable_school(session, user, school)
        return [_room_out(row, r) for r in org.list_rooms(session=session, school_ids=[row.id])]


@router.post("/schools/{school}/rooms", response_model=RoomOut, status_code=201)
def create_room(school: SchoolCode, body: RoomIn, ctx: Ctx, user: CurrentUser) -> RoomOut:
    """Create a room with its devices (district admin)."""
    user.require_admin()
    with ctx.tx() as session:
        row = org.get_school(session=session, code=school)
        room = org.create_room(session=session, school=row, code=body.code, name=body.name, type=body.type, devices=[d.model_dump(exclude_unset=True) for d in body.devices])
        return _room_out(row, room)


@router.put("/schools/{school}/rooms/{room}/devices", response_model=RoomOut)
def set_devices(school: SchoolCode, room: RoomCode, body: DevicesIn, ctx: Ctx, user: CurrentUser) -> RoomOut:
    """Replace a room's devices (admin or the school's staff)."""
    with ctx.tx() as session:
        row = manageable_school(session, user, school)
        r = org.get_room(session=session, school=row, code=room)
        org.set_devices(session=session, room=r, devices=[d.model_dump(exclude_unset=True) for d in body.devices])
        return _room_out(row, r)


@router.get("/schools/{school}/rooms/{room}/config")
def room_config(school: SchoolCode, room: RoomCode, ctx: Ctx, user: CurrentUser) -> dict[str, Any]:
    """The configuration the room's Pi downloads."""
    with ctx.tx() as session:
        row = readable_school(session, user, school)
        return org.room_config(session=session, room=org.get_room(session=session, school=row, code=room))


@router.put("/schools/{school}/bells", response_model=ImportOut)
def put_bells(school: SchoolCode, body: BellsIn, ctx: Ctx, user: CurrentUser) -> ImportOut:
    """Replace the bell schedule (JSON)."""
    text = "period,start,end\n" + "".join(f"{b.period},{b.start},{b.end}\n" for b in body.bells)
    rows = csv_import.parse_bells(text)
    with ctx.tx() as session:
        org.set_bells(session=session, school=manageable_school(session, user, school), bells=rows)
    return ImportOut(rows=len(rows))


@router.post("/schools/{school}/bells.csv", response_model=ImportOut, openapi_extra=CSV_BODY)
async def import_bells(school: SchoolCode, request: Request, ctx: Ctx, user: CurrentUser) -> ImportOut:
    """Replace the bell schedule from CSV ``period,start,end``."""
    rows = csv_import.parse_bells(await read_csv(request))
    with ctx.tx() as session:
        org.set_bells(session=session, school=manageable_school(session, user, school), bells=rows)
    return ImportOut(rows=len(rows))


@router.put("/schools/{school}/teachers", response_model=ImportOut)
def put_teachers(school: SchoolCode, body: TeachersIn, ctx: Ctx, user: CurrentUser) -> ImportOut:
    """Replace the teachers (JSON)."""
    ids = [t.id for t in body.teachers]
    if len(set(ids)) != len(ids):
        raise BadInput(_("a teacher id appears twice"))
    with ctx.tx() as session:
        org.set_teachers(session=session, school=manageable_school(session, user, school), teachers=[(t.id, t.name, t.card) for t in body.teachers])
    return ImportOut(rows=len(ids))


@router.post("/schools/{school}/teachers.csv", response_model=ImportOut, openapi_extra=CSV_BODY)
async def import_teachers(school: SchoolCode, request: Request, ctx: Ctx, user: CurrentUser) -> ImportOut:
    """Replace the teachers from CSV ``id,name,card``."""
    rows = csv_import.parse_teachers(await read_csv(request))
    with ctx.tx() as session:
        org.set_teachers(session=session, school=manageable_school(session, user, school), teachers=rows)
    return ImportOut(rows=len(rows))


@router.put("/schools/{school}/rooms/{room}/timetable", response_model=ImportOut)
def put_timetable(school: SchoolCode, room: RoomCode, body: TimetableIn, ctx: Ctx, user: CurrentUser) -> ImportOut:
    """Replace one room's weekly timetable (JSON)."""
    with ctx.tx() as session:
        row = manageable_school(session, user, school)
        r = org.get_room(session=session, school=row, code=room)
        entries = [e.model_dump(by_alias=True) for e in body.lessons]
        org.set_timetable(session=session, room=r, entries=entries)
    return ImportOut(rows=len(entries))


def import_timetable_text(*, session: Session, school: models.School, text: str) -> int:
    """Replace the timetables of every room the CSV names; all or nothing. Returns rows stored."""
    periods = {b.period for b in session.query(models.BellPeriod).filter_by(school_id=school.id)}
    teachers = {t.code for t in session.query(models.Teacher).filter_by(school_id=school.id)}
    rows = csv_import.parse_timetable(text, periods=periods or None, teachers=teachers or None)
    by_room: dict[str, list[dict[str, Any]]] = {}
    for line, room_code, entry in rows:
        if org.get_room_or_none(session=session, school=school, code=room_code) is None:
            raise BadInput(_("line {line}: column room: no room {room!r} in this school").format(line=line, room=room_code), code="bad_csv", line=line)
        by_room.setdefault(room_code, []).append(entry)
    for room_code, entries in by_room.items():
        org.set_timetable(session=session, room=org.get_room(session=session, school=school, code=room_code), entries=entries)
    return len(rows)


@router.post("/schools/{school}/timetable.csv", response_model=ImportOut, openapi_extra=CSV_BODY)
async def import_timetable(school: SchoolCode, request: Request, ctx: Ctx, user: CurrentUser) -> ImportOut:
    """Replace the timetables of the rooms named in CSV ``room,weekday,period,class,subject,teacher``."""
    text = await read_csv(request)
    with ctx.tx() as session:
        return ImportOut(rows=import_timetable_text(session=session, school=manageable_school(session, user, school), text=text))


@router.post("/holidays", response_model=ImportOut, status_code=201)
def district_holiday(body: HolidayIn, ctx: Ctx, user: CurrentUser) -> ImportOut:
    """A district-wide holiday (district admin)."""
    user.require_admin()
    with ctx.tx() as session:
        org.add_holiday(session=session, date=body.date, name=body.name)
    return ImportOut(rows=1)


@router.post("/schools/{school}/holidays", response_model=ImportOut, status_code=201)
def school_holiday(school: SchoolCode, body: HolidayIn, ctx: Ctx, user: CurrentUser) -> ImportOut:
    """A holiday of one school (admin or the school's staff)."""
    with ctx.tx() as session:
        org.add_holiday(session=session, date=body.date, name=body.name, school=manageable_school(session, user, school))
    return ImportOut(rows=1)


@router.get("/schools/{school}/holidays", response_model=list[dt.date])
def list_holidays(school: SchoolCode, ctx: Ctx, user: CurrentUser) -> list[dt.date]:
    """District-wide and school holidays."""
    with ctx.tx() as session:
        return org.holidays_for(session=session, school_id=readable_school(session, user, school).id)


@router.post("/enrollment-codes", response_model=CodeOut, status_code=201)
def create_code(body: CodeIn, ctx: Ctx, user: CurrentUser) -> CodeOut:
    """A single-use enrolment code for a school (the Pi names its room) or one room."""
    with ctx.tx() as session:
        school = manageable_school(session, user, body.school)
        room = org.get_room(session=session, school=school, code=body.room) if body.room else None
        row, code = pis.create_code(session=session, school=school, room=room, now=ctx.now(), ttl_s=float(body.ttl_hours) * 3600)
        return CodeOut(id=row.id, code=code, school=school.code, room=room.code if room else None, expires_at=row.expires_at)


@router.post("/enrollment-codes/{code_id}/revoke", status_code=204)
def revoke_code(code_id: Annotated[int, Path(ge=1, le=2**31 - 1)], ctx: Ctx, user: CurrentUser) -> None:
    """Revoke an enrolment code."""
    with ctx.tx() as session:
        row = pis.get_code(session=session, code_id=code_id)
        user.require_manage_school(row.school_id)
        pis.revoke_code(session=session, code=row, now=ctx.now())


@router.get("/pis")
def list_pis(ctx: Ctx, user: CurrentUser, school: Annotated[str | None, Query(max_length=40)] = None) -> list[dict[str, Any]]:
    """Pis with their freshness: last sync, acked seq, gaps, clock skew, flags."""
    with ctx.tx() as session:
        if school is not None:
            ids: list[int] | None = [readable_school(session, user, school).id]
        elif user.role == "staff":
            ids = [user.school_id] if user.school_id is not None else []
        else:
            ids = None
        return scoring.freshness(session=session, school_ids=ids, now=ctx.now())


def _managed_pi(session: Session, user: Principal, pi_id: str) -> models.Pi:
    pi = pis.get_pi(session=session, pi_id=pi_id)
    user.require_manage_school(pis.school_of_pi(session=session, pi=pi).id)
    return pi


@router.post("/pis/{pi_id}/retire", status_code=204)
def retire_pi(pi_id: PiId, ctx: Ctx, user: CurrentUser) -> None:
    """Retire a Pi: its token stops working, its events stay."""
    with ctx.tx() as session:
        pis.retire(session=session, pi=_managed_pi(session, user, pi_id), now=ctx.now())


@router.post("/pis/{pi_id}/move", status_code=204)
def move_pi(pi_id: PiId, body: MoveIn, ctx: Ctx, user: CurrentUser) -> None:
    """Move a Pi to another room; events recorded before keep their room."""
    with ctx.tx() as session:
        pi = _managed_pi(session, user, pi_id)
        school = manageable_school(session, user, body.school)
        pis.move(session=session, pi=pi, room=org.get_room(session=session, school=school, code=body.room), now=ctx.now())

"""Schools, rooms and their configuration (bells, teachers, timetable, holidays, policy).

The district is authoritative for configuration; :func:`room_config` renders what a Pi
downloads: the room TOML's shape without ``[agent]``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

import criteria
from district import models
from district.errors import BadInput, Conflict, NotFound
from district.i18n import _

LEVELS = ("MN", "TH", "THCS")
POLICY_KEYS = ("targets", "min_used_minutes", "no_data_fraction", "stale_s", "exempt_reasons")


def create_school(
    *, session: Session, code: str, name: str, level: str, model: str, timezone: str = "Asia/Ho_Chi_Minh"
) -> models.School:
    """A new school; raises :class:`Conflict` when the code exists, :class:`BadInput` on bad values."""
    if level not in LEVELS:
        raise BadInput(_("unknown school level {value!r}; expected MN, TH or THCS").format(value=level))
    if model not in criteria.SCHOOL_MODELS:
        raise BadInput(_("unknown school model {value!r}; expected full or partial").format(value=model))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(_("unknown time zone {value!r}").format(value=timezone)) from None
    if session.scalar(select(models.School).where(models.School.code == code)) is not None:
        raise Conflict(_("school {code!r} already exists").format(code=code), code="exists")
    school = models.School(code=code, name=name, level=level, model=model, timezone=timezone, policy={})
    session.add(school)
    session.flush()
    return school


def get_school(*, session: Session, code: str) -> models.School:
    """A school by code; :class:`NotFound` otherwise."""
    school = session.scalar(select(models.School).where(models.School.code == code))
    if school is None:
        raise NotFound(_("no school {code!r}").format(code=code))
    return school


def list_schools(*, session: Session, school_id: int | None = None) -> list[models.School]:
    """All schools by code, or just one when ``school_id`` is given."""
    query = select(models.School).order_by(models.School.code)
    if school_id is not None:
        query = query.where(models.School.id == school_id)
    return list(session.scalars(query))


def _check_devices(devices: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    channels: set[int] = set()
    for i, device in enumerate(devices):
        kind = device.get("kind")
        channel = device.get("channel")
        if kind not in criteria.DEVICE_KINDS:
            raise BadInput(_("devices[{i}]: unknown device kind {value!r}").format(i=i, value=kind))
        if not isinstance(channel, int) or isinstance(channel, bool) or not 0 <= channel <= 63 or channel in channels:
            raise BadInput(_("devices[{i}]: channel must be a distinct whole number 0-63").format(i=i))
        channels.add(channel)
        standby, on = device.get("standby_amps"), device.get("on_amps")
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (standby, on)) or not (
            0 <= float(standby) < float(on) <= 100  # type: ignore[arg-type]
        ):
            raise BadInput(_("devices[{i}]: need 0 <= standby_amps < on_amps <= 100").format(i=i))
        out.append(dict(device))
    return out


def create_room(
    *, session: Session, school: models.School, code: str, name: str, type: str, devices: Sequence[dict[str, Any]] = ()
) -> models.Room:
    """A new room in ``school`` with its devices (``kind``, ``channel``, ``standby_amps``, ``on_amps``)."""
    if type not in criteria.ROOM_TYPES:
        raise BadInput(_("unknown room type {value!r}").format(value=type))
    if get_room_or_none(session=session, school=school, code=code) is not None:
        raise Conflict(_("room {code!r} already exists in this school").format(code=code), code="exists")
    room = models.Room(school_id=school.id, code=code, name=name, type=type, devices=_check_devices(devices), detector={})
    session.add(room)
    session.flush()
    return room


def get_room_or_none(*, session: Session, school: models.School, code: str) -> models.Room | None:
    """A room of ``school`` by code, or None."""
    return session.scalar(select(models.Room).where(models.Room.school_id == school.id, models.Room.code == code))


def get_room(*, session: Session, school: models.School, code: str) -> models.Room:
    """A room of ``school`` by code; :class:`NotFound` otherwise."""
    room = get_room_or_none(session=session, school=school, code=code)
    if room is None:
        raise NotFound(_("no room {room!r} in school {school!r}").format(room=code, school=school.code))
    return room


def list_rooms(*, session: Session, school_ids: Sequence[int] | None = None) -> list[models.Room]:
    """Rooms of the given schools (all when None), by school and code."""
    query = select(models.Room).order_by(models.Room.school_id, models.Room.code)
    if school_ids is not None:
        query = query.where(models.Room.school_id.in_(list(school_ids)))
    return list(session.scalars(query))


def set_devices(*, session: Session, room: models.Room, devices: Sequence[dict[str, Any]]) -> None:
    """Replace a room's devices."""
    room.devices = _check_devices(devices)


def set_policy(*, session: Session, school: models.School, policy: dict[str, Any], model: str | None = None) -> None:
    """Replace a school's policy overrides (keys of :data:`POLICY_KEYS`) and optionally its model."""
    unknown = sorted(set(policy) - set(POLICY_KEYS))
    if unknown:
        raise BadInput(_("unknown policy key {key!r}").format(key=unknown[0]))
    if model is not None:
        if model not in criteria.SCHOOL_MODELS:
            raise BadInput(_("unknown school model {value!r}; expected full or partial").format(value=model))
        school.model = model
    targets = policy.get("targets", {})
    if not isinstance(targets, dict):
        raise BadInput(_("policy targets must map room types to shares"))
    try:
        criteria.preset(school.model).with_overrides(targets=targets)
    except (ValueError, TypeError) as exc:
        raise BadInput(str(exc)) from None
    school.policy = dict(policy)


def set_bells(*, session: Session, school: models.School, bells: Sequence[tuple[int, str, str]]) -> None:
    """Replace the school's bell schedule with ``(period, "HH:MM", "HH:MM")`` rows."""
    session.execute(delete(models.BellPeriod).where(models.BellPeriod.school_id == school.id))
    for period, start, end in bells:
        session.add(models.BellPeriod(school_id=school.id, period=period, start=start, end=end))
    session.flush()


def set_teachers(*, session: Session, school: models.School, teachers: Sequence[tuple[str, str, str | None]]) -> None:
    """Replace the school's teachers with ``(code, name, card)`` rows."""
    session.execute(delete(models.Teacher).where(models.Teacher.school_id == school.id))
    for code, name, card in teachers:
        session.add(models.Teacher(school_id=school.id, code=code, name=name, card=card))
    session.flush()


def set_timetable(*, session: Session, room: models.Room, entries: Sequence[dict[str, Any]]) -> None:
    """Replace a room's weekly timetable (dicts with weekday, period, class, subject, teacher)."""
    session.execute(delete(models.TimetableEntry).where(models.TimetableEntry.room_id == room.id))
    for e in entries:
        session.add(
            models.TimetableEntry(
                room_id=room.id,
                weekday=e["weekday"],
                period=e["period"],
                class_name=e["class"],
                subject=e["subject"],
                teacher=e["teacher"],
                valid_from=e.get("valid_from"),
                valid_to=e.get("valid_to"),
            )
        )
    session.flush()


def add_holiday(*, session: Session, date: dt.date, name: str = "", school: models.School | None = None) -> None:
    """A day off for one school or (``school=None``) the whole district; adding twice is a no-op."""
    school_id = school.id if school is not None else None
    exists = session.scalar(
        select(models.Holiday).where(
            models.Holiday.date == date,
            models.Holiday.school_id.is_(None) if school_id is None else models.Holiday.school_id == school_id,
        )
    )
    if exists is None:
        session.add(models.Holiday(school_id=school_id, date=date, name=name))
        session.flush()


def holidays_for(*, session: Session, school_id: int) -> list[dt.date]:
    """District-wide and the school's own holidays, sorted."""
    rows = session.scalars(
        select(models.Holiday.date).where(or_(models.Holiday.school_id.is_(None), models.Holiday.school_id == school_id))
    )
    return sorted(set(rows))


def policy_of(school: models.School) -> criteria.Policy:
    """The preset of the school's model with its overrides applied."""
    over = school.policy or {}
    values: dict[str, Any] = {}
    if over.get("min_used_minutes") is not None:
        values["min_used_s"] = float(over["min_used_minutes"]) * 60.0
    for key in ("no_data_fraction", "stale_s"):
        if over.get(key) is not None:
            values[key] = float(over[key])
    if over.get("exempt_reasons") is not None:
        values["exempt_reasons"] = tuple(over["exempt_reasons"])
    return criteria.preset(school.model).with_overrides(targets=over.get("targets") or {}, **values)


def room_config(*, session: Session, room: models.Room) -> dict[str, Any]:
    """The configuration a Pi downloads: the room TOML's shape without ``[agent]``, as JSON."""
    school = session.get(models.School, room.school_id)
    assert school is not None
    bells = session.scalars(select(models.BellPeriod).where(models.BellPeriod.school_id == school.id).order_by(models.BellPeriod.period))
    timetable = session.scalars(
        select(models.TimetableEntry).where(models.TimetableEntry.room_id == room.id).order_by(
            models.TimetableEntry.weekday, models.TimetableEntry.period
        )
    )
    teachers = session.scalars(select(models.Teacher).where(models.Teacher.school_id == school.id).order_by(models.Teacher.code))
    return {
        "timezone": school.timezone,
        "school": {"code": school.code, "name": school.name, "level": school.level, "model": school.model},
        "room": {"code": room.code, "name": room.name, "type": room.type},
        "devices": list(room.devices or []),
        "bells": [{"period": b.period, "start": b.start, "end": b.end} for b in bells],
        "timetable": [
            {
                "weekday": t.weekday,
                "period": t.period,
                "class": t.class_name,
                "subject": t.subject,
                "teacher": t.teacher,
                **({"valid_from": t.valid_from.isoformat()} if t.valid_from else {}),
                **({"valid_to": t.valid_to.isoformat()} if t.valid_to else {}),
            }
            for t in timetable
        ],
        "holidays": [d.isoformat() for d in holidays_for(session=session, school_id=school.id)],
        "teachers": [{"id": t.code, "name": t.name, **({"card": t.card} if t.card else {})} for t in teachers],
        "policy": {k: v for k, v in (school.policy or {}).items() if v is not None},
        "detector": dict(room.detector or {}),
    }


def config_etag(config: dict[str, Any]) -> str:
    """A strong ETag of a configuration: sha256 of its canonical JSON, quoted."""
    canonical = json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return '"' + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32] + '"'

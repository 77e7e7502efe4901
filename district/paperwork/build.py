"""The paperwork's content, as plain rows: one builder per document, shared by XLSX and PDF.

- room usage log (``nhật ký sử dụng thiết bị``): one row per lesson of the month;
- monthly evaluation of each device's use in the room;
- school summary for the self-assessment: rooms vs target, teachers, equipment use
  frequency, faults opened or closed in the month.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

import criteria
from district import models
from district.errors import NotFound
from district.web import data
from district.web.i18n import Translate, label, translator


@dataclass
class Table:
    """A titled table: header cells and rows of plain values (str, int, float)."""

    title: str
    header: list[str]
    rows: list[list[Any]]
    widths: list[float] = field(default_factory=list)  # relative column widths


@dataclass
class Document:
    """A document: the school's header, a title, facts and tables."""

    office: str
    school: str
    title: str
    subtitle: str
    facts: list[tuple[str, str]]
    tables: list[Table]
    place_date: str
    signer: str
    filename: str


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v * 100:.1f} %"


def _frequency(share: float, tr: Translate) -> str:
    """A device's use described by how many counted lessons it was on in."""
    if share >= 0.7:
        return tr("Used often")
    if share >= 0.3:
        return tr("Used sometimes")
    return tr("Rarely used")


def _school(session: Session, code: str) -> models.School:
    school = session.scalar(select(models.School).where(models.School.code == code))
    if school is None:
        raise NotFound(f"no school {code!r}")
    return school


def _place_date(now: float, tz: ZoneInfo, tr: Translate) -> str:
    d = dt.datetime.fromtimestamp(now, tz)
    return tr("Date: {day:02d}/{month:02d}/{year}").format(day=d.day, month=d.month, year=d.year)


def room_documents(session: Session, *, school_code: str, room_code: str, month: str, now: float, office: str, lang: str = "vi") -> Document:
    """The usage log and the monthly evaluation of one room for ``month``."""
    tr = translator(lang)
    school = _school(session, school_code)
    room = session.scalar(select(models.Room).where(models.Room.school_id == school.id, models.Room.code == room_code))
    if room is None:
        raise NotFound(f"no room {room_code!r}")
    ctx = data.load_contexts(session, [school])[school.id]
    (scored,) = data.school_months(session, ctx, [room], month, now)
    log_rows = []
    for v in scored.verdicts:
        lesson = v.lesson
        teacher = lesson.tapped_teacher or lesson.teacher or ""
        used = [label(u.kind, tr) for u in v.devices if u.used_s > 0]
        remark = ""
        if v.status == "exempt":
            remark = label(v.reason, tr)
        elif v.status == "no_data":
            remark = tr("Sensor data missing")
        elif lesson.is_extra:
            remark = tr("Extra lesson (tap-in)")
        elif lesson.tapped_teacher is None and v.status != "exempt":
            remark = tr("No tap-in")
        log_rows.append([
            lesson.date.strftime("%d/%m/%Y"), lesson.period, lesson.class_name or "", lesson.subject or "",
            ctx.teachers.get(teacher, teacher), ", ".join(used), round(v.used_s / 60.0, 1), label(v.status, tr), remark,
        ])
    usage = data.device_usage(scored.verdicts)
    eval_rows = []
    for kind, d in sorted(usage.items()):
        eval_rows.append([
            label(kind, tr), int(d["lessons"]), int(d["lessons_on"]), _pct(d["share"]), d["minutes"],
            _frequency(d["share"], tr),
        ])
    s = scored.summary
    first, last = criteria.month_bounds(month)
    return Document(
        office=office, school=school.name,
        title=tr("EQUIPMENT USAGE LOG"),
        subtitle=tr("{room} ({type}) · month {month}").format(room=room.name, type=label(room.type, tr), month=f"{first.month:02d}/{first.year}"),
        facts=[
            (tr("Lessons"), str(s.lessons)), (label("used", tr), str(s.used)), (label("not_used", tr), str(s.not_used)),
            (label("no_data", tr), str(s.no_data)), (label("exempt", tr), str(s.exempt)),
            (tr("Share"), _pct(s.share)), (tr("Target"), _pct(s.target)),
            (tr("Meets the target"), tr("Yes") if s.meets_target else tr("No")),
        ],
        tables=[
            Table(tr("Usage log"), [tr("Date"), tr("Period"), tr("Class"), tr("Subject"), tr("Teacher"), tr("Devices used"),
                                    tr("Minutes"), tr("Status"), tr("Remarks")], log_rows, [9, 5, 6, 10, 14, 20, 7, 11, 14]),
            Table(tr("Monthly evaluation of each device"), [tr("Device"), tr("Lessons"), tr("Lessons used"), tr("Share"),
                                                            tr("Minutes"), tr("Evaluation")], eval_rows, [20, 10, 12, 10, 10, 24]),
        ],
        place_date=_place_date(now, ctx.tz, tr), signer=tr("Person in charge of the room"),
        filename=f"nhat-ky-{school.code}-{room.code}-{month}",
    )


def school_document(session: Session, *, school_code: str, month: str, now: float, office: str, lang: str = "vi") -> Document:
    """The school's month summary for its self-assessment."""
    tr = translator(lang)
    school = _school(session, school_code)
    ctx = data.load_contexts(session, [school])[school.id]
    rooms = data.rooms_of(session, [school.id])[school.id]
    scored = data.school_months(session, ctx, rooms, month, now)
    total = data.combine(scored)
    room_rows = [
        [r.room.name, label(r.room.type, tr), _pct(r.target), r.summary.lessons, r.summary.used, r.summary.not_used,
         _pct(r.summary.share), tr("Yes") if r.summary.meets_target else tr("No")]
        for r in scored
    ]
    teacher_rows = [
        [ctx.teachers.get(t["teacher"], t["teacher"]), t["used"] + t["not_used"] + t["no_data"] + t["exempt"], t["used"], t["not_used"], _pct(t["share"])]
        for t in data.teacher_shares(scored)
    ]
    usage = data.device_usage([v for r in scored for v in r.verdicts])
    device_rows = [[label(k, tr), int(d["lessons"]), int(d["lessons_on"]), _pct(d["share"]), d["minutes"], _frequency(d["share"], tr)]
                   for k, d in sorted(usage.items())]
    first, last = criteria.month_bounds(month)
    start_at = dt.datetime.combine(first, dt.time(0), ctx.tz).timestamp()
    end_at = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), ctx.tz).timestamp()
    names = {r.id: r.name for r in rooms}
    fault_rows = []
    for f in data.list_faults(session, [r.id for r in rooms]):
        if f.at < end_at and (f.is_open or (f.closed_at or 0) >= start_at):
            fault_rows.append([
                names.get(f.room_id, ""), label(f.device, tr), f.note or label(f.symptom, tr),
                dt.datetime.fromtimestamp(f.at, ctx.tz).strftime("%d/%m/%Y"),
                tr("Open") if f.is_open else tr("Closed") + " " + dt.datetime.fromtimestamp(f.closed_at or 0, ctx.tz).strftime("%d/%m/%Y"),
                f.close_note,
            ])
    teachers_all = [t for t in data.teacher_shares(scored)]
    using = sum(1 for t in teachers_all if t["used"] > 0)
    return Document(
        office=office, school=school.name,
        title=tr("MONTHLY SUMMARY OF IT EQUIPMENT USE"),
        subtitle=tr("For the e-school model self-assessment · month {month}").format(month=f"{first.month:02d}/{first.year}"),
        facts=[
            (tr("School model"), label(school.model, tr)), (tr("Rooms"), str(len(scored))),
            (tr("Rooms meeting the target"), f"{sum(1 for r in scored if r.summary.meets_target)}/{len(scored)}"),
            (tr("Share of lessons using IT equipment"), _pct(total.share)),
            (tr("Teachers using IT equipment"), f"{using}/{len(teachers_all)}"),
        ],
        tables=[
            Table(tr("Rooms against target"), [tr("Room"), tr("Type"), tr("Target"), tr("Lessons"), label("used", tr),
                                               label("not_used", tr), tr("Share"), tr("Meets the target")], room_rows, [16, 18, 9, 9, 9, 10, 10, 10]),
            Table(tr("Teachers"), [tr("Teacher"), tr("Lessons"), label("used", tr), label("not_used", tr), tr("Share")], teacher_rows, [30, 12, 12, 12, 12]),
            Table(tr("Equipment use frequency"), [tr("Device"), tr("Lessons"), tr("Lessons used"), tr("Share"), tr("Minutes"), tr("Evaluation")],
                  device_rows, [24, 10, 12, 10, 10, 20]),
            Table(tr("Faults opened or closed this month"), [tr("Room"), tr("Device"), tr("Description"), tr("Reported"), tr("State"), tr("Note")], fault_rows, [14, 14, 22, 11, 16, 20]),
        ],
        place_date=_place_date(now, ctx.tz, tr), signer=tr("Principal"),
        filename=f"tong-hop-{school.code}-{month}",
    )

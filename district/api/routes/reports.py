"""Scores, lessons and room months as paginated JSON, and CSV / XLSX exports."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from sqlalchemy.orm import Session

from district import models
from district.api.deps import Ctx, CurrentUser
from district.api.routes.admin import readable_school
from district.api.schemas import Page
from district.auth.service import Principal
from district.errors import BadInput
from district.exports import service as exports
from district.i18n import _
from district.org import service as org
from district.scoring import service as scoring

router = APIRouter(tags=["reports"])
SchoolQ = Annotated[str | None, Query(max_length=40, description="school code; all readable schools when absent")]
RoomQ = Annotated[str | None, Query(max_length=40, description="room code (needs school)")]
MonthQ = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")]
FromQ = Annotated[dt.date | None, Query(alias="from")]
ToQ = Annotated[dt.date | None, Query(alias="to")]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


def scope(session: Session, user: Principal, school: str | None, room: str | None) -> list[models.School]:
    """The schools a request covers, checked against the caller's rights."""
    if room is not None and school is None:
        raise BadInput(_("a room filter needs a school"), code="bad_filter")
    if school is not None:
        return [readable_school(session, user, school)]
    if user.role == "staff":
        return org.list_schools(session=session, school_id=user.school_id) if user.school_id is not None else []
    return org.list_schools(session=session)


@router.get("/reports")
def report(
    ctx: Ctx, user: CurrentUser, school: SchoolQ = None, room: RoomQ = None, month: MonthQ = None,
    first: FromQ = None, last: ToQ = None, lessons: bool = True,
) -> dict[str, Any]:
    """Every lesson's verdict, room summaries, teachers' shares, rooms below target, freshness."""
    first_date, last_date = scoring.date_range(month=month, first=first, last=last)
    with ctx.tx() as session:
        schools = scope(session, user, school, room)
        if room is not None:
            org.get_room(session=session, school=schools[0], code=room)
        return scoring.report(
            session=session, schools=schools, first=first_date, last=last_date, lookback_s=ctx.settings.lookback_s,
            now=ctx.now(), room_code=room, include_lessons=lessons,
        )


def _scores(ctx: Any, user: Principal, school: str | None, room: str | None, month: str | None,
            first: dt.date | None, last: dt.date | None) -> list[scoring.RoomScore]:
    first_date, last_date = scoring.date_range(month=month, first=first, last=last)
    with ctx.tx() as session:
        schools = scope(session, user, school, room)
        return scoring.score_rooms(session=session, schools=schools, first=first_date, last=last_date,
                                   lookback_s=ctx.settings.lookback_s, until_at=ctx.now(), room_code=room)


@router.get("/lessons", response_model=Page)
def lessons(
    ctx: Ctx, user: CurrentUser, school: SchoolQ = None, room: RoomQ = None, month: MonthQ = None,
    first: FromQ = None, last: ToQ = None,
    status: Annotated[Literal["used", "not_used", "no_data", "exempt"] | None, Query()] = None,
    teacher: Annotated[str | None, Query(max_length=40)] = None, limit: Limit = 100, offset: Offset = 0,
) -> Page:
    """Lessons with their verdicts, filtered and paginated."""
    items = [
        {"school": s.school.code, "room": s.room.code, **scoring.verdict_dict(v)}
        for s in _scores(ctx, user, school, room, month, first, last) for v in s.verdicts
    ]
    items = [i for i in items if (status is None or i["status"] == status) and (teacher is None or i["teacher"] == teacher)]
    return Page(items=items[offset : offset + limit], total=len(items), limit=limit, offset=offset)


@router.get("/room-months", response_model=Page)
def room_months(
    ctx: Ctx, user: CurrentUser, school: SchoolQ = None, room: RoomQ = None, month: MonthQ = None,
    first: FromQ = None, last: ToQ = None, limit: Limit = 100, offset: Offset = 0,
) -> Page:
    """Per room and month: counts, share, target, whether it is met and why not."""
    items = exports.rows("room_months", _scores(ctx, user, school, room, month, first, last))
    return Page(items=items[offset : offset + limit], total=len(items), limit=limit, offset=offset)


@router.get("/exports/{kind}", responses={200: {"content": {"text/csv": {}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}})
def export(
    kind: Literal["lessons", "intervals", "room_months"], ctx: Ctx, user: CurrentUser, school: SchoolQ = None,
    room: RoomQ = None, month: MonthQ = None, first: FromQ = None, last: ToQ = None,
    format: Literal["csv", "xlsx"] = "csv", lang: Literal["vi", "en"] = "vi",
) -> Response:
    """Lessons, device intervals or room-month summaries as CSV or XLSX, Vietnamese or English headers."""
    data = exports.rows(kind, _scores(ctx, user, school, room, month, first, last))
    name = f"{kind}-{school or 'district'}-{month or f'{first}_{last}'}.{format}"
    if format == "csv":
        return Response(exports.to_csv(kind, data, lang), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return Response(exports.to_xlsx(kind, data, lang),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})

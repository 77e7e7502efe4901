"""Downloads of the paperwork from the dashboard (XLSX and PDF), with the pages' access rules."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

import criteria
from district import models
from district.errors import NotFound
from district.paperwork.build import Document, room_documents, school_document
from district.paperwork.pdf import render_pdf
from district.paperwork.xlsx import render_xlsx
from district.web import session as web_session
from district.web.settings import get_web_settings
from district.web.views import ctx_of, principal

router = APIRouter(prefix="/web/export", include_in_schema=False)
TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _send(doc: Document, fmt: str) -> Response:
    if fmt not in TYPES:
        raise NotFound(f"no format {fmt!r}")
    body = render_xlsx(doc) if fmt == "xlsx" else render_pdf(doc)
    return Response(body, media_type=TYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{doc.filename}.{fmt}"'})


def _check(request: Request, school_code: str, month: str) -> None:
    user = principal(request)
    try:
        criteria.month_bounds(month)
    except ValueError:
        raise NotFound(f"no month {month!r}") from None
    with ctx_of(request).tx() as session:
        school = session.scalar(select(models.School).where(models.School.code == school_code))
        if school is None:
            raise NotFound(f"no school {school_code!r}")
        user.require_read_school(school.id)


@router.get("/room/{school_code}/{room_code}/{month}.{fmt}")
def room_export(request: Request, school_code: str, room_code: str, month: str, fmt: str) -> Response:
    """The room's usage log and monthly device evaluation."""
    _check(request, school_code, month)
    ctx = ctx_of(request)
    with ctx.tx() as session:
        doc = room_documents(session, school_code=school_code, room_code=room_code, month=month, now=ctx.now(),
                             office=get_web_settings().office_name, lang=web_session.language(request))
    return _send(doc, fmt)


@router.get("/school/{school_code}/{month}.{fmt}")
def school_export(request: Request, school_code: str, month: str, fmt: str) -> Response:
    """The school's summary for its self-assessment."""
    _check(request, school_code, month)
    ctx = ctx_of(request)
    with ctx.tx() as session:
        doc = school_document(session, school_code=school_code, month=month, now=ctx.now(),
                              office=get_web_settings().office_name, lang=web_session.language(request))
    return _send(doc, fmt)

"""The dashboard's pages: overview, school, room, lesson, faults, alerts, login/logout.

Server-rendered with Jinja2. Every page reads through :mod:`district.web.data`; every
form posts a CSRF token; staff see their own school only (403 elsewhere).
"""

from __future__ import annotations

import datetime as dt
import inspect
import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import func, select

import criteria
from district import models
from district.api.deps import AppContext
from district.auth import service as auth
from district.auth.service import Principal
from district.errors import DistrictError, Forbidden, NotFound, RateLimited, Unauthorized
from district.web import charts, data
from district.web import session as web_session
from district.web.i18n import label, translator
from district.web.tables import Alert, FaultClosure

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
TEMPLATES = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"]))
DISTRICT_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
STATUS_SYMBOLS = {"used": "●", "not_used": "○", "no_data": "?", "exempt": "–"}

router = APIRouter(prefix="/web", include_in_schema=False)


class NeedLogin(Exception):
    """The browser has no valid session: it is sent to the login page."""


def ctx_of(request: Request) -> AppContext:
    """The application context the district's app factory put on ``app.state``."""
    ctx: AppContext = request.app.state.ctx
    return ctx


def pct(value: float | None) -> str:
    """A share as a whole-number percentage, or an en dash."""
    return "–" if value is None else f"{value * 100:.0f} %"


def when(at: float | None, tz: ZoneInfo = DISTRICT_TZ, with_date: bool = True) -> str:
    """A UTC epoch time as local ``dd/mm/yyyy HH:MM``."""
    if at is None:
        return "–"
    local = dt.datetime.fromtimestamp(at, tz)
    return local.strftime("%d/%m/%Y %H:%M" if with_date else "%H:%M")


def principal(request: Request) -> Principal:
    """The logged-in user, or :class:`NeedLogin`."""
    token = web_session.session_token(request)
    if not token:
        raise NeedLogin()
    ctx = ctx_of(request)
    try:
        with ctx.tx() as session:
            return auth.principal_for_token(session=session, token=token, now=ctx.now())
    except Unauthorized:
        raise NeedLogin() from None


def render(request: Request, template: str, status_code: int = 200, user: Principal | None = None, **values: Any) -> HTMLResponse:
    """A page in the request's language."""
    lang = web_session.language(request)
    tr = translator(lang)
    token = web_session.session_token(request)
    here = request.url.path + (("?" + request.url.query) if request.url.query else "")
    page = TEMPLATES.get_template(template).render(
        _=tr, label=lambda key: label(key, tr), pct=pct, when=when, lang=lang, user=user, request=request,
        csrf=web_session.csrf_for(token) if token else "", symbols=STATUS_SYMBOLS, here=quote(here, safe=""),
        other_lang="en" if lang == "vi" else "vi", **values,
    )
    response = HTMLResponse(page, status_code=status_code)
    if request.query_params.get("lang") == lang:
        web_session.set_cookie(response, request, web_session.LANG_COOKIE, lang, max_age=365 * 86400)
    return response


def _month(request: Request, tz: ZoneInfo = DISTRICT_TZ) -> str:
    month = request.query_params.get("month")
    if month:
        try:
            criteria.month_bounds(month)
            return month
        except ValueError:
            pass
    return dt.datetime.fromtimestamp(ctx_of(request).now(), tz).strftime("%Y-%m")


def _school(session: Any, user: Principal, code: str) -> models.School:
    school = session.scalar(select(models.School).where(models.School.code == code))
    if school is None:
        raise NotFound(f"no school {code!r}")
    user.require_read_school(school.id)
    return school


def _room(session: Any, school: models.School, code: str) -> models.Room:
    room = session.scalar(select(models.Room).where(models.Room.school_id == school.id, models.Room.code == code))
    if room is None:
        raise NotFound(f"no room {code!r}")
    return room


def _alerts(session: Any, school_ids: list[int] | None, room_id: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
    query = select(Alert, models.School.code, models.School.name).join(models.School, models.School.id == Alert.school_id).where(
        Alert.ended_at.is_(None)
    )
    if school_ids is not None:
        query = query.where(Alert.school_id.in_(school_ids))
    if room_id is not None:
        query = query.where(Alert.room_id == room_id)
    found = list(session.execute(query.order_by(Alert.started_at.desc()).limit(limit)))
    rooms = _rooms_by_id(session, [a.room_id for a, _c, _n in found])
    return [{"alert": a, "school_code": c, "school_name": n, "room": rooms.get(a.room_id) if a.room_id else None} for a, c, n in found]


def _rooms_by_id(session: Any, ids: list[int | None]) -> dict[int, models.Room]:
    wanted = sorted({i for i in ids if i is not None})
    return {r.id: r for r in session.scalars(select(models.Room).where(models.Room.id.in_(wanted)))} if wanted else {}


# -- login ------------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request) -> HTMLResponse:
    """The login form (with a double-submit CSRF cookie)."""
    token = web_session.prelogin_token(request)
    response = render(request, "login.html", prelogin=token, error=None, next=request.query_params.get("next", ""))
    web_session.set_cookie(response, request, web_session.PRELOGIN_COOKIE, token, max_age=3600)
    return response


@router.post("/login")
def login_submit(
    request: Request, username: str = Form(""), password: str = Form(""), csrf_token: str = Form(""), next: str = Form("")
) -> Response:
    """Check the password through the district's login (same rate limit) and start a session."""
    tr = translator(web_session.language(request))
    if not web_session.csrf_ok(request.cookies.get(web_session.PRELOGIN_COOKIE), csrf_token):
        return render(request, "login.html", status_code=403, prelogin=web_session.prelogin_token(request),
                      error=tr("The form expired; please try again."), next=next)
    ctx = ctx_of(request)
    settings = ctx.settings
    try:
        with ctx.tx() as session:
            token, expires_at = auth.login(
                session=session, username=username, password=password, now=ctx.now(),
                window_s=settings.login_window_s, max_failures=settings.login_max_failures, ttl_s=settings.session_ttl_s,
            )
    except RateLimited:
        return render(request, "login.html", status_code=429, prelogin=csrf_token, error=tr("Too many failed logins; try again later."), next=next)
    except Unauthorized:
        return render(request, "login.html", status_code=401, prelogin=csrf_token, error=tr("Wrong user name or password."), next=next)
    target = next if next.startswith("/web/") and not next.startswith("//") else "/web/"
    response = RedirectResponse(target, status_code=303)
    web_session.set_cookie(response, request, web_session.SESSION_COOKIE, token, max_age=int(expires_at - ctx.now()))
    response.delete_cookie(web_session.PRELOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: str = Form("")) -> Response:
    """Revoke the session token and drop the cookie."""
    token = web_session.session_token(request)
    if token and web_session.csrf_ok(web_session.csrf_for(token), csrf_token):
        ctx = ctx_of(request)
        from district.security import digest

        with ctx.tx() as session:
            row = session.scalar(select(models.ApiToken).where(models.ApiToken.token_hash == digest(token)))
            if row is not None and row.revoked_at is None:
                row.revoked_at = ctx.now()
    response = RedirectResponse("/web/login", status_code=303)
    response.delete_cookie(web_session.SESSION_COOKIE, path="/")
    return response


@router.get("/")
def home(request: Request) -> Response:
    """District overview for the district; a school's own page for its staff."""
    user = principal(request)
    if user.role == "staff" and user.school_id is not None:
        with ctx_of(request).tx() as session:
            school = session.get(models.School, user.school_id)
            assert school is not None
            return RedirectResponse(f"/web/schools/{quote(school.code)}", status_code=303)
    return RedirectResponse("/web/district", status_code=303)


# -- pages ------------------------------------------------------------------------------


@router.get("/district")
def overview(request: Request) -> Response:
    """Every school's share against its target, worst first, with trend and freshness."""
    user = principal(request)
    if user.role == "staff":
        raise Forbidden("staff read their own school only")
    ctx = ctx_of(request)
    month = _month(request)
    tr = translator(web_session.language(request))
    with ctx.tx() as session:
        rows, scored_at = data.district_overview(session, month, ctx.now())
        alerts = _alerts(session, None)
        missing = dict(session.execute(
            select(Alert.school_id, func.count()).where(Alert.ended_at.is_(None), Alert.kind == "channel_missing").group_by(Alert.school_id)
        ).all())
    months = [m for m, _s in rows[0].trend] if rows else [month]
    worst = rows[:5]
    chart = charts.share_trend(
        tr("Share of lessons using IT equipment, by month"), months,
        {r.school.name: [s for _m, s in r.trend] for r in worst}, None, tr,
    ) if rows else ""
    return render(request, "overview.html", user=user, month=month, rows=rows, alerts=alerts, chart=chart, missing=missing, scored_at=scored_at,
                  prev=data.shift_month(month, -1), next=data.shift_month(month, 1))


@router.get("/schools/{code}")
def school_page(request: Request, code: str) -> Response:
    """A school's rooms, teachers and trend per room type for a month."""
    user = principal(request)
    ctx = ctx_of(request)
    tr = translator(web_session.language(request))
    with ctx.tx() as session:
        school = _school(session, user, code)
        month = _month(request, ZoneInfo(school.timezone))
        sctx = data.load_contexts(session, [school])[school.id]
        rooms = data.rooms_of(session, [school.id])[school.id]
        scored = data.school_months(session, sctx, rooms, month, ctx.now())
        summary = data.combine(scored)
        teachers = data.teacher_shares(scored)
        trend = data.type_trend(session, sctx, rooms, month, ctx.now())
        alerts = _alerts(session, [school.id])
    months = [m for m, _s in next(iter(trend.values()))] if trend else [month]
    chart = charts.share_trend(tr("Share of lessons using IT equipment, by room type"), months,
                               {label(t, tr): [s for _m, s in v] for t, v in trend.items()}, None, tr) if trend else ""
    return render(request, "school.html", user=user, school=school, month=month, rooms=scored, summary=summary,
                  teachers=teachers, teacher_names=sctx.teachers, chart=chart, alerts=alerts, tz=sctx.tz,
                  prev=data.shift_month(month, -1), next=data.shift_month(month, 1))


@router.get("/schools/{code}/rooms/{room_code}")
def room_page(request: Request, code: str, room_code: str) -> Response:
    """A room's month as a calendar of days × periods, device minutes per week, faults."""
    user = principal(request)
    ctx = ctx_of(request)
    tr = translator(web_session.language(request))
    with ctx.tx() as session:
        school = _school(session, user, code)
        room = _room(session, school, room_code)
        month = _month(request, ZoneInfo(school.timezone))
        sctx = data.load_contexts(session, [school])[school.id]
        (scored,) = data.school_months(session, sctx, [room], month, ctx.now())
        faults = data.list_faults(session, [room.id])
        alerts = _alerts(session, [school.id], room.id)
    by_cell = {(v.lesson.date, v.lesson.period): v for v in scored.verdicts}
    days = sorted({v.lesson.date for v in scored.verdicts})
    periods = sorted({b.period for b in sctx.bells})
    weeks = data.device_minutes_per_week(scored.verdicts)
    chart = charts.device_minutes(tr("Device minutes inside lessons, per week"), weeks, tr) if weeks else ""
    return render(request, "room.html", user=user, school=school, room=room, month=month, scored=scored, by_cell=by_cell,
                  days=days, periods=periods, chart=chart, faults=faults, alerts=alerts, tz=sctx.tz,
                  teacher_names=sctx.teachers, prev=data.shift_month(month, -1), next=data.shift_month(month, 1))


@router.get("/schools/{code}/rooms/{room_code}/lessons/{date}/{period}")
def lesson_page(request: Request, code: str, room_code: str, date: str, period: int) -> Response:
    """One lesson: each device's on-intervals inside the period, the tap-in and the verdict's reason."""
    user = principal(request)
    ctx = ctx_of(request)
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        raise NotFound(f"no date {date!r}") from None
    with ctx.tx() as session:
        school = _school(session, user, code)
        room = _room(session, school, room_code)
        sctx = data.load_contexts(session, [school])[school.id]
        scores = data.scoring.score_rooms(session=session, schools=[school], first=day, last=day, lookback_s=data.LOOKBACK_S,
                                          until_at=ctx.now(), room_code=room.code)
        verdict = next((v for s in scores for v in s.verdicts if v.lesson.period == period), None)
        if verdict is None:
            raise NotFound(f"no lesson {date} period {period}")
        window = verdict.lesson.window
        events = data.read_events(session, [room.id], window.start - 3600, window.end + 1).get(room.id, [])
    taps = [e for e in events if e["type"] in ("tapin", "exempt") and e.get("date") == date and int(e.get("period", -1)) == period]
    span = max(window.end - window.start, 1.0)
    return render(request, "lesson.html", user=user, school=school, room=room, verdict=verdict, lesson=verdict.lesson,
                  taps=taps, span=span, tz=sctx.tz, teacher_names=sctx.teachers, month=day.strftime("%Y-%m"))


@router.get("/faults")
def faults_page(request: Request) -> Response:
    """Faults by school and age, open first; staff see their school's."""
    user = principal(request)
    ctx = ctx_of(request)
    state = request.query_params.get("state", "open")
    with ctx.tx() as session:
        schools = list(session.scalars(select(models.School).order_by(models.School.code)))
        if user.role == "staff":
            schools = [s for s in schools if s.id == user.school_id]
        wanted = request.query_params.get("school") or ""
        shown = [s for s in schools if not wanted or s.code == wanted]
        rooms = data.rooms_of(session, [s.id for s in shown])
        room_by_id = {r.id: r for rs in rooms.values() for r in rs}
        faults = data.list_faults(session, list(room_by_id))
    if state in ("open", "closed"):
        faults = [f for f in faults if f.is_open == (state == "open")]
    school_by_id = {s.id: s for s in schools}
    rows: list[dict[str, Any]] = [
        {"fault": f, "room": room_by_id[f.room_id], "school": school_by_id[room_by_id[f.room_id].school_id],
         "age_days": int((ctx.now() - f.at) // 86400)}
        for f in faults
    ]
    rows.sort(key=lambda r: (not r["fault"].is_open, r["school"].code, -r["age_days"]))
    return render(request, "faults.html", user=user, rows=rows, schools=schools, wanted=wanted, state=state,
                  can_close=user.role in ("admin", "staff"))


@router.post("/faults/{pi_id}/{seq}/close")
def close_fault(request: Request, pi_id: str, seq: int, note: str = Form(""), csrf_token: str = Form("")) -> Response:
    """Close a fault with a note; the room's config download carries the close to the kiosk."""
    user = principal(request)
    token = web_session.session_token(request) or ""
    if not web_session.csrf_ok(web_session.csrf_for(token), csrf_token):
        raise Forbidden("bad csrf token")
    ctx = ctx_of(request)
    with ctx.tx() as session:
        event = session.scalar(select(models.Event).where(models.Event.pi_id == pi_id, models.Event.seq == seq, models.Event.type == "fault"))
        if event is None:
            raise NotFound(f"no fault {pi_id}/{seq}")
        room = session.get(models.Room, event.room_id)
        assert room is not None
        user.require_manage_school(room.school_id)
        fault = next((f for f in data.list_faults(session, [room.id]) if f.pi_id == pi_id and f.seq == seq), None)
        if fault is not None and fault.is_open:
            session.add(FaultClosure(pi_id=pi_id, fault_seq=seq, room_id=room.id, note=note.strip()[:500],
                                     closed_by=user.username, closed_at=ctx.now()))
        log.info("fault %s/%s closed by %s", pi_id, seq, user.username)
    back = request.query_params.get("next") or "/web/faults"
    return RedirectResponse(back if back.startswith("/web/") else "/web/faults", status_code=303)


@router.get("/alerts")
def alerts_page(request: Request) -> Response:
    """Open alerts and those ended in the last week."""
    user = principal(request)
    ctx = ctx_of(request)
    with ctx.tx() as session:
        ids = [user.school_id] if user.role == "staff" and user.school_id is not None else None
        open_alerts = _alerts(session, ids, limit=500)
        query = select(Alert, models.School.code, models.School.name).join(models.School, models.School.id == Alert.school_id).where(
            Alert.ended_at.is_not(None), Alert.ended_at >= ctx.now() - 7 * 86400)
        if ids is not None:
            query = query.where(Alert.school_id.in_(ids))
        found = list(session.execute(query.order_by(Alert.ended_at.desc()).limit(200)))
        rooms = _rooms_by_id(session, [a.room_id for a, _c, _n in found])
        ended = [{"alert": a, "school_code": c, "school_name": n, "room": rooms.get(a.room_id) if a.room_id else None}
                 for a, c, n in found]
    return render(request, "alerts.html", user=user, open_alerts=open_alerts, ended=ended)


def error_page(request: Request, exc: Exception) -> Response:
    """Login redirect, or a translated 403/404 page."""
    if isinstance(exc, NeedLogin):
        here = request.url.path + (("?" + request.url.query) if request.url.query else "")
        return RedirectResponse(f"/web/login?next={quote(here, safe='')}", status_code=303)
    tr = translator(web_session.language(request))
    try:
        user: Principal | None = principal(request)
    except NeedLogin:
        user = None
    if isinstance(exc, Forbidden):
        return render(request, "error.html", status_code=403, user=user, title=tr("Not allowed"),
                      message=tr("Your account may not see this page: school staff see their own school only."))
    if isinstance(exc, NotFound):
        return render(request, "error.html", status_code=404, user=user, title=tr("Not found"), message=tr("There is no such page."))
    return render(request, "error.html", status_code=400, user=user, title=tr("Error"), message=str(exc))


def install(app: Any) -> None:
    """Mount the dashboard (pages, static files, exports) on the district's FastAPI app."""
    from starlette.staticfiles import StaticFiles

    from district.paperwork.views import router as paperwork_router

    app.include_router(router)
    app.include_router(paperwork_router)
    app.mount("/web/static", StaticFiles(directory=str(HERE / "static")), name="web-static")
    prior = dict(getattr(app, "exception_handlers", {}))  # a copy: the handlers below replace some of these

    async def _web_errors(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/web/"):
            return error_page(request, exc)
        handler = prior.get(type(exc)) or prior.get(DistrictError)
        if handler is not None:
            result = handler(request, exc)
            return await result if inspect.isawaitable(result) else result  # type: ignore[no-any-return]
        raise exc

    app.add_exception_handler(NeedLogin, _web_errors)
    for exc_type in (Forbidden, NotFound, DistrictError):
        app.add_exception_handler(exc_type, _web_errors)

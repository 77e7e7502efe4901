"""Benchmark of the dashboard: rendering the district overview and a room page against the SQL reads they need.

A script, not a test: it prints one table and asserts nothing::

    .venv/bin/python benchmarks/bench_web.py [--schools 100] [--rooms 40] [--days 20] [--database-url URL]

It builds a district of ``schools`` × ``rooms`` with a bell schedule of 7 periods, a
timetable of 5 lessons a day and ``days`` school days of events (heartbeats, tap-ins,
on/off pairs) inserted in bulk, then times, in-process through the real app (session
cookie, scoring, templates, charts):

1. ``GET /web/district`` (the month and a 3-month trend for every school, from the
   room-month summaries the periodic job stores),
2. ``GET /web/schools/<s>/rooms/<r>`` (one room's month, scored live), and
3. the periodic job's summary refresh (every room scored for 3 months),

against the time of the SQL reads each needs (the same ``SELECT``s executed and every
row fetched, no Python work on them), and prints the ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import insert, select, text

from district import migrate, models
from district.auth import service as auth
from district.db import make_engine, make_sessionmaker, transaction
from district.settings import get_settings
from district.web import data
from district.web.app import create_app_with_web

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
BELLS = [(1, "07:30", "08:05"), (2, "08:10", "08:45"), (3, "09:05", "09:40"), (4, "09:45", "10:20"),
         (5, "14:00", "14:35"), (6, "14:40", "15:15"), (7, "15:20", "15:55")]
DEVICES = [{"kind": "projector", "channel": 0, "standby_amps": 0.0, "on_amps": 1.0},
           {"kind": "audio", "channel": 1, "standby_amps": 0.0, "on_amps": 1.0}]
PASSWORD = "bench-password-2026"


def _at(day: dt.date, hhmm: str) -> float:
    h, m = hhmm.split(":")
    return dt.datetime.combine(day, dt.time(int(h), int(m)), TZ).timestamp()


def _room_events(pi_id: str, room_id: int, r: int, school_days: list[dt.date], periods: list[int], rng: random.Random) -> list[dict]:
    """A room's event rows: a morning heartbeat, a tap-in per lesson, projector on/off in 90 % of lessons."""
    rows: list[dict] = []

    def add(type_: str, at: float, **body: object) -> None:
        seq = len(rows) + 1
        rows.append({"pi_id": pi_id, "seq": seq, "room_id": room_id, "type": type_, "at": at, "pi_at": at,
                     "time_source": "synced", "received_at": at, "digest": "x", "body": {"seq": seq, "type": type_, "at": at, **body}})

    for day in school_days:
        add("heartbeat", _at(day, "06:45"), channels={"0": "off", "1": "off"})
        for p in periods:
            _n, start, end = BELLS[p - 1]
            a, b = _at(day, start), _at(day, end)
            add("tapin", a + 60, date=day.isoformat(), period=p, teacher=f"gv{(r + p) % 12}")
            if rng.random() < 0.9:
                add("on", a + 120, channel=0, kind="projector")
                add("off", b - 60, channel=0, kind="projector")
    return rows


def build(url: str, schools: int, rooms: int, days: int, now: float) -> int:
    """Fill the database; returns the number of events."""
    rng = random.Random(1)
    sessions = make_sessionmaker(make_engine(url))
    today = dt.datetime.fromtimestamp(now, TZ).date()
    school_days = [today - dt.timedelta(days=i) for i in range(days * 2) if (today - dt.timedelta(days=i)).isoweekday() <= 5][:days]
    school_days.sort()
    n_events = 0
    with transaction(sessions) as session:
        auth.create_user(session=session, username="admin", password=PASSWORD, role="admin")
        for s in range(schools):
            school = models.School(code=f"S{s:03d}", name=f"Trường Tiểu học số {s}", level="TH", model="full", policy={})
            session.add(school)
            session.flush()
            session.add_all([models.BellPeriod(school_id=school.id, period=p, start=a, end=b) for p, a, b in BELLS])
            session.add_all([models.Teacher(school_id=school.id, code=f"gv{t}", name=f"Giáo viên {t}") for t in range(12)])
            for r in range(rooms):
                room = models.Room(school_id=school.id, code=f"R{r:02d}", name=f"Phòng {r}", type="regular_classroom",
                                   devices=DEVICES, detector={})
                session.add(room)
                session.flush()
                periods = [1, 2, 3, 5, 6]
                session.add_all([models.TimetableEntry(room_id=room.id, weekday=w, period=p, class_name=f"{r % 5 + 1}A", subject="Toán",
                                                       teacher=f"gv{(r + p) % 12}") for w in range(1, 6) for p in periods])
                pi_id = f"pi-{s}-{r}"
                session.add(models.Pi(id=pi_id, token_hash=f"h-{pi_id}", room_id=room.id, enrolled_at=now - 90 * 86400,
                                      acked_seq=0, last_sync_at=now - rng.uniform(0, 3600)))
                rows = _room_events(pi_id, room.id, r, school_days, periods, rng)
                session.flush()
                session.execute(insert(models.Event), rows)
                n_events += len(rows)
    return n_events


def sql_reads_overview(conn, months: list[str]) -> None:  # type: ignore[no-untyped-def]
    """The reads the overview needs (stored summaries, freshness, alerts), executed and fetched."""
    for sql in ("SELECT * FROM schools", "SELECT * FROM rooms", "SELECT * FROM pis",
                "SELECT * FROM web_alerts WHERE ended_at IS NULL",
                "SELECT school_id, count(*) FROM web_alerts WHERE ended_at IS NULL AND kind = 'channel_missing' GROUP BY school_id"):
        conn.execute(text(sql)).fetchall()
    conn.execute(text("SELECT * FROM web_room_months WHERE month IN (:a, :b, :c)"), dict(zip("abc", months, strict=True))).fetchall()


def sql_reads_refresh(conn, month_ranges: list[tuple[float, float]]) -> None:  # type: ignore[no-untyped-def]
    """The reads scoring every room for three months needs, executed and fetched."""
    for sql in ("SELECT * FROM schools", "SELECT * FROM rooms", "SELECT * FROM bells", "SELECT * FROM teachers",
                "SELECT * FROM timetable", "SELECT * FROM holidays", "SELECT * FROM pis", "SELECT * FROM web_fault_closures",
                "SELECT pi_id, seq, room_id, at, body FROM events WHERE type IN ('fault', 'fault_closed')"):
        conn.execute(text(sql)).fetchall()
    for start, end in month_ranges:
        conn.execute(text("SELECT room_id, pi_id, seq, at, type, body FROM events WHERE at >= :a AND at < :b ORDER BY room_id, at, seq"),
                     {"a": start, "b": end}).fetchall()


def sql_reads_room(conn, room_id: int, school_id: int, start: float, end: float) -> None:  # type: ignore[no-untyped-def]
    """The reads one room page needs, executed and fetched."""
    conn.execute(text("SELECT * FROM rooms WHERE id = :r"), {"r": room_id}).fetchall()
    for table in ("bells", "teachers"):
        conn.execute(text(f"SELECT * FROM {table} WHERE school_id = :s"), {"s": school_id}).fetchall()  # noqa: S608
    conn.execute(text("SELECT * FROM timetable WHERE room_id = :r"), {"r": room_id}).fetchall()
    conn.execute(text("SELECT * FROM holidays")).fetchall()
    conn.execute(text("SELECT room_id, pi_id, seq, at, type, body FROM events WHERE room_id = :r AND at >= :a AND at < :b ORDER BY at, seq"),
                 {"r": room_id, "a": start, "b": end}).fetchall()
    conn.execute(text("SELECT * FROM pis WHERE room_id = :r"), {"r": room_id}).fetchall()


def timed(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--rooms", type=int, default=40)
    parser.add_argument("--days", type=int, default=20, help="school days of events (a month is about 20)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file in a temporary folder")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-web-')) / 'bench.db'}"
    now = dt.datetime.now(TZ).replace(hour=17, minute=0, second=0, microsecond=0)
    if now.day < 2:
        now = now.replace(day=2)
    now_at = now.timestamp()
    migrate.upgrade(url)
    t0 = time.perf_counter()
    n_events = build(url, args.schools, args.rooms, min(args.days, now.day), now_at)
    build_s = time.perf_counter() - t0
    app = create_app_with_web(get_settings(database_url=url), now=lambda: now_at)
    client = TestClient(app)
    client.get("/web/login")
    client.post("/web/login", data={"username": "admin", "password": PASSWORD, "csrf_token": client.cookies.get("district_csrf")})
    month = now.strftime("%Y-%m")
    engine = make_engine(url)
    room_code = f"R{min(20, args.rooms - 1):02d}"
    with engine.connect() as conn:
        school_id, room_id = conn.execute(
            select(models.Room.school_id, models.Room.id).where(models.Room.code == room_code).order_by(models.Room.school_id.desc())
        ).first()
    first = now.replace(day=1, hour=0, minute=0)
    ranges = []
    for k in range(3):
        index = first.year * 12 + first.month - 1 - k
        start = first.replace(year=index // 12, month=index % 12 + 1)
        nxt = first if k == 0 else ranges[-1][0]
        ranges.append((start.timestamp() - 7 * 86400, (now_at if k == 0 else nxt)))
    room_page = f"/web/schools/S{(school_id - 1):03d}/rooms/{room_code}?month={month}"

    def overview() -> None:
        assert client.get(f"/web/district?month={month}").status_code == 200

    def room() -> None:
        assert client.get(room_page).status_code == 200

    months = [month, (first - dt.timedelta(days=1)).strftime("%Y-%m"), (first - dt.timedelta(days=40)).strftime("%Y-%m")]

    def sql_overview() -> None:
        with engine.connect() as conn:
            sql_reads_overview(conn, months)

    def refresh() -> None:
        with transaction(sessions) as session:
            data.refresh_summaries(session, now=now_at)

    def sql_refresh() -> None:
        with engine.connect() as conn:
            sql_reads_refresh(conn, ranges)

    def sql_room() -> None:
        with engine.connect() as conn:
            sql_reads_room(conn, room_id, school_id, ranges[0][0], ranges[0][1])

    sessions = make_sessionmaker(engine)
    refresh_s, refresh_sql_s = timed(refresh, 1), timed(sql_refresh, 1)  # the periodic job, then its reads
    overview()  # warm caches (templates, catalogue, fonts) once
    room()
    rows = [
        ("district overview", timed(overview, args.repeat), timed(sql_overview, args.repeat)),
        ("room page", timed(room, args.repeat * 3), timed(sql_room, args.repeat * 3)),
        ("summary refresh job", refresh_s, refresh_sql_s),
    ]
    print(f"district: {args.schools} schools x {args.rooms} rooms, {n_events} events over {min(args.days, now.day)} school days "
          f"(built in {build_s:.0f} s), {url.split(':')[0]}")
    print(f"{'page':<20}{'render s':>12}{'SQL reads s':>14}{'ratio':>9}")
    for name, render_s, sql_s in rows:
        print(f"{name:<20}{render_s:>12.3f}{sql_s:>14.3f}{render_s / sql_s:>9.1f}")


if __name__ == "__main__":
    main()

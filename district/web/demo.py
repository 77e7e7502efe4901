"""A demo district: three schools, rooms, bells, timetables, users and two months of events.

Events are made here (the district never imports the classroom program) in the wire
shape and stored through the district's own ingest service, as if Pis had synced them.
Deterministic for a seed and a ``now``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from district import models
from district.auth import service as auth
from district.ingest.service import ingest_batch
from district.org import service as org
from sync.schema import EventBatch, WireEvent

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEMO_PASSWORDS = {"admin": "demo-admin-2026", "analyst": "demo-analyst-2026", "staff": "demo-staff-2026"}

BELLS_TH = [(1, "07:30", "08:05"), (2, "08:10", "08:45"), (3, "09:05", "09:40"), (4, "09:45", "10:20"),
            (5, "14:00", "14:35"), (6, "14:40", "15:15"), (7, "15:20", "15:55")]
BELLS_THCS = [(1, "07:15", "08:00"), (2, "08:05", "08:50"), (3, "09:05", "09:50"), (4, "09:55", "10:40"),
              (5, "10:45", "11:30"), (6, "14:00", "14:45"), (7, "14:50", "15:35")]

SCHOOLS = [
    ("TH-NGOCLAM", "Trường Tiểu học Ngọc Lâm", "TH", "full"),
    ("THCS-GIATHUY", "Trường THCS Gia Thụy", "THCS", "full"),
    ("TH-GIATHUONG", "Trường Tiểu học Gia Thượng", "TH", "partial"),
]
TEACHERS = [
    ("gv01", "Nguyễn Thị Hằng"), ("gv02", "Trần Văn Dũng"), ("gv03", "Lê Thị Thu Hương"),
    ("gv04", "Phạm Minh Đức"), ("gv05", "Hoàng Thị Ngọc Ánh"), ("gv06", "Vũ Quốc Việt"),
]
SUBJECTS = ["Toán", "Tiếng Việt", "Tiếng Anh", "Tin học", "Khoa học", "Âm nhạc", "Mĩ thuật", "Lịch sử và Địa lí"]
# (code, name, type, usage probability, quirk)
ROOMS = [
    ("P101", "Lớp 1A1", "regular_classroom", 0.96, None),
    ("P102", "Lớp 2A2", "regular_classroom", 0.78, "left_on"),
    ("P201", "Lớp 3A1", "regular_classroom", 0.92, "missing"),
    ("TIN1", "Phòng Tin học", "it_room", 1.0, None),
    ("NN1", "Phòng Ngoại ngữ", "language_room", 0.9, "silent"),
    ("DN1", "Phòng Đa năng", "multipurpose_room", 0.97, None),
]
DEVICES = [
    {"kind": "projector", "channel": 0, "standby_amps": 0.0, "on_amps": 1.0},
    {"kind": "document_camera", "channel": 1, "standby_amps": 0.0, "on_amps": 1.0},
    {"kind": "audio", "channel": 2, "standby_amps": 0.0, "on_amps": 1.0},
]
BOARD = {"kind": "interactive_board", "channel": 3, "standby_amps": 0.0, "on_amps": 1.0}
HOLIDAYS = [(dt.date(2026, 11, 20), "Ngày Nhà giáo Việt Nam"), (dt.date(2026, 9, 2), "Quốc khánh")]


@dataclass
class DemoDistrict:
    """What :func:`load_demo` made: logins and the time it was made for."""

    now: float
    logins: dict[str, tuple[str, str]]  # label -> (username, password)
    schools: list[str]


def _ts(day: dt.date, hhmm: str) -> float:
    h, m = hhmm.split(":")
    return dt.datetime.combine(day, dt.time(int(h), int(m)), TZ).timestamp()


class _Pi:
    def __init__(self, pi_id: str) -> None:
        self.pi_id, self.seq = pi_id, 0
        self.events: list[dict[str, Any]] = []

    def add(self, type_: str, at: float, **fields: Any) -> int:
        self.seq += 1
        self.events.append({"seq": self.seq, "type": type_, "at": round(at, 3), "boot": "demo", "mono": round(at % 1e6, 3), "synced": True, **fields})
        return self.seq


def _room_events(pi: _Pi, room: tuple[str, str, str, float, str | None], devices: list[dict[str, Any]], bells: list[tuple[int, str, str]],
                 lessons: dict[int, list[dict[str, Any]]], days: list[dt.date], now: float, rng: random.Random) -> None:
    _code, _name, _type, p_used, quirk = room
    channels = [d["channel"] for d in devices]
    for n, day in enumerate(days):
        day_start = _ts(day, "06:45")
        if day_start > now:
            break
        if quirk == "silent" and day >= days[-1] - dt.timedelta(days=2):
            break  # the Pi went silent: nothing synced for the last days
        pi.add("heartbeat", day_start, channels={str(c): "off" for c in channels})
        missing_today = quirk == "missing" and n % 9 == 4
        if missing_today:
            pi.add("missing", day_start + 60, channel=1, kind="document_camera")
            pi.add("missing", day_start + 61, channel=0, kind="projector")
        for entry in lessons.get(day.isoweekday(), []):
            period = entry["period"]
            start_hhmm, end_hhmm = next((s, e) for p, s, e in bells if p == period)
            start, end = _ts(day, start_hhmm), _ts(day, end_hhmm)
            if end > now:
                continue
            roll = rng.random()
            if roll < 0.03:
                pi.add("exempt", start + 90, date=day.isoformat(), period=period, teacher=entry["teacher"],
                       reason="outdoor", **{"class": entry["class"]}, subject=entry["subject"])
                continue
            pi.add("tapin", start + 60 + rng.random() * 60, date=day.isoformat(), period=period, teacher=entry["teacher"],
                   **{"class": entry["class"]}, subject=entry["subject"])
            if rng.random() < p_used and not missing_today:
                on_at = start + rng.uniform(60, 300)
                off_at = end - rng.uniform(0, 240)
                kinds = [d for d in devices if d["kind"] in ("projector", "interactive_board")] or devices[:1]
                extra = [d for d in devices if d["kind"] not in ("projector", "interactive_board") and rng.random() < 0.5]
                for d in kinds + extra:
                    a = on_at + rng.uniform(0, 120)
                    b = off_at - rng.uniform(0, 200) if d in extra else off_at
                    pi.add("on", a, channel=d["channel"], kind=d["kind"])
                    pi.add("off", max(a + 60, b), channel=d["channel"], kind=d["kind"])
        if missing_today:
            pi.add("back", _ts(day, "16:30"), channel=1, kind="document_camera", state="off")
            pi.add("back", _ts(day, "16:30") + 1, channel=0, kind="projector", state="off")
        last_states = {str(c): "off" for c in channels}
        if quirk == "left_on" and day == days[-1]:
            pi.add("on", _ts(day, "15:30"), channel=0, kind="projector")  # nobody switched it off
            last_states["0"] = "on"
        if quirk == "missing" and day == days[-1]:
            pi.add("missing", _ts(day, "12:00"), channel=1, kind="document_camera")  # sensor unplugged at lunch
            last_states["1"] = "missing"
        if _ts(day, "17:00") <= now:
            pi.add("heartbeat", _ts(day, "17:00"), channels=last_states)


def load_demo(session: Session, *, now: float | None = None, seed: int = 7, since: dt.date | None = None) -> DemoDistrict:
    """Fill an empty database with the demo district up to ``now`` (default: the real time)."""
    rng = random.Random(seed)
    now = dt.datetime.now(TZ).timestamp() if now is None else now
    today = dt.datetime.fromtimestamp(now, TZ).date()
    first = since or (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    holidays = {d for d, _n in HOLIDAYS}
    days = [first + dt.timedelta(days=i) for i in range((today - first).days + 1)]
    days = [d for d in days if d.isoweekday() <= 5 and d not in holidays]
    for day, name in HOLIDAYS:
        org.add_holiday(session=session, date=day, name=name)
    auth.create_user(session=session, username="admin", password=DEMO_PASSWORDS["admin"], role="admin")
    auth.create_user(session=session, username="analyst", password=DEMO_PASSWORDS["analyst"], role="analyst")
    logins = {"admin": ("admin", DEMO_PASSWORDS["admin"]), "analyst": ("analyst", DEMO_PASSWORDS["analyst"])}
    for s_index, (code, name, level, model) in enumerate(SCHOOLS):
        school = org.create_school(session=session, code=code, name=name, level=level, model=model)
        bells = BELLS_TH if level == "TH" else BELLS_THCS
        org.set_bells(session=session, school=school, bells=bells)
        org.set_teachers(session=session, school=school, teachers=[(c, n, None) for c, n in TEACHERS])
        user = f"staff-{code.lower()}"
        auth.create_user(session=session, username=user, password=DEMO_PASSWORDS["staff"], role="staff", school_id=school.id)
        logins[f"staff:{code}"] = (user, DEMO_PASSWORDS["staff"])
        for r_index, room_def in enumerate(ROOMS[: 6 if s_index < 2 else 4]):
            r_code, r_name, r_type, _p, _q = room_def
            devices = DEVICES + ([BOARD] if r_type in ("language_room", "multipurpose_room") else [])
            room = org.create_room(session=session, school=school, code=r_code, name=r_name, type=r_type, devices=devices)
            lessons: dict[int, list[dict[str, Any]]] = {}
            entries = []
            for weekday in range(1, 6):
                for period, _s, _e in bells:
                    if rng.random() < 0.25:
                        continue
                    t_code = TEACHERS[(r_index + period + weekday) % len(TEACHERS)][0]
                    entry = {"weekday": weekday, "period": period, "class": f"{(r_index % 5) + 1}A{(period % 3) + 1}",
                             "subject": SUBJECTS[(r_index * 3 + period + weekday) % len(SUBJECTS)], "teacher": t_code}
                    entries.append(entry)
                    lessons.setdefault(weekday, []).append(entry)
            org.set_timetable(session=session, room=room, entries=entries)
            pi_id = f"pi-{code.lower()}-{r_code.lower()}"
            enrolled = _ts(first, "06:00") - 86400
            session.add(models.Pi(id=pi_id, token_hash=f"demo-{pi_id}", room_id=room.id, hostname=pi_id, version="demo",
                                  enrolled_at=enrolled, acked_seq=0))
            session.add(models.PiPlacement(pi_id=pi_id, room_id=room.id, from_at=enrolled, to_at=None))
            session.flush()
            pi = _Pi(pi_id)
            _room_events(pi, room_def, devices, bells, lessons, days, now, rng)
            if r_index in (1, 4):
                f1 = pi.add("fault", now - 10 * 86400, device="projector", symptom="no_image", note="Máy chiếu không lên hình")
                if r_index == 4:
                    pi.add("fault_closed", now - 8 * 86400, fault=f1, note="Đã thay dây HDMI", by="it")
            if r_index == 2:
                pi.add("fault", now - 2 * 86400, device="audio", symptom="no_sound", note="Loa rè, mất tiếng")
            pi.events.sort(key=lambda e: e["seq"])
            _ingest(session, pi)
    return DemoDistrict(now=now, logins=logins, schools=[s[0] for s in SCHOOLS])


def _ingest(session: Session, pi: _Pi) -> None:
    pi_row = session.get(models.Pi, pi.pi_id)
    assert pi_row is not None
    for start in range(0, len(pi.events), 1000):
        chunk = pi.events[start : start + 1000]
        last_at = max(e["at"] for e in chunk)
        batch = EventBatch.model_validate(
            {"schema": 1, "pi_id": pi.pi_id, "sent_at": last_at + 60, "sent_mono": 0, "boot": "demo", "clock_synced": True,
             "events": [WireEvent.model_validate(e).model_dump(by_alias=True, exclude_none=True) for e in chunk]}
        )
        ingest_batch(session=session, pi=pi_row, batch=batch, received_at=last_at + 60, future_tolerance_s=86400 * 400)


def main() -> None:
    """``python -m district.web.demo [--port N] [--db PATH]``: serve the dashboard on the demo district."""
    import argparse
    import tempfile
    import time
    from pathlib import Path

    import uvicorn

    from district import migrate
    from district.alerts.service import evaluate
    from district.db import make_engine, make_sessionmaker, transaction
    from district.settings import get_settings
    from district.web.app import create_app_with_web
    from district.web.settings import get_web_settings

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (default: a new temporary one)")
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp(prefix="district-demo-")) / "demo.db"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    sessions = make_sessionmaker(make_engine(url))
    with transaction(sessions) as session:
        if session.get(models.School, 1) is None:
            load_demo(session)
            print(f"demo district loaded into {path}")
    with transaction(sessions) as session:
        evaluate(session, now=time.time(), settings=get_web_settings())
    app = create_app_with_web(get_settings(database_url=url))
    print(f"dashboard: http://{args.host}:{args.port}/web/")
    print(f"log in as admin / {DEMO_PASSWORDS['admin']}  (or analyst / {DEMO_PASSWORDS['analyst']}, "
          f"staff-th-ngoclam / {DEMO_PASSWORDS['staff']})")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()

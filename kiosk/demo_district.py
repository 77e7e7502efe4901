"""The demo district: a few schools whose rooms are fed by simulated weeks through the real enrol + sync path.

Starts a district server (SQLite in the demo folder) as a child process, creates the
schools and rooms through its admin API, and for every room: simulates school weeks of
sensor readings, replays them through the detector into that room's own journal (the
Pi's), enrols the "Pi" with a one-time code, and uploads the journal with the real sync
client. Then it asks the district for the scores. Nothing is written to the database
except through the HTTP API a real Pi and a real admin use.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.config import RoomConfig, parse_config
from kiosk.district_server import AdminApi, DistrictServer
from kiosk.identity import Identity, save_identity
from kiosk.scenario import load_scenario, replay_scenario
from kiosk.scenario_remote import setup_room, upload_journal
from kiosk.simulate import simulate
from sync.client import SyncClient

EXAMPLE_CONFIG = Path(__file__).resolve().parent / "examples" / "room.toml"


@dataclass(frozen=True)
class DemoRoom:
    """One room of the demo district."""

    school_code: str
    school_name: str
    level: str
    model: str
    room_code: str
    room_name: str
    room_type: str


DEMO_ROOMS: tuple[DemoRoom, ...] = (
    DemoRoom("TH-NGOCLAM", "Trường Tiểu học Ngọc Lâm", "TH", "full", "P4A", "Phòng học lớp 4A", "regular_classroom"),
    DemoRoom("TH-NGOCLAM", "Trường Tiểu học Ngọc Lâm", "TH", "full", "P5B", "Phòng học lớp 5B", "regular_classroom"),
    DemoRoom("TH-NGOCLAM", "Trường Tiểu học Ngọc Lâm", "TH", "full", "TIN1", "Phòng Tin học 1", "it_room"),
    DemoRoom("THCS-GIATHUY", "Trường THCS Gia Thụy", "THCS", "full", "NN1", "Phòng Ngoại ngữ 1", "language_room"),
    DemoRoom("THCS-GIATHUY", "Trường THCS Gia Thụy", "THCS", "full", "P8A", "Phòng học lớp 8A", "regular_classroom"),
    DemoRoom("THCS-GIATHUY", "Trường THCS Gia Thụy", "THCS", "full", "AN1", "Phòng Âm nhạc", "music_room"),
    DemoRoom("TH-GIATHUONG", "Trường Tiểu học Gia Thượng", "TH", "partial", "P3C", "Phòng học lớp 3C", "regular_classroom"),
    DemoRoom("TH-GIATHUONG", "Trường Tiểu học Gia Thượng", "TH", "partial", "TA1", "Phòng Tiếng Anh", "language_room"),
)


def room_config(room: DemoRoom, base: dict[str, Any]) -> RoomConfig:
    """The example room's devices, bells, timetable and teachers under this room's school and name."""
    data = dict(base)
    data.pop("agent", None)
    data["school"] = {"code": room.school_code, "name": room.school_name, "level": room.level, "model": room.model}
    data["room"] = {"code": room.room_code, "name": room.room_name, "type": room.room_type}
    return parse_config(data, source=f"demo room {room.school_code}/{room.room_code}")


def last_full_week(today: dt.date) -> dt.date:
    """The Monday of the last complete week before ``today`` (its events are all in the past)."""
    return today - dt.timedelta(days=today.weekday() + 7)


@dataclass
class RoomFeed:
    """What feeding one room did."""

    room: DemoRoom
    pi_id: str
    events: int
    batches: int
    bytes_sent: int


def feed_room(server: DistrictServer, admin: AdminApi, room: DemoRoom, config: RoomConfig, folder: Path,
              mondays: list[dt.date], seed: int) -> RoomFeed:
    """Simulate the room's weeks, replay them into its journal, enrol its Pi and upload over HTTP."""
    pi_dir = folder / "pis" / f"{room.school_code}-{room.room_code}"
    journal_dir = pi_dir / "journal"
    code = admin.call("POST", "/enrollment-codes", json={"school": room.school_code, "room": room.room_code})["code"]
    client = SyncClient(server.url)
    try:
        answer = client.enroll(code, room=room.room_code, hostname=f"pi-{room.room_code.lower()}")
        save_identity(pi_dir, Identity(server.url, answer.pi_id, answer.token, answer.school, answer.room, 0.0))
        events = batches = size = 0
        for i, monday in enumerate(mondays):
            scenario_dir = pi_dir / f"week-{monday.isoformat()}"
            simulate(config, scenario_dir, monday=monday, seed=seed * 100 + i, interval_s=10.0)
            scenario = load_scenario(scenario_dir)
            journal, _dates = replay_scenario(scenario, journal_dir)
            try:
                upload = upload_journal(client, journal, batch_events=250)
                events = journal.last_seq
            finally:
                journal.close()
            batches += upload.batches
            size += upload.bytes_sent
            shutil.rmtree(scenario_dir)
        return RoomFeed(room, answer.pi_id, events, batches, size)
    finally:
        client.close()


def build_demo_district(server: DistrictServer, folder: Path, *, weeks: int = 1, seed: int = 7,
                        today: dt.date | None = None,
                        on_room: Callable[[RoomFeed], None] | None = None) -> tuple[list[RoomFeed], dict[str, Any]]:
    """Create the demo schools on a running server, feed every room, and return the feeds and the report."""
    base = tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    last_monday = last_full_week(today or dt.date.today())
    mondays = [last_monday - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    admin = server.admin()
    feeds = []
    try:
        for n, room in enumerate(DEMO_ROOMS):
            config = room_config(room, base)
            setup_room(admin, config)
            feed = feed_room(server, admin, room, config, folder, mondays, seed + n)
            feeds.append(feed)
            if on_room is not None:
                on_room(feed)
        report = admin.call("GET", "/reports", params={
            "from": mondays[0].isoformat(), "to": (mondays[-1] + dt.timedelta(days=6)).isoformat(),
            "lessons": "false"})
    finally:
        admin.close()
    return feeds, report

"""The demo district: every simulated room reaches the district through enrol + sync, exactly once."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from kiosk.demo_district import DEMO_ROOMS, build_demo_district
from kiosk.district_server import DistrictServer


def test_demo_district_feeds_every_room_through_sync(tmp_path: Path) -> None:
    db = tmp_path / "district.db"
    with DistrictServer(f"sqlite:///{db}") as server:
        feeds, report = build_demo_district(server, tmp_path, weeks=1, today=dt.date(2026, 11, 23))
    assert len(feeds) == len(DEMO_ROOMS) == len(report["rooms"])
    assert report["from"] == "2026-11-16" and report["to"] == "2026-11-22"
    with sqlite3.connect(db) as conn:
        for feed in feeds:
            count, low, high = conn.execute(
                "SELECT count(*), min(seq), max(seq) FROM events WHERE pi_id = ?", (feed.pi_id,)).fetchone()
            assert (count, low, high) == (feed.events, 1, feed.events)
    assert all(r["summary"]["used"] + r["summary"]["not_used"] > 0 for r in report["rooms"])
    assert {r["room_type"] for r in report["rooms"]} >= {"regular_classroom", "it_room", "language_room"}
    assert any(not r["summary"]["meets_target"] for r in report["rooms"])  # the demo shows a room below target

"""``classroom district-demo``: every simulated room reaches the district through enrol + sync, exactly once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner

from kiosk.cli import cli
from kiosk.demo_district import DEMO_ROOMS, last_full_week
from kiosk.i18n import set_language


def test_district_demo_feeds_every_room_through_sync(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    try:
        result = CliRunner().invoke(cli, ["--lang", "en", "district-demo", "--port", "0", "--no-serve",
                                          "--out", str(out)], terminal_width=200)
    finally:
        set_language("vi")
    assert result.exit_code == 0, result.output
    assert "District server at http://127.0.0.1:" in result.output
    assert result.output.count(" enrolled, ") == len(DEMO_ROOMS)
    assert f"of {len(DEMO_ROOMS)} rooms meet their target" in result.output
    for room in DEMO_ROOMS:
        assert room.room_code in result.output
    with sqlite3.connect(out / "district.db") as conn:
        pis = conn.execute("SELECT pi_id, count(*), count(DISTINCT seq), min(seq), max(seq) FROM events "
                           "GROUP BY pi_id").fetchall()
    assert len(pis) == len(DEMO_ROOMS)
    for _pi, count, distinct, low, high in pis:
        assert count == distinct == high and low == 1  # every event once, no gap


def test_demo_weeks_are_complete_and_past() -> None:
    import datetime as dt

    assert last_full_week(dt.date(2026, 11, 23)) == dt.date(2026, 11, 16)  # a Monday: the week before
    assert last_full_week(dt.date(2026, 11, 22)) == dt.date(2026, 11, 9)   # a Sunday: that week is not over

"""Journal: seq, day files, reading back by sequence and time, cursor, re-stamping.

One fixture runs every behaviour test over the in-memory and the on-disk journal, as
TinyDB's own tests do with its storages.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.errors import JournalError
from kiosk.journal import Journal
from kiosk.journal.journal import restamp

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = dt.datetime(2026, 11, 23, 0, 0, tzinfo=TZ).timestamp()  # local midnight


class FakeClock:
    """A clock the test moves: wall, monotonic, boot id, synchronised or not."""

    def __init__(self, wall: float = DAY + 8 * 3600, *, mono: float = 100.0, synced: bool = True,
                 boot_id: str = "boot-1") -> None:
        self.boot_id = boot_id
        self._wall, self._mono, self.synced = wall, mono, synced

    def wall(self) -> float:
        return self._wall

    def mono(self) -> float:
        return self._mono

    def is_synced(self) -> bool:
        return self.synced

    def advance(self, seconds: float) -> None:
        self._wall += seconds
        self._mono += seconds


@pytest.fixture(params=["memory", "disk"])
def journal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Journal]:
    clock = FakeClock()
    if request.param == "memory":
        j = Journal.in_memory(tz=TZ, clock=clock)
    else:
        j = Journal.open(tmp_path / "journal", tz=TZ, clock=clock)
    yield j
    j.close()


def test_every_event_gets_seq_time_boot_mono_and_sync_flag(journal: Journal) -> None:
    first = journal.append("start", version="1")
    second = journal.append("on", at=DAY + 8 * 3600 - 30, channel=1)
    assert (first["seq"], second["seq"]) == (1, 2)
    assert first == {"seq": 1, "type": "start", "at": DAY + 8 * 3600, "boot": "boot-1", "mono": 100.0,
                     "synced": True, "version": "1"}
    assert second["mono"] == 70.0  # the reading's moment, not the append's
    assert journal.last_seq == 2
    assert journal.last_event() == second


def test_after_seq_in_order_with_limit(journal: Journal) -> None:
    for i in range(30):
        journal.append("heartbeat", at=DAY + i * 7200)  # crosses several local days
    assert [e["seq"] for e in journal.after_seq(0, limit=5)] == [1, 2, 3, 4, 5]
    assert [e["seq"] for e in journal.after_seq(25)] == [26, 27, 28, 29, 30]
    assert [e["seq"] for e in journal.after_seq(11, limit=3)] == [12, 13, 14]
    assert journal.after_seq(30) == []


def test_events_by_time_range(journal: Journal) -> None:
    for i in range(10):
        journal.append("heartbeat", at=DAY + i * 43200)  # twice a day for five days
    start, until = DAY + 2 * 86400, DAY + 3 * 86400
    got = journal.events(start_at=start, until_at=until)
    inside = [e["seq"] for e in got if e["at"] >= start]
    assert inside == [5, 6]
    assert all(e["at"] < until for e in got)
    assert [e["at"] for e in got] == sorted(e["at"] for e in got)
    assert [e["seq"] for e in journal.events()] == list(range(1, 11))


def test_appended_events_are_copies(journal: Journal) -> None:
    event = journal.append("tapin", teacher="gv01")
    event["teacher"] = "someone else"
    assert journal.last_event()["teacher"] == "gv01"  # type: ignore[index]


def test_cursor(journal: Journal) -> None:
    assert journal.cursor == 0
    for _ in range(3):
        journal.append("heartbeat")
    journal.set_cursor(2)
    assert journal.cursor == 2
    with pytest.raises(ValueError, match="out of range"):
        journal.set_cursor(4)
    with pytest.raises(ValueError):
        journal.set_cursor(-1)


def test_restamp_of_unsynchronised_events_from_clock_synced_of_same_boot(journal: Journal) -> None:
    clock: FakeClock = journal._clock  # type: ignore[assignment]
    clock.synced = False
    clock._wall = dt.datetime(2026, 11, 1, 6, 0, tzinfo=TZ).timestamp()  # fake-hwclock: days behind
    early = journal.append("start")
    clock.advance(60)
    on = journal.append("on", channel=1)
    true_now = DAY + 7 * 3600
    clock._wall, clock.synced = true_now, True  # NTP steps the clock
    journal.append("clock_synced")
    got = {e["seq"]: e for e in journal.events()}
    assert got[early["seq"]]["at"] == true_now - 60 and got[early["seq"]]["restamped"] is True
    assert got[on["seq"]]["at"] == true_now
    assert "restamped" not in got[3]
    # what is stored stays as recorded: immutable
    assert [e["at"] for e in journal.after_seq(0)][:2] == [early["at"], on["at"]]


def test_events_of_another_boot_are_not_restamped() -> None:
    docs = [
        {"seq": 1, "type": "start", "at": 10.0, "mono": 5.0, "boot": "a", "synced": False},
        {"seq": 2, "type": "clock_synced", "at": 1000.0, "mono": 8.0, "boot": "b", "synced": True},
    ]
    out = restamp([dict(d) for d in docs])
    assert out[0]["at"] == 10.0 and "restamped" not in out[0]
    assert out[0]["synced"] is False


def test_in_memory_journal_writes_nothing(tmp_path: Path) -> None:
    j = Journal.in_memory(tz=TZ, clock=FakeClock())
    j.append("start")
    assert j.day_files == []


# --- on disk only -------------------------------------------------------------------


def test_one_file_per_local_day_named_by_first_seq(tmp_path: Path) -> None:
    j = Journal.open(tmp_path, tz=TZ, clock=FakeClock())
    j.append("a", at=DAY + 3600)
    j.append("b", at=DAY + 86400 - 1)
    j.append("c", at=DAY + 86400 + 1)  # next local day (UTC+7 midnight)
    j.append("d", at=DAY + 3 * 86400)
    j.close()
    assert [p.name for p in j.day_files] == [
        "2026-11-23.0000000001.jsonl", "2026-11-24.0000000003.jsonl", "2026-11-26.0000000004.jsonl"]


def test_seq_and_cursor_continue_after_reopen(tmp_path: Path) -> None:
    j = Journal.open(tmp_path, tz=TZ, clock=FakeClock())
    for i in range(5):
        j.append("heartbeat", at=DAY + i * 50000)
    j.set_cursor(4)
    j.close()
    again = Journal.open(tmp_path, tz=TZ, clock=FakeClock())
    assert again.last_seq == 5 and again.cursor == 4
    assert again.append("heartbeat", at=DAY + 6 * 50000)["seq"] == 6
    assert [e["seq"] for e in again] == [1, 2, 3, 4, 5, 6]


def test_seq_never_goes_below_the_cursor(tmp_path: Path) -> None:
    j = Journal.open(tmp_path, tz=TZ, clock=FakeClock())
    for _ in range(3):
        j.append("heartbeat")
    j.set_cursor(3)
    j.close()
    for path in tmp_path.glob("*.jsonl"):
        path.write_bytes(b"")  # the card lost the day's data
    assert Journal.open(tmp_path, tz=TZ, clock=FakeClock()).append("start")["seq"] == 4


def test_unreadable_cursor_means_resend_with_a_log_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    j = Journal.open(tmp_path, tz=TZ, clock=FakeClock())
    (tmp_path / "cursor.json").write_text("{not json")
    with caplog.at_level(logging.ERROR):
        assert j.cursor == 0
    assert "cursor.json" in caplog.text
    j.append("heartbeat")
    j.set_cursor(1)
    assert json.loads((tmp_path / "cursor.json").read_text()) == {"acked_seq": 1}


def test_readonly_journal(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="no journal"):
        Journal.open(tmp_path / "nowhere", tz=TZ, clock=FakeClock(), readonly=True)
    Journal.open(tmp_path, tz=TZ, clock=FakeClock()).append("start")
    reader = Journal.open(tmp_path, tz=TZ, clock=FakeClock(), readonly=True)
    assert [e["type"] for e in reader] == ["start"]
    with pytest.raises(JournalError, match="read-only"):
        reader.append("x")


def test_journal_folder_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(JournalError, match="cannot create journal folder"):
        Journal.open(blocker / "journal", tz=TZ, clock=FakeClock())


def test_foreign_files_in_the_folder_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "2026-11-23.0000000001.jsonl.corrupt-1").write_text("junk")
    j = Journal.open(tmp_path, tz=TZ, clock=FakeClock())
    assert j.append("start")["seq"] == 1


def test_unsynchronised_boot_days_later_is_restamped_out_of_the_restored_day(journal: Journal) -> None:
    """Regression: after a power cut the Pi restores an old clock (Friday) and its events
    land in Friday's file; their boot's clock_synced is in Monday's file, which a Friday
    report did not read, so Monday's events counted on Friday."""
    friday = dt.datetime(2026, 11, 20, 0, 0, tzinfo=TZ).timestamp()
    monday = dt.datetime(2026, 11, 23, 0, 0, tzinfo=TZ).timestamp()
    journal._clock = FakeClock(friday + 9 * 3600, boot_id="boot-1")
    journal.append("start")
    journal.append("on", at=friday + 9 * 3600 + 300, channel=1)
    restored = FakeClock(friday + 10 * 3600, mono=20.0, synced=False, boot_id="boot-2")
    journal._clock = restored
    journal.append("start")
    restored.advance(60)
    journal.append("on", channel=1)
    restored._wall, restored.synced = monday + 7.5 * 3600 + 60, True  # NTP steps to Monday 07:31
    journal.append("clock_synced")
    on_friday = journal.events(start_at=friday, until_at=friday + 86400)
    assert [(e["boot"], e["type"]) for e in on_friday] == [("boot-1", "start"), ("boot-1", "on")]
    on_monday = [e for e in journal.events(start_at=monday, until_at=monday + 86400) if e["at"] >= monday]
    assert [(e["boot"], e["type"], e["at"]) for e in on_monday] == [
        ("boot-2", "start", monday + 7.5 * 3600), ("boot-2", "on", monday + 7.5 * 3600 + 60),
        ("boot-2", "clock_synced", monday + 7.5 * 3600 + 60)]


def test_cursor_on_a_read_only_card_is_a_journal_error(tmp_path: Path) -> None:
    from kiosk.journal import FileOps

    class ReadOnly(FileOps):
        def open_append(self, path: Path) -> int:
            raise OSError(30, "Read-only file system")

    j = Journal.open(tmp_path, tz=TZ, clock=FakeClock())
    j.append("heartbeat")
    j.close()
    again = Journal.open(tmp_path, tz=TZ, clock=FakeClock(), ops=ReadOnly())
    with pytest.raises(JournalError, match="cannot record the sync cursor"):
        again.set_cursor(1)
    assert again.cursor == 0

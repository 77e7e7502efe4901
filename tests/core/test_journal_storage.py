"""JournalStorage: checksummed lines appended and fsynced; torn tails dropped, corrupt files moved aside."""

from __future__ import annotations

import errno
import logging
import os
from pathlib import Path

import pytest
from tinydb import TinyDB, where
from tinydb.table import Document

from kiosk.errors import AppendOnlyViolation, JournalError
from kiosk.journal.storage import (
    TABLE,
    FileOps,
    JournalDB,
    JournalStorage,
    decode_line,
    encode_line,
)


def _db(path: Path, **kwargs: object) -> TinyDB:
    return TinyDB(path, storage=JournalStorage, **kwargs)


def test_line_round_trip_and_checksum() -> None:
    line = encode_line(7, {"seq": 7, "note": "Tiết 3 — máy chiếu"})
    assert line.endswith(b"\n")
    assert decode_line(line) == (7, {"seq": 7, "note": "Tiết 3 — máy chiếu"})
    flipped = line.replace(b"7", b"8", 1)
    assert decode_line(flipped) is None
    assert decode_line(line[:-1]) is None  # no newline: torn
    assert decode_line(b"garbage\n") is None
    assert decode_line(b"[1,2]\t%08x\n" % 0) is None


def test_append_costs_one_line_and_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "day.jsonl"
    db = _db(path)
    sizes = []
    for i in range(1, 6):
        db.table(TABLE).insert({"seq": i, "type": "on"})
        sizes.append(path.stat().st_size)
    db.close()
    growth = [b - a for a, b in zip(sizes, sizes[1:], strict=False)]
    assert growth == [len(encode_line(i, {"seq": i, "type": "on"})) for i in range(2, 6)]
    again = _db(path)
    assert [d["seq"] for d in again.table(TABLE).all()] == [1, 2, 3, 4, 5]


def test_torn_tail_is_dropped_and_cut_off_with_a_log_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "day.jsonl"
    good = encode_line(1, {"seq": 1}) + encode_line(2, {"seq": 2})
    path.write_bytes(good + encode_line(3, {"seq": 3})[:-5])
    with caplog.at_level(logging.WARNING):
        storage = JournalStorage(path)
    assert storage.read()[TABLE] == {"1": {"seq": 1}, "2": {"seq": 2}}
    assert path.read_bytes() == good
    assert "torn tail" in caplog.text and str(path) in caplog.text
    storage.close()


def test_readonly_open_leaves_a_torn_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "day.jsonl"
    raw = encode_line(1, {"seq": 1}) + b'[2,{"se'
    path.write_bytes(raw)
    storage = JournalStorage(path, readonly=True)
    assert list(storage.read()[TABLE]) == ["1"]
    assert path.read_bytes() == raw
    with pytest.raises(AppendOnlyViolation):
        storage.write({TABLE: {"1": {"seq": 1}, "2": {"seq": 2}}})


def test_corrupt_middle_is_moved_aside_and_logging_goes_on(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "2026-11-23.0000000001.jsonl"
    raw = encode_line(1, {"seq": 1}) + b"\xff\xfe not a line\n" + encode_line(2, {"seq": 2})
    path.write_bytes(raw)
    with caplog.at_level(logging.ERROR):
        db = _db(path)
    assert [d["seq"] for d in db.table(TABLE).all()] == [1, 2]
    aside = tmp_path / (path.name + ".corrupt-1")
    assert aside.read_bytes() == raw  # the evidence is kept as it was
    assert "corrupt" in caplog.text and aside.name in caplog.text
    db.table(TABLE).insert({"seq": 3})
    db.close()
    assert [d["seq"] for d in _db(path).table(TABLE).all()] == [1, 2, 3]
    assert not list(tmp_path.glob("*.tmp"))


def test_second_corruption_gets_its_own_aside_name(tmp_path: Path) -> None:
    path = tmp_path / "day.jsonl"
    for n in (1, 2):
        path.write_bytes(b"junk\n" + encode_line(1, {"seq": 1}))
        JournalStorage(path).close()
        assert (tmp_path / f"day.jsonl.corrupt-{n}").exists()


@pytest.mark.parametrize("change", ["update", "remove", "truncate", "upsert"])
def test_append_only_violations_are_refused_and_change_nothing(tmp_path: Path, change: str) -> None:
    """Regression: a refused update used to alter the event in memory all the same."""
    path = tmp_path / "day.jsonl"
    db = _db(path)
    events = db.table(TABLE)
    events.insert({"seq": 1, "type": "on"})
    events.insert({"seq": 2, "type": "off"})
    before = path.read_bytes()
    with pytest.raises(AppendOnlyViolation):
        if change == "update":
            events.update({"type": "forged"}, where("seq") == 1)
        elif change == "remove":
            events.remove(where("seq") == 1)
        elif change == "truncate":
            events.truncate()
        else:
            events.upsert({"seq": 2, "type": "forged"}, where("seq") == 2)
    events.clear_cache()
    assert [dict(d) for d in events.all()] == [{"seq": 1, "type": "on"}, {"seq": 2, "type": "off"}]
    assert path.read_bytes() == before
    events.insert({"seq": 3, "type": "on"})  # logging goes on
    assert len(_db(path).table(TABLE).all()) == 3


def test_write_with_removal_and_addition_is_refused(tmp_path: Path) -> None:
    storage = JournalStorage(tmp_path / "day.jsonl")
    storage.write({TABLE: {"1": {"seq": 1}}})
    with pytest.raises(AppendOnlyViolation):
        storage.write({TABLE: {"2": {"seq": 2}, "3": {"seq": 3}}})
    with pytest.raises(AppendOnlyViolation):
        storage.write({TABLE: dict(storage.read()[TABLE]), "other": {}})


class _FullDisk(FileOps):
    def __init__(self) -> None:
        self.full = False

    def write(self, fd: int, data: bytes) -> None:
        if self.full:
            os.write(fd, data[: len(data) // 2])  # a short write, then the card is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        super().write(fd, data)


def test_failed_append_raises_and_leaves_no_half_event(tmp_path: Path) -> None:
    path = tmp_path / "day.jsonl"
    ops = _FullDisk()
    db = _db(path, ops=ops)
    db.table(TABLE).insert({"seq": 1})
    ops.full = True
    with pytest.raises(JournalError, match="No space left"):
        db.table(TABLE).insert({"seq": 2})
    assert [d["seq"] for d in db.table(TABLE).all()] == [1]
    assert path.read_bytes() == encode_line(1, {"seq": 1})
    ops.full = False
    db.table(TABLE).insert({"seq": 3})
    assert [d["seq"] for d in _db(path).table(TABLE).all()] == [1, 3]


def test_unreadable_file_is_a_journal_error(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.jsonl"
    folder.mkdir()
    with pytest.raises(JournalError, match="cannot read"):
        JournalStorage(folder)


class _Counting(FileOps):
    def __init__(self) -> None:
        self.written: list[int] = []

    def write(self, fd: int, data: bytes) -> None:
        super().write(fd, data)
        self.written.append(len(data))

    def fsync(self, fd: int) -> None:
        pass  # a thousand fsyncs would only measure the disk


def test_journal_db_insert_writes_only_the_new_line_however_big_the_day(tmp_path: Path) -> None:
    ops = _Counting()
    db = JournalDB(tmp_path / "day.jsonl", storage=JournalStorage, ops=ops)
    events = db.table(TABLE)
    for i in range(1, 1001):
        assert events.insert({"seq": i, "type": "heartbeat"}) == i
    assert ops.written == [len(encode_line(i, {"seq": i, "type": "heartbeat"})) for i in range(1, 1001)]
    assert events.get(doc_id=500) == {"seq": 500, "type": "heartbeat"}
    assert len(events.search(where("seq") > 990)) == 10
    with pytest.raises(ValueError, match="already exists"):
        events.insert(Document({"seq": 0}, doc_id=3))
    with pytest.raises(AppendOnlyViolation):
        events.update({"type": "forged"}, doc_ids=[1])
    db.close()
    assert len(JournalDB(tmp_path / "day.jsonl", storage=JournalStorage).table(TABLE)) == 1000


class _ReadOnlyCard(FileOps):
    """A card the kernel remounted read-only after errors (common on a Pi's SD card)."""

    def open_append(self, path: Path) -> int:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    def link(self, src: Path, dst: Path) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))


@pytest.mark.parametrize("damage", ["torn", "corrupt"])
def test_repair_on_a_read_only_card_is_one_clear_journal_error(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "day.jsonl"
    good = encode_line(1, {"seq": 1})
    path.write_bytes(good + b"[2,{" if damage == "torn" else b"junk\n" + good)
    with pytest.raises(JournalError, match=r"cannot repair journal file .*Read-only file system"):
        JournalStorage(path, ops=_ReadOnlyCard())
    assert JournalStorage(path, readonly=True).read()[TABLE] == {"1": {"seq": 1}}  # still readable


def test_append_on_a_read_only_card_is_one_clear_journal_error(tmp_path: Path) -> None:
    db = JournalDB(tmp_path / "day.jsonl", storage=JournalStorage, ops=_ReadOnlyCard())
    with pytest.raises(JournalError, match=r"cannot open journal file .*Read-only file system"):
        db.table(TABLE).insert({"seq": 1})
    assert db.table(TABLE).all() == []

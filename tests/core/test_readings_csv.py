"""Readings files: plain or gzip CSV; a bad row stops with its line number or is skipped and counted."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest

from hardware.reading import Reading
from kiosk.errors import ReadingsError
from kiosk.i18n import language, set_language
from kiosk.readings_csv import ReadingsFile, parse_row

HEADER = "time,channel,amps\n"
ROWS = "2026-11-16T07:00:00+07:00,1,0.02\n2026-11-16T07:00:05+07:00,2,1.25\n"
T0 = 1794787200.0  # 2026-11-16 07:00 +07:00


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    before = language()
    set_language("en")
    yield
    set_language(before)


def _write(tmp_path: Path, text: str, *, gz: bool = False, name: str = "r.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(gzip.compress(text.encode()) if gz else text.encode())
    return path


@pytest.mark.parametrize("gz", [False, True])
def test_reads_plain_and_gzip(tmp_path: Path, gz: bool) -> None:
    got = list(ReadingsFile(_write(tmp_path, HEADER + ROWS, gz=gz)))
    assert got == [Reading(T0, 1, 0.02), Reading(T0 + 5, 2, 1.25)]


def test_utc_and_spreadsheet_byte_order_mark(tmp_path: Path) -> None:
    path = _write(tmp_path, "\ufeff" + HEADER + "2026-11-16T00:00:00Z,1,0\n")
    assert list(ReadingsFile(path)) == [Reading(T0, 1, 0.0)]


@pytest.mark.parametrize(("row", "message"), [
    ("yesterday,1,0.2", "not ISO 8601"),
    ("2026-11-16T07:00:10,1,0.2", "no UTC offset"),
    ("2026-11-16T07:00:10+07:00,one,0.2", "not a whole number"),
    ("2026-11-16T07:00:10+07:00,1,lots", "not a number"),
    ("2026-11-16T07:00:10+07:00,1,-0.5", "≥ 0"),
    ("2026-11-16T07:00:10+07:00,1,nan", "finite"),
    ("2026-11-16T07:00:10+07:00,1", "expected 3 fields"),
])
def test_bad_row_stops_with_its_line_number(tmp_path: Path, row: str, message: str) -> None:
    path = _write(tmp_path, HEADER + ROWS + row + "\n")
    with pytest.raises(ReadingsError, match=rf"r\.csv: line 4: .*{message}"):
        list(ReadingsFile(path))
    with pytest.raises(ValueError):
        parse_row(row.split(","))


def test_skip_bad_skips_and_counts(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + "bad,1,1\n" + ROWS + "2026-11-16T07:00:10+07:00,1,x\n\n")
    source = ReadingsFile(path, skip_bad=True)
    assert len(list(source)) == 2
    assert source.skipped == 2


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty"),
    (b"when,where,what\n", "line 1"),
    (b"time,channel,amps\n\xff\xfe\xfa,1,2\n", "decode"),
    (b"time,channel,amps\n2026-11-16T07:00:00+07:00,1,0\x00.1\n", "line 2"),
])
def test_unreadable_content_is_a_readings_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(content)
    with pytest.raises(ReadingsError, match=message):
        list(ReadingsFile(path))


@pytest.mark.parametrize("damage", ["truncated", "corrupt"])
def test_damaged_gzip_is_a_readings_error(tmp_path: Path, damage: str) -> None:
    """Regression: a corrupt gzip stream escaped as a bare zlib.error (a traceback)."""
    rows = "".join(f"2026-11-16T07:{i // 60:02d}:{i % 60:02d}+07:00,1,0.02\n" for i in range(3000))
    data = bytearray(gzip.compress((HEADER + rows).encode()))
    if damage == "truncated":
        data = data[: len(data) // 2]
    else:
        for i in range(30, len(data) - 20, 7):
            data[i] ^= 0x55
    path = tmp_path / "r.csv.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(ReadingsError):
        list(ReadingsFile(path))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ReadingsError, match="nope.csv"):
        list(ReadingsFile(tmp_path / "nope.csv"))

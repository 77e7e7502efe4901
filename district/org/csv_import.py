"""CSV imports of bell schedules, teachers and timetables, as a school's timetable software exports them.

Shapes (UTF-8, header row, comma-separated; examples in ``district/examples/``):

- bells: ``period,start,end`` (local ``HH:MM``)
- teachers: ``id,name,card`` (``card`` may be empty)
- timetable: ``room,weekday,period,class,subject,teacher[,valid_from,valid_to]``
  (weekday 1 = Monday … 7 = Sunday; dates ``YYYY-MM-DD``, optional)

A bad row raises :class:`BadInput` naming the line number (the header is line 1), the
column and what was expected; nothing of the file is stored then.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from district.errors import BadInput
from district.i18n import _

BELL_COLUMNS = ("period", "start", "end")
TEACHER_COLUMNS = ("id", "name", "card")
TIMETABLE_COLUMNS = ("room", "weekday", "period", "class", "subject", "teacher")
TIMETABLE_OPTIONAL = ("valid_from", "valid_to")


def _rows(text: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[tuple[int, dict[str, str]]]:
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise BadInput(_("line 1: missing column {column!r}").format(column=missing[0]), code="bad_csv", line=1)
    unknown = [c for c in header if c not in required + optional]
    if unknown:
        raise BadInput(_("line 1: unknown column {column!r}").format(column=unknown[0]), code="bad_csv", line=1)
    reader.fieldnames = header
    out = []
    try:
        for row in reader:
            if None in row:
                raise BadInput(_("line {line}: too many fields").format(line=reader.line_num), code="bad_csv", line=reader.line_num)
            values = {k: (v or "").strip() for k, v in row.items()}
            if not any(values.values()):
                continue
            out.append((reader.line_num, values))
    except csv.Error as exc:
        raise BadInput(_("line {line}: {error}").format(line=reader.line_num, error=exc), code="bad_csv", line=reader.line_num) from None
    return out


def _bad(line: int, column: str, expected: str, got: str) -> BadInput:
    return BadInput(
        _("line {line}: column {column}: expected {expected}, got {got!r}").format(
            line=line, column=column, expected=expected, got=got
        ),
        code="bad_csv",
        line=line,
    )


def _int(line: int, row: dict[str, str], column: str, low: int, high: int) -> int:
    try:
        value = int(row[column])
    except ValueError:
        raise _bad(line, column, _("a whole number {low}-{high}").format(low=low, high=high), row[column]) from None
    if not low <= value <= high:
        raise _bad(line, column, _("a whole number {low}-{high}").format(low=low, high=high), row[column])
    return value


def _hhmm(line: int, row: dict[str, str], column: str) -> str:
    try:
        return dt.time.fromisoformat(row[column]).strftime("%H:%M")
    except ValueError:
        raise _bad(line, column, _("a time as HH:MM"), row[column]) from None


def _text(line: int, row: dict[str, str], column: str, max_len: int) -> str:
    value = row[column]
    if not value or len(value) > max_len:
        raise _bad(line, column, _("a text of 1-{max} characters").format(max=max_len), value)
    return value


def parse_bells(text: str) -> list[tuple[int, str, str]]:
    """``(period, start, end)`` rows; periods distinct and each ending after it starts."""
    out: list[tuple[int, str, str]] = []
    seen: set[int] = set()
    for line, row in _rows(text, BELL_COLUMNS):
        period = _int(line, row, "period", 0, 20)
        start, end = _hhmm(line, row, "start"), _hhmm(line, row, "end")
        if end <= start:
            raise _bad(line, "end", _("a time after start"), row["end"])
        if period in seen:
            raise _bad(line, "period", _("a period not listed before"), row["period"])
        seen.add(period)
        out.append((period, start, end))
    if not out:
        raise BadInput(_("the file has no rows"), code="bad_csv", line=1)
    return out


def parse_teachers(text: str) -> list[tuple[str, str, str | None]]:
    """``(id, name, card)`` rows with distinct ids."""
    out: list[tuple[str, str, str | None]] = []
    seen: set[str] = set()
    for line, row in _rows(text, ("id", "name"), ("card",)):
        code = _text(line, row, "id", 40)
        if code in seen:
            raise _bad(line, "id", _("an id not listed before"), code)
        seen.add(code)
        card = row.get("card") or None
        if card is not None and len(card) > 64:
            raise _bad(line, "card", _("at most 64 characters"), card)
        out.append((code, _text(line, row, "name", 200), card))
    return out


def parse_timetable(
    text: str, *, periods: set[int] | None = None, teachers: set[str] | None = None
) -> list[tuple[int, str, dict[str, Any]]]:
    """``(line, room code, entry)`` rows; periods and teachers checked when given."""
    out: list[tuple[int, str, dict[str, Any]]] = []
    for line, row in _rows(text, TIMETABLE_COLUMNS, TIMETABLE_OPTIONAL):
        entry: dict[str, Any] = {
            "weekday": _int(line, row, "weekday", 1, 7),
            "period": _int(line, row, "period", 0, 20),
            "class": _text(line, row, "class", 40),
            "subject": _text(line, row, "subject", 100),
            "teacher": _text(line, row, "teacher", 40),
        }
        if periods is not None and entry["period"] not in periods:
            raise _bad(line, "period", _("a period of the bell schedule"), row["period"])
        if teachers and entry["teacher"] not in teachers:
            raise _bad(line, "teacher", _("a teacher id of the school"), row["teacher"])
        for column in TIMETABLE_OPTIONAL:
            if row.get(column):
                try:
                    entry[column] = dt.date.fromisoformat(row[column])
                except ValueError:
                    raise _bad(line, column, _("a date as YYYY-MM-DD"), row[column]) from None
        out.append((line, _text(line, row, "room", 40), entry))
    return out

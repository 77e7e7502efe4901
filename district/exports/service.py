"""Exports: lessons, device intervals and room-month summaries as rows, CSV or XLSX.

Column keys are stable; headers are English msgids translated to Vietnamese on request.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook

import criteria
from district.i18n import translate
from district.scoring.service import RoomScore, below_target_reason

KINDS = ("lessons", "intervals", "room_months")


def N_(message: str) -> str:  # noqa: N802  (the gettext marker name)
    """Mark ``message`` for the catalogue without translating it now."""
    return message


SHEET_TITLES = {"lessons": N_("Lessons"), "intervals": N_("Device intervals"), "room_months": N_("Room months")}
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "lessons": [
        ("school", N_("School")), ("room", N_("Room")), ("date", N_("Date")), ("period", N_("Period")), ("class", N_("Class")),
        ("subject", N_("Subject")), ("teacher", N_("Teacher")), ("status", N_("Status")), ("used_minutes", N_("Minutes used")),
        ("coverage", N_("Data coverage")), ("projector_minutes", N_("Projector minutes")),
        ("document_camera_minutes", N_("Document camera minutes")), ("interactive_board_minutes", N_("Interactive board minutes")),
        ("audio_minutes", N_("Audio minutes")), ("exempt_reason", N_("Exemption reason")),
    ],
    "intervals": [
        ("school", N_("School")), ("room", N_("Room")), ("date", N_("Date")), ("period", N_("Period")), ("device", N_("Device")),
        ("channel", N_("Channel")), ("start", N_("Start")), ("end", N_("End")), ("minutes", N_("Minutes")),
    ],
    "room_months": [
        ("school", N_("School")), ("room", N_("Room")), ("room_type", N_("Room type")), ("month", N_("Month")), ("lessons", N_("Lessons")),
        ("used", N_("Used")), ("not_used", N_("Not used")), ("no_data", N_("No data")), ("exempt", N_("Exempt")), ("share", N_("Share")),
        ("target", N_("Target")), ("meets_target", N_("Meets target")), ("why_below", N_("Why below target")),
    ],
}


def _local(at: float, tz: Any) -> str:
    return dt.datetime.fromtimestamp(at, tz).strftime("%Y-%m-%d %H:%M:%S")


def rows(kind: str, scores: Sequence[RoomScore]) -> list[dict[str, Any]]:
    """Rows of export ``kind`` (``lessons``, ``intervals``, ``room_months``) from scored rooms."""
    out: list[dict[str, Any]] = []
    for s in scores:
        base = {"school": s.school.code, "room": s.room.code}
        if kind == "room_months":
            months: dict[str, list[str]] = {}
            for v in s.verdicts:
                months.setdefault(v.lesson.date.strftime("%Y-%m"), []).append(v.status)
            for month, statuses in sorted(months.items()):
                summary = criteria.summarize(statuses, target=s.target)
                out.append({**base, "room_type": s.room.type, "month": month, "lessons": summary.lessons,
                            "used": summary.used, "not_used": summary.not_used, "no_data": summary.no_data,
                            "exempt": summary.exempt, "share": summary.share, "target": summary.target,
                            "meets_target": summary.meets_target, "why_below": below_target_reason(summary) or ""})
            continue
        tz = ZoneInfo(s.school.timezone)
        for v in s.verdicts:
            lesson = v.lesson
            if kind == "lessons":
                per = {f"{u.kind}_minutes": round(u.used_s / 60.0, 1) for u in v.devices}
                out.append({**base, "date": lesson.date.isoformat(), "period": lesson.period, "class": lesson.class_name or "",
                            "subject": lesson.subject or "", "teacher": lesson.tapped_teacher or lesson.teacher or "",
                            "status": v.status, "used_minutes": round(v.used_s / 60.0, 1), "coverage": round(v.coverage, 3),
                            **{k: per.get(k, "") for k in ("projector_minutes", "document_camera_minutes", "interactive_board_minutes", "audio_minutes")},
                            "exempt_reason": lesson.exempt_reason or ""})
            else:
                for use in v.devices:
                    for span in use.on:
                        out.append({**base, "date": lesson.date.isoformat(), "period": lesson.period, "device": use.kind,
                                    "channel": use.channel, "start": _local(span.start, tz), "end": _local(span.end, tz),
                                    "minutes": round((span.end - span.start) / 60.0, 2)})
    return out


def headers(kind: str, lang: str) -> list[str]:
    """Column headers of ``kind`` in ``lang`` (``vi`` or ``en``)."""
    return [translate(title, lang) for _key, title in COLUMNS[kind]]


def to_csv(kind: str, data: Sequence[dict[str, Any]], lang: str) -> bytes:
    """UTF-8 CSV with a BOM (so spreadsheet programs read Vietnamese right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers(kind, lang))
    keys = [k for k, _t in COLUMNS[kind]]
    for row in data:
        writer.writerow(["" if row.get(k) is None else row.get(k) for k in keys])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(kind: str, data: Sequence[dict[str, Any]], lang: str) -> bytes:
    """An XLSX workbook with one sheet named after the export."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = translate(SHEET_TITLES[kind], lang)[:31]
    ws.append(headers(kind, lang))
    keys = [k for k, _t in COLUMNS[kind]]
    for row in data:
        ws.append([row.get(k) for k in keys])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()

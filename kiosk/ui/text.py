"""The kiosk's words: labels for the core's names, and ``tr`` for layouts. Plain Python.

Every string a person sees goes through gettext (``kiosk.i18n``, catalogue ``ui.po``).
Layouts call ``tr('Start lesson', app.lang)``: the second argument is ignored but makes
Kivy re-evaluate the text when the language changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kiosk.i18n import N_, _

KIND_LABELS = {
    "projector": N_("Projector"),
    "document_camera": N_("Document camera"),
    "interactive_board": N_("Interactive board"),
    "audio": N_("Speakers"),
}
STATE_LABELS = {"on": N_("On"), "off": N_("Off"), "missing": N_("No signal")}
STATUS_LABELS = {
    "used": N_("Used"),
    "not_used": N_("Not used"),
    "no_data": N_("No data"),
    "exempt": N_("Exempt"),
}
SYMPTOM_LABELS = {
    "no_power": N_("Won't power on"),
    "no_picture": N_("No picture"),
    "no_sound": N_("No sound"),
    "touch_not_working": N_("Touch not working"),
    "other": N_("Other"),
}
REASON_LABELS = {
    "class_away": N_("Class away from the room"),
    "exam": N_("Exam"),
    "outdoor": N_("Outdoor activity"),
}
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
            N_("Saturday"), N_("Sunday"))


def tr(message: str, *_watch: Any) -> str:
    """Translate ``message``; extra arguments are only there for Kivy to re-bind on."""
    return _(message)


def label(table: dict[str, str], key: str) -> str:
    """The translated label of a core name (device kind, status, …), or the name itself."""
    return _(table[key]) if key in table else key


def date_text(day: dt.date) -> str:
    """``Thứ Hai, 23/11/2026`` / ``Monday, 23/11/2026``."""
    return f"{_(WEEKDAYS[day.weekday()])}, {day:%d/%m/%Y}"


def percent(value: float | None) -> str:
    """A share for people: ``87 %``; a dash when there is nothing to count yet."""
    return "—" if value is None else f"{value * 100:.0f} %"


def minutes_text(minutes: float) -> str:
    """``12 min`` / ``12 phút``."""
    return _("{n} min").format(n=int(minutes))

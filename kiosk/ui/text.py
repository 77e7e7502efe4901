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


def _when(at: Any, tz: dt.tzinfo) -> str:
    if not at:
        return _("never")
    return dt.datetime.fromtimestamp(float(at), tz).strftime("%d/%m %H:%M")


def sync_lines(sync: dict[str, Any], tz: dt.tzinfo) -> list[str]:
    """``kiosk.syncer.status()`` in words: enrolment, server, last upload, waiting events, errors."""
    if "error" in sync and len(sync) == 1:
        return [_("Sync status unavailable: {error}").format(error=sync["error"])]
    if not sync.get("enrolled"):
        lines = [_("Not enrolled with the district yet")]
    else:
        reachable = sync.get("reachable")
        word = _("not tried yet") if reachable is None else _("reachable") if reachable else _("unreachable")
        lines = [_("Server {server}: {state}").format(server=sync.get("server") or "—", state=word)]
    waiting = sync.get("waiting")
    lines.append(_("Last upload {when} · events waiting {n}").format(
        when=_when(sync.get("last_upload_at"), tz), n="—" if waiting is None else waiting))
    if sync.get("last_error"):
        lines.append(_("Last error: {error}").format(error=sync["last_error"]))
    if sync.get("restart_needed"):
        lines.append(_("A new configuration takes effect after a restart"))
    return lines

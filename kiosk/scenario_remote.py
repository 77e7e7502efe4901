"""Scenario folders through the district: the verdicts the district server computes.

``classroom scenario run DIR`` (without ``--local``) starts a district server on a free
loopback port over a temporary SQLite database, creates the school, room, bells,
teachers, holidays and timetable through its admin API, creates an enrolment code,
enrols a Pi, replays the scenario into a journal, uploads it over HTTP with the real
sync client, and asks the district for the room's report. The answer has the shape of
the ``--local`` path (``{"lessons": [...], "summary": {...}}``), so both can be compared.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from kiosk.config import RoomConfig
from kiosk.district_server import AdminApi, DistrictServer
from kiosk.errors import ScenarioError
from kiosk.i18n import _
from kiosk.scenario import _weeks, load_scenario, replay_scenario
from sync.client import ClockState, SyncClient, UploadResult
from sync.errors import SyncError

SUMMARY_KEYS = ("used", "not_used", "no_data", "exempt", "share", "target", "meets_target")


def setup_room(admin: AdminApi, config: RoomConfig) -> tuple[str, str]:
    """Create the room's school (with its holidays, if new) and the room with its configuration.

    Bells and teachers are the school's and are replaced by this room's; returns the
    school and room codes.
    """
    school, room = config.school.code, config.room.code
    known = {s["code"] for s in admin.call("GET", "/schools")}
    if school not in known:
        admin.call("POST", "/schools", json={
            "code": school, "name": config.school.name, "level": config.school.level,
            "model": config.school.model, "timezone": config.timezone})
        for holiday in config.holidays:
            admin.call("POST", f"/schools/{school}/holidays", json={"date": holiday.isoformat()})
    admin.call("POST", f"/schools/{school}/rooms", json={
        "code": room, "name": config.room.name, "type": config.room.type,
        "devices": [{"kind": d.kind, "channel": d.channel, "standby_amps": d.standby_amps, "on_amps": d.on_amps,
                     "source": d.source, "counts": d.counts} for d in config.devices]})
    admin.call("PUT", f"/schools/{school}/bells", json={"bells": [
        {"period": b.period, "start": b.start.strftime("%H:%M"), "end": b.end.strftime("%H:%M")}
        for b in config.bells]})
    if config.teachers:
        admin.call("PUT", f"/schools/{school}/teachers", json={"teachers": [
            t.model_dump(exclude_none=True) for t in config.teachers]})
    admin.call("PUT", f"/schools/{school}/rooms/{room}/timetable", json={"lessons": [
        e.model_dump(mode="json", by_alias=True, exclude_none=True) for e in config.timetable]})
    return school, room


def upload_journal(client: SyncClient, journal: Any, *, batch_events: int = 500) -> UploadResult:
    """Upload a whole journal with the real client; the clock sent is this machine's (synchronised)."""
    return client.upload(
        read_after=lambda seq, limit: journal.after_seq(seq, limit=limit),
        get_cursor=lambda: journal.cursor, set_cursor=journal.set_cursor, last_seq=lambda: journal.last_seq,
        clock=lambda: ClockState(time.time(), time.monotonic(), "scenario-runner", True),
        batch_events=batch_events)


def verdicts_from_district(admin: AdminApi, school: str, room: str, first: str, last: str) -> dict[str, Any]:
    """The room's lessons and summary as the district scores them, in the ``--local`` shape."""
    report = admin.call("GET", "/reports", params={"school": school, "room": room, "from": first, "to": last})
    entry = next((r for r in report["rooms"] if r["school"] == school and r["room"] == room), None)
    if entry is None:
        raise ScenarioError(_("the district's report has no room {room}").format(room=room))
    return {"lessons": entry.get("lessons", []), "summary": {k: entry["summary"][k] for k in SUMMARY_KEYS}}


def run_with_server(server: DistrictServer, folder: Path, *, journal_dir: Path | None = None) -> dict[str, Any]:
    """Run one scenario folder against a running district server (its database should be fresh for the school)."""
    scenario = load_scenario(folder)
    admin = server.admin()
    try:
        school, room = setup_room(admin, scenario.config)
        code = admin.call("POST", "/enrollment-codes", json={"school": school, "room": room})["code"]
        client = SyncClient(server.url)
        try:
            client.enroll(code, room=room, hostname="scenario-runner")
            with tempfile.TemporaryDirectory(prefix="scenario-journal-") as tmp:
                journal, dates = replay_scenario(scenario, journal_dir or Path(tmp))
                try:
                    if not dates:
                        raise ScenarioError(_("{path}: no readings and no tap-ins").format(path=folder))
                    upload = upload_journal(client, journal)
                    events = journal.last_seq
                finally:
                    journal.close()
        except SyncError as exc:
            raise ScenarioError(_("{path}: sync to the district failed: {error}").format(path=folder, error=exc)) from None
        finally:
            client.close()
        first, last = _weeks(dates)
        report = verdicts_from_district(admin, school, room, first.isoformat(), last.isoformat())
    finally:
        admin.close()
    report["scenario"] = scenario.raw.get("name", folder.name)
    report["journal_events"] = events
    report["district"] = {"pi_id": client.pi_id, "events_sent": upload.sent, "events_stored": upload.stored,
                          "acked_seq": upload.cursor_after, "batches": upload.batches, "bytes": upload.bytes_sent}
    return report


def run_scenario_via_district(folder: Path, *, journal_dir: Path | None = None,
                              database_url: str | None = None) -> dict[str, Any]:
    """Replay a scenario through a fresh district server on loopback and return its verdicts.

    The server's database is a temporary SQLite file unless ``database_url`` names an
    empty one (e.g. PostgreSQL: ``postgresql+psycopg://postgres@127.0.0.1/scratch``).
    """
    with tempfile.TemporaryDirectory(prefix="scenario-district-") as tmp, \
            DistrictServer(database_url or f"sqlite:///{Path(tmp) / 'district.db'}") as server:
        return run_with_server(server, folder, journal_dir=journal_dir)

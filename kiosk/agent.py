"""The agent core: sources → detector → journal, plus every action a person takes.

The single writer of the journal. The touchscreen, the CLI and sync call these methods
(from any thread: a lock serialises them); nothing else touches the journal files.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
from collections.abc import Callable, Iterable
from typing import Any

import criteria
from criteria.lessons import period_at
from hardware.reading import Reading
from kiosk import __version__
from kiosk.clock import Clock
from kiosk.config import ClosedFault, RoomConfig
from kiosk.detector import ChannelSpec, Detector
from kiosk.errors import KioskError
from kiosk.i18n import _
from kiosk.journal import Journal

log = logging.getLogger(__name__)

FAULT_SYMPTOMS = ("no_power", "no_picture", "no_sound", "touch_not_working", "other")


class ActionRefused(KioskError, ValueError):
    """A person's action cannot be recorded as asked (unknown teacher, no lesson now, …)."""


def detector_for(config: RoomConfig) -> Detector:
    """A detector set up from the room's devices, detector settings and policy."""
    settings = config.detector
    return Detector(
        [ChannelSpec(d.channel, d.kind, d.standby_amps, d.on_amps) for d in config.devices],
        on_fraction=settings.on_fraction,
        off_fraction=settings.off_fraction,
        persist_s=settings.persist_s,
        min_samples=settings.min_samples,
        stale_s=config.policy_rules.stale_s,
    )


class Agent:
    """The classroom program's core. Construct, then call :meth:`start` once."""

    def __init__(
        self,
        config: RoomConfig,
        journal: Journal,
        clock: Clock,
        *,
        heartbeat_s: float | None = None,
        idle_heartbeat_s: float | None = None,
    ) -> None:
        self.config = config
        self.journal = journal
        self.clock = clock
        self.detector = detector_for(config)
        self.heartbeat_s = heartbeat_s
        self.idle_heartbeat_s = idle_heartbeat_s or heartbeat_s
        self._lock = threading.RLock()
        self._last_heartbeat: float | None = None
        self._clock_sync_recorded = False
        self.listeners: list[Callable[[dict[str, Any]], None]] = []
        self._open_faults: dict[int, dict[str, Any]] | None = None

    # --- life cycle -------------------------------------------------------------
    def start(self) -> None:
        """Close what a power cut left open, then record that the agent started.

        Each channel that the journal's last day leaves on or off goes ``missing`` at
        the journal's last event: nothing is known of the time the agent was down.
        """
        with self._lock:
            last = self.journal.last_event()
            if last is not None:
                since = last["at"] - 86400.0
                events = self.journal.events(start_at=since)
                until = max([last["at"], *(e["at"] for e in events)]) + 1.0
                histories = criteria.channel_histories(
                    events, channels=self.detector.channels, start_at=since, until_at=until
                )
                for channel, history in histories.items():
                    if history.state != "missing":
                        self._record("missing", at=last["at"], channel=channel, kind=self._kind(channel),
                                     state="missing")
            self._record("start", version=__version__, room=self.config.room.code)

    def _kind(self, channel: int) -> str:
        device = self.config.device(channel)
        return device.kind if device else "unknown"

    def _record(self, type_: str, *, at: float | None = None, **fields: Any) -> dict[str, Any]:
        with self._lock:
            event = self.journal.append(type_, at=at, **fields)
            self._index_fault(event)
        for listener in list(self.listeners):
            try:
                listener(event)
            except Exception:  # a broken listener (the UI) must never stop logging
                log.exception("event listener failed on seq %s", event["seq"])
        return event

    # --- readings -----------------------------------------------------------------
    def process(self, reading: Reading) -> list[dict[str, Any]]:
        """Feed one reading; journal the events it settles; return them."""
        with self._lock:
            stored = []
            for event in self.detector.feed(reading):
                fields: dict[str, Any] = {"channel": event.channel, "kind": event.kind}
                if event.type == "back":
                    fields["state"] = event.state
                stored.append(self._record(event.type, at=event.at, **fields))
            return stored

    def tick(self) -> None:
        """Periodic work: missing channels, the heartbeat, noticing a synchronised clock."""
        now = self.clock.wall()
        with self._lock:
            for event in self.detector.tick(now):
                self._record(event.type, at=event.at, channel=event.channel, kind=event.kind)
            if not self._clock_sync_recorded and self.clock.is_synced():
                self._clock_sync_recorded = True
                self._record("clock_synced")
            if self.heartbeat_s and (
                self._last_heartbeat is None or now - self._last_heartbeat >= self._heartbeat_due_s()
            ):
                self.heartbeat()

    def _heartbeat_due_s(self) -> float:
        # After a power cut the journal's last event bounds a device's last seen on-time,
        # so beat often while something is on and rarely otherwise: each beat costs the
        # SD card a page write.
        assert self.heartbeat_s is not None
        if any(state == "on" for state in self.detector.states().values()):
            return self.heartbeat_s
        return max(self.heartbeat_s, self.idle_heartbeat_s or self.heartbeat_s)

    def end_of_readings(self) -> list[dict[str, Any]]:
        """A recording ended: nothing is known after each channel's last sample.

        Marks every reporting channel ``missing`` at its last sample + ``stale_s``, as the
        30 s rule says of any silence; without it the last state (``off`` or ``on``)
        would stretch over every later lesson.
        """
        with self._lock:
            last = [t for t in self.detector.last_times().values() if t is not None]
            if not last:
                return []
            now = max(last) + self.config.policy_rules.stale_s + 1.0
            return [self._record(e.type, at=e.at, channel=e.channel, kind=e.kind) for e in self.detector.tick(now)]

    def heartbeat(self) -> dict[str, Any]:
        """Record that the agent is alive, with every channel's state."""
        self._last_heartbeat = self.clock.wall()
        states = {str(k): v for k, v in self.detector.states().items()}
        return self._record("heartbeat", channels=states)

    def run(self, readings: Iterable[Reading], stop: threading.Event) -> None:
        """The live loop: readings from a source thread, ticks every second, until ``stop``."""
        inbox: queue.Queue[Reading] = queue.Queue(maxsize=10000)

        def pump() -> None:
            try:
                for reading in readings:
                    if stop.is_set():
                        break
                    inbox.put(reading)
            except Exception:
                log.exception("reading source stopped with an error")

        threading.Thread(target=pump, name="source", daemon=True).start()
        self.tick()
        while not stop.is_set():
            try:
                item = inbox.get(timeout=1.0)
            except queue.Empty:
                item = None
            if item is not None:
                try:
                    self.process(item)
                except KioskError as exc:
                    log.warning("reading dropped: %s", exc)
            if inbox.empty():
                # Only once every waiting reading is processed: staleness is judged
                # against the clock, and readings still queued are not missing.
                self.tick()
        self._record("stop", reason="shutdown")

    # --- people ---------------------------------------------------------------------
    def _lesson_now(self, at: float) -> tuple[dt.date, int]:
        found = period_at(at, bells=self.config.criteria_bells(), tz=self.config.tz)
        if found is None:
            raise ActionRefused(_("no lesson now or in the next 10 minutes"))
        return found

    def _check_teacher(self, teacher: str) -> None:
        if self.config.teachers and teacher not in {t.id for t in self.config.teachers}:
            raise ActionRefused(_("unknown teacher {teacher}").format(teacher=teacher))

    def teacher_by_card(self, card: str) -> str:
        """The teacher id for a card id typed by a reader; raises :class:`ActionRefused`."""
        for teacher in self.config.teachers:
            if teacher.card and teacher.card == card.strip():
                return teacher.id
        raise ActionRefused(_("card {card} is not registered to a teacher").format(card=card.strip()))

    def tap_in(
        self,
        *,
        teacher: str,
        date: dt.date | None = None,
        period: int | None = None,
        class_name: str | None = None,
        subject: str | None = None,
        exempt_reason: str | None = None,
        at: float | None = None,
        card: str | None = None,
    ) -> dict[str, Any]:
        """Record a teacher starting a lesson (or marking it as not needing the equipment).

        ``date``/``period`` default to the lesson now (or starting within 10 minutes).
        With ``exempt_reason`` the event is an ``exempt``; the reason must be one of the
        policy's.
        """
        self._check_teacher(teacher)
        when = self.clock.wall() if at is None else at
        if date is None or period is None:
            date, period = self._lesson_now(when)
        if period not in {b.period for b in self.config.bells}:
            raise ActionRefused(_("period {period} is not in the bell schedule").format(period=period))
        fields: dict[str, Any] = {"date": date.isoformat(), "period": period, "teacher": teacher}
        if class_name:
            fields["class"] = class_name
        if subject:
            fields["subject"] = subject
        if card:
            fields["card"] = card
        if exempt_reason is not None:
            if exempt_reason not in self.config.policy_rules.exempt_reasons:
                allowed = ", ".join(self.config.policy_rules.exempt_reasons)
                raise ActionRefused(
                    _("reason {reason} is not allowed (allowed: {allowed})").format(
                        reason=exempt_reason, allowed=allowed
                    )
                )
            fields["reason"] = exempt_reason
            return self._record("exempt", at=at, **fields)
        return self._record("tapin", at=at, **fields)

    def undo(self, seq: int, *, at: float | None = None) -> dict[str, Any]:
        """Undo a tap-in or exemption, allowed until its lesson ends."""
        with self._lock:
            found = self.journal.after_seq(seq - 1, limit=1) if seq >= 1 else []
        target = next((e for e in found if e["seq"] == seq), None)
        if target is None or target["type"] not in ("tapin", "exempt"):
            raise ActionRefused(_("there is no tap-in {seq} to undo").format(seq=seq))
        bell = next(b for b in self.config.bells if b.period == target["period"])
        end = dt.datetime.combine(dt.date.fromisoformat(target["date"]), bell.end, tzinfo=self.config.tz)
        now = self.clock.wall() if at is None else at
        if now >= end.timestamp():
            raise ActionRefused(_("the lesson is over; a tap-in can only be undone during its lesson"))
        return self._record("tapin_undone", at=at, undoes=seq)

    def report_fault(self, *, kind: str, symptom: str, note: str = "", at: float | None = None) -> dict[str, Any]:
        """Record a teacher's report of a broken device."""
        if kind not in criteria.DEVICE_KINDS:
            raise ActionRefused(_("unknown device {kind}").format(kind=kind))
        if symptom not in FAULT_SYMPTOMS:
            raise ActionRefused(_("unknown symptom {symptom}").format(symptom=symptom))
        return self._record("fault", at=at, device=kind, symptom=symptom, note=note[:500])

    def record_calibration(self, *, channel: int, standby_amps: float, on_amps: float,
                           at: float | None = None) -> dict[str, Any]:
        """Record a device's new standby and on levels (``classroom calibrate``)."""
        if self.config.device(channel) is None:
            raise ActionRefused(_("channel {channel} is not configured").format(channel=channel))
        if not 0.0 <= standby_amps < on_amps:
            raise ActionRefused(_("on level {on} must be above standby {standby}").format(
                on=on_amps, standby=standby_amps))
        with self._lock:
            event = self._record("calibration", at=at, channel=channel, kind=self._kind(channel),
                                 standby_amps=round(standby_amps, 4), on_amps=round(on_amps, 4))
            # effective at once: the detector and the config the UI and reports read
            self.detector.recalibrate(channel, standby_amps=standby_amps, on_amps=on_amps)
            devices = tuple(
                d.model_copy(update={"standby_amps": standby_amps, "on_amps": on_amps}) if d.channel == channel else d
                for d in self.config.devices
            )
            self.config = self.config.model_copy(update={"devices": devices})
        return event

    def close_fault(self, fault_seq: int, *, note: str = "", by: str = "it", at: float | None = None) -> dict[str, Any]:
        """Record that a reported fault was fixed."""
        if fault_seq not in {e["seq"] for e in self.open_faults()}:
            raise ActionRefused(_("fault {seq} is not open").format(seq=fault_seq))
        return self._record("fault_closed", at=at, fault=fault_seq, note=note[:500], by=by)

    # --- reading back (thread-safe; the UI and sync call these) ---------------------
    def events(self, *, start_at: float | None = None, until_at: float | None = None) -> list[dict[str, Any]]:
        """Journal events in ``[start_at, until_at)`` in time order (see :meth:`Journal.events`)."""
        with self._lock:
            return self.journal.events(start_at=start_at, until_at=until_at)

    def events_after(self, seq: int, *, limit: int = 500) -> list[dict[str, Any]]:
        """Up to ``limit`` events after ``seq`` in sequence order, as stored (for upload)."""
        with self._lock:
            return self.journal.after_seq(seq, limit=limit)

    def channel_states(self) -> dict[int, tuple[str, float | None]]:
        """Each channel's detector state (on / off / missing) and last reading in amps."""
        with self._lock:
            amps = self.detector.last_amps()
            return {ch: (state, amps[ch]) for ch, state in self.detector.states().items()}

    def report(self, first_date: dt.date, last_date: dt.date, *, until_at: float | None = None) -> dict[str, Any]:
        """Lesson verdicts and summary for a date range, as ``classroom lessons --json`` prints."""
        from kiosk.report import report_dict, room_verdicts

        start = dt.datetime.combine(first_date, dt.time(0), tzinfo=self.config.tz).timestamp()
        end = dt.datetime.combine(last_date + dt.timedelta(days=1), dt.time(0), tzinfo=self.config.tz).timestamp()
        events = self.events(start_at=start, until_at=end)
        verdicts = room_verdicts(self.config, events, first_date=first_date, last_date=last_date,
                                 until_at=self.clock.wall() if until_at is None else until_at)
        return report_dict(self.config, verdicts)

    def open_faults(self) -> list[dict[str, Any]]:
        """Fault reports not yet closed, oldest first.

        The journal's history is read once; afterwards the index follows every event
        this agent records (faults stay open for weeks: no rescan of a year of files).
        """
        with self._lock:
            if self._open_faults is None:
                self._open_faults = {}
                for event in self.journal:
                    self._index_fault(event)
            return sorted(self._open_faults.values(), key=lambda e: e["seq"])

    def _index_fault(self, event: dict[str, Any]) -> None:
        if self._open_faults is None:
            return
        if event["type"] == "fault":
            self._open_faults[event["seq"]] = event
        elif event["type"] == "fault_closed":
            self._open_faults.pop(int(event["fault"]), None)

    def apply_district_closes(self, pi_id: str, closed_faults: Iterable[ClosedFault] | None = None) -> list[dict[str, Any]]:
        """Close the faults of this Pi that the district closed (``faults_closed`` of its config).

        Idempotent: a fault already closed here is skipped. Returns the events recorded.
        """
        open_now = {e["seq"] for e in self.open_faults()}
        done = []
        for closed in self.config.faults_closed if closed_faults is None else closed_faults:
            if closed.pi == pi_id and closed.seq in open_now:
                done.append(self.close_fault(closed.seq, note=closed.note, by="district"))
                open_now.discard(closed.seq)
        return done

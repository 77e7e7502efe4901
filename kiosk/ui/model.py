"""What the kiosk screens show, read from the agent core: plain Python, no Kivy.

Every function here takes the :class:`~kiosk.agent.Agent` (or its config) and returns
plain data classes; they run on the UI's worker thread, never on the Kivy main thread,
because they read the journal. Times come from the agent's clock, so a replayed or
frozen clock gives the same screens.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from criteria.lessons import period_at
from kiosk.agent import Agent
from kiosk.calibration import Proposal, write_levels
from kiosk.commands.sync import enroll_pi
from kiosk.config import Lesson, RoomConfig, Teacher
from kiosk.identity import DEFAULT_STATE_DIR, Identity, load_identity, state_dir_for

PULLED_DOWN = ("not_used", "no_data")


@dataclass(frozen=True)
class PeriodInfo:
    """The current or next period of today, with the timetable's lesson if any."""

    date: dt.date
    period: int
    start: dt.time
    end: dt.time
    is_now: bool
    class_name: str = ""
    subject: str = ""
    teacher_id: str = ""
    teacher_name: str = ""
    start_at: float = 0.0
    end_at: float = 0.0


@dataclass(frozen=True)
class Tile:
    """One device on the home screen: kind, live state (on / off / missing), minutes this lesson."""

    kind: str
    channel: int
    state: str
    minutes: float


@dataclass(frozen=True)
class TapState:
    """The tap-in (or exemption) in force for a lesson, which can be undone until it ends."""

    seq: int
    teacher_id: str
    teacher_name: str
    is_exempt: bool
    reason: str = ""


@dataclass(frozen=True)
class MonthState:
    """This month's share of used lessons against the room's target, and what pulled it down."""

    first_date: dt.date
    share: float | None
    target: float
    meets_target: bool
    counts: dict[str, int] = field(default_factory=dict)
    pulled_down: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class HomeState:
    """Everything the home screen shows at one moment."""

    now_at: float
    local_now: dt.datetime
    period: PeriodInfo | None
    tap: TapState | None
    tiles: list[Tile]
    open_faults: list[dict[str, Any]]
    tap_period: tuple[dt.date, int] | None


def local_now(config: RoomConfig, at: float) -> dt.datetime:
    """``at`` (UTC epoch seconds) in the school's zone."""
    return dt.datetime.fromtimestamp(at, config.tz)


def timetable_entry(config: RoomConfig, day: dt.date, period: int) -> Lesson | None:
    """The weekly timetable's lesson for ``day`` and ``period``, or None."""
    for entry in config.timetable:
        if entry.weekday != day.isoweekday() or entry.period != period:
            continue
        if entry.valid_from and day < entry.valid_from:
            continue
        if entry.valid_to and day > entry.valid_to:
            continue
        return entry
    return None


def period_info(config: RoomConfig, day: dt.date, period: int, at: float) -> PeriodInfo:
    """The bell times and timetable lesson of ``period`` on ``day``."""
    bell = next(b for b in config.bells if b.period == period)
    start = dt.datetime.combine(day, bell.start, tzinfo=config.tz).timestamp()
    end = dt.datetime.combine(day, bell.end, tzinfo=config.tz).timestamp()
    entry = timetable_entry(config, day, period)
    teacher = entry.teacher if entry else ""
    return PeriodInfo(
        date=day, period=period, start=bell.start, end=bell.end, is_now=start <= at < end,
        class_name=entry.class_name if entry else "", subject=entry.subject if entry else "",
        teacher_id=teacher, teacher_name=config.teacher_name(teacher) if teacher else "",
        start_at=start, end_at=end,
    )


def current_or_next_period(config: RoomConfig, at: float) -> PeriodInfo | None:
    """The period running at ``at``, else the next one today, else None (school day over)."""
    day = local_now(config, at).date()
    if day.isoweekday() > 6 or day in config.holidays:
        return None
    upcoming = []
    for bell in sorted(config.bells, key=lambda b: b.start):
        info = period_info(config, day, bell.period, at)
        if info.is_now:
            return info
        if info.start_at > at:
            upcoming.append(info)
    return upcoming[0] if upcoming else None


def tap_period(config: RoomConfig, at: float) -> tuple[dt.date, int] | None:
    """The (date, period) a tap-in at ``at`` is for (the agent's rule: 10 min early allowed)."""
    return period_at(at, bells=config.criteria_bells(), tz=config.tz)


def taps_in_force(events: Iterable[Mapping[str, Any]]) -> dict[tuple[str, int], TapState]:
    """The last tap-in or exemption per (date ISO, period), with undone ones removed."""
    taps: dict[int, Mapping[str, Any]] = {}
    for event in events:
        if event.get("type") in ("tapin", "exempt"):
            taps[int(event["seq"])] = event
        elif event.get("type") == "tapin_undone":
            taps.pop(int(event["undoes"]), None)
    out: dict[tuple[str, int], TapState] = {}
    for seq in sorted(taps):
        e = taps[seq]
        out[(str(e["date"]), int(e["period"]))] = TapState(
            seq=seq, teacher_id=str(e["teacher"]), teacher_name=str(e.get("teacher_name") or e["teacher"]),
            is_exempt=e["type"] == "exempt", reason=str(e.get("reason") or ""),
        )
    return out


def on_seconds(events: Sequence[Mapping[str, Any]], channel: int, start_at: float, until_at: float) -> float:
    """Seconds ``channel`` was on within ``[start_at, until_at)``, from state and heartbeat events."""
    state = "off"
    since = start_at
    total = 0.0
    for event in events:
        at = float(event["at"])
        new: str | None = None
        kind = event.get("type")
        if kind in ("on", "off", "missing") and int(event.get("channel", -1)) == channel:
            new = str(kind)
        elif kind == "back" and int(event.get("channel", -1)) == channel:
            new = str(event.get("state", "off"))
        elif kind == "heartbeat":
            value = (event.get("channels") or {}).get(str(channel))
            new = str(value) if value else None
        if new is None:
            continue
        if at > until_at:
            break
        if state == "on":
            total += max(0.0, min(at, until_at) - max(since, start_at))
        state, since = new, at
    if state == "on":
        total += max(0.0, until_at - max(since, start_at))
    return total


def home_state(agent: Agent, open_faults: list[dict[str, Any]] | None = None) -> HomeState:
    """The home screen's data: period, tap-in, device tiles, open faults.

    ``open_faults`` may be passed from a cache: finding them reads the whole journal.
    """
    config = agent.config
    at = agent.clock.wall()
    now = local_now(config, at)
    info = current_or_next_period(config, at)
    day_start = dt.datetime.combine(now.date(), dt.time(0), tzinfo=config.tz).timestamp()
    events = agent.events(start_at=day_start, until_at=at + 1.0)
    taps = taps_in_force(events)
    tap = taps.get((info.date.isoformat(), info.period)) if info else None
    if tap is not None:
        tap = TapState(tap.seq, tap.teacher_id, config.teacher_name(tap.teacher_id), tap.is_exempt, tap.reason)
    states = agent.channel_states()
    tiles = []
    for device in config.devices:
        state = states.get(device.channel, ("missing", None))[0]
        minutes = 0.0
        if info is not None and info.is_now:
            minutes = on_seconds(events, device.channel, info.start_at, at) / 60.0
        tiles.append(Tile(kind=device.kind, channel=device.channel, state=state, minutes=minutes))
    return HomeState(now_at=at, local_now=now, period=info, tap=tap, tiles=tiles,
                     open_faults=agent.open_faults() if open_faults is None else open_faults,
                     tap_period=tap_period(config, at))


def setup_problem(agent: Agent) -> str | None:
    """What went wrong at first boot, if it did (``<state>/status/firstboot.json``, beside the journal).

    The Pi keeps logging locally after a bad boot-partition file; the screen must say so,
    because nobody reads logs.
    """
    folder = agent.journal.directory
    if folder is None:
        return None
    try:
        status = json.loads((folder.parent / "status" / "firstboot.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(status, dict) or status.get("ok", True):
        return None
    return str(status.get("message") or status.get("step") or "?")


def month_state(agent: Agent) -> MonthState:
    """This month so far: share against target and the lessons that pulled it down."""
    today = local_now(agent.config, agent.clock.wall()).date()
    first = today.replace(day=1)
    report = agent.report(first, today)
    summary = report["summary"]
    return MonthState(
        first_date=first, share=summary["share"], target=summary["target"],
        meets_target=bool(summary["meets_target"]),
        counts={k: int(summary[k]) for k in ("used", "not_used", "no_data", "exempt")},
        pulled_down=[lesson for lesson in report["lessons"] if lesson["status"] in PULLED_DOWN],
    )


def today_lessons(agent: Agent) -> list[dict[str, Any]]:
    """Today's lessons that have ended, with status and device minutes (the report's shape)."""
    today = local_now(agent.config, agent.clock.wall()).date()
    lessons: list[dict[str, Any]] = agent.report(today, today)["lessons"]
    return lessons


def roster(config: RoomConfig, preselected: str = "") -> list[Teacher]:
    """The teachers to show, the timetable's teacher first, the rest by name."""
    teachers = sorted(config.teachers, key=lambda t: fold(t.name.split()[-1] + " " + t.name))
    return sorted(teachers, key=lambda t: t.id != preselected)


def fold(text: str) -> str:
    """``text`` lower-cased without diacritics, for search: ``"Trần Văn Hùng"`` → ``"tran van hung"``."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def search(teachers: Sequence[Teacher], query: str) -> list[Teacher]:
    """The teachers whose name (or id) contains every word of ``query``, accents ignored."""
    words = fold(query).split()
    return [t for t in teachers if all(w in fold(t.name + " " + t.id) for w in words)]


def it_state(agent: Agent, syncer: Any = None) -> dict[str, Any]:
    """IT mode's live view: channel readings and detector states, clock, sync status."""
    states = agent.channel_states()
    channels = []
    for device in agent.config.devices:
        state, amps = states.get(device.channel, ("missing", None))
        channels.append({"channel": device.channel, "kind": device.kind, "state": state, "amps": amps,
                         "standby_amps": device.standby_amps, "on_amps": device.on_amps})
    sync: dict[str, Any] | None = None
    status = getattr(syncer, "status", None) if syncer is not None else None
    if callable(status):
        try:
            raw = status()
            sync = dict(raw) if isinstance(raw, Mapping) else dict(vars(raw)) if hasattr(raw, "__dict__") else {"status": raw}
        except Exception as exc:  # noqa: BLE001 - a broken syncer must not break IT mode; shown as text
            sync = {"error": str(exc)}
    return {
        "channels": channels,
        "clock_synced": agent.clock.is_synced(),
        "now_at": agent.clock.wall(),
        "sync": sync,
        "open_faults": agent.open_faults(),
    }


# --- IT mode: calibration and enrolment (the CLI's own functions, called on the worker) --------------
def calibration_sample(agent: Agent, channel: int) -> float | None:
    """The channel's last reading in amps, or None while it has no signal (not a sample)."""
    state, amps = agent.channel_states().get(channel, ("missing", None))
    return None if state == "missing" or amps is None else float(amps)


def save_calibration(agent: Agent, config_path: Path, proposal: Proposal) -> RoomConfig:
    """What ``classroom calibrate`` does on "yes": rewrite the room TOML, then journal the calibration."""
    config = write_levels(config_path, [proposal])
    agent.record_calibration(channel=proposal.channel, standby_amps=proposal.standby_amps,
                             on_amps=proposal.on_amps)
    return config


def enrolment_folder(agent: Agent) -> Path:
    """The Pi's state folder (identity.json): beside the journal, as ``classroom enroll`` finds it."""
    folder = agent.journal.directory
    return state_dir_for(folder) if folder is not None else DEFAULT_STATE_DIR


def current_identity(agent: Agent) -> Identity | None:
    """This Pi's enrolment, or None (an unreadable file raises, with its message)."""
    return load_identity(enrolment_folder(agent))


def enrol(agent: Agent, server: str, code: str, room: str | None, *, force: bool) -> Identity:
    """``classroom enroll``'s enrolment; after a re-enrolment the whole journal is sent again."""
    identity, _path, previous = enroll_pi(server.strip(), code, room=room or None, folder=enrolment_folder(agent),
                                          force=force)
    if previous is not None and agent.journal.cursor:
        agent.journal.set_cursor(0)  # it counted what the previous identity had acknowledged
    return identity

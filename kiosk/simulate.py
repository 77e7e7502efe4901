"""A seeded simulator of one room's week: what its sensors would report, and the truth.

Per lesson the teacher uses some devices (or none, or marks the lesson exempt), taps in
or forgets to. Devices behave as real ones do: standby current with noise, a projector
lamp warming up at about half current for ~30 s, a projector fan running on at about a
fifth of the on current for up to two minutes after switch-off, an audio system whose
current follows the sound, single samples of interference, a channel that dies for a
while, and the whole Pi switched off for a stretch (a power cut). Readings cover
06:30-17:30 on school days.

The output is a scenario folder (``scenario.json`` + ``readings.csv.gz``) whose
``expected`` block is the simulator's ground truth, so simulated weeks test the whole
core the same way the acceptance scenarios do. Durations are drawn away from the rule
lines (5 minutes of use, half the window missing) so the truth is unambiguous.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import criteria
from criteria.intervals import Interval, clip, total_seconds
from kiosk.config import RoomConfig

DAY_START = dt.time(6, 30)
DAY_END = dt.time(17, 30)


@dataclass
class _Plan:
    on: dict[int, list[Interval]] = field(default_factory=dict)  # channel -> user-on spans
    dead: dict[int, list[Interval]] = field(default_factory=dict)  # channel -> no samples
    pi_off: list[Interval] = field(default_factory=list)
    spikes: list[tuple[float, int]] = field(default_factory=list)
    tapins: list[dict[str, Any]] = field(default_factory=list)


def _ts(day: dt.date, at: dt.time, tz: dt.tzinfo) -> float:
    return dt.datetime.combine(day, at, tzinfo=tz).timestamp()


def _school_days(config: RoomConfig, monday: dt.date, days: int) -> list[dt.date]:
    holidays = set(config.holidays)
    out = []
    for i in range(days):
        day = monday + dt.timedelta(days=i)
        if day.isoweekday() <= 5 and day not in holidays:
            out.append(day)
    return out


def _plan(config: RoomConfig, monday: dt.date, days: int, rng: random.Random) -> _Plan:
    tz = config.tz
    plan = _Plan(on={d.channel: [] for d in config.devices}, dead={d.channel: [] for d in config.devices})
    bells = {b.period: b for b in config.bells}
    school_days = _school_days(config, monday, days)
    kinds = {d.channel: d.kind for d in config.devices}
    for day in school_days:
        for entry in (e for e in config.timetable if e.weekday == day.isoweekday()):
            bell = bells[entry.period]
            start, end = _ts(day, bell.start, tz), _ts(day, bell.end, tz)
            roll = rng.random()
            tap_at = start + rng.uniform(-180, 120)
            if roll < 0.05:
                reason = rng.choice(list(config.policy_rules.exempt_reasons))
                plan.tapins.append({"date": day.isoformat(), "period": entry.period, "teacher": entry.teacher,
                                    "time": _iso(tap_at, tz), "exempt_reason": reason})
                continue
            if rng.random() < 0.7:
                plan.tapins.append({"date": day.isoformat(), "period": entry.period, "teacher": entry.teacher,
                                    "time": _iso(tap_at, tz)})
            if roll < 0.15:
                # not used: perhaps a device switched on for a moment only
                if rng.random() < 0.5:
                    channel = rng.choice(list(kinds))
                    s = start + rng.uniform(60, 600)
                    plan.on[channel].append(Interval(s, s + rng.uniform(40, 150)))
                continue
            chosen = [c for c, k in kinds.items() if rng.random() < (0.9 if k == "projector" else 0.5)]
            chosen = chosen or [rng.choice(list(kinds))]
            for channel in chosen:
                s = start + rng.uniform(-120, 300)
                e = min(end + rng.uniform(-60, 240), s + rng.uniform(480, 3000))
                if e - max(s, start) >= 480:
                    plan.on[channel].append(Interval(s, e))
        # interference: a few single-sample spikes per channel per day
        for channel in kinds:
            for _ in range(rng.randint(0, 4)):
                plan.spikes.append((_ts(day, DAY_START, tz) + rng.uniform(0, 39000), channel))
    if school_days:
        # one channel dies for a whole lesson-sized stretch, and the Pi loses power once
        day = rng.choice(school_days)
        channel = rng.choice(list(kinds))
        bell = rng.choice(list(bells.values()))
        s = _ts(day, bell.start, tz) - rng.uniform(300, 900)
        plan.dead[channel].append(Interval(s, _ts(day, bell.end, tz) + rng.uniform(300, 900)))
        day = rng.choice(school_days)
        bell = rng.choice(list(bells.values()))
        s = _ts(day, bell.start, tz) - rng.uniform(600, 1200)
        plan.pi_off.append(Interval(s, _ts(day, bell.end, tz) + rng.uniform(600, 2400)))
    return plan


def _iso(at: float, tz: dt.tzinfo) -> str:
    return dt.datetime.fromtimestamp(at, tz).isoformat()


def _amps(kind: str, on_spans: list[Interval], t: float, standby: float, on: float, rng: random.Random) -> float:
    for span in on_spans:
        if span.start <= t < span.end:
            if kind == "projector" and t - span.start < 30:
                return on * 0.55 * rng.uniform(0.97, 1.03)
            if kind == "audio":
                return on * rng.uniform(0.85, 2.5)
            return on * rng.uniform(0.96, 1.04)
        if kind == "projector" and span.end <= t < span.end + 80:
            return on * 0.2 * rng.uniform(0.9, 1.1)
    return max(0.0, standby * rng.uniform(0.7, 1.3))


def _rows(config: RoomConfig, plan: _Plan, monday: dt.date, days: int, interval_s: float,
          rng: random.Random) -> Iterator[tuple[float, int, float]]:
    tz = config.tz
    spikes = set()
    for at, channel in plan.spikes:
        spikes.add((int(at // interval_s), channel))
    for day in _school_days(config, monday, days):
        t = _ts(day, DAY_START, tz)
        stop = _ts(day, DAY_END, tz)
        while t <= stop:
            if not any(s.start <= t < s.end for s in plan.pi_off):
                for device in config.devices:
                    if any(s.start <= t < s.end for s in plan.dead[device.channel]):
                        continue
                    amps = _amps(device.kind, plan.on[device.channel], t, device.standby_amps, device.on_amps, rng)
                    if (int(t // interval_s), device.channel) in spikes:
                        amps = device.on_amps * rng.uniform(0.6, 0.9)
                    yield t, device.channel, round(amps, 4)
            t += interval_s


def _truth(config: RoomConfig, plan: _Plan, monday: dt.date, days: int) -> dict[str, Any]:
    taps = [criteria.TapIn(date=dt.date.fromisoformat(t["date"]), period=t["period"], teacher=t["teacher"],
                           exempt_reason=t.get("exempt_reason")) for t in plan.tapins]
    lessons = criteria.build_lessons(first_date=monday, last_date=monday + dt.timedelta(days=days - 1),
                                     bells=config.criteria_bells(), timetable=config.criteria_timetable(),
                                     holidays=config.holidays, tapins=taps, tz=config.tz)
    rules = config.policy_rules
    out = []
    for lesson in lessons:
        w = lesson.window
        seen: list[Interval] = []
        gone = []
        for device in config.devices:
            outages = criteria.union(plan.dead[device.channel] + plan.pi_off)
            seen.extend(_minus(clip(plan.on[device.channel], w), outages))
            gone.append(total_seconds(clip(outages, w)))
        used_s = total_seconds(seen)
        worst_gone = max(gone, default=0.0) / w.seconds
        if lesson.exempt_reason:
            status = "exempt"
        elif used_s >= rules.min_used_s:
            status = "used"
        elif worst_gone > rules.no_data_fraction:
            status = "no_data"
        else:
            status = "not_used"
        # near a rule line a detector off by a sample or two may rightly disagree
        borderline = abs(used_s - rules.min_used_s) < 60 or abs(worst_gone - rules.no_data_fraction) < 0.15
        item: dict[str, Any] = {"date": lesson.date.isoformat(), "period": lesson.period, "status": status}
        if borderline and status != "exempt":
            item["borderline"] = True
        out.append(item)
    summary = criteria.summarize((x["status"] for x in out), target=config.target)
    return {"lessons": out, "summary": {"used": summary.used, "not_used": summary.not_used,
            "no_data": summary.no_data, "exempt": summary.exempt, "share": summary.share,
            "target": summary.target, "meets_target": summary.meets_target}}


def _minus(spans: list[Interval], holes: list[Interval]) -> list[Interval]:
    out = []
    for span in spans:
        pieces = [span]
        for hole in holes:
            nxt = []
            for p in pieces:
                if hole.end <= p.start or hole.start >= p.end:
                    nxt.append(p)
                    continue
                if p.start < hole.start:
                    nxt.append(Interval(p.start, hole.start))
                if hole.end < p.end:
                    nxt.append(Interval(hole.end, p.end))
            pieces = nxt
        out.extend(pieces)
    return out


def simulate(config: RoomConfig, out_dir: Path, *, monday: dt.date, seed: int = 1, days: int = 7,
             interval_s: float = 5.0) -> dict[str, Any]:
    """Write a simulated scenario folder for ``config`` starting ``monday``; return its scenario.json.

    Raises ``ValueError`` if ``monday`` is not a Monday or ``interval_s`` is out of 1-10 s.
    """
    if monday.isoweekday() != 1:
        raise ValueError(f"{monday} is not a Monday")
    if not 1.0 <= interval_s <= 10.0:
        raise ValueError(f"sample interval {interval_s} s out of range 1-10 s")
    rng = random.Random(seed)
    plan = _plan(config, monday, days, rng)
    out_dir.mkdir(parents=True, exist_ok=True)
    count = 0
    with gzip.open(out_dir / "readings.csv.gz", "wt", encoding="utf-8", newline="", compresslevel=6) as fh:
        fh.write("time,channel,amps\n")
        for t, channel, amps in _rows(config, plan, monday, days, interval_s, rng):
            fh.write(f"{_iso(t, config.tz)},{channel},{amps}\n")
            count += 1
    scenario = {
        "name": f"simulated-{config.room.code}-{monday.isoformat()}-seed{seed}",
        "timezone": config.timezone,
        "school": config.school.model_dump(),
        "room": {**config.room.model_dump(), "devices": [
            {"kind": d.kind, "channel": d.channel, "standby_amps": d.standby_amps, "on_amps": d.on_amps}
            for d in config.devices]},
        "bell_schedule": [{"period": b.period, "start": b.start.strftime("%H:%M"), "end": b.end.strftime("%H:%M")}
                          for b in config.bells],
        "timetable": [e.model_dump(by_alias=True, exclude_none=True) for e in config.timetable],
        "holidays": [h.isoformat() for h in config.holidays],
        "teachers": [t.model_dump(exclude_none=True) for t in config.teachers],
        "tapins": sorted(plan.tapins, key=lambda t: t["time"]),
        "readings": "readings.csv.gz",
        "sample_interval_s": interval_s,
        "readings_count": count,
        "expected": _truth(config, plan, monday, days),
    }
    (out_dir / "scenario.json").write_text(json.dumps(scenario, ensure_ascii=False, indent=1), encoding="utf-8")
    return scenario

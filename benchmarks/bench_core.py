"""Benchmark of the classroom core: journal appends against the disk's limit, wear, detector cost.

A script, not a test: it prints one table and asserts nothing. Run it on the machine
(and the disk) you care about, e.g. a Pi's SD card::

    .venv/bin/python benchmarks/bench_core.py [--dir /var/lib/classroom/bench] [--tiny]

Figures, side by side in one run:

1. durable append p50 / p99 against a bare ``write + fdatasync`` of the same bytes in
   the same folder (the physical limit), and their ratio;
2. the same after a year of day files exists (late / early ratio);
3. bytes written per event against the event's encoded size (what the journal asks
   the kernel to write, and what reached the block layer per ``/proc/self/io``), and
   per school day for the busiest scenario room; stock TinyDB ``JSONStorage`` for
   comparison;
4. the detector's cost per reading against the cost of parsing the same CSV rows.

Events and readings come from the acceptance scenarios (``../shared/scenarios`` or
the copies under ``tests/scenarios``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tinydb import TinyDB  # noqa: E402
from tinydb.storages import JSONStorage  # noqa: E402

from criteria import channel_histories, total_seconds  # noqa: E402
from hardware.reading import Reading  # noqa: E402
from kiosk.agent import detector_for  # noqa: E402
from kiosk.clock import ReplayClock  # noqa: E402
from kiosk.config import AgentSettings  # noqa: E402
from kiosk.journal import FileOps, Journal  # noqa: E402
from kiosk.journal.storage import encode_line  # noqa: E402
from kiosk.readings_csv import ReadingsFile  # noqa: E402
from kiosk.scenario import load_scenario, replay_scenario  # noqa: E402

HEARTBEAT_S = AgentSettings().heartbeat_s  # the agent's default heartbeat while a device is on
IDLE_HEARTBEAT_S = AgentSettings().idle_heartbeat_s  # ... and while every device is off
SHARED = ROOT.parent / "shared" / "scenarios"
LOCAL = ROOT / "tests" / "scenarios"


def scenario_folders() -> list[Path]:
    root = SHARED if SHARED.is_dir() else LOCAL
    return sorted(p for p in root.iterdir() if (p / "scenario.json").is_file())


class CountingOps(FileOps):
    """Real file operations that count the bytes the journal writes and the syncs."""

    def __init__(self) -> None:
        self.bytes = 0
        self.syncs = 0

    def write(self, fd: int, data: bytes) -> None:
        super().write(fd, data)
        self.bytes += len(data)

    def fsync(self, fd: int) -> None:
        super().fsync(fd)
        self.syncs += 1


def block_bytes_written() -> int:
    """Bytes this process caused to be sent to the block layer (Linux ``/proc/self/io``)."""
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            if line.startswith("write_bytes:"):
                return int(line.split()[1])
    except OSError:
        pass
    return -1


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- the scenarios' events ----------------------------------------------------------


def scenario_events(folders: list[Path], work: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Replay every scenario into a journal; return its events and the busiest room's day figures."""
    all_events: list[dict[str, Any]] = []
    busiest: dict[str, Any] = {"events_per_day": 0.0}
    for folder in folders:
        scenario = load_scenario(folder)
        target = work / f"replay-{folder.name}"
        journal, dates = replay_scenario(scenario, target)
        events = list(journal)
        journal.close()
        school_days = len({f.name.split(".")[0] for f in target.glob("*.jsonl")}) or 1
        size = sum(f.stat().st_size for f in target.glob("*.jsonl"))
        per_day = len(events) / school_days
        if per_day > busiest["events_per_day"]:
            ordered = sorted(events, key=lambda e: (e["at"], e["seq"]))
            histories = channel_histories(ordered, channels=[d.channel for d in scenario.config.devices],
                                          start_at=ordered[0]["at"], until_at=ordered[-1]["at"])
            on_s = total_seconds([iv for h in histories.values() for iv in h.on])
            busiest = {"room": folder.name, "events_per_day": per_day, "bytes_per_day": size / school_days,
                       "on_s_per_day": on_s / school_days}
        all_events.extend(events)
        shutil.rmtree(target)
    return all_events, busiest


def event_fields(events: list[dict[str, Any]], count: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """``count`` (type, fields) pairs cycling through the scenarios' events."""
    keep = {"seq", "type", "at", "boot", "mono", "synced"}
    for i in range(count):
        event = events[i % len(events)]
        yield event["type"], {k: v for k, v in event.items() if k not in keep}


# --- 1 and 2: durable appends ---------------------------------------------------------


def time_appends(directory: Path, events: list[dict[str, Any]], count: int, start_at: float,
                 ops: FileOps | None = None, *, with_bare: bool = True, step_s: float = 86400 / 300,
                 ) -> tuple[list[float], list[float], list[dict[str, Any]]]:
    """Durable appends and, interleaved so both see the same disk at the same moment,
    a bare ``write + fdatasync`` of each appended event's own line to a file beside them."""
    clock = ReplayClock(start_at, boot_id="bench")
    journal = Journal.open(directory, tz=dt.timezone(dt.timedelta(hours=7)), clock=clock, ops=ops)
    bare_path = directory / "bare.bin"
    bare_fd = os.open(bare_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    latencies: list[float] = []
    bare: list[float] = []
    stored = []
    at = start_at
    try:
        for i, (type_, fields) in enumerate(event_fields(events, count)):
            at += step_s  # by default 300 events per local day, as a busy room with heartbeats
            clock.advance(at)
            began = time.perf_counter()
            event = journal.append(type_, at=at, **fields)
            latencies.append(time.perf_counter() - began)
            stored.append(event)
            if with_bare:
                line = encode_line(i + 1, event)
                began = time.perf_counter()
                os.write(bare_fd, line)
                os.fdatasync(bare_fd)
                bare.append(time.perf_counter() - began)
    finally:
        os.close(bare_fd)
        bare_path.unlink()
        journal.close()
    return latencies, bare, stored


def write_year_of_day_files(directory: Path, events: list[dict[str, Any]], days: int, per_day: int,
                            start: dt.date) -> tuple[float, int]:
    """Day files as a year of logging leaves them (written directly: fast, same format)."""
    directory.mkdir(parents=True, exist_ok=True)
    tz = dt.timezone(dt.timedelta(hours=7))
    seq = 0
    for d in range(days):
        day = start + dt.timedelta(days=d)
        base = dt.datetime.combine(day, dt.time(6, 30), tzinfo=tz).timestamp()
        lines = []
        first = seq + 1
        for i, (type_, fields) in enumerate(event_fields(events[seq % len(events):] + events, per_day)):
            seq += 1
            doc = {"seq": seq, "type": type_, "at": base + i * 9.0, "boot": "year", "mono": float(i),
                   "synced": True, **fields}
            lines.append(encode_line(i + 1, doc))
        (directory / f"{day.isoformat()}.{first:010d}.jsonl").write_bytes(b"".join(lines))
    end = dt.datetime.combine(start + dt.timedelta(days=days), dt.time(6, 0), tzinfo=tz).timestamp()
    return end, seq


# --- 3: bytes ---------------------------------------------------------------------------


def stock_tinydb_bytes(directory: Path, events: list[dict[str, Any]], count: int) -> float:
    """Bytes per event TinyDB's stock JSONStorage writes: it rewrites the whole file each time."""
    path = directory / "stock.json"
    db = TinyDB(path, storage=JSONStorage)
    table = db.table("events")
    written = 0
    for event in events[:count]:
        table.insert(event)
        written += path.stat().st_size
    db.close()
    path.unlink()
    return written / count


# --- 4: detector against parsing ---------------------------------------------------------


def time_parse_and_detect(folders: list[Path], max_rows: int) -> tuple[int, float, float]:
    rows = 0
    parse_s = detect_s = 0.0
    for folder in folders:
        scenario = load_scenario(folder)
        began = time.perf_counter()
        readings: list[Reading] = []
        for reading in ReadingsFile(scenario.readings_path):
            readings.append(reading)
            if len(readings) >= max_rows:
                break
        parse_s += time.perf_counter() - began
        detector = detector_for(scenario.config)
        feed: Callable[[Reading], Any] = detector.feed
        began = time.perf_counter()
        for reading in readings:
            feed(reading)
        detect_s += time.perf_counter() - began
        rows += len(readings)
    return rows, parse_s / rows, detect_s / rows


# --- the table ------------------------------------------------------------------------------


def us(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} µs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, default=None,
                        help="folder on the disk to measure (default: a temporary folder under ./var)")
    parser.add_argument("--tiny", action="store_true", help="tiny sizes: checks the script runs, figures mean little")
    parser.add_argument("--appends", type=int, default=None, help="appends timed per measurement")
    args = parser.parse_args(argv)

    appends = args.appends or (30 if args.tiny else 2000)
    year_days = 5 if args.tiny else 365
    per_day = 20 if args.tiny else 300
    max_rows = 2000 if args.tiny else 10**9
    folders = scenario_folders()
    if args.tiny:
        folders = folders[:1]

    parent = args.dir or ROOT / "var"
    parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-core-", dir=parent))
    started = time.perf_counter()
    try:
        events, busiest = scenario_events(folders, work)

        # 1. early: a fresh journal
        first_at = dt.datetime(2026, 9, 7, 6, 30).timestamp()
        early, bare, stored = time_appends(work / "early", events, appends, first_at)
        encoded = [len(json.dumps(e, separators=(",", ":"), ensure_ascii=False).encode()) for e in stored]

        # 2. late: after a year of day files
        year_dir = work / "year"
        year_start = dt.date(2025, 9, 1)
        next_at, year_events = write_year_of_day_files(year_dir, events, year_days, per_day, year_start)
        began = time.perf_counter()
        Journal.open(year_dir, tz=dt.timezone(dt.timedelta(hours=7)), clock=ReplayClock()).close()
        open_s = time.perf_counter() - began
        late, bare_late, _ = time_appends(year_dir, events, appends, next_at)

        # 2b. late in a heavy day: the day file already holds many events
        heavy_dir = work / "heavy"
        heavy_events = 50 if args.tiny else 3000
        heavy_at, _ = write_year_of_day_files(heavy_dir, events, 1, heavy_events, dt.date(2026, 9, 8))
        heavy_at -= 7 * 3600  # back to 23:00 of the same local day, after its events
        heavy, bare_heavy, _ = time_appends(heavy_dir, events, min(appends, 500), heavy_at, step_s=1.0)

        # 3. bytes: the journal alone, counted at the journal's file operations and the block layer
        ops = CountingOps()
        os.sync()
        io_before = block_bytes_written()
        time_appends(work / "bytes", events, appends, first_at, ops, with_bare=False)
        io_after = block_bytes_written()

        # 3. bytes
        app_per_event = ops.bytes / appends
        block_per_event = (io_after - io_before) / appends if io_before >= 0 else float("nan")
        mean_encoded = statistics.fmean(encoded)
        stock = stock_tinydb_bytes(work, stored, min(per_day, len(stored)))

        # 4. detector against parsing
        rows, parse_per_row, detect_per_row = time_parse_and_detect(folders, max_rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    on_s = min(86400.0, busiest.get("on_s_per_day", 0.0))
    live_events = busiest["events_per_day"] + on_s / HEARTBEAT_S + (86400 - on_s) / IDLE_HEARTBEAT_S
    p = percentile
    table = [
        ("durable append p50 / p99 (fresh journal)", f"{us(p(early, .5))} / {us(p(early, .99))}", ""),
        ("bare write+fdatasync p50 / p99, same bytes", f"{us(p(bare, .5))} / {us(p(bare, .99))}", "physical limit"),
        ("  ratio append / bare (p50, p99)", f"{p(early, .5) / p(bare, .5):.2f} / {p(early, .99) / p(bare, .99):.2f}", ""),
        (f"durable append p50 / p99 after {year_days} day files ({year_events:,} events)",
         f"{us(p(late, .5))} / {us(p(late, .99))}", ""),
        ("bare write+fdatasync p50 / p99, same moment", f"{us(p(bare_late, .5))} / {us(p(bare_late, .99))}", ""),
        ("  late / early ratio (p50, p99)", f"{p(late, .5) / p(early, .5):.2f} / {p(late, .99) / p(early, .99):.2f}", ""),
        (f"durable append p50 / p99 into a day file of {heavy_events:,} events",
         f"{us(p(heavy, .5))} / {us(p(heavy, .99))}",
         f"bare {us(p(bare_heavy, .5))} / {us(p(bare_heavy, .99))}; ratio {p(heavy, .5) / p(bare_heavy, .5):.2f} (p50)"),
        ("  journal open with a year of files", us(open_s), ""),
        ("event encoded size (compact JSON, mean)", f"{mean_encoded:,.0f} B", ""),
        ("bytes the journal writes per event", f"{app_per_event:,.0f} B",
         f"{app_per_event / mean_encoded:.2f} x encoded; {ops.syncs / appends:.2f} fdatasync/event"),
        ("bytes reaching the block layer per event", f"{block_per_event:,.0f} B",
         f"{block_per_event / mean_encoded:.1f} x encoded (page-sized writes; /proc/self/io)"),
        (f"stock TinyDB JSONStorage per event ({min(per_day, len(stored))}-event day)", f"{stock:,.0f} B",
         f"{stock / mean_encoded:.1f} x encoded (rewrites the file)"),
        (f"busiest scenario room per school day, mean ({busiest.get('room', '-')})",
         f"{busiest['events_per_day']:,.0f} events, {busiest.get('bytes_per_day', 0) / 1024:,.1f} KiB",
         f"~{busiest['events_per_day'] * block_per_event / 1024:,.0f} KiB at the block layer"),
        (f"busy live room per day, 24 h: + heartbeat every {HEARTBEAT_S:.0f} s while on ({on_s / 3600:.1f} h), "
         f"{IDLE_HEARTBEAT_S:.0f} s otherwise",
         f"{live_events:,.0f} events, {live_events * app_per_event / 1024:,.1f} KiB",
         f"~{live_events * block_per_event / 1024 ** 2:,.1f} MiB at the block layer"),
        (f"CSV parse per row ({rows:,} scenario rows)", us(parse_per_row), ""),
        ("detector per reading (same rows)", us(detect_per_row), f"{detect_per_row / parse_per_row:.2f} x parsing"),
    ]
    width = max(len(r[0]) for r in table)
    vwidth = max(len(r[1]) for r in table)
    print(f"classroom core benchmark — {appends} appends per measurement, folder {parent}")
    print(f"{'measure'.ljust(width)}  {'value'.ljust(vwidth)}  note")
    print(f"{'-' * width}  {'-' * vwidth}  ----")
    for name, value, note in table:
        print(f"{name.ljust(width)}  {value.ljust(vwidth)}  {note}")
    print(f"(ran in {time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

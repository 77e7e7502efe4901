"""Benchmark of the Pi's sync client: draining a backlog through the real district endpoint.

A script, not a test: it prints one table and asserts nothing::

    .venv/bin/python benchmarks/bench_sync.py [--weeks 2] [--batches 50,200,500,1000]
        [--backends sqlite,postgresql] [--pg-url postgresql://postgres@127.0.0.1:5432/test]

A Pi offline for ``--weeks`` simulated school weeks (heartbeats every 60 s) comes back;
its backlog is uploaded with the real client (gzip batches over loopback HTTP, cursor
moved and fsynced on every acknowledgement) to a fresh district server (a uvicorn
process) for each batch size and backend. Figures per row:

- events/s end to end, and the client's own share: reading the journal, validating
  against the wire schema and gzip (timed alone on the same events);
- bytes on the wire per event (gzip body) against the uncompressed JSON per event;
- the number of requests (batches) needed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hardware.reading import Reading  # noqa: E402
from kiosk.agent import Agent  # noqa: E402
from kiosk.clock import ReplayClock  # noqa: E402
from kiosk.config import load_config  # noqa: E402
from kiosk.district_server import DistrictServer  # noqa: E402
from kiosk.journal import Journal  # noqa: E402
from kiosk.readings_csv import ReadingsFile  # noqa: E402
from kiosk.simulate import simulate  # noqa: E402
from sync.client import ClockState, SyncClient  # noqa: E402
from sync.schema import EventBatch, WireEvent  # noqa: E402

EXAMPLE = ROOT / "kiosk" / "examples" / "room.toml"


def build_backlog(folder: Path, weeks: int) -> int:
    """A journal of ``weeks`` simulated school weeks with 60 s heartbeats; returns its last seq."""
    config = load_config(EXAMPLE)
    today = dt.date.today()
    last_monday = today - dt.timedelta(days=today.weekday() + 7)
    clock = ReplayClock(boot_id="bench")
    journal = Journal.open(folder / "journal", tz=config.tz, clock=clock)
    agent = Agent(config, journal, clock, heartbeat_s=60.0)
    started = False
    for i in range(weeks):
        monday = last_monday - dt.timedelta(weeks=weeks - 1 - i)
        sim = folder / f"sim-{i}"
        simulate(config, sim, monday=monday, seed=11 + i, interval_s=10.0)
        for reading in ReadingsFile(sim / "readings.csv.gz"):
            assert isinstance(reading, Reading)
            clock.advance(reading.time)
            if not started:
                agent.start()
                started = True
            agent.process(reading)
            agent.tick()
        shutil.rmtree(sim)
    last = journal.last_seq
    journal.close()
    return last


def client_side_cost(journal: Journal, batch: int) -> tuple[float, int, int]:
    """Seconds to read, validate and gzip the whole backlog alone; raw and gzip bytes."""
    started = time.perf_counter()
    seq, raw_bytes, gz_bytes = 0, 0, 0
    while True:
        events = journal.after_seq(seq, limit=batch)
        if not events:
            break
        wire = [WireEvent.model_validate(json.loads(json.dumps(e))) for e in events]
        body = EventBatch(schema=1, pi_id="bench", sent_at=time.time(), sent_mono=1.0, boot="b", clock_synced=True,
                          events=wire).model_dump_json(by_alias=True, exclude_none=True).encode()
        raw_bytes += len(body)
        gz_bytes += len(gzip.compress(body, compresslevel=6))
        seq = events[-1]["seq"]
    return time.perf_counter() - started, raw_bytes, gz_bytes


def run_one(url_db: str, template: Path, work: Path, batch: int, last_seq: int) -> dict[str, float]:
    """Upload the backlog once to a fresh server; return the figures."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(template / "journal", work / "journal")
    config = load_config(EXAMPLE)
    journal = Journal.open(work / "journal", tz=config.tz, clock=ReplayClock(time.time()))
    with DistrictServer(url_db) as server:
        admin = server.admin()
        admin.call("POST", "/schools", json={"code": "TH-BENCH", "name": "Bench", "level": "TH", "model": "full"})
        admin.call("POST", "/schools/TH-BENCH/rooms", json={"code": "P1", "name": "P1", "type": "regular_classroom"})
        code = admin.call("POST", "/enrollment-codes", json={"school": "TH-BENCH", "room": "P1"})["code"]
        client = SyncClient(server.url)
        client.enroll(code)
        started = time.perf_counter()
        result = client.upload(
            read_after=lambda s, n: journal.after_seq(s, limit=n), get_cursor=lambda: journal.cursor,
            set_cursor=journal.set_cursor, last_seq=lambda: journal.last_seq,
            clock=lambda: ClockState(time.time(), time.monotonic(), "bench", True), batch_events=batch)
        elapsed = time.perf_counter() - started
        client.close()
    alone, raw_bytes, gz_bytes = client_side_cost(journal, batch)
    journal.close()
    assert result.cursor_after == last_seq
    return {"events_per_s": last_seq / elapsed, "client_share": alone / elapsed,
            "wire_per_event": result.bytes_sent / last_seq, "raw_per_event": raw_bytes / last_seq,
            "gzip_check": gz_bytes / last_seq, "requests": result.batches, "seconds": elapsed}


def pg_database(admin_url: str) -> tuple[str, str]:
    import psycopg

    name = f"bench_sync_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, f"{admin_url.rsplit('/', 1)[0].replace('postgresql://', 'postgresql+psycopg://')}/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weeks", type=int, default=2)
    parser.add_argument("--batches", default="50,200,500,1000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        base = Path(tmp)
        t0 = time.perf_counter()
        last_seq = build_backlog(base / "template", args.weeks)
        print(f"backlog: {last_seq} events from {args.weeks} simulated school week(s) with 60 s heartbeats "
              f"(built in {time.perf_counter() - t0:.1f} s)")
        print(f"{'backend':<11}{'batch':>6}{'requests':>9}{'events/s':>10}{'seconds':>9}{'client %':>9}"
              f"{'wire B/ev':>10}{'JSON B/ev':>10}{'ratio':>7}")
        for backend in args.backends.split(","):
            for batch in (int(b) for b in args.batches.split(",")):
                name = None
                if backend == "postgresql":
                    name, url = pg_database(args.pg_url)
                else:
                    url = f"sqlite:///{base / f'district-{batch}.db'}"
                try:
                    row = run_one(url, base / "template", base / "work", batch, last_seq)
                finally:
                    if name is not None:
                        import psycopg

                        with psycopg.connect(args.pg_url, autocommit=True) as conn:
                            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                print(f"{backend:<11}{batch:>6}{row['requests']:>9}{row['events_per_s']:>10.0f}{row['seconds']:>9.2f}"
                      f"{row['client_share'] * 100:>8.0f}%{row['wire_per_event']:>10.1f}{row['raw_per_event']:>10.1f}"
                      f"{row['raw_per_event'] / row['wire_per_event']:>7.1f}")


if __name__ == "__main__":
    main()

"""Benchmark of the district server, on SQLite and PostgreSQL, side by side in one run.

A script, not a test: it prints tables and asserts nothing::

    .venv/bin/python benchmarks/bench_district.py [--backends sqlite,postgresql] [--pg-url URL]
        [--ingest-events 20000] [--batch 500] [--schools 10,100] [--rooms 40]
        [--load-pis 3000,10000,15000,20000,30000,60000] [--load-seconds 6]

Figures:

1. ingest rate through the real endpoint (a uvicorn process, gzip batches over loopback
   HTTP, one client) against a bare bulk insert of the same rows (``COPY`` on
   PostgreSQL, ``executemany`` on SQLite), as a ratio; bytes on the wire per event;
2. time to score one month of a district of N schools × rooms (every lesson judged with
   ``criteria``) against the time to read the same rows with one SQL query, as a
   ratio, for each N (growth 10 → 100 schools);
3. simulated Pis (one batch of five minutes of events every 5 minutes each) that one
   worker serves before the p99 upload latency passes one second. The load generator
   shares the machine's cores with the server, so this is a lower bound.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gzip
import io
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import psycopg  # noqa: E402
from sqlalchemy import bindparam, insert, text  # noqa: E402

from district import models  # noqa: E402
from district.db import make_engine, make_sessionmaker, transaction  # noqa: E402
from district.ingest.service import event_digest  # noqa: E402
from district.migrate import upgrade  # noqa: E402
from district.org import service as org  # noqa: E402
from district.scoring import service as scoring  # noqa: E402
from district.security import digest  # noqa: E402
from sync.schema import WireEvent  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MONTH = "2026-10"
BELLS = [(1, "07:00", "07:45"), (2, "07:50", "08:35"), (3, "08:50", "09:35"), (4, "09:40", "10:25"),
         (5, "13:30", "14:15"), (6, "14:20", "15:05"), (7, "15:10", "15:55")]
ADMIN, PASSWORD = "bench-admin", "bench-password-1"


# ---------------------------------------------------------------- databases


@contextmanager
def database(backend: str, pg_url: str) -> Iterator[str]:
    """A fresh, migrated database of ``backend``; removed afterwards."""
    if backend == "sqlite":
        folder = tempfile.mkdtemp(prefix="bench-district-")
        url = f"sqlite:///{folder}/bench.db"
        upgrade(url)
        yield url
        for name in os.listdir(folder):
            os.remove(os.path.join(folder, name))
        os.rmdir(folder)
        return
    name = f"bench_district_{secrets.token_hex(4)}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = pg_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bulk_insert(url: str, rows: list[dict[str, Any]]) -> float:
    """Insert event rows the fastest bare way; returns seconds."""
    cols = ["pi_id", "seq", "room_id", "type", "at", "pi_at", "time_source", "received_at", "digest", "body"]
    if url.startswith("postgresql"):
        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn) as conn:
            start = time.perf_counter()
            with conn.cursor() as cur, cur.copy(f"COPY events ({', '.join(cols)}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row([r[c] if c != "body" else json.dumps(r[c]) for c in cols])
            conn.commit()
            return time.perf_counter() - start
    import sqlite3

    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    start = time.perf_counter()
    conn.executemany(
        f"INSERT INTO events ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
        [[r[c] if c != "body" else json.dumps(r[c]) for c in cols] for r in rows],
    )
    conn.commit()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


# ---------------------------------------------------------------- fixtures of the district


def make_district(url: str, *, schools: int, rooms: int, with_pis: bool = True) -> list[tuple[int, str, str]]:
    """Schools × rooms with bells, a 5-day × 7-period timetable and one Pi (known token) per room.

    Returns ``(room_id, pi_id, pi_token)`` per room.
    """
    sessions = make_sessionmaker(make_engine(url))
    out: list[tuple[int, str, str]] = []
    with transaction(sessions) as session:
        for s in range(schools):
            school = org.create_school(session=session, code=f"S{s:03d}", name=f"Trường {s}", level="TH", model="full")
            org.set_bells(session=session, school=school, bells=BELLS)
            room_rows = [
                {"school_id": school.id, "code": f"R{r:02d}", "name": f"Phòng {r}", "type": "regular_classroom",
                 "devices": [{"kind": "projector", "channel": 1, "standby_amps": 0.02, "on_amps": 1.3}], "detector": {}}
                for r in range(rooms)
            ]
            ids = [rid for (rid,) in session.execute(insert(models.Room).returning(models.Room.id), room_rows)]
            session.execute(insert(models.TimetableEntry), [
                {"room_id": rid, "weekday": wd, "period": p, "class_name": "4A", "subject": "Toán", "teacher": f"GV{rid % 30}",
                 "valid_from": None, "valid_to": None}
                for rid in ids for wd in range(1, 6) for p, _a, _b in BELLS
            ])
            if with_pis:
                pis = []
                for rid in ids:
                    pi_id, token = f"pi-{rid:06d}", f"p_{secrets.token_urlsafe(32)}"
                    pis.append({"id": pi_id, "token_hash": digest(token), "room_id": rid, "enrolled_at": 0.0,
                                "is_flagged": False, "acked_seq": 0})
                    out.append((rid, pi_id, token))
                session.execute(insert(models.Pi), pis)
                session.execute(insert(models.PiPlacement), [{"pi_id": p["id"], "room_id": p["room_id"], "from_at": 0.0} for p in pis])
    return out


def month_events(seed: int, *, boot: str = "b1") -> list[dict[str, Any]]:
    """A month of one room's journal: a heartbeat each school morning and on/off around used lessons."""
    rnd = random.Random(seed)
    first, last = scoring.month_bounds(MONTH)
    out: list[dict[str, Any]] = []
    day = first
    while day <= last:
        if day.weekday() < 5:
            morning = dt.datetime.combine(day, dt.time(6, 55), tzinfo=TZ).timestamp()
            out.append({"type": "heartbeat", "at": morning, "channels": {"1": "off"}})
            for _p, start, end in BELLS:
                if rnd.random() < 0.9:
                    s = dt.datetime.combine(day, dt.time.fromisoformat(start), tzinfo=TZ).timestamp()
                    e = dt.datetime.combine(day, dt.time.fromisoformat(end), tzinfo=TZ).timestamp()
                    out.append({"type": "on", "at": s + 120, "channel": 1, "kind": "projector"})
                    out.append({"type": "off", "at": e - 300, "channel": 1, "kind": "projector"})
        day += dt.timedelta(days=1)
    for i, e in enumerate(out, start=1):
        e.update({"seq": i, "boot": boot, "mono": e["at"] - 1.7e9, "synced": True})
    return out


def rows_for(pi_id: str, room_id: int, events: list[dict[str, Any]], received_at: float) -> list[dict[str, Any]]:
    """Event rows exactly as the ingest service stores them."""
    out = []
    for e in events:
        w = WireEvent.model_validate(e)
        out.append({"pi_id": pi_id, "seq": w.seq, "room_id": room_id, "type": w.type, "at": float(w.at), "pi_at": float(w.at),
                    "time_source": "synced", "received_at": received_at, "digest": event_digest(w), "body": w.as_journal()})
    return out


# ---------------------------------------------------------------- server process


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(url: str) -> Iterator[str]:
    """One uvicorn worker serving ``url`` on a loopback port."""
    port = free_port()
    env = {**os.environ, "DISTRICT_DATABASE_URL": url, "DISTRICT_BOOTSTRAP_ADMIN": ADMIN, "DISTRICT_BOOTSTRAP_PASSWORD": PASSWORD,
           "DISTRICT_FUTURE_TOLERANCE_S": "86400"}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "district.app:app_factory", "--factory", "--port", str(port),
                             "--log-level", "warning", "--no-access-log"], env=env, cwd=str(ROOT))
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def gz_batch(pi_id: str, events: list[dict[str, Any]]) -> bytes:
    body = {"schema": 1, "pi_id": pi_id, "sent_at": time.time(), "sent_mono": events[-1]["mono"] if events else 0.0,
            "boot": "b1", "clock_synced": True, "events": events}
    return gzip.compress(json.dumps(body, separators=(",", ":")).encode())


# ---------------------------------------------------------------- the three measurements


def bench_ingest(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Events/s through the endpoint vs a bare bulk insert of the same rows; bytes per event."""
    pis = make_district(url, schools=1, rooms=2)
    (room_a, pi_a, token_a), (room_b, pi_b, _token_b) = pis
    events: list[dict[str, Any]] = []
    seed = 0
    months = args.ingest_events // 200 + 2
    while len(events) < args.ingest_events:
        more = month_events(seed)
        for e in more:
            e["seq"] = len(events) + 1
            e["at"] += (seed - months) * 31 * 86400  # earlier months, so nothing is in the future
            e["mono"] = e["at"] - 1.6e9
            events.append(e)
            if len(events) >= args.ingest_events:
                break
        seed += 1
    bodies = [gz_batch(pi_a, events[i : i + args.batch]) for i in range(0, len(events), args.batch)]
    raw_bytes = sum(len(json.dumps(e, separators=(",", ":"))) for e in events)
    with server(url) as base, httpx.Client(base_url=base, timeout=120) as client:
        headers = {"Authorization": f"Bearer {token_a}", "Content-Encoding": "gzip", "Content-Type": "application/json"}
        start = time.perf_counter()
        for body in bodies:
            r = client.post(f"/api/v1/pis/{pi_a}/events", content=body, headers=headers)
            assert r.status_code == 200, r.text
        endpoint_s = time.perf_counter() - start
    bulk_s = bulk_insert(url, rows_for(pi_b, room_b, events, time.time()))
    wire = sum(len(b) for b in bodies)
    return {"events": len(events), "endpoint_eps": len(events) / endpoint_s, "bulk_eps": len(events) / bulk_s,
            "ratio": bulk_s / endpoint_s, "wire_bytes_per_event": wire / len(events), "json_bytes_per_event": raw_bytes / len(events)}


def bench_scoring(url: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Month scoring vs one SQL read, for each district size (same database, first N schools)."""
    largest = max(args.schools)
    pis = make_district(url, schools=largest, rooms=args.rooms)
    rows: list[dict[str, Any]] = []
    templates = [rows_for("", 0, month_events(seed), time.time()) for seed in range(20)]
    for i, (room_id, pi_id, _token) in enumerate(pis):
        rows += [{**r, "pi_id": pi_id, "room_id": room_id} for r in templates[i % len(templates)]]
    load_s = bulk_insert(url, rows)
    if url.startswith("postgresql"):
        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
            conn.execute("ANALYZE")
    sessions = make_sessionmaker(make_engine(url))
    first, last = scoring.month_bounds(MONTH)
    out = []
    for n in sorted(args.schools):
        with transaction(sessions) as session:
            schools = org.list_schools(session=session)[:n]
            room_ids = [r.id for r in org.list_rooms(session=session, school_ids=[s.id for s in schools])]
            start_at = dt.datetime.combine(first, dt.time(0), tzinfo=TZ).timestamp() - 7 * 86400
            end_at = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=TZ).timestamp()
            t0 = time.perf_counter()
            read = session.execute(
                text("SELECT room_id, pi_id, body, at FROM events WHERE room_id IN :ids AND at >= :a AND at < :b ORDER BY room_id, at")
                .bindparams(bindparam("ids", expanding=True)),
                {"ids": room_ids, "a": start_at, "b": end_at},
            ).all()
            read_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            scores = scoring.score_rooms(session=session, schools=schools, first=first, last=last, lookback_s=7 * 86400,
                                         until_at=None)
            score_s = time.perf_counter() - t0
        out.append({"schools": n, "rooms": len(room_ids), "events": len(read), "lessons": sum(len(s.verdicts) for s in scores),
                    "score_s": score_s, "read_s": read_s, "ratio": score_s / read_s, "load_s": load_s})
    return out


async def _load_step(base: str, pis: list[tuple[int, str, str]], seqs: dict[str, int], n_pis: int, seconds: float) -> list[float]:
    rate = n_pis / 300.0
    interval = 1.0 / rate
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=512, max_keepalive_connections=256)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        async def one(k: int) -> None:
            _room, pi_id, token = pis[k % len(pis)]
            seq = seqs[pi_id]
            seqs[pi_id] = seq + 5
            now = time.time()
            events = [{"seq": seq + j, "type": "on" if j % 2 else "off", "at": now - 300 + 60 * j, "boot": "b1", "mono": 1000.0 + seq + j,
                       "synced": True, "channel": 1, "kind": "projector"} for j in range(5)]
            body = gz_batch(pi_id, events)
            t0 = time.perf_counter()
            r = await client.post(f"/api/v1/pis/{pi_id}/events", content=body,
                                  headers={"Authorization": f"Bearer {token}", "Content-Encoding": "gzip", "Content-Type": "application/json"})
            latencies.append(time.perf_counter() - t0 if r.status_code == 200 else float("inf"))

        tasks = []
        start = time.perf_counter()
        k = 0
        while time.perf_counter() - start < seconds:
            tasks.append(asyncio.create_task(one(k)))
            k += 1
            await asyncio.sleep(max(0.0, start + k * interval - time.perf_counter()))
        await asyncio.gather(*tasks)
    return latencies


def bench_load(url: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    """p99 latency per simulated fleet size, one worker; stops after the first size past 1 s."""
    pis = make_district(url, schools=1, rooms=400)
    seqs = {pi_id: 1 for _r, pi_id, _t in pis}
    out = []
    with server(url) as base:
        for n in args.load_pis:
            lat = asyncio.run(_load_step(base, pis, seqs, n, args.load_seconds))
            lat.sort()
            p99 = lat[min(len(lat) - 1, int(0.99 * len(lat)))]
            out.append({"pis": n, "req_s": n / 300.0, "requests": len(lat), "p50_ms": statistics.median(lat) * 1000, "p99_ms": p99 * 1000})
            if p99 > 1.0:
                break
    return out


# ---------------------------------------------------------------- output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=os.environ.get("DISTRICT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--ingest-events", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--schools", type=lambda s: [int(x) for x in s.split(",")], default=[10, 100])
    parser.add_argument("--rooms", type=int, default=40)
    parser.add_argument("--load-pis", type=lambda s: [int(x) for x in s.split(",")], default=[3000, 10000, 15000, 20000, 30000, 60000])
    parser.add_argument("--load-seconds", type=float, default=6.0)
    args = parser.parse_args()
    buf = io.StringIO()

    def say(line: str = "") -> None:
        print(line, flush=True)
        buf.write(line + "\n")

    say(f"district benchmark — {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}, {os.cpu_count()} cores, month {MONTH}")
    for backend in args.backends.split(","):
        say()
        say(f"== {backend} ==")
        with database(backend, args.pg_url) as url:
            r = bench_ingest(url, args)
        say(f"ingest  {r['events']} events in batches of {args.batch}: endpoint {r['endpoint_eps']:,.0f} ev/s | bare "
            f"{'COPY' if backend == 'postgresql' else 'executemany'} {r['bulk_eps']:,.0f} ev/s | endpoint/bare {r['ratio']:.2f}")
        say(f"wire    {r['wire_bytes_per_event']:.1f} B/event gzip on the wire ({r['json_bytes_per_event']:.1f} B/event as JSON)")
        with database(backend, args.pg_url) as url:
            rows = bench_scoring(url, args)
        say(f"scoring one month ({rows[0]['load_s']:.1f} s to bulk-load {rows[-1]['events']:,} events of {rows[-1]['rooms']} rooms)")
        say(f"  {'schools':>7} {'rooms':>6} {'events':>9} {'lessons':>8} {'score s':>8} {'SQL read s':>10} {'score/read':>10}")
        for x in rows:
            say(f"  {x['schools']:>7} {x['rooms']:>6} {x['events']:>9,} {x['lessons']:>8,} {x['score_s']:>8.2f} {x['read_s']:>10.2f} {x['ratio']:>10.1f}")
        if len(rows) > 1:
            say(f"  growth {rows[0]['schools']}→{rows[-1]['schools']} schools: scoring ×{rows[-1]['score_s'] / rows[0]['score_s']:.1f}, "
                f"read ×{rows[-1]['read_s'] / rows[0]['read_s']:.1f}")
        with database(backend, args.pg_url) as url:
            load = bench_load(url, args)
        say("load, one worker, one 5-event batch per Pi every 5 min:")
        for x in load:
            say(f"  {x['pis']:>7} Pis ({x['req_s']:6.1f} req/s, {x['requests']} requests): p50 {x['p50_ms']:7.1f} ms  p99 {x['p99_ms']:7.1f} ms")
        ok = [x["pis"] for x in load if x["p99_ms"] <= 1000]
        say(f"  → served with p99 ≤ 1 s: {max(ok) if ok else 0} Pis" + ("" if load[-1]["p99_ms"] > 1000 else " (limit not reached)"))


if __name__ == "__main__":
    main()

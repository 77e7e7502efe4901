"""A small stand-in for the district server's Pi-facing API, for the client's tests.

Implements exactly what ``sync/schema.py`` documents (enrol, gzip batch upload
idempotent on (pi, seq) with 409 on a differing event, acked_seq + gaps, config with
ETag) over SQLite, so it survives a restart. Test-only admin routes create enrolment
codes and list what is stored. Run: ``python -m tests.sync.standin --port P --db FILE``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import secrets
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Header, HTTPException, Request, Response
from pydantic import ValidationError

from sync.schema import BatchAck, EnrollRequest, EnrollResponse, EventBatch

CONFIG: dict[str, Any] = {
    "timezone": "Asia/Ho_Chi_Minh",
    "school": {"code": "TH-DEMO", "name": "Trường Tiểu học Demo", "level": "TH", "model": "full"},
    "room": {"code": "P4A", "name": "Phòng 4A", "type": "regular_classroom"},
    "bells": [{"period": 1, "start": "07:45", "end": "08:20"}, {"period": 2, "start": "08:25", "end": "09:00"}],
    "timetable": [{"weekday": 1, "period": 1, "class": "4A", "subject": "Toán", "teacher": "gv01"}],
    "teachers": [{"id": "gv01", "name": "Nguyễn Thị Lan"}],
}


def _fail(status: int, code: str, message: str) -> HTTPException:
    return HTTPException(status, detail={"code": code, "message": message})


def create_app(db_path: Path) -> FastAPI:
    app = FastAPI()
    lock = threading.Lock()
    conn = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
    conn.executescript("""
        PRAGMA journal_mode=WAL;
        CREATE TABLE IF NOT EXISTS codes (code TEXT PRIMARY KEY, room TEXT, expires REAL, used INTEGER DEFAULT 0);
        CREATE TABLE IF NOT EXISTS pis (id TEXT PRIMARY KEY, token_hash TEXT, room TEXT);
        CREATE TABLE IF NOT EXISTS events (pi TEXT, seq INTEGER, body TEXT, PRIMARY KEY (pi, seq));
        CREATE TABLE IF NOT EXISTS config (room TEXT PRIMARY KEY, body TEXT);
    """)

    def pi_of(pi_id: str, authorization: str | None) -> str:
        token = (authorization or "").removeprefix("Bearer ")
        row = conn.execute("SELECT token_hash FROM pis WHERE id=?", (pi_id,)).fetchone()
        if row is None or row[0] != hashlib.sha256(token.encode()).hexdigest():
            raise _fail(401, "bad_token", "unknown pi or wrong token")
        return pi_id

    @app.post("/api/v1/enroll")
    def enroll(body: EnrollRequest) -> EnrollResponse:
        with lock:
            row = conn.execute("SELECT room, expires, used FROM codes WHERE code=?", (body.code,)).fetchone()
            if row is None:
                raise _fail(404, "code_unknown", "no such enrolment code")
            if row[1] < time.time():
                raise _fail(410, "code_expired", "the enrolment code has expired")
            if row[2]:
                raise _fail(409, "code_used", "the enrolment code was already used")
            conn.execute("UPDATE codes SET used=1 WHERE code=?", (body.code,))
            pi_id, token = "pi-" + secrets.token_hex(4), secrets.token_urlsafe(32)
            conn.execute("INSERT INTO pis VALUES (?,?,?)", (pi_id, hashlib.sha256(token.encode()).hexdigest(),
                                                           body.room or row[0]))
        return EnrollResponse(pi_id=pi_id, token=token, school="TH-DEMO", room=body.room or row[0],
                              server_time=time.time())

    @app.post("/api/v1/pis/{pi_id}/events")
    async def events(pi_id: str, request: Request, authorization: str | None = Header(None)) -> BatchAck:
        pi_of(pi_id, authorization)
        raw = await request.body()
        if request.headers.get("content-encoding") == "gzip":
            raw = gzip.decompress(raw)
        try:
            batch = EventBatch.model_validate_json(raw)
        except ValidationError as exc:
            raise _fail(422, "invalid", str(exc.errors(include_url=False)[0]["msg"])) from None
        stored = dupes = 0
        with lock:
            conn.execute("BEGIN")
            for event in batch.events:
                body = json.dumps(event.as_journal(), sort_keys=True)
                old = conn.execute("SELECT body FROM events WHERE pi=? AND seq=?", (pi_id, event.seq)).fetchone()
                if old is None:
                    conn.execute("INSERT INTO events VALUES (?,?,?)", (pi_id, event.seq, body))
                    stored += 1
                elif old[0] == body:
                    dupes += 1
                else:
                    conn.execute("ROLLBACK")
                    raise _fail(409, "seq_conflict", f"seq {event.seq} differs from the stored event")
            conn.execute("COMMIT")
            seqs = [r[0] for r in conn.execute("SELECT seq FROM events WHERE pi=? ORDER BY seq", (pi_id,))]
        acked, gaps, expect = 0, [], 1
        for s in seqs:
            if s != expect:
                gaps.append((expect, s - 1))
            expect = s + 1
        acked = gaps[0][0] - 1 if gaps else (seqs[-1] if seqs else 0)
        return BatchAck(acked_seq=acked, stored=stored, duplicates=dupes, gaps=gaps,
                        clock_skew_s=round(batch.sent_at - time.time(), 3))

    @app.get("/api/v1/pis/{pi_id}/config")
    def config(pi_id: str, response: Response, authorization: str | None = Header(None),
               if_none_match: str | None = Header(None)) -> Any:
        pi_of(pi_id, authorization)
        row = conn.execute("SELECT body FROM config WHERE room='*'").fetchone()
        body = row[0] if row else json.dumps(CONFIG, sort_keys=True)
        etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:16] + '"'
        if if_none_match == etag:
            return Response(status_code=304, headers={"ETag": etag})
        return Response(body, media_type="application/json", headers={"ETag": etag})

    @app.post("/test/codes")
    def new_code(room: str = "P4A", ttl_s: float = 3600) -> dict[str, str]:
        code = secrets.token_urlsafe(9)
        conn.execute("INSERT INTO codes (code, room, expires) VALUES (?,?,?)", (code, room, time.time() + ttl_s))
        return {"code": code}

    @app.get("/test/pis/{pi_id}/seqs")
    def seqs(pi_id: str) -> list[int]:
        return [r[0] for r in conn.execute("SELECT seq FROM events WHERE pi=? ORDER BY seq", (pi_id,))]

    @app.put("/test/config")
    async def put_config(request: Request) -> dict[str, str]:
        conn.execute("INSERT OR REPLACE INTO config VALUES ('*', ?)", ((await request.body()).decode(),))
        return {"ok": "yes"}

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", type=Path, required=True)
    args = parser.parse_args()
    uvicorn.run(create_app(args.db), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()

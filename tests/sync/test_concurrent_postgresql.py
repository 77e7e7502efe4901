"""Two district server processes on one PostgreSQL, concurrent uploads of the same Pis: every event once."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psycopg

from kiosk.clock import ReplayClock
from kiosk.district_server import DistrictServer
from kiosk.sync_round import sync_round
from sync.client import SyncClient, make_retry
from tests.sync.faultproxy import FaultProxy
from tests.sync.helpers import open_journal


def test_two_servers_on_one_postgresql_store_every_event_once(
        pg_url: str, tmp_path: Path, week_journal: tuple[Path, int]) -> None:
    folder, last_seq = week_journal
    first = DistrictServer(pg_url)
    first.start()
    second = DistrictServer(pg_url)
    second.admin_password = first.admin_password  # the admin already exists in the shared database
    second.start()
    try:
        admin = first.admin()
        admin.call("POST", "/schools", json={"code": "THCS-PG", "name": "Trường THCS PG", "level": "THCS",
                                             "model": "full"})
        pis = []
        for room in ("R1", "R2"):
            admin.call("POST", "/schools/THCS-PG/rooms", json={"code": room, "name": room, "type": "it_room"})
            code = admin.call("POST", "/enrollment-codes", json={"school": "THCS-PG", "room": room})["code"]
            pis.append(SyncClient(first.url).enroll(code))
        # each Pi's journal is uploaded twice at once, through both servers, by four uploaders
        errors: list[BaseException] = []
        proxies = {server.url: FaultProxy(server.port) for server in (first, second)}

        def upload(url: str, pi: int, copy: int) -> None:
            try:
                journal = open_journal(tmp_path / f"pi{pi}-{copy}")
                client = SyncClient(proxies[url].url, pi_id=pis[pi].pi_id, token=pis[pi].token,
                                    retry=make_retry(total=5, backoff_s=0.05))
                result = sync_round(client, journal, ReplayClock(time.time()), state_dir=tmp_path / f"s{pi}{copy}",
                                    batch_events=120, fetch_config=False)
                assert result.errors == [], result.errors
                assert journal.cursor == last_seq
            except BaseException as exc:  # noqa: BLE001 - reported by the main thread
                errors.append(exc)

        import shutil
        threads = []
        for pi in range(2):
            for copy, server in enumerate((first, second)):
                shutil.copytree(folder, tmp_path / f"pi{pi}-{copy}")
                threads.append(threading.Thread(target=upload, args=(server.url, pi, copy)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert errors == []
        answers = [status for proxy in proxies.values() for status in proxy.statuses]
        assert answers and all(status == 200 for status in answers), answers  # no 5xx retried away
        with psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
            for identity in pis:
                row = conn.execute("SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM events "
                                   "WHERE pi_id = %s", (identity.pi_id,)).fetchone()
                assert row == (last_seq, last_seq, 1, last_seq)
    finally:
        first.stop()
        second.stop()

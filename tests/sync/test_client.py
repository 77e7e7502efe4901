"""The sync client against a real HTTP server on loopback: backlog, exactly once, faults, cursor."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from kiosk.clock import ReplayClock
from kiosk.sync_round import sync_round
from sync.client import SyncClient, make_retry
from sync.errors import Conflict, Unreachable
from tests.sync.conftest import ServerProcess, free_port
from tests.sync.faultproxy import FaultProxy
from tests.sync.helpers import open_journal

CLOCK = ReplayClock(time.time(), boot_id="sync-test")  # the Pi clock sent along: right now


def enrolled(server: ServerProcess, url: str | None = None, **kwargs: object) -> SyncClient:
    SyncClient(server.url).enroll(server.new_code())  # a neighbour: its events must not mix with ours
    identity = SyncClient(server.url).enroll(server.new_code())
    return SyncClient(url or server.url, pi_id=identity.pi_id, token=identity.token,
                      **kwargs)  # type: ignore[arg-type]


def assert_exactly_once(server: ServerProcess, pi_id: str, last_seq: int) -> None:
    seqs = server.seqs(pi_id)
    assert len(seqs) == last_seq
    assert seqs == list(range(1, last_seq + 1))


def test_week_offline_then_server_back(tmp_path: Path, week_journal: tuple[Path, int]) -> None:
    folder, last_seq = week_journal
    journal = open_journal(folder)
    server = ServerProcess(tmp_path / "d.db")
    server.start()
    client = enrolled(server, retry=make_retry(total=1, backoff_s=0.01))
    identity = (client.pi_id, client.token)
    server.kill()
    # offline: every round fails, the cursor stays where it was, nothing counts as sent
    for _ in range(3):
        result = sync_round(client, journal, CLOCK, state_dir=tmp_path, batch_events=100)
        assert isinstance(result.errors[0], Unreachable)
        assert result.upload is not None and result.upload.batches == 0 and result.upload.sent == 0
        assert journal.cursor == 0
    server.start()
    client = SyncClient(server.url, pi_id=identity[0], token=identity[1])
    progress: list[int] = []
    result = sync_round(client, journal, CLOCK, state_dir=tmp_path, batch_events=100,
                        on_progress=lambda up: progress.append(up.cursor_after))
    assert result.errors == []
    assert result.upload is not None
    assert result.upload.batches == -(-last_seq // 100)
    assert progress == sorted(progress) and progress[-1] == last_seq
    assert journal.cursor == last_seq
    assert_exactly_once(server, identity[0], last_seq)
    again = sync_round(client, journal, CLOCK, state_dir=tmp_path)
    assert again.upload is not None and again.upload.sent == 0
    server.kill()


def test_faults_through_proxy_end_exactly_once(server: ServerProcess, tmp_path: Path,
                                               week_journal: tuple[Path, int]) -> None:
    folder, last_seq = week_journal
    journal = open_journal(folder)
    plan = ["cut_request", "ok", "cut_response", "503", "delay", "cut_response", "cut_request", "503", "ok",
            "cut_response"]
    proxy = FaultProxy(server.port, plan, delay_s=0.2)
    client = enrolled(server, proxy.url, retry=make_retry(total=8, backoff_s=0.05, jitter_s=0.05))
    result = sync_round(client, journal, CLOCK, state_dir=tmp_path, batch_events=150, fetch_config=False)
    assert result.errors == []
    assert result.upload is not None
    assert result.upload.duplicates > 0  # answers cut after the server stored them: resent, not doubled
    assert {"cut_request", "cut_response", "503", "delay"} <= set(proxy.faults)
    assert proxy.statuses and all(status == 200 for status in proxy.statuses)  # the server itself never failed
    assert journal.cursor == last_seq
    assert_exactly_once(server, str(client.pi_id), last_seq)
    proxy.close()


def test_server_restarted_mid_batch(own_server: ServerProcess, tmp_path: Path,
                                    week_journal: tuple[Path, int]) -> None:
    server = own_server
    folder, last_seq = week_journal
    journal = open_journal(folder)
    restarted = threading.Event()

    def restart() -> None:
        server.kill()
        threading.Thread(target=lambda: (server.start(), restarted.set()), daemon=True).start()

    proxy = FaultProxy(server.port, ["ok", "ok", "ok", restart])
    client = enrolled(server, proxy.url, retry=make_retry(total=10, backoff_s=0.2, backoff_max_s=4.0))
    result = sync_round(client, journal, CLOCK, state_dir=tmp_path, batch_events=200, fetch_config=False)
    assert restarted.is_set()
    assert result.errors == []
    assert journal.cursor == last_seq
    assert_exactly_once(server, str(client.pi_id), last_seq)
    proxy.close()


def test_cursor_never_moves_without_ack(server: ServerProcess, tmp_path: Path,
                                        week_journal: tuple[Path, int]) -> None:
    folder, _last = week_journal
    journal = open_journal(folder)
    proxy = FaultProxy(server.port, ["503"] * 50)
    client = enrolled(server, proxy.url, retry=make_retry(total=2, backoff_s=0.01))
    result = sync_round(client, journal, CLOCK, state_dir=tmp_path, batch_events=100, fetch_config=False)
    assert isinstance(result.errors[0], Unreachable) and result.errors[0].status == 503
    assert journal.cursor == 0
    assert server.seqs(str(client.pi_id)) == []
    proxy.close()


def test_conflict_409_is_reported_and_cursor_stays(server: ServerProcess, tmp_path: Path,
                                                   week_journal: tuple[Path, int]) -> None:
    folder, _last = week_journal
    client = enrolled(server)
    first = open_journal(folder)
    sync_round(client, first, CLOCK, state_dir=tmp_path, batch_events=100, fetch_config=False)
    # a second card cloned from the same identity writes different events under the same seqs
    clone = open_journal(tmp_path / "clone" / "journal")
    for _ in range(5):
        clone.append("fault", device="projector", symptom="no_picture")
    result = sync_round(client, clone, CLOCK, state_dir=tmp_path / "clone", fetch_config=False)
    assert isinstance(result.errors[0], Conflict)
    assert "seq 1" in str(result.errors[0])
    assert clone.cursor == 0


def test_lost_server_events_are_resent_not_papered_over(server: ServerProcess, tmp_path: Path,
                                                        week_journal: tuple[Path, int]) -> None:
    folder, last_seq = week_journal
    journal = open_journal(folder)
    client = enrolled(server)
    client.upload(read_after=lambda s, n: journal.after_seq(s, limit=n), get_cursor=lambda: journal.cursor,
                  set_cursor=journal.set_cursor, last_seq=lambda: journal.last_seq,
                  clock=lambda: __import__("sync.client").client.ClockState(time.time(), 1.0, "b", True),
                  batch_events=100, max_batches=2)
    assert journal.cursor == 200
    journal.set_cursor(700)  # as if the server's database was restored from an older backup
    result = sync_round(client, journal, CLOCK, state_dir=tmp_path, batch_events=100, fetch_config=False)
    assert result.errors == []
    assert result.upload is not None and result.upload.rewound_to == 200
    assert journal.cursor == last_seq
    assert_exactly_once(server, str(client.pi_id), last_seq)


def test_unreachable_server_is_unreachable(tmp_path: Path) -> None:
    client = SyncClient(f"http://127.0.0.1:{free_port()}", pi_id="pi-x", token="t" * 40,
                        retry=make_retry(total=1, backoff_s=0.01))
    with pytest.raises(Unreachable):
        client.fetch_config()


def test_batches_shrink_to_the_servers_body_limit(tmp_path: Path, week_journal: tuple[Path, int]) -> None:
    folder, last_seq = week_journal
    journal = open_journal(folder)
    server = ServerProcess(tmp_path / "small.db", settings={"max_body_bytes": "4096"})
    server.start()
    try:
        client = enrolled(server)
        result = sync_round(client, journal, CLOCK, state_dir=tmp_path, batch_events=500, fetch_config=False)
        assert result.errors == []
        assert result.upload is not None and result.upload.batches > last_seq // 500
        assert_exactly_once(server, str(client.pi_id), last_seq)
    finally:
        server.kill()


def test_retry_after_is_honoured(server: ServerProcess, tmp_path: Path, week_journal: tuple[Path, int],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib3.util.retry

    folder, last_seq = week_journal
    slept: list[float] = []
    real_sleep = time.sleep
    monkeypatch.setattr(urllib3.util.retry.time, "sleep", lambda s: (slept.append(s), real_sleep(min(s, 0.01))))
    proxy = FaultProxy(server.port, ["503"], retry_after_s=7)
    client = enrolled(server, proxy.url, retry=make_retry(total=3, backoff_s=0.01, jitter_s=0.0))
    result = sync_round(client, open_journal(folder), CLOCK, state_dir=tmp_path, fetch_config=False)
    assert result.errors == [] and result.upload is not None and result.upload.cursor_after == last_seq
    assert slept[0] == 7  # waited as the server asked, not its own backoff
    proxy.close()


def test_answer_cut_mid_body_fails_the_round_and_the_next_one_resends(
        server: ServerProcess, tmp_path: Path, week_journal: tuple[Path, int]) -> None:
    folder, last_seq = week_journal
    journal = open_journal(folder)
    proxy = FaultProxy(server.port, ["ok", "cut_answer", "cut_answer"])
    client = enrolled(server, proxy.url, retry=make_retry(total=3, backoff_s=0.01))
    rounds = []
    while not rounds or rounds[-1].errors:
        assert len(rounds) < 5
        rounds.append(sync_round(client, journal, CLOCK, state_dir=tmp_path, batch_events=300, fetch_config=False))
        assert journal.cursor <= len(server.seqs(str(client.pi_id)))
    assert isinstance(rounds[0].errors[0], Unreachable) and len(rounds) == 3
    first = rounds[0].upload  # the interrupted round still says what was acknowledged before the cut
    assert first is not None and first.batches == 1 and first.cursor_after == 300 == first.sent
    assert rounds[-1].upload is not None and rounds[-1].upload.duplicates == 300  # stored before the cut: resent once
    assert_exactly_once(server, str(client.pi_id), last_seq)
    assert journal.cursor == last_seq
    proxy.close()

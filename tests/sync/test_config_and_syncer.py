"""Room config download with ETag and its cache; the agent's background syncer; token refusals."""

from __future__ import annotations

import json
import shutil
import stat
import threading
import time
from pathlib import Path

import pytest

from kiosk import syncer
from kiosk.agent import Agent
from kiosk.clock import ReplayClock
from kiosk.config import load_config
from kiosk.district_config import cache_path, load_cached, load_effective_config, save_cached
from kiosk.identity import Identity, save_identity
from kiosk.journal import Journal
from kiosk.sync_messages import explain
from kiosk.sync_round import sync_round
from sync.client import SyncClient
from sync.errors import AuthRefused
from tests.conftest import EXAMPLE_CONFIG
from tests.sync.conftest import ServerProcess
from tests.sync.faultproxy import FaultProxy
from tests.sync.helpers import open_journal


def local_toml(tmp_path: Path) -> Path:
    """The example room file with its journal in ``tmp_path/journal``."""
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    text = text.replace('journal_dir = "var/journal"', f'journal_dir = "{tmp_path / "journal"}"')
    text = text.replace("heartbeat_s = 60", "heartbeat_s = 90")
    path = tmp_path / "room.toml"
    path.write_text(text, encoding="utf-8")
    return path


def enrol(server: ServerProcess, state: Path) -> SyncClient:
    client = SyncClient(server.url)
    answer = client.enroll(server.new_code())
    save_identity(state, Identity(server.url, answer.pi_id, answer.token, answer.school, answer.room, time.time()))
    return client


def test_config_etag_round_trip_and_offline_cache(own_server: ServerProcess, tmp_path: Path) -> None:
    server = own_server
    toml = local_toml(tmp_path)
    client = enrol(server, tmp_path)
    journal = open_journal(tmp_path / "journal")
    clock = ReplayClock(time.time())
    first = sync_round(client, journal, clock, state_dir=tmp_path, local_config=toml)
    assert first.config_changed and first.errors == []
    cached = load_cached(tmp_path)
    assert cached is not None and cached["etag"]
    assert stat.S_IMODE(cache_path(tmp_path).stat().st_mode) == 0o600
    unchanged = client.fetch_config(cached["etag"])
    assert unchanged.changed is False and unchanged.config is None  # a 304: one small request
    assert sync_round(client, journal, clock, state_dir=tmp_path, local_config=toml).config_changed is False
    starts = server.change_bells()
    assert sync_round(client, journal, clock, state_dir=tmp_path, local_config=toml).config_changed is True
    new_etag = load_cached(tmp_path)["etag"]  # type: ignore[index]
    assert new_etag != cached["etag"]
    # offline now: the agent's config is the cached district copy over the local file's [agent]
    server.kill()
    effective = load_effective_config(toml, state_dir=tmp_path)
    assert effective.school.code == server.school
    assert [b.start.strftime("%H:%M") for b in effective.bells] == starts
    assert effective.agent.heartbeat_s == 90 and effective.agent.journal_dir == tmp_path / "journal"
    assert load_config(toml).school.code != server.school  # the local file itself is untouched


def test_config_that_does_not_fit_is_not_cached(tmp_path: Path) -> None:
    toml = local_toml(tmp_path)
    save_cached(tmp_path, etag='"a"', config={"school": {"code": "X", "name": "X", "level": "TH", "model": "full"}})
    assert load_effective_config(toml, state_dir=tmp_path).school.code == "X"
    # a cached copy that no longer validates is ignored: the Pi still starts on its local file
    save_cached(tmp_path, etag='"b"', config={"bells": [{"period": 1, "start": "09:00", "end": "08:00"}]})
    assert load_effective_config(toml, state_dir=tmp_path).school.code == load_config(toml).school.code


def test_retired_pi_is_refused_clearly(server: ServerProcess, tmp_path: Path) -> None:
    client = enrol(server, tmp_path)
    server.admin().call("POST", f"/pis/{client.pi_id}/retire")
    journal = open_journal(tmp_path / "journal")
    journal.append("fault", device="projector", symptom="no_picture")
    result = sync_round(client, journal, ReplayClock(time.time()), state_dir=tmp_path)
    assert isinstance(result.errors[0], AuthRefused)
    assert journal.cursor == 0
    assert "enrol it again" in explain(result.errors[0]) or "đăng ký lại" in explain(result.errors[0])
    wrong = SyncClient(server.url, pi_id=client.pi_id, token="x" * 43)
    with pytest.raises(AuthRefused):
        wrong.fetch_config()


def _agent(tmp_path: Path, week: tuple[Path, int]) -> tuple[Agent, Journal]:
    config = load_config(EXAMPLE_CONFIG)
    target = tmp_path / "pi" / "journal"
    if not target.exists():
        shutil.copytree(week[0], target)
    clock = ReplayClock(time.time(), boot_id="live")
    journal = Journal.open(target, tz=config.tz, clock=clock)
    return Agent(config, journal, clock), journal


def test_syncer_uploads_in_background_and_never_blocks_logging(
        server: ServerProcess, tmp_path: Path, week_journal: tuple[Path, int]) -> None:
    folder, last_seq = week_journal
    agent, journal = _agent(tmp_path, week_journal)
    state = folder.parent
    release = threading.Event()
    stalled = threading.Event()

    def stall() -> None:  # the server hangs on the second batch until the test lets it go
        stalled.set()
        release.wait(60)

    proxy = FaultProxy(server.port, ["ok", stall])
    answer = SyncClient(server.url).enroll(server.new_code())
    save_identity(state, Identity(proxy.url, answer.pi_id, answer.token, answer.school, answer.room, time.time()))
    stop = threading.Event()
    thread = syncer.attach(agent, stop, interval_s=0.2, state_dir=state)
    assert stalled.wait(60)
    # the upload is stuck on the network: logging goes on regardless
    for _ in range(20):
        agent.report_fault(kind="projector", symptom="no_picture")
    assert journal.last_seq == last_seq + 20
    release.set()
    deadline = time.monotonic() + 60
    while syncer.status()["waiting"] != 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    status = syncer.status()
    stop.set()
    thread.join(30)
    assert status["enrolled"] is True and status["reachable"] is True
    assert status["waiting"] == 0 and status["last_error"] is None and status["last_upload_at"] is not None
    assert status["restart_needed"] is True  # the district's room has other devices: they wait for a restart
    assert server.seqs(answer.pi_id) == list(range(1, last_seq + 21))
    assert json.loads((state / "district-config.json").read_text())["etag"]
    proxy.close()


def test_syncer_not_enrolled_never_counts_as_sent(tmp_path: Path, week_journal: tuple[Path, int]) -> None:
    folder, last_seq = week_journal
    agent, journal = _agent(tmp_path, week_journal)
    worker = syncer.Syncer(agent, state_dir=folder.parent)
    worker.run_once()
    status = syncer.status()
    assert status["enrolled"] is False and status["last_error_code"] == "not_enrolled"
    assert status["waiting"] == last_seq
    assert journal.cursor == 0


def test_syncer_applies_a_new_timetable_live(server: ServerProcess, tmp_path: Path) -> None:
    toml = local_toml(tmp_path)
    state = tmp_path
    client = enrol(server, state)
    journal = open_journal(tmp_path / "journal")
    sync_round(client, journal, ReplayClock(time.time()), state_dir=state, local_config=toml)
    config = load_effective_config(toml, state_dir=state)  # what `classroom run` starts with
    agent = Agent(config, journal, ReplayClock(time.time()))
    starts = server.change_bells()
    syncer.Syncer(agent, state_dir=state).run_once()
    assert [b.start.strftime("%H:%M") for b in agent.config.bells] == starts
    status = syncer.status()
    assert status["restart_needed"] is False and status["config_applied_at"] is not None


def test_syncer_offline_reports_unreachable_and_keeps_the_backlog(
        tmp_path: Path, week_journal: tuple[Path, int]) -> None:
    from tests.sync.conftest import free_port

    folder, last_seq = week_journal
    agent, journal = _agent(tmp_path, week_journal)
    save_identity(folder.parent, Identity(f"http://127.0.0.1:{free_port()}", "pi-x", "t" * 43, "S", "R", 0.0))
    worker = syncer.Syncer(agent, state_dir=folder.parent)
    worker._client_now()  # build the client, then make its retries quick for the test
    assert worker._client is not None
    worker._client.session.adapters["http://"].max_retries.backoff_factor = 0.001  # type: ignore[attr-defined]
    for _ in range(3):  # days offline: every round fails the same way, nothing is lost or counted as sent
        worker.run_once()
        status = syncer.status()
        assert status["reachable"] is False and status["last_error_code"] == "unreachable"
        assert status["waiting"] == last_seq and journal.cursor == 0

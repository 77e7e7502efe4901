"""A fault closed on the district's dashboard reaches the kiosk through the config download:
the Pi records ``fault_closed`` in its own journal, once."""

from __future__ import annotations

import time
from pathlib import Path

from district.db import make_engine, make_sessionmaker, transaction
from district.web.tables import FaultClosure
from kiosk import syncer
from kiosk.agent import Agent
from kiosk.clock import ReplayClock
from kiosk.district_config import load_effective_config
from kiosk.identity import load_identity
from tests.sync.conftest import ServerProcess
from tests.sync.helpers import open_journal
from tests.sync.test_config_and_syncer import enrol, local_toml


def _close_on_dashboard(server: ServerProcess, pi_id: str, seq: int, note: str) -> None:
    """What the dashboard's close form stores (district/web/views.py close_fault)."""
    sessions = make_sessionmaker(make_engine(f"sqlite:///{server.db}"))
    with transaction(sessions) as session:
        from district import models

        event = session.query(models.Event).filter_by(pi_id=pi_id, seq=seq, type="fault").one()
        session.add(FaultClosure(pi_id=pi_id, fault_seq=seq, room_id=event.room_id, note=note,
                                 closed_by="it-staff", closed_at=time.time()))


def test_a_dashboard_close_reaches_the_kiosk_once(own_server: ServerProcess, tmp_path: Path) -> None:
    server = own_server
    toml = local_toml(tmp_path)
    enrol(server, tmp_path)
    pi_id = load_identity(tmp_path).pi_id
    journal = open_journal(tmp_path / "journal")
    agent = Agent(load_effective_config(toml, state_dir=tmp_path), journal, ReplayClock(time.time()))
    fault = agent.report_fault(kind="projector", symptom="no_picture", note="màn hình tối")
    other = agent.report_fault(kind="audio", symptom="no_sound")
    worker = syncer.Syncer(agent, state_dir=tmp_path)
    worker.run_once()
    assert server.seqs(pi_id)[-1] == other["seq"]  # both reports reached the district
    _close_on_dashboard(server, pi_id, fault["seq"], "đã thay bóng đèn")
    worker.run_once()  # the config's ETag changed: the close comes down with it
    closes = [e for e in journal if e["type"] == "fault_closed"]
    assert [(e["fault"], e["note"], e["by"]) for e in closes] == [(fault["seq"], "đã thay bóng đèn", "district")]
    assert [f["seq"] for f in agent.open_faults()] == [other["seq"]]
    worker.run_once()  # idempotent: no second close
    assert sum(e["type"] == "fault_closed" for e in journal) == 1


def test_a_calibration_on_the_pi_is_kept_by_the_district_and_applies_at_once(
        own_server: ServerProcess, tmp_path: Path) -> None:
    """The district is authoritative for config: a calibration made in IT mode goes up as an
    event and becomes the room's levels there, so the next download (or a restart) keeps it."""
    from hardware.reading import Reading

    server = own_server
    toml = local_toml(tmp_path)
    enrol(server, tmp_path)
    journal = open_journal(tmp_path / "journal")
    clock = ReplayClock(time.time())
    agent = Agent(load_effective_config(toml, state_dir=tmp_path), journal, clock)
    worker = syncer.Syncer(agent, state_dir=tmp_path)
    worker.run_once()
    agent = Agent(load_effective_config(toml, state_dir=tmp_path), journal, clock)  # as after a restart
    projector = agent.config.device(1)
    assert projector is not None and projector.on_amps == 1.3  # the district's room levels
    agent.record_calibration(channel=1, standby_amps=0.05, on_amps=0.6)
    t = clock.wall()
    for i in range(4):  # 0.5 A was below the old on threshold; with the new levels it is on
        agent.process(Reading(t + 5 * i, 1, 0.5))
    assert agent.detector.states()[1] == "on"
    syncer.Syncer(agent, state_dir=tmp_path).run_once()
    restarted = load_effective_config(toml, state_dir=tmp_path)
    device = restarted.device(1)
    assert device is not None and (device.standby_amps, device.on_amps) == (0.05, 0.6)

"""Alerts: each condition opens one alert, ends when its cause clears, is never raised twice."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from district import models
from district.alerts.service import evaluate
from district.db import transaction
from district.web.settings import get_web_settings
from district.web.tables import Alert, FaultClosure
from tests.web.conftest import NOW, build_demo

SETTINGS = get_web_settings()


@pytest.fixture
def demo(tmp_path):
    url, demo, sessions = build_demo(tmp_path)  # alerts evaluated once at NOW
    return sessions


def open_alerts(sessions) -> dict[tuple[str, str], Alert]:
    with sessions() as session:
        return {(a.kind, a.cause): a for a in session.scalars(select(Alert).where(Alert.ended_at.is_(None)))}


def test_every_kind_of_condition_in_the_demo_raises_an_alert(demo):
    kinds = {kind for kind, _cause in open_alerts(demo)}
    assert kinds == {"pi_silent", "channel_missing", "left_on", "fault_open", "under_target"}


def test_evaluating_again_raises_nothing_twice(demo):
    before = open_alerts(demo)
    for _ in range(2):
        with transaction(demo) as session:
            result = evaluate(session, now=NOW + 60, settings=SETTINGS)
        assert (result.opened, result.ended) == (0, 0)
    assert open_alerts(demo).keys() == before.keys()


def test_a_second_open_alert_for_one_cause_is_refused_by_the_database(demo):
    kind, cause = next(iter(open_alerts(demo)))
    with pytest.raises(IntegrityError), transaction(demo) as session:
        session.add(Alert(kind=kind, cause=cause, school_id=1, room_id=None, detail={}, started_at=NOW, ended_at=None))


def test_a_pi_that_syncs_again_ends_its_silence_alert(demo):
    silent = [a for (kind, _c), a in open_alerts(demo).items() if kind == "pi_silent"]
    pi_id = silent[0].detail["pi"]
    with transaction(demo) as session:
        session.execute(update(models.Pi).where(models.Pi.id == pi_id).values(last_sync_at=NOW + 100))
        result = evaluate(session, now=NOW + 120, settings=SETTINGS)
    assert result.ended == 1
    with demo() as session:
        ended = session.scalar(select(Alert).where(Alert.cause == f"pi:{pi_id}"))
    assert ended.ended_at == NOW + 120 and ended.started_at == NOW


def test_closing_a_fault_ends_its_alert_and_it_stays_ended(demo):
    fault = next(a for (kind, _c), a in open_alerts(demo).items() if kind == "fault_open")
    _kind, pi_id, seq = fault.cause.split(":")
    with transaction(demo) as session:
        session.add(FaultClosure(pi_id=pi_id, fault_seq=int(seq), room_id=fault.room_id, note="ok", closed_by="t", closed_at=NOW))
    for step in (1, 2):
        with transaction(demo) as session:
            result = evaluate(session, now=NOW + step * 60, settings=SETTINGS)
        assert result.opened == 0
    with demo() as session:
        rows = list(session.scalars(select(Alert).where(Alert.cause == fault.cause)))
    assert len(rows) == 1 and rows[0].ended_at == NOW + 60


def test_a_device_switched_off_ends_its_left_on_alert(demo):
    left = next(a for (kind, _c), a in open_alerts(demo).items() if kind == "left_on")
    with demo() as session:
        pi = session.scalar(select(models.Pi).where(models.Pi.room_id == left.room_id))
        last_seq = session.scalar(select(models.Event.seq).where(models.Event.pi_id == pi.id).order_by(models.Event.seq.desc()))
    with transaction(demo) as session:
        session.add(models.Event(pi_id=pi.id, seq=last_seq + 1, room_id=left.room_id, type="off", at=NOW + 10, pi_at=NOW + 10,
                                 time_source="synced", received_at=NOW + 10, digest="t", body={"seq": last_seq + 1, "type": "off", "at": NOW + 10, "channel": 0, "kind": "projector"}))
        assert evaluate(session, now=NOW + 20, settings=SETTINGS).ended == 1
    assert (left.kind, left.cause) not in open_alerts(demo)


def test_room_month_summaries_are_stored_once_per_room_and_month(demo):
    from district.web.tables import RoomMonthSummary

    with transaction(demo) as session:
        evaluate(session, now=NOW + 60, settings=SETTINGS)
    with demo() as session:
        rooms = session.scalar(select(func.count()).select_from(models.Room))
        rows = session.execute(select(RoomMonthSummary.room_id, RoomMonthSummary.month)).all()
    assert len(rows) == len(set(rows)) == rooms * 3

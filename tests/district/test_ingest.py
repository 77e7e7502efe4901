"""Upload: idempotence on (pi, seq), 409 on a clone, ack and gaps, gzip, caps, bad input, time."""

from __future__ import annotations

import gzip
import json
import time

import pytest
from sqlalchemy import create_engine, func, select

from district import models
from tests.district.conftest import API, Api, batch, device_event

NOW = time.time()


def stored(api: Api, pi_id: str) -> list[tuple[int, str, float]]:
    engine = create_engine(api.db_url.replace("sqlite:///", "sqlite:///") if api.db_url.startswith("sqlite") else api.db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(models.Event.seq, models.Event.time_source, models.Event.at).where(models.Event.pi_id == pi_id).order_by(models.Event.seq)
            ).all()
            return [(int(a), str(b), float(c)) for a, b, c in rows]
    finally:
        engine.dispose()


def pi_row(api: Api, pi_id: str) -> dict:
    engine = create_engine(api.db_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(select(models.Pi).where(models.Pi.id == pi_id)).mappings().one()
            return dict(row)
    finally:
        engine.dispose()


@pytest.fixture
def pi(api: Api) -> tuple[str, dict[str, str], str]:
    school = api.school()
    api.room(school)
    pi_id, auth = api.enroll(school, "R101")
    return pi_id, auth, school


def events(seqs: range | list[int], base: float = NOW - 3600) -> list[dict]:
    return [device_event(s, base + s, "on" if s % 2 else "off") for s in seqs]


def test_same_batch_twice_changes_nothing(api: Api, pi) -> None:
    pi_id, auth, _ = pi
    first = api.upload(pi_id, auth, events(range(1, 11)))
    again = api.upload(pi_id, auth, events(range(1, 11)))
    assert first.json() | {"clock_skew_s": None} == {"acked_seq": 10, "stored": 10, "duplicates": 0, "gaps": [], "clock_skew_s": None}
    assert again.status_code == 200 and again.json()["stored"] == 0 and again.json()["duplicates"] == 10
    assert [s for s, _src, _at in stored(api, pi_id)] == list(range(1, 11))


def test_gzip_body_is_accepted(api: Api, pi) -> None:
    pi_id, auth, _ = pi
    r = api.upload(pi_id, auth, events(range(1, 6)), gzipped=True)
    assert r.status_code == 200 and r.json()["acked_seq"] == 5


def test_different_event_under_stored_seq_is_409_and_flags_the_pi(api: Api, pi) -> None:
    pi_id, auth, _ = pi
    api.upload(pi_id, auth, events(range(1, 4)))
    clone = events(range(3, 6))
    clone[0]["channel"] = 2
    r = api.upload(pi_id, auth, clone)
    assert r.status_code == 409
    assert r.json()["detail"]["code"] == "seq_conflict" and "seq 3" in r.json()["detail"]["message"]
    assert [s for s, _a, _b in stored(api, pi_id)] == [1, 2, 3]  # 4 and 5 not half-stored
    assert pi_row(api, pi_id)["is_flagged"] is True


def test_gap_is_reported_and_ack_stops_below_it(api: Api, pi) -> None:
    pi_id, auth, _ = pi
    r = api.upload(pi_id, auth, events([1, 2, 3, 7, 8]))
    assert r.json()["acked_seq"] == 3 and r.json()["gaps"] == [[4, 6]]
    r = api.upload(pi_id, auth, events([4, 5, 6]))
    assert r.json()["acked_seq"] == 8 and r.json()["gaps"] == []


def test_missing_first_seq_is_a_gap(api: Api, pi) -> None:
    pi_id, auth, _ = pi
    r = api.upload(pi_id, auth, events([3, 4]))
    assert r.json()["acked_seq"] == 0 and r.json()["gaps"] == [[1, 2]]


def test_far_future_event_is_refused_and_nothing_stored(api: Api, pi) -> None:
    pi_id, auth, _ = pi
    evs = events(range(1, 4))
    evs[2]["at"] = api.clock() + 86400
    r = api.upload(pi_id, auth, evs)
    assert r.status_code == 422 and r.json()["detail"]["code"] == "event_in_future" and "seq 3" in r.json()["detail"]["message"]
    assert stored(api, pi_id) == []


def test_skew_recorded_and_unsynced_events_restamped_from_the_batch(api: Api, pi) -> None:
    pi_id, auth, _ = pi
    now = api.clock()
    evs = [
        device_event(1, 1000.0, boot="b2", synced=False, mono=50.0),   # clock unset after boot
        device_event(2, now - 5, "off", boot="b2", synced=True, mono=95.0),
        device_event(3, 500.0, boot="old", synced=False, mono=10.0),    # another boot: cannot correct
    ]
    evs.sort(key=lambda e: e["seq"])
    body = batch(pi_id, evs, sent_at=now - 30.0, sent_mono=100.0, boot="b2", clock_synced=True)
    r = api.client.post(f"{API}/pis/{pi_id}/events", json=body, headers=auth)
    assert r.status_code == 200, r.text
    assert 29 < r.json()["clock_skew_s"] < 40
    rows = {s: (src, at) for s, src, at in stored(api, pi_id)}
    assert rows[1][0] == "server_restamped" and abs(rows[1][1] - (now - 50.0)) < 10
    assert rows[2][0] == "synced"
    assert rows[3] == ("unsynced", 500.0)
    assert 29 < pi_row(api, pi_id)["last_skew_s"] < 40


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "malformed_json"),
        (b"[]", "invalid"),
        (json.dumps({"schema": 1, "pi_id": "x", "sent_at": "now", "sent_mono": 1, "boot": "b", "clock_synced": True, "events": []}).encode(), "invalid"),
    ],
    ids=["malformed", "not-an-object", "wrong-type"],
)
def test_bad_bodies_are_422_naming_the_problem(api: Api, pi, body: bytes, code: str) -> None:
    pi_id, auth, _ = pi
    r = api.client.post(f"{API}/pis/{pi_id}/events", content=body, headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"]["code"] == code and r.json()["detail"]["message"]


def test_wrong_type_in_event_names_the_field(api: Api, pi) -> None:
    pi_id, auth, _ = pi
    evs = events(range(1, 3))
    evs[1]["channel"] = "one"
    r = api.upload(pi_id, auth, evs)
    assert r.status_code == 422 and "events.1.channel" in r.json()["detail"]["message"]
    assert stored(api, pi_id) == []


def test_batch_for_another_pi_is_refused(api: Api, pi) -> None:
    pi_id, auth, _ = pi
    body = batch("pi-someoneelse", events(range(1, 3)))
    r = api.client.post(f"{API}/pis/{pi_id}/events", json=body, headers=auth)
    assert r.status_code == 422 and r.json()["detail"]["code"] == "pi_mismatch"


def test_oversized_batch_is_413(api: Api, pi) -> None:
    pi_id, auth, _ = pi
    raw = json.dumps(batch(pi_id, events(range(1, 3)))).encode() + b" " * 2_100_000
    r = api.client.post(f"{API}/pis/{pi_id}/events", content=raw, headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["detail"]["code"] == "too_large"


def test_gzip_bomb_is_413(api: Api, pi) -> None:
    pi_id, auth, _ = pi
    raw = gzip.compress(b" " * 5_000_000)
    r = api.client.post(f"{API}/pis/{pi_id}/events", content=raw, headers={**auth, "Content-Encoding": "gzip", "Content-Type": "application/json"})
    assert r.status_code == 413


def test_too_many_events_is_422(api: Api, pi) -> None:
    pi_id, auth, _ = pi
    r = api.upload(pi_id, auth, events(range(1, 1002)))
    assert r.status_code == 422 and "events" in r.json()["detail"]["message"]


def test_unknown_pi_and_wrong_token_are_401(api: Api, pi) -> None:
    pi_id, auth, _ = pi
    assert api.upload("pi-nope", auth, events(range(1, 2))).status_code == 401
    r = api.upload(pi_id, {"Authorization": "Bearer p_wrong"}, events(range(1, 2)))
    assert r.status_code == 401 and r.json()["detail"]["code"] == "bad_token"
    assert api.upload(pi_id, {}, events(range(1, 2))).status_code == 401
    assert stored(api, pi_id) == []


def test_config_etag_gives_304_until_config_changes(api: Api, pi) -> None:
    pi_id, auth, school = pi
    r = api.client.get(f"{API}/pis/{pi_id}/config", headers=auth)
    assert r.status_code == 200 and r.json()["room"]["code"] == "R101" and "agent" not in r.json()
    etag = r.headers["ETag"]
    assert api.client.get(f"{API}/pis/{pi_id}/config", headers={**auth, "If-None-Match": etag}).status_code == 304
    api.client.put(f"{API}/schools/{school}/bells", json={"bells": [{"period": 1, "start": "07:00", "end": "07:45"}]}, headers=api.admin)
    r = api.client.get(f"{API}/pis/{pi_id}/config", headers={**auth, "If-None-Match": etag})
    assert r.status_code == 200 and r.json()["bells"] == [{"period": 1, "start": "07:00", "end": "07:45"}]


def test_moved_pi_keeps_history_in_the_old_room(api: Api, pi) -> None:
    pi_id, auth, school = pi
    api.room(school, code="R202")
    api.upload(pi_id, auth, events(range(1, 3), base=api.clock() - 7200))
    assert api.client.post(f"{API}/pis/{pi_id}/move", json={"school": school, "room": "R202"}, headers=api.admin).status_code == 204
    api.upload(pi_id, auth, events(range(3, 5), base=api.clock()))
    engine = create_engine(api.db_url)
    with engine.connect() as conn:
        rooms = dict(conn.execute(
            select(models.Event.seq, models.Room.code).join(models.Room, models.Room.id == models.Event.room_id).where(models.Event.pi_id == pi_id)
        ).all())
        assert conn.scalar(select(func.count()).select_from(models.Event).where(models.Event.pi_id == pi_id)) == 4
    engine.dispose()
    assert rooms == {1: "R101", 2: "R101", 3: "R202", 4: "R202"}
    assert api.client.get(f"{API}/pis/{pi_id}/config", headers=auth).json()["room"]["code"] == "R202"


def test_retired_pi_is_refused_and_keeps_events(api: Api, pi) -> None:
    pi_id, auth, _ = pi
    api.upload(pi_id, auth, events(range(1, 3)))
    assert api.client.post(f"{API}/pis/{pi_id}/retire", headers=api.admin).status_code == 204
    r = api.upload(pi_id, auth, events(range(3, 4)))
    assert r.status_code == 403 and r.json()["detail"]["code"] == "pi_retired"
    assert api.client.get(f"{API}/pis/{pi_id}/config", headers=auth).status_code == 403
    assert [s for s, _a, _b in stored(api, pi_id)] == [1, 2]


def test_downloaded_config_is_a_valid_room_config_for_the_pi(api: Api, pi) -> None:
    from kiosk.config import parse_config  # test code only: the Pi's own validator

    pi_id, auth, school = pi
    api.client.put(f"{API}/schools/{school}/bells", json={"bells": [{"period": 1, "start": "07:00", "end": "07:45"}]}, headers=api.admin)
    api.client.put(f"{API}/schools/{school}/teachers", json={"teachers": [{"id": "GV1", "name": "Cô Lan"}]}, headers=api.admin)
    api.client.put(f"{API}/schools/{school}/rooms/R101/timetable",
                   json={"lessons": [{"weekday": 1, "period": 1, "class": "4A", "subject": "Toán", "teacher": "GV1"}]}, headers=api.admin)
    api.client.post(f"{API}/schools/{school}/holidays", json={"date": "2026-11-20"}, headers=api.admin)
    api.client.put(f"{API}/schools/{school}/policy", json={"targets": {"regular_classroom": 0.8}, "min_used_minutes": 4}, headers=api.admin)
    config = api.client.get(f"{API}/pis/{pi_id}/config", headers=auth).json()
    room = parse_config(config, source="district")
    assert room.school.code == school and room.target == 0.8 and room.policy_rules.min_used_s == 240
    assert [d.kind for d in room.devices] == ["projector", "audio"] and "source" not in config["devices"][0]

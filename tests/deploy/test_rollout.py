"""deploy.rollout: staged offers by hash of the Pi id, advancing on soak, pausing on bad health."""

from __future__ import annotations

from deploy.rollout import STAGES, PiReport, RolloutState, next_state, offer, place, stage_members

FLEET = [f"pi-{i:05d}" for i in range(2000)]
DAY = 86400.0


def _reports(version_of: dict[str, str], *, healthy: bool = True, at: float = 10 * DAY,
             since: float = 0.0) -> dict[str, PiReport]:
    return {p: PiReport(p, version_of.get(p, "0.1.0"), healthy, at, since) for p in FLEET}


def test_place_is_stable_and_spreads() -> None:
    assert place("pi-1", "0.2.0") == place("pi-1", "0.2.0")
    assert place("pi-1", "0.2.0") != place("pi-1", "0.3.0")
    low = sum(place(p, "0.2.0") < 0.25 for p in FLEET)
    assert 400 < low < 600  # about a quarter of 2000


def test_first_stage_is_a_few_pis_and_stages_grow() -> None:
    sizes = [len(stage_members(RolloutState("0.2.0", stage), FLEET)) for stage in range(len(STAGES))]
    assert sizes == sorted(sizes)
    assert 3 <= sizes[0] <= 40
    assert sizes[-1] == len(FLEET)
    assert len(stage_members(RolloutState("0.2.0"), FLEET[:20])) == 3  # a small district still starts


def test_offer_only_in_stage_not_paused_not_already_updated() -> None:
    state = RolloutState("0.2.0")
    members = stage_members(state, FLEET)
    first = next(iter(members))
    outside = next(p for p in FLEET if p not in members)
    assert offer(first, "0.1.0", state, FLEET)
    assert not offer(outside, "0.1.0", state, FLEET)
    assert not offer(first, "0.2.0", state, FLEET)
    assert not offer(first, "0.1.0", RolloutState("0.2.0", paused=True), FLEET)


def test_stage_advances_after_every_member_soaked_healthy() -> None:
    state = RolloutState("0.2.0")
    members = stage_members(state, FLEET)
    updated = dict.fromkeys(members, "0.2.0")
    assert next_state(state, _reports(updated, since=9.5 * DAY), now=10 * DAY).stage == 0  # not soaked
    assert next_state(state, _reports(updated, since=8 * DAY), now=10 * DAY).stage == 1
    half = dict.fromkeys(list(members)[: len(members) // 2], "0.2.0")
    assert next_state(state, _reports(half, since=0.0), now=10 * DAY).stage == 0


def test_rollout_pauses_itself_when_updated_pis_go_unhealthy_or_silent() -> None:
    state = RolloutState("0.2.0", stage=2)
    members = sorted(stage_members(state, FLEET))
    reports = _reports(dict.fromkeys(members, "0.2.0"))
    sick = members[: len(members) // 10]
    for p in sick:
        reports[p] = PiReport(p, "0.2.0", False, 10 * DAY, 0.0)
    paused = next_state(state, reports, now=10 * DAY)
    assert paused.paused and str(len(sick)) in paused.reason
    assert next_state(paused, _reports({}), now=11 * DAY) == paused  # stays paused
    silent = _reports(dict.fromkeys(members, "0.2.0"))
    for p in sick:
        silent[p] = PiReport(p, "0.2.0", True, 5 * DAY, 0.0)  # last heard five days ago
    assert next_state(state, silent, now=10 * DAY).paused

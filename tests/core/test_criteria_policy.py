"""criteria.policy: targets by school model and room type as data, with per-school overrides."""

from __future__ import annotations

import pytest

from criteria import ROOM_TYPES, Policy, preset


@pytest.mark.parametrize(("room_type", "full", "partial"), [
    ("it_room", 1.0, 1.0), ("language_room", 1.0, 1.0), ("multipurpose_room", 1.0, 0.5),
    ("regular_classroom", 0.9, 0.5), ("music_room", 0.9, 0.5), ("art_room", 0.9, 0.5), ("subject_room", 0.9, 0.5),
])
def test_presets_follow_the_guidance(room_type: str, full: float, partial: float) -> None:
    assert preset("full").target_for(room_type) == full
    assert preset("partial").target_for(room_type) == partial


def test_rule_values_are_data() -> None:
    policy = preset("full")
    assert (policy.min_used_s, policy.no_data_fraction, policy.stale_s) == (300.0, 0.5, 30.0)
    assert set(policy.targets) == set(ROOM_TYPES)


def test_overrides_change_a_copy_only() -> None:
    base = preset("partial")
    school = base.with_overrides(targets={"regular_classroom": 0.6}, min_used_s=600.0)
    assert school.target_for("regular_classroom") == 0.6
    assert school.target_for("it_room") == 1.0
    assert school.min_used_s == 600.0
    assert base.target_for("regular_classroom") == 0.5 and base.min_used_s == 300.0


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"targets": {"kitchen": 0.5}}, "unknown room type"),
    ({"targets": {"it_room": 1.5}}, "out of range"),
    ({"no_data_fraction": 1.5}, "no_data_fraction"),
    ({"min_used_s": -1.0}, "min_used_s"),
    ({"stale_s": 0.0}, "stale_s"),
])
def test_bad_overrides_are_refused(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        preset("full").with_overrides(**kwargs)


def test_unknown_model_and_room_type() -> None:
    with pytest.raises(ValueError, match="unknown school model"):
        preset("half")
    with pytest.raises(KeyError, match="kitchen"):
        Policy().target_for("kitchen")

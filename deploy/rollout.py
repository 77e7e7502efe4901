"""The district's side of updates: which Pis get the current release, in stages, and when to pause.

Pure: no I/O, no clock, no framework (the district's endpoint passes everything in).
The district engineer wires it into an endpoint such as ``GET /api/v1/pis/{pi_id}/release``
answering ``{"version", "url", "sha256"}`` when :func:`offer` says so, and 204 otherwise;
``classroom update`` on the Pi asks that endpoint at a quiet hour.

Stages: each Pi has a fixed place in ``[0, 1)`` from a hash of the release version and
its id, so the same few Pis go first for a release, a different few for the next, and
the choice needs no table. A rollout's share grows through ``STAGES`` (a few Pis, then
5 %, 25 %, 50 %, all), advancing one stage when every Pi of the stage so far has
reported healthy on the new version for ``soak_s``, and pausing by itself when more
than ``max_unhealthy`` of the updated Pis stopped reporting healthy.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: Shares of the fleet in each stage, in order; the first is "a few Pis" of a district.
STAGES: tuple[float, ...] = (0.01, 0.05, 0.25, 0.5, 1.0)


@dataclass(frozen=True)
class PiReport:
    """What the district last heard from one Pi (UTC epoch seconds).

    ``version`` it runs, whether it says it is ``healthy``, when it last reported
    (``reported_at``) and since when it has run this version (``since``).
    """

    pi_id: str
    version: str
    healthy: bool
    reported_at: float
    since: float


@dataclass(frozen=True)
class RolloutState:
    """The rollout of ``version``: its ``stage`` index into ``STAGES``; ``paused`` with a reason."""

    version: str
    stage: int = 0
    paused: bool = False
    reason: str = ""


def place(pi_id: str, version: str) -> float:
    """This Pi's fixed place in ``[0, 1)`` for a release (SHA-256 of version and id)."""
    digest = hashlib.sha256(f"{version}\x00{pi_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def share(stage: int, stages: tuple[float, ...] = STAGES) -> float:
    """The share of Pis offered the release at ``stage`` (clamped to the last stage)."""
    return stages[min(max(stage, 0), len(stages) - 1)]


def stage_members(state: RolloutState, fleet: Iterable[str], *, stages: tuple[float, ...] = STAGES,
                  min_pis: int = 3) -> set[str]:
    """The Pis of ``fleet`` in the rollout's current stage.

    The lowest :func:`place` s, as many as the stage's share of the fleet (rounded up)
    and never fewer than ``min_pis``, so a small district starts with a few Pis rather
    than none and no stage holds fewer Pis than the one before.
    """
    ranked = sorted(fleet, key=lambda p: place(p, state.version))
    # by rank, never fewer than min_pis, so a later stage always holds every earlier one
    count = max(min_pis, math.ceil(share(state.stage, stages) * len(ranked)))
    return set(ranked[:count])


def offer(pi_id: str, current_version: str, state: RolloutState, fleet: Iterable[str], *,
          stages: tuple[float, ...] = STAGES, min_pis: int = 3) -> bool:
    """Whether the district should offer ``state.version`` to this Pi now.

    Not while paused; not to a Pi already on it; otherwise when it is in the current
    stage of ``fleet`` (every enrolled Pi's id). Pis already updated stay updated when a
    rollout pauses: each Pi's own health check rolls it back if it is unwell.
    """
    if state.paused or current_version == state.version:
        return False
    return pi_id in stage_members(state, fleet, stages=stages, min_pis=min_pis)


def next_state(
    state: RolloutState,
    reports: Mapping[str, PiReport],
    *,
    now: float,
    soak_s: float = 86400.0,
    stale_s: float = 3 * 3600.0,
    max_unhealthy: float = 0.05,
    stages: tuple[float, ...] = STAGES,
    min_pis: int = 3,
) -> RolloutState:
    """The rollout after looking at the Pis' latest reports.

    Updated Pis are those reporting ``state.version``. One is *unhealthy* if it says so
    or has not reported for ``stale_s`` (an updated Pi that went silent is the worst
    sign). More than ``max_unhealthy`` of them unhealthy pauses the rollout (it stays
    paused until a person resumes it with a new state). Otherwise, when every Pi of
    the current stage runs the version healthily and the last of them to update did
    so at least ``soak_s`` ago, the stage advances.
    """
    if state.paused:
        return state
    updated = [r for r in reports.values() if r.version == state.version]
    unhealthy = [r for r in updated if not r.healthy or now - r.reported_at > stale_s]
    if updated and len(unhealthy) / len(updated) > max_unhealthy:
        names = ", ".join(sorted(r.pi_id for r in unhealthy)[:5])
        return RolloutState(state.version, state.stage, True,
                            f"{len(unhealthy)} of {len(updated)} updated Pis unhealthy or silent: {names}")
    members = stage_members(state, reports, stages=stages, min_pis=min_pis)
    done = [reports[p] for p in members if reports[p].version == state.version and reports[p].healthy]
    if state.stage + 1 < len(stages) and members and len(done) == len(members):
        if now - max(r.since for r in done) >= soak_s:
            stage = state.stage + 1
            # a stage that adds nobody (a small district) is passed at once
            while stage + 1 < len(stages) and stage_members(
                RolloutState(state.version, stage), reports, stages=stages, min_pis=min_pis
            ) == members:
                stage += 1
            return RolloutState(state.version, stage)
    return state

"""Staged rollout of releases (keyword-only service functions, no HTTP).

The rules are ``deploy/rollout.py`` (pure): a Pi's place from a hash of version and id,
stages of growing share, a pause when updated Pis stop reporting healthy. Here they are
fed from the database: every active Pi's version (from its latest ``start`` event), when
it last synced, and whether it is flagged. Evaluating is idempotent, so any worker may
do it on any request.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from deploy import rollout
from district import models
from district.errors import BadInput, Conflict, NotFound
from district.i18n import _


def add_release(*, session: Session, version: str, url: str, sha256: str | None, now: float) -> models.Release:
    """Make ``version`` the current release, starting its rollout at the first stage."""
    if session.scalar(select(models.Release).where(models.Release.version == version)) is not None:
        raise Conflict(_("release {version} already exists").format(version=version))
    if sha256 is not None and (len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256)):
        raise BadInput(_("sha256 must be 64 lower-case hex digits"))
    release = models.Release(version=version, url=url, sha256=sha256, created_at=now, stage=0, paused=False, reason="")
    session.add(release)
    session.flush()
    return release


def current_release(*, session: Session) -> models.Release | None:
    """The newest release, or None."""
    return session.scalar(select(models.Release).order_by(models.Release.created_at.desc(), models.Release.id.desc()).limit(1))


def resume(*, session: Session, version: str) -> models.Release:
    """Clear a rollout's pause (a person looked at the unhealthy Pis)."""
    release = session.scalar(select(models.Release).where(models.Release.version == version))
    if release is None:
        raise NotFound(_("no release {version}").format(version=version))
    release.paused, release.reason = False, ""
    return release


def _reports(session: Session) -> dict[str, rollout.PiReport]:
    pis = session.scalars(select(models.Pi).where(models.Pi.retired_at.is_(None))).all()
    return {
        pi.id: rollout.PiReport(
            pi_id=pi.id,
            version=pi.version or "",
            healthy=not pi.is_flagged,
            reported_at=pi.last_sync_at or pi.enrolled_at,
            since=pi.version_since or pi.enrolled_at,
        )
        for pi in pis
    }


def offer_for(*, session: Session, pi: models.Pi, now: float) -> dict[str, Any] | None:
    """The release to offer ``pi`` now (``{"version", "url", "sha256"}``), or None.

    Moves the rollout on (next stage, or paused) from the fleet's reports first.
    """
    release = current_release(session=session)
    if release is None:
        return None
    reports = _reports(session)
    state = rollout.RolloutState(release.version, release.stage, release.paused, release.reason)
    moved = rollout.next_state(state, reports, now=now)
    if moved != state:
        release.stage, release.paused, release.reason = moved.stage, moved.paused, moved.reason
    if not rollout.offer(pi.id, pi.version or "", moved, reports):
        return None
    return {"version": release.version, "url": release.url, "sha256": release.sha256}


def rollout_status(*, session: Session) -> list[dict[str, Any]]:
    """Every release, newest first, with its stage, share, pause and how many Pis run it."""
    reports = _reports(session)
    out = []
    for release in session.scalars(select(models.Release).order_by(models.Release.created_at.desc())).all():
        running = sum(1 for r in reports.values() if r.version == release.version)
        out.append({
            "version": release.version, "url": release.url, "sha256": release.sha256,
            "stage": release.stage, "share": rollout.share(release.stage), "paused": release.paused,
            "reason": release.reason, "pis_running": running, "pis_total": len(reports),
        })
    return out


def note_start(*, session: Session, pi: models.Pi, events: list[dict[str, Any]]) -> None:
    """Record the version a Pi runs from the latest ``start`` event of an upload."""
    starts = [e for e in events if e.get("type") == "start" and e.get("version")]
    if not starts:
        return
    latest = max(starts, key=lambda e: e["seq"])
    if latest["version"] != pi.version:
        pi.version = str(latest["version"])[:40]
        pi.version_since = float(latest["at"])

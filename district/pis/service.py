"""Enrolment codes and Pis: issue, revoke, exchange, authenticate, retire, move.

Codes are single-use, random (about 80 bits), expiring and revocable; only their
sha256 is stored. A Pi's token is 32 random bytes; only its sha256 is stored.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from district import models
from district.errors import BadInput, Forbidden, NotFound, Unauthorized
from district.i18n import _
from district.org import service as org
from district.security import digest, new_code, new_token, normalize_code


def create_code(
    *, session: Session, school: models.School, room: models.Room | None, now: float, ttl_s: float
) -> tuple[models.EnrollmentCode, str]:
    """A new code for a school (the Pi names its room) or one room; returns the row and the code."""
    if not 60 <= ttl_s <= 90 * 86400:
        raise BadInput(_("code lifetime must be between one minute and 90 days"))
    code = new_code()
    row = models.EnrollmentCode(
        code_hash=digest(normalize_code(code)),
        school_id=school.id,
        room_id=room.id if room is not None else None,
        created_at=now,
        expires_at=now + ttl_s,
    )
    session.add(row)
    session.flush()
    return row, code


def get_code(*, session: Session, code_id: int) -> models.EnrollmentCode:
    """A code by id; :class:`NotFound` otherwise."""
    row = session.get(models.EnrollmentCode, code_id)
    if row is None:
        raise NotFound(_("no enrolment code {id}").format(id=code_id))
    return row


def revoke_code(*, session: Session, code: models.EnrollmentCode, now: float) -> None:
    """Revoke an unused code (revoking twice is a no-op)."""
    if code.revoked_at is None:
        code.revoked_at = now


def enroll(
    *, session: Session, code: str, room_code: str | None, hostname: str | None, version: str | None, now: float
) -> tuple[models.Pi, str, models.School, models.Room]:
    """Exchange a code for a new Pi id and token; the code is spent atomically.

    Raises :class:`Unauthorized` for an unknown, used, expired or revoked code, and
    :class:`BadInput` when a school code is used without a room or with an unknown one.
    """
    row = session.scalar(select(models.EnrollmentCode).where(models.EnrollmentCode.code_hash == digest(normalize_code(code))))
    if row is None:
        raise Unauthorized(_("unknown enrolment code"), code="bad_code")
    if row.revoked_at is not None:
        raise Unauthorized(_("this enrolment code was revoked"), code="code_revoked")
    if row.used_at is not None:
        raise Unauthorized(_("this enrolment code was already used"), code="code_used")
    if row.expires_at <= now:
        raise Unauthorized(_("this enrolment code has expired; ask for a new one"), code="code_expired")
    school = session.get(models.School, row.school_id)
    assert school is not None
    if row.room_id is not None:
        room = session.get(models.Room, row.room_id)
        assert room is not None
        if room_code is not None and room_code != room.code:
            raise BadInput(_("this code is for room {room!r}, not {asked!r}").format(room=room.code, asked=room_code))
    else:
        if room_code is None:
            raise BadInput(_("this code is for a whole school; name the room with --room"), code="room_required")
        room = org.get_room(session=session, school=school, code=room_code)
    pi_id = "pi-" + secrets.token_hex(8)
    # Spend the code with a guarded UPDATE so two concurrent enrolments cannot both win.
    spent = session.execute(
        update(models.EnrollmentCode)
        .where(models.EnrollmentCode.id == row.id, models.EnrollmentCode.used_at.is_(None))
        .values(used_at=now, pi_id=pi_id)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise Unauthorized(_("this enrolment code was already used"), code="code_used")
    token = new_token("p")
    pi = models.Pi(
        id=pi_id, token_hash=digest(token), room_id=room.id, hostname=hostname, version=version,
        enrolled_at=now, is_flagged=False, acked_seq=0,
    )
    session.add(pi)
    session.flush()
    session.add(models.PiPlacement(pi_id=pi_id, room_id=room.id, from_at=0.0, to_at=None))
    return pi, token, school, room


def get_pi(*, session: Session, pi_id: str) -> models.Pi:
    """A Pi by id; :class:`NotFound` otherwise."""
    pi = session.get(models.Pi, pi_id)
    if pi is None:
        raise NotFound(_("no Pi {pi!r}").format(pi=pi_id), code="unknown_pi")
    return pi


def authenticate_pi(*, session: Session, pi_id: str, token: str | None) -> models.Pi:
    """The Pi whose id and token both match and which is not retired.

    An unknown Pi and a wrong token get the same answer so ids cannot be probed.
    """
    if not token:
        raise Unauthorized(_("missing Pi token"), code="bad_token")
    pi = session.get(models.Pi, pi_id)
    if pi is None or not secrets.compare_digest(pi.token_hash, digest(token)):
        raise Unauthorized(_("unknown Pi or wrong token"), code="bad_token")
    if pi.retired_at is not None:
        raise Forbidden(_("this Pi was retired; enrol it again"), code="pi_retired")
    return pi


def retire(*, session: Session, pi: models.Pi, now: float) -> None:
    """Retire a Pi: its token stops working; its events stay."""
    if pi.retired_at is None:
        pi.retired_at = now
        session.execute(
            update(models.PiPlacement).where(models.PiPlacement.pi_id == pi.id, models.PiPlacement.to_at.is_(None)).values(to_at=now)
        )


def move(*, session: Session, pi: models.Pi, room: models.Room, now: float) -> None:
    """Move a Pi to ``room`` from ``now`` on; events recorded before keep their room."""
    if pi.room_id == room.id:
        return
    session.execute(
        update(models.PiPlacement).where(models.PiPlacement.pi_id == pi.id, models.PiPlacement.to_at.is_(None)).values(to_at=now)
    )
    session.add(models.PiPlacement(pi_id=pi.id, room_id=room.id, from_at=now, to_at=None))
    pi.room_id = room.id


def placements(*, session: Session, pi_id: str) -> list[models.PiPlacement]:
    """A Pi's rooms over time, oldest first."""
    return list(session.scalars(select(models.PiPlacement).where(models.PiPlacement.pi_id == pi_id).order_by(models.PiPlacement.from_at)))


def school_of_pi(*, session: Session, pi: models.Pi) -> models.School:
    """The school of the Pi's current room."""
    room = session.get(models.Room, pi.room_id)
    assert room is not None
    school = session.get(models.School, room.school_id)
    assert school is not None
    return school

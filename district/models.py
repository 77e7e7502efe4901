"""Every table of the district: hierarchy, configuration, users, Pis, events.

Times are UTC epoch seconds (floats) so the same numbers cross the wire, the journal
and the database. Events are immutable and unique on ``(pi_id, seq)``; they are indexed
by ``(room_id, at)`` so scoring a month reads a month.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from district.db import Base

BigId = BigInteger().with_variant(Integer, "sqlite")


class School(Base):
    """A school: its model (``full``/``partial``), zone and policy overrides."""

    __tablename__ = "schools"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(8))
    model: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    policy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Room(Base):
    """A room of a school, with its sensed devices (the config's ``devices`` list)."""

    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("school_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32))
    devices: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    detector: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class BellPeriod(Base):
    """One period of a school's bell schedule (local ``HH:MM``)."""

    __tablename__ = "bells"
    __table_args__ = (UniqueConstraint("school_id", "period"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    period: Mapped[int] = mapped_column(Integer)
    start: Mapped[str] = mapped_column(String(5))
    end: Mapped[str] = mapped_column(String(5))


class Teacher(Base):
    """A teacher of a school; ``code`` is what timetables and tap-ins name."""

    __tablename__ = "teachers"
    __table_args__ = (UniqueConstraint("school_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    card: Mapped[str | None] = mapped_column(String(64), nullable=True)


class TimetableEntry(Base):
    """A weekly lesson held in a room (weekday 1 = Monday)."""

    __tablename__ = "timetable"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    period: Mapped[int] = mapped_column(Integer)
    class_name: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(100))
    teacher: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[Any] = mapped_column(Date, nullable=True)
    valid_to: Mapped[Any] = mapped_column(Date, nullable=True)


class Holiday(Base):
    """A day off: district-wide when ``school_id`` is null, else for one school."""

    __tablename__ = "holidays"
    __table_args__ = (UniqueConstraint("school_id", "date"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), nullable=True, index=True)
    date: Mapped[Any] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200), default="")


class User(Base):
    """A person: ``admin`` (district), ``staff`` (one school) or ``analyst`` (read-only district)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class ApiToken(Base):
    """A bearer token of a user (a login session or a named token for programmatic pulls)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    revoked_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class LoginAttempt(Base):
    """A failed login, kept in the database so the rate limit holds across workers."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_username_at", "username", "at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    at: Mapped[float] = mapped_column(Float)


class EnrollmentCode(Base):
    """A single-use code a Pi exchanges for its identity; only its hash is stored."""

    __tablename__ = "enrollment_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), nullable=True)
    created_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
    used_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    revoked_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    pi_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Pi(Base):
    """An enrolled Raspberry Pi: its room now, token hash, sync freshness and flags."""

    __tablename__ = "pis"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    hostname: Mapped[str | None] = mapped_column(String(64), nullable=True)
    version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    enrolled_at: Mapped[float] = mapped_column(Float)
    retired_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    is_flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    flag_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    acked_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_sync_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_skew_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    version_since: Mapped[float | None] = mapped_column(Float, nullable=True)
    """When the Pi started running ``version`` (its latest ``start`` event), UTC epoch seconds."""


class PiPlacement(Base):
    """Which room a Pi was in from ``from_at`` until ``to_at`` (null: still there)."""

    __tablename__ = "pi_placements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pi_id: Mapped[str] = mapped_column(ForeignKey("pis.id"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    from_at: Mapped[float] = mapped_column(Float)
    to_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class Event(Base):
    """One journal event as received: immutable, unique on ``(pi_id, seq)``.

    ``at`` is the time used for scoring (the Pi's, or re-stamped by the server);
    ``pi_at`` the Pi's own stamp; ``time_source`` says which: ``synced``,
    ``pi_restamped``, ``server_restamped`` or ``unsynced`` (flagged, uncertain).
    ``room_id`` is the room the Pi was in when the event was recorded.
    """

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("pi_id", "seq"),
        Index("ix_events_room_id_at", "room_id", "at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    pi_id: Mapped[str] = mapped_column(ForeignKey("pis.id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    type: Mapped[str] = mapped_column(String(20))
    at: Mapped[float] = mapped_column(Float)
    pi_at: Mapped[float] = mapped_column(Float)
    time_source: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[float] = mapped_column(Float)
    digest: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class Release(Base):
    """A release of the classroom program offered to the Pis in stages (``deploy/rollout.py``).

    The newest release is the current one. ``stage`` indexes the rollout's shares;
    ``paused`` is set by itself when updated Pis stop reporting healthy, and cleared by a
    person. Evaluated on every Pi's request from any worker: idempotent.
    """

    __tablename__ = "releases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[float] = mapped_column(Float)
    stage: Mapped[int] = mapped_column(Integer, default=0)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(Text, default="")

"""The dashboard's own tables: fault closes, alerts and sent digests (migration ``web0001``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from district.db import Base


class FaultClosure(Base):
    """A fault closed from the dashboard; the room's config download carries it to the kiosk."""

    __tablename__ = "web_fault_closures"
    __table_args__ = (UniqueConstraint("pi_id", "fault_seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pi_id: Mapped[str] = mapped_column(String(64))
    fault_seq: Mapped[int] = mapped_column(Integer)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    closed_by: Mapped[str] = mapped_column(String(64))
    closed_at: Mapped[float] = mapped_column(Float)


class Alert(Base):
    """A condition that needs someone: open from ``started_at`` until its cause clears.

    ``cause`` names the one cause (``pi:<id>``, ``room:<id>:ch:<n>`` …); a partial unique
    index allows one open alert per ``(kind, cause)``, so evaluating twice (or from two
    workers at once) never raises it twice.
    """

    __tablename__ = "web_alerts"
    __table_args__ = (
        Index(
            "uq_web_alerts_open_cause", "kind", "cause", unique=True,
            sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL"),
        ),
        Index("ix_web_alerts_school_id_started_at", "school_id", "started_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    cause: Mapped[str] = mapped_column(String(200))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[float] = mapped_column(Float)
    ended_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class DigestSent(Base):
    """A daily digest claimed for one scope (``district`` or ``school:<id>``) and day."""

    __tablename__ = "web_digests"
    __table_args__ = (UniqueConstraint("scope", "day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))
    day: Mapped[Any] = mapped_column(Date)
    sent_at: Mapped[float] = mapped_column(Float)
    recipients: Mapped[int] = mapped_column(Integer, default=0)


class RoomMonthSummary(Base):
    """A room's month as last scored by the periodic job: counts per status and the target.

    A summary, never the truth: events stay the only stored truth and any page can
    rescore them; this lets the district overview read 4 000 rooms × 3 months in
    milliseconds. ``through_at`` is the time the lessons were judged up to.
    """

    __tablename__ = "web_room_months"
    __table_args__ = (UniqueConstraint("room_id", "month"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))
    used: Mapped[int] = mapped_column(Integer)
    not_used: Mapped[int] = mapped_column(Integer)
    no_data: Mapped[int] = mapped_column(Integer)
    exempt: Mapped[int] = mapped_column(Integer)
    target: Mapped[float] = mapped_column(Float)
    through_at: Mapped[float] = mapped_column(Float)

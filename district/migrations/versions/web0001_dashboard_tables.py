"""dashboard tables: fault closes, alerts, sent digests

Revision ID: web0001
Revises: 0001
Create Date: 2026-11-23 04:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "web0001"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_fault_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pi_id", sa.String(length=64), nullable=False),
        sa.Column("fault_seq", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("closed_by", sa.String(length=64), nullable=False),
        sa.Column("closed_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_web_fault_closures_room_id_rooms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_fault_closures")),
        sa.UniqueConstraint("pi_id", "fault_seq", name=op.f("uq_web_fault_closures_pi_id_fault_seq")),
    )
    op.create_index(op.f("ix_web_fault_closures_room_id"), "web_fault_closures", ["room_id"])
    op.create_table(
        "web_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("cause", sa.String(length=200), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.Float(), nullable=False),
        sa.Column("ended_at", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"], name=op.f("fk_web_alerts_school_id_schools")),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_web_alerts_room_id_rooms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_alerts")),
    )
    op.create_index(
        "uq_web_alerts_open_cause", "web_alerts", ["kind", "cause"], unique=True,
        sqlite_where=sa.text("ended_at IS NULL"), postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_index("ix_web_alerts_school_id_started_at", "web_alerts", ["school_id", "started_at"])
    op.create_table(
        "web_digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.Float(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_digests")),
        sa.UniqueConstraint("scope", "day", name=op.f("uq_web_digests_scope_day")),
    )


def downgrade() -> None:
    op.drop_table("web_digests")
    op.drop_index("ix_web_alerts_school_id_started_at", table_name="web_alerts")
    op.drop_index("uq_web_alerts_open_cause", table_name="web_alerts")
    op.drop_table("web_alerts")
    op.drop_index(op.f("ix_web_fault_closures_room_id"), table_name="web_fault_closures")
    op.drop_table("web_fault_closures")

"""dashboard: room-month summaries refreshed by the periodic job

Revision ID: web0002
Revises: web0001
Create Date: 2026-11-23 05:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "web0002"
down_revision = "web0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_room_months",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("not_used", sa.Integer(), nullable=False),
        sa.Column("no_data", sa.Integer(), nullable=False),
        sa.Column("exempt", sa.Integer(), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("through_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_web_room_months_room_id_rooms")),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"], name=op.f("fk_web_room_months_school_id_schools")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_room_months")),
        sa.UniqueConstraint("room_id", "month", name=op.f("uq_web_room_months_room_id_month")),
    )
    op.create_index(op.f("ix_web_room_months_school_id"), "web_room_months", ["school_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_web_room_months_school_id"), table_name="web_room_months")
    op.drop_table("web_room_months")

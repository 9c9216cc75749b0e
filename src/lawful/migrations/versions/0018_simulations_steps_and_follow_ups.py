"""Simulations and sales processes (activity 9): their steps and the one follow-up of each.

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from lawful.core.db import UTCDateTime

revision: str = "0018"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "simulation",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("product", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("contact_me", sa.Boolean(), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("contact_phone", sa.String(length=20), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("last_activity_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_simulation_status_activity", "simulation", ["status", "last_activity_at"])
    op.create_index("ix_simulation_person", "simulation", ["person_id", "started_at"])
    op.create_index("ix_simulation_started", "simulation", ["started_at"])
    op.create_table(
        "simulation_step",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("simulation_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["simulation_id"], ["simulation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("simulation_id", "position"),
    )
    op.create_table(
        "simulation_follow_up",
        sa.Column("simulation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("notification_key", sa.String(length=128), nullable=True),
        sa.Column("task_status", sa.String(length=16), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["simulation_id"], ["simulation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("simulation_id"),
    )
    op.create_index(
        "ix_simulation_follow_up_task",
        "simulation_follow_up",
        ["entity", "kind", "task_status"],
    )


def downgrade() -> None:
    op.drop_index("ix_simulation_follow_up_task", table_name="simulation_follow_up")
    op.drop_table("simulation_follow_up")
    op.drop_table("simulation_step")
    op.drop_index("ix_simulation_started", table_name="simulation")
    op.drop_index("ix_simulation_person", table_name="simulation")
    op.drop_index("ix_simulation_status_activity", table_name="simulation")
    op.drop_table("simulation")

"""Personalised offers with what chose them, and customers' profiles for commercial strategy.

Revision ID: 0017
Revises: 0020
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from lawful.core.db import UTCDateTime

revision: str = "0017"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _person(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["person_id"], ["person.id"], name=op.f(f"fk_{table}_person_id_person"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "offer",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("product", sa.String(length=48), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("partner", sa.String(length=64), nullable=True),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        _person("offer"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer")),
    )
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.create_index("ix_offer_person", ["person_id", "status"], unique=False)
        batch_op.create_index("ix_offer_made_on", ["made_on"], unique=False)
    op.create_table(
        "customer_segment",
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("segment", sa.String(length=32), nullable=False),
        sa.Column("age_band", sa.String(length=8), nullable=False),
        sa.Column("card_use", sa.String(length=16), nullable=False),
        sa.Column("computed_on", sa.Date(), nullable=False),
        _person("customer_segment"),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_customer_segment")),
    )
    with op.batch_alter_table("customer_segment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_customer_segment_cell", ["entity", "segment", "age_band"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("customer_segment", schema=None) as batch_op:
        batch_op.drop_index("ix_customer_segment_cell")
    op.drop_table("customer_segment")
    with op.batch_alter_table("offer", schema=None) as batch_op:
        batch_op.drop_index("ix_offer_made_on")
        batch_op.drop_index("ix_offer_person")
    op.drop_table("offer")

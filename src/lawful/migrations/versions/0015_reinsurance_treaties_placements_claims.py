"""Reinsurance: treaties, facultative placements, claims on home policies, and the sum insured
and premium of home policies.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("home_policy") as batch:
        batch.add_column(sa.Column("sum_insured_cents", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("premium_cents", sa.BigInteger(), nullable=True))
    op.create_table(
        "reinsurance_treaty",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("reinsurer", sa.String(length=64), nullable=False),
        sa.Column("share_bp", sa.Integer(), nullable=True),
        sa.Column("retention_cents", sa.BigInteger(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "reinsurance_placement",
        sa.Column("treaty_code", sa.String(length=32), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("placed_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["treaty_code"], ["reinsurance_treaty.code"]),
        sa.PrimaryKeyConstraint("treaty_code", "policy_id"),
    )
    op.create_table(
        "home_claim",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("paid_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_home_claim_policy_occurred", "home_claim", ["policy_id", "occurred_on"])


def downgrade() -> None:
    op.drop_index("ix_home_claim_policy_occurred", table_name="home_claim")
    op.drop_table("home_claim")
    op.drop_table("reinsurance_placement")
    op.drop_table("reinsurance_treaty")
    with op.batch_alter_table("home_policy") as batch:
        batch.drop_column("premium_cents")
        batch.drop_column("sum_insured_cents")

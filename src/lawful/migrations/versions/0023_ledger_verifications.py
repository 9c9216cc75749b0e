"""Every verification of the ledger kept with its result: when, how far, what it found, who ran
it and how long it took, so that the age of the last intact check is known after any restart.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from lawful.core.db import UTCDateTime

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ledger_verification",
        sa.Column("id", POSITION, sa.Identity(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column("heads", sa.Integer(), nullable=False),
        sa.Column("intact", sa.Boolean(), nullable=False),
        sa.Column("first_bad", sa.BigInteger(), nullable=True),
        sa.Column("problem", sa.String(length=32), nullable=True),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("run_by", sa.String(length=120), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_verification")),
    )
    with op.batch_alter_table("ledger_verification", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_verification_finished_at", ["finished_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ledger_verification", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_verification_finished_at")
    op.drop_table("ledger_verification")

"""Events recorded by the group's other systems: their event keys, and tokens for the systems.

`ingest_key` holds every event key a system has had recorded, unique per system, so that a retried
batch is recognised and not recorded twice. `api_token` gains the system and the entity it acts
for, for tokens of kind `system` (a register role of kind system).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from lawful.core.db import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ingest_key",
        sa.Column("system", sa.String(length=64), nullable=False),
        sa.Column("event_key", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("system", "event_key", name=op.f("pk_ingest_key")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("system", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("entity", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("entity")
        batch_op.drop_column("system")
    op.drop_table("ingest_key")

"""Vault master key versions, and the installation's markers.

`vault_key.master_version` names the master key version that wraps each subject key, so that
`lawful keys rotate` can rewrap every key with a new master key and the old one can then be
destroyed (keys made before this revision were wrapped by version 1). `installation_marker` holds
facts about the installation itself, such as "the demo world was built completely".

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from lawful.core.db import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("vault_key") as batch:
        batch.add_column(
            sa.Column("master_version", sa.Integer(), nullable=False, server_default="1")
        )
    op.execute("UPDATE vault_key SET master_version = 0 WHERE wrapped_key IS NULL")
    op.create_index(op.f("ix_vault_key_master_version"), "vault_key", ["master_version"])
    op.create_table(
        "installation_marker",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_installation_marker")),
    )


def downgrade() -> None:
    op.drop_table("installation_marker")
    op.drop_index(op.f("ix_vault_key_master_version"), table_name="vault_key")
    with op.batch_alter_table("vault_key") as batch:
        batch.drop_column("master_version")

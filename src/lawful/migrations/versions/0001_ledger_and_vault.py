"""Ledger (append-only, hash-chained), its signed checkpoints, and the per-subject key vault.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from lawful.core.db import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEQUENCE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
NAME = sa.String(200)
APPEND_ONLY = {
    "ledger_event": "ledger is append-only",
    "ledger_checkpoint": "ledger checkpoints are append-only",
}


def upgrade() -> None:
    op.create_table(
        "ledger_event",
        sa.Column("sequence", SEQUENCE, autoincrement=False, nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("actor", NAME, nullable=False),
        sa.Column("actor_kind", NAME, nullable=False),
        sa.Column("entity", NAME, nullable=False),
        sa.Column("purpose", NAME, nullable=False),
        sa.Column("legal_basis", NAME, nullable=False),
        sa.Column("subject_pseudonym", sa.String(64), nullable=True),
        sa.Column("data_categories", sa.Text(), nullable=False),
        sa.Column("recipient", NAME, nullable=True),
        sa.Column("decision", sa.String(5), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("obligations", sa.Text(), nullable=False),
        sa.Column("event", NAME, nullable=False),
        sa.Column("details", sa.LargeBinary(), nullable=True),
        sa.Column("prev_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.CheckConstraint("decision IN ('allow', 'deny')", name=op.f("ck_ledger_event_decision")),
        sa.CheckConstraint("sequence > 0", name=op.f("ck_ledger_event_sequence_positive")),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_ledger_event")),
    )
    op.create_index(
        op.f("ix_ledger_event_subject_pseudonym"), "ledger_event", ["subject_pseudonym"]
    )
    op.create_table(
        "ledger_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sequence", SEQUENCE, nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.Column("signed_at", UTCDateTime(), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("signature", sa.LargeBinary(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_checkpoint")),
    )
    op.create_index(op.f("ix_ledger_checkpoint_sequence"), "ledger_checkpoint", ["sequence"])
    op.create_table(
        "vault_key",
        sa.Column("subject_ref", sa.String(64), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("shredded_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("subject_ref", name=op.f("pk_vault_key")),
    )
    if op.get_context().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _sqlite_triggers() -> None:
    for table, message in APPEND_ONLY.items():
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )


def _postgresql_triggers() -> None:
    op.execute(
        """
        CREATE FUNCTION lawful_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
        END
        $$
        """
    )
    for table, message in APPEND_ONLY.items():
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION lawful_refuse_change('{message}')"
        )
        # Row triggers do not fire on TRUNCATE, which would otherwise empty the ledger silently.
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION lawful_refuse_change('{message}')"
        )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS lawful_refuse_change()")
    else:
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    op.drop_table("vault_key")
    op.drop_index(op.f("ix_ledger_checkpoint_sequence"), table_name="ledger_checkpoint")
    op.drop_table("ledger_checkpoint")
    op.drop_index(op.f("ix_ledger_event_subject_pseudonym"), table_name="ledger_event")
    op.drop_table("ledger_event")

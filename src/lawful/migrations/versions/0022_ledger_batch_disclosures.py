"""Batch disclosures in the ledger: one entry for a transfer of many subjects' data, its members
in `ledger_member` (a block of them to a row: the batch's entry, the block's number, its first
pseudonym, its pseudonyms end to end) and their Merkle tree's stored subtrees in
`ledger_member_node`. Both refuse UPDATE
and DELETE, as the log does. A batch's leaf is found by its entry id: PostgreSQL gets an index on
it (SQLite's log already has one).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
APPEND_ONLY = {
    "ledger_member": "the members of ledger batches are append-only",
    "ledger_member_node": "the member trees of ledger batches are append-only",
}


def upgrade() -> None:
    postgresql = op.get_context().dialect.name == "postgresql"
    op.create_table(
        "ledger_member",
        sa.Column("entry_id", POSITION, autoincrement=False, nullable=False),
        sa.Column("block", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("first_subject", sa.LargeBinary(32), nullable=False),
        sa.Column("subjects", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", "block", name=op.f("pk_ledger_member")),
    )
    # A subject's block in each batch: the last whose first pseudonym is not above theirs.
    op.create_index("ix_ledger_member_first", "ledger_member", ["entry_id", "first_subject"])
    op.create_index("ix_ledger_member_block", "ledger_member", ["block"])
    op.create_table(
        "ledger_member_node",
        sa.Column("entry_id", POSITION, autoincrement=False, nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", "level", "idx", name=op.f("pk_ledger_member_node")),
        sqlite_with_rowid=False,
    )
    if postgresql:
        op.execute("CREATE INDEX ix_ledger_leaf_entry_id ON ledger_leaf (entry_id)")
        for table, message in APPEND_ONLY.items():
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION lawful_refuse_change('{message}')"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION lawful_refuse_change('{message}')"
            )
        return
    for table, message in APPEND_ONLY.items():
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_ledger_leaf_entry_id")
    op.drop_table("ledger_member_node")
    op.drop_index("ix_ledger_member_block", table_name="ledger_member")
    op.drop_index("ix_ledger_member_first", table_name="ledger_member")
    op.drop_table("ledger_member")

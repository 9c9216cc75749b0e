"""PostgreSQL: lock the ledger head and read it in one round trip.

Appending must hold the ledger's advisory lock and then read the head as committed at that
moment. Done as two statements from the application, that is two network round trips per
append; inside a VOLATILE PL/pgSQL function each statement takes a fresh snapshot, so the head
read after the lock is granted sees every append committed while waiting, in one call (at READ
COMMITTED, the isolation lawful runs at; a REPEATABLE READ caller would read its own snapshot, and
the primary key on the sequence would still refuse a fork). SQLite
needs nothing: its writing transactions already begin with the database's write lock.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION lawful_lock_ledger_head(lock_key bigint, OUT head_sequence bigint,
                                                OUT head_hash bytea)
        LANGUAGE plpgsql VOLATILE AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(lock_key);
            -- A statement of its own, hence a snapshot taken after the lock was granted.
            SELECT e.sequence, e.hash INTO head_sequence, head_hash
              FROM ledger_event e ORDER BY e.sequence DESC LIMIT 1;
        END
        $$
        """
    )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS lawful_lock_ledger_head(bigint)")

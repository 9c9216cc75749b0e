"""The ledger as a transparency log: insert-only appends, a sequencer, an RFC 9162 Merkle tree.

Requests insert their entries into `ledger_pending`, holding no lock and reading no head; the
sequencer moves them in batches into `ledger_leaf` (the log), adds the subtree hashes it completes
to `ledger_node` and signs tree heads (`ledger_tree_head`). The log, the nodes and the heads refuse
UPDATE and DELETE; a pending entry can be deleted only once its leaf exists.

PostgreSQL partitions the log by month of sequencing (`lawful_ledger_partition(month)` creates a
month's partition, with its TRUNCATE guard; the sequencer calls it ahead of time).

Events of the hash-chained ledger this replaces are re-encoded, in their order, as pending entries:
the sequencer puts them first in the new log. The chain's checkpoints cannot carry over (they
signed chain hashes): verify the old ledger before upgrading.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from lawful.core.db import UTCDateTime, utc_text
from lawful.core.ledger.entry import Entry, encode, subject_key

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
SUBJECT = subject_key("entry")
APPEND_ONLY = {
    "ledger_leaf": "the ledger is append-only",
    "ledger_node": "the ledger tree is append-only",
    "ledger_tree_head": "signed tree heads are append-only",
}
PENDING_GUARD = "a ledger entry leaves the queue only once sequenced"
_MOVE_BATCH = 10_000


def upgrade() -> None:
    postgresql = op.get_context().dialect.name == "postgresql"
    op.create_table(
        "ledger_pending",
        sa.Column("id", POSITION, sa.Identity(), nullable=False),
        sa.Column("entry", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_pending")),
        # SQLite would otherwise hand a deleted (sequenced) row's id to the next entry.
        sqlite_autoincrement=True,
    )
    if postgresql:
        _postgresql_log()
    else:
        _sqlite_log()
    # Entries are found by subject where the subject sits in the hashed bytes: there is no
    # second copy of it to keep in step, nor to tamper with.
    for table in ("ledger_pending", "ledger_leaf"):
        op.execute(f"CREATE INDEX ix_{table}_subject ON {table} ({SUBJECT})")
    op.create_table(
        "ledger_node",
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_ledger_node")),
    )
    op.create_table(
        "ledger_tree_head",
        sa.Column("tree_size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("signed_at", UTCDateTime(), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("signature", sa.LargeBinary(64), nullable=False),
        sa.PrimaryKeyConstraint("tree_size", name=op.f("pk_ledger_tree_head")),
    )
    _move_chained_events()
    op.drop_table("ledger_checkpoint")
    op.drop_table("ledger_event")
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS lawful_lock_ledger_head(bigint)")
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _sqlite_log() -> None:
    op.create_table(
        "ledger_leaf",
        sa.Column("leaf_index", POSITION, autoincrement=False, nullable=False),
        sa.Column("sequenced_at", UTCDateTime(), nullable=False),
        sa.Column("entry_id", POSITION, nullable=False),
        sa.Column("entry", sa.LargeBinary(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("leaf_index", name=op.f("pk_ledger_leaf")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_ledger_leaf_entry_id")),
    )


def _postgresql_log() -> None:
    # A partitioned table's keys must include the partition column: uniqueness of leaf_index and
    # entry_id is the sequencer's (one at a time, under a lock), and `verify` checks it.
    op.execute(
        """
        CREATE TABLE ledger_leaf (
            leaf_index bigint NOT NULL,
            sequenced_at timestamptz NOT NULL,
            entry_id bigint NOT NULL,
            entry bytea NOT NULL,
            leaf_hash bytea NOT NULL,
            CONSTRAINT pk_ledger_leaf PRIMARY KEY (leaf_index, sequenced_at)
        ) PARTITION BY RANGE (sequenced_at)
        """
    )
    # The pending queue's DELETE guard finds the batch being sequenced through this index.
    op.execute("CREATE INDEX ix_ledger_leaf_batch ON ledger_leaf (sequenced_at, entry_id)")
    op.execute(
        """
        CREATE FUNCTION lawful_ledger_partition(month date) RETURNS text
        LANGUAGE plpgsql AS $$
        DECLARE
            first date := date_trunc('month', month)::date;
            name text := format('ledger_leaf_%s', to_char(first, 'YYYY_MM'));
        BEGIN
            IF to_regclass(name) IS NULL THEN
                EXECUTE format(
                    'CREATE TABLE %I PARTITION OF ledger_leaf FOR VALUES FROM (%L) TO (%L)',
                    name, first::text || ' 00:00:00+00',
                    (first + interval '1 month')::date::text || ' 00:00:00+00');
                -- Statement triggers are not inherited: TRUNCATE of the partition itself.
                EXECUTE format(
                    'CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT '
                    'EXECUTE FUNCTION lawful_refuse_change(%L)',
                    name || '_no_truncate', name, 'the ledger is append-only');
            END IF;
            RETURN name;
        END
        $$
        """
    )
    op.execute("SELECT lawful_ledger_partition((now() AT TIME ZONE 'UTC')::date)")
    op.execute(
        "ALTER TABLE ledger_pending SET (autovacuum_vacuum_scale_factor = 0, "
        "autovacuum_vacuum_threshold = 10000)"
    )


def _sqlite_triggers() -> None:
    for table, message in APPEND_ONLY.items():
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
    op.execute(
        "CREATE TRIGGER ledger_pending_no_update BEFORE UPDATE ON ledger_pending "
        f"BEGIN SELECT RAISE(ABORT, '{PENDING_GUARD}'); END"
    )
    op.execute(
        "CREATE TRIGGER ledger_pending_no_delete BEFORE DELETE ON ledger_pending "
        "WHEN NOT EXISTS (SELECT 1 FROM ledger_leaf WHERE entry_id = OLD.id) "
        f"BEGIN SELECT RAISE(ABORT, '{PENDING_GUARD}'); END"
    )


def _postgresql_triggers() -> None:
    for table, message in APPEND_ONLY.items():
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION lawful_refuse_change('{message}')"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION lawful_refuse_change('{message}')"
        )
    op.execute(
        "CREATE TRIGGER ledger_pending_no_update BEFORE UPDATE ON ledger_pending "
        f"FOR EACH ROW EXECUTE FUNCTION lawful_refuse_change('{PENDING_GUARD}')"
    )
    # Per statement: one set difference against the batch's own leaves, which the sequencer
    # stamps no earlier than its transaction's start (now()).
    op.execute(
        f"""
        CREATE FUNCTION lawful_ledger_pending_guard() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF EXISTS (
                SELECT id FROM gone
                EXCEPT SELECT entry_id FROM ledger_leaf WHERE sequenced_at >= now()
            ) THEN
                RAISE EXCEPTION '{PENDING_GUARD}' USING ERRCODE = 'restrict_violation';
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER ledger_pending_sequenced_only AFTER DELETE ON ledger_pending "
        "REFERENCING OLD TABLE AS gone FOR EACH STATEMENT "
        "EXECUTE FUNCTION lawful_ledger_pending_guard()"
    )


_OLD_COLUMNS = (
    "occurred_at",
    "subject_pseudonym",
    "event",
    "decision",
    "entity",
    "actor",
    "actor_kind",
    "purpose",
    "legal_basis",
    "data_categories",
    "recipient",
    "reasons",
    "obligations",
    "details",
)


def _move_chained_events() -> None:
    connection = op.get_bind()
    old = sa.table(
        "ledger_event",
        sa.column("sequence", sa.BigInteger()),
        sa.column("occurred_at", UTCDateTime()),
        *(sa.column(name) for name in _OLD_COLUMNS[1:]),
    )
    pending = sa.table("ledger_pending", sa.column("entry", sa.LargeBinary()))
    after = 0
    while True:
        rows = connection.execute(
            sa.select(old).where(old.c.sequence > after).order_by(old.c.sequence).limit(_MOVE_BATCH)
        ).all()
        if not rows:
            return
        connection.execute(sa.insert(pending), [_pending(row._mapping) for row in rows])
        after = rows[-1].sequence


def _pending(row: Any) -> dict[str, Any]:
    values = {name: row[name] for name in _OLD_COLUMNS}
    values["occurred_at"] = utc_text(values["occurred_at"])
    entry = Entry(**values, actor_ref=None)
    return {"entry": encode(entry)}


def downgrade() -> None:
    # One way: a Merkle log cannot become a hash chain again without dropping what its signed
    # tree heads prove, and the chain's own checkpoints are gone.
    raise RuntimeError("revision 0008 (the ledger as a transparency log) cannot be downgraded")

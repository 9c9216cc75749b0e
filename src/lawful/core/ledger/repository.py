"""All SQL of the ledger. Appends and reads only: there is no update or delete here to call."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.core.ledger.chain import CHAIN_COLUMNS, GENESIS_HASH, Decision
from lawful.core.ledger.models import LedgerCheckpoint, LedgerEvent
from lawful.core.ledger.records import Checkpoint, LedgerRecord

_events = cast(sa.Table, LedgerEvent.__table__)
_checkpoints = cast(sa.Table, LedgerCheckpoint.__table__)
_INSERT = sa.insert(_events)
# Any constant works, as long as nothing else in the database uses it: 'lawfulLG' in ASCII.
_HEAD_LOCK = 0x6C617766756C4C47 & 0x7FFFFFFFFFFFFFFF
_CHECKPOINT_CHUNK = 1_000


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def head(session: Session) -> tuple[int, bytes]:
    """(sequence, hash) of the last event; (0, GENESIS_HASH) for an empty ledger."""
    row = session.execute(
        sa.select(_events.c.sequence, _events.c.hash).order_by(_events.c.sequence.desc()).limit(1)
    ).first()
    return (0, GENESIS_HASH) if row is None else (row.sequence, row.hash)


def lock_head(session: Session) -> tuple[int, bytes]:
    """The head, held until the transaction ends so that no other appender can fork the chain.

    PostgreSQL: a transaction-scoped advisory lock, then a fresh read of the head (a row lock on
    the last event would not do: a waiter would wake up still holding the stale head). SQLite:
    the engine begins every writing transaction IMMEDIATE, so the write lock is already held.
    Either way the primary key on `sequence` turns any fork that slipped through into an error.
    """
    if _dialect(session) == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(_HEAD_LOCK)))
    return head(session)


def insert_events(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """One INSERT executed for the whole batch (executemany / multi-row VALUES)."""
    if rows:
        session.connection().execute(_INSERT, list(rows))


def _record(row: sa.Row[Any]) -> LedgerRecord:
    return LedgerRecord(
        sequence=row.sequence,
        occurred_at=row.occurred_at,
        event=row.event,
        actor=row.actor,
        actor_kind=row.actor_kind,
        entity=row.entity,
        purpose=row.purpose,
        legal_basis=row.legal_basis,
        subject_pseudonym=row.subject_pseudonym,
        data_categories=tuple(json.loads(row.data_categories)),
        recipient=row.recipient,
        decision=Decision(row.decision),
        reasons=tuple(json.loads(row.reasons)),
        obligations=tuple(json.loads(row.obligations)),
        details=row.details,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def recent(session: Session, limit: int) -> list[LedgerRecord]:
    """The last `limit` events, oldest first."""
    rows = session.execute(sa.select(_events).order_by(_events.c.sequence.desc()).limit(limit))
    return [_record(row) for row in reversed(rows.all())]


def page(session: Session, *, after: int, limit: int) -> list[LedgerRecord]:
    rows = session.execute(
        sa.select(_events)
        .where(_events.c.sequence > after)
        .order_by(_events.c.sequence)
        .limit(limit)
    )
    return [_record(row) for row in rows]


def for_pseudonym(
    session: Session, pseudonym: str, *, after: int = 0, limit: int | None = None
) -> list[LedgerRecord]:
    statement = (
        sa.select(_events)
        .where(_events.c.subject_pseudonym == pseudonym, _events.c.sequence > after)
        .order_by(_events.c.sequence)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return [_record(row) for row in session.execute(statement)]


def hashes_at(session: Session, sequences: Sequence[int]) -> dict[int, bytes]:
    found: dict[int, bytes] = {}
    wanted = sorted(set(sequences))
    for start in range(0, len(wanted), _CHECKPOINT_CHUNK):
        chunk = wanted[start : start + _CHECKPOINT_CHUNK]
        rows = session.execute(
            sa.select(_events.c.sequence, _events.c.hash).where(_events.c.sequence.in_(chunk))
        )
        found.update({row[0]: row[1] for row in rows})
    return found


# Verification reads raw driver rows, text as UTF-8 bytes, in CHAIN_COLUMNS order: typed result
# processing and str decoding would cost more than the hashing itself.
_SQLITE_CHAIN = (
    f"SELECT {', '.join(CHAIN_COLUMNS)} FROM ledger_event "
    "WHERE sequence > ? ORDER BY sequence LIMIT ?"
)
_PG_TIMESTAMP = "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
_PG_AS_IS = {"sequence", "details", "prev_hash", "hash"}
_PG_CHAIN = (
    "SELECT "
    + ", ".join(
        name
        if name in _PG_AS_IS
        else f"convert_to({_PG_TIMESTAMP if name == 'occurred_at' else name}, 'UTF8')"
        for name in CHAIN_COLUMNS
    )
    + " FROM ledger_event WHERE sequence > %s ORDER BY sequence LIMIT %s"
)


def chain_chunks(
    session: Session, *, after: int = 0, chunk_size: int = 50_000
) -> Iterator[list[tuple[Any, ...]]]:
    """Stored rows for verification, in sequence order, `chunk_size` at a time (keyset paging)."""
    # The DBAPI connection of the session's own transaction: same snapshot, no typed processing.
    driver: Any = session.connection().connection.driver_connection
    postgres = _dialect(session) == "postgresql"
    while True:
        if postgres:
            with driver.cursor(binary=True) as cursor:
                cursor.execute(_PG_CHAIN, (after, chunk_size))
                rows = cursor.fetchall()
        else:
            previous = driver.text_factory
            driver.text_factory = bytes
            try:
                rows = driver.execute(_SQLITE_CHAIN, (after, chunk_size)).fetchall()
            finally:
                driver.text_factory = previous
        if not rows:
            return
        yield rows
        if len(rows) < chunk_size:
            return
        after = rows[-1][0]


def insert_checkpoint(
    session: Session,
    *,
    sequence: int,
    head_hash: bytes,
    signed_at: dt.datetime,
    key_id: str,
    signature: bytes,
) -> Checkpoint:
    row = LedgerCheckpoint(
        sequence=sequence, hash=head_hash, signed_at=signed_at, key_id=key_id, signature=signature
    )
    session.add(row)
    session.flush()
    return _checkpoint(row)


def _checkpoint(row: Any) -> Checkpoint:
    return Checkpoint(
        id=row.id,
        sequence=row.sequence,
        hash=row.hash,
        signed_at=row.signed_at,
        key_id=row.key_id,
        signature=row.signature,
    )


def checkpoints(session: Session) -> list[Checkpoint]:
    rows = session.execute(sa.select(_checkpoints).order_by(_checkpoints.c.id))
    return [_checkpoint(row) for row in rows]


def last_checkpoint(session: Session) -> Checkpoint | None:
    row = session.execute(
        sa.select(_checkpoints).order_by(_checkpoints.c.id.desc()).limit(1)
    ).first()
    return None if row is None else _checkpoint(row)

"""All SQL of the ledger. Appends and reads only: there is no update or delete here to call."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.core.ledger import chain
from lawful.core.ledger.chain import CHAIN_COLUMNS, FORMAT, GENESIS_HASH, HASHED_COLUMNS, Decision
from lawful.core.ledger.models import LedgerCheckpoint, LedgerEvent
from lawful.core.ledger.records import Checkpoint, LedgerRecord

_events = cast(sa.Table, LedgerEvent.__table__)
_checkpoints = cast(sa.Table, LedgerCheckpoint.__table__)
_INSERT = sa.insert(_events)
# Any constant works, as long as nothing else in the database uses it: 'lawfulLG' in ASCII.
_HEAD_LOCK = 0x6C617766756C4C47 & 0x7FFFFFFFFFFFFFFF
# PostgreSQL: the advisory lock, then a fresh read of the head, in one call (migration 0003).
_LOCK_AND_HEAD = sa.text("SELECT head_sequence, head_hash FROM lawful_lock_ledger_head(:key)")
_CHECKPOINT_CHUNK = 1_000


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


_HEAD = sa.select(_events.c.sequence, _events.c.hash).order_by(_events.c.sequence.desc()).limit(1)


def head(session: Session) -> tuple[int, bytes]:
    """(sequence, hash) of the last event; (0, GENESIS_HASH) for an empty ledger."""
    row = session.execute(_HEAD).first()
    return (0, GENESIS_HASH) if row is None else (row.sequence, row.hash)


def lock_head(session: Session) -> tuple[int, bytes]:
    """The head, held until the transaction ends so that no other appender can fork the chain.

    PostgreSQL: a transaction-scoped advisory lock, then a fresh read of the head, both inside
    one function call (a row lock on the last event would not do: a waiter would wake up still
    holding the stale head). SQLite: the engine begins every writing transaction IMMEDIATE, so
    the write lock is already held.
    Either way the primary key on `sequence` turns any fork that slipped through into an error.
    """
    if _dialect(session) == "postgresql":
        row = session.execute(_LOCK_AND_HEAD, {"key": _HEAD_LOCK}).one()
        return (0, GENESIS_HASH) if row.head_sequence is None else (row[0], bytes(row[1]))
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
# An instant before year 1 (only a hand-edited row can hold one: Python cannot) gets a " BC"
# suffix, so that it never reads the same as its year-AD twin.
_PG_TIMESTAMP = (
    "(to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') || "
    "CASE WHEN occurred_at < '0001-01-01T00:00:00Z' THEN ' BC' ELSE '' END)"
)
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


# --- screening: the database builds each row's canonical bytes -------------------------------
# Byte for byte `chain.canonical` (test_screen.py holds both side by side on arbitrary values).
# Only "intact" relies on it: any doubt goes through `chain_chunks` and `chain.check_rows`.

_NULLABLE = {c.name for c in _events.c if c.nullable}
_TEXT = [name for name in HASHED_COLUMNS if name not in ("sequence", "details")]
assert "%" not in FORMAT and "'" not in FORMAT and chain.SEP == "\x1f" and chain.NULL == "\x00"


def _sqlite_format(nullable: list[str], nulls: frozenset[str] = frozenset()) -> str:
    """printf's format, chosen per row by which columns are NULL: under %c a NULL is one 0x00."""
    if nullable:
        name, rest = nullable[0], nullable[1:]
        null, other = _sqlite_format(rest, nulls | {name}), _sqlite_format(rest, nulls)
        return f"CASE WHEN {name} IS NULL THEN {null} ELSE {other} END"
    fields = [FORMAT, "%d", *("%c" if name in nulls else "%s" for name in _TEXT), "%d", ""]
    return f"'{chain.SEP.join(fields)}'"


# One printf per row: a chain of `||` costs SQLite twice as much. printf stops a %s at a 0x00
# byte, which only a hand-edited row can hold: each row also carries the length it must have.
_SQLITE_CANONICAL = (
    f"printf({_sqlite_format([n for n in _TEXT if n in _NULLABLE])}, sequence, "
    f"{', '.join(_TEXT)}, details IS NOT NULL) || coalesce(details, x'')"
)
_SQLITE_LENGTH = " + ".join(
    [
        f"{len(FORMAT) + len(HASHED_COLUMNS) + 2} + length(sequence)",  # separators, flag
        *(
            f"coalesce(length(CAST({name} AS BLOB)), 1)"  # NULL: the 0x00 marker
            if name in _NULLABLE
            else f"length(CAST({name} AS BLOB))"  # NULL: no length, nothing proven
            for name in _TEXT
        ),
        "coalesce(length(CAST(details AS BLOB)), 0)",  # bytes, whatever a row's type
    ]
)
_SQLITE_SCREEN = (
    f"SELECT CAST(hash || prev_hash || {_SQLITE_CANONICAL} AS BLOB), 64 + {_SQLITE_LENGTH} "
    "FROM ledger_event WHERE sequence > ? AND sequence <= ? ORDER BY sequence"
)
_SQLITE_CANONICAL_ROWS = (
    f"SELECT sequence, CAST({_SQLITE_CANONICAL} AS BLOB), {_SQLITE_LENGTH} "
    "FROM ledger_event WHERE sequence > ? ORDER BY sequence LIMIT ?"
)


def _pg_canonical() -> str:
    """The canonical bytes as a bytea expression over ledger_event `e`."""
    text, parts = [f"'{FORMAT}'", "e.sequence::text"], []
    for name in _TEXT:
        column = _PG_TIMESTAMP.replace("occurred_at", "e.occurred_at")
        column = column if name == "occurred_at" else f"e.{name}"
        if name in _NULLABLE:  # text cannot hold 0x00: the NULL marker goes in as bytea
            parts.append(f"convert_to({' || chr(31) || '.join(text)} || chr(31), 'UTF8')")
            parts.append(f"coalesce(convert_to({column}, 'UTF8'), decode('00', 'hex'))")
            text = ["''"]
        else:
            text.append(column)
    text.append("CASE WHEN e.details IS NULL THEN '0' ELSE '1' END")
    parts.append(f"convert_to({' || chr(31) || '.join(text)} || chr(31), 'UTF8')")
    return " || ".join([*parts, "coalesce(e.details, ''::bytea)"])


# PostgreSQL proves the run itself, in one statement (one snapshot) run by parallel workers: each
# row's hash recomputed by the built-in sha256(), its prev_hash held against its predecessor's.
# This trusts the server to evaluate honestly (one that lies could answer "intact" to anything):
# the tamper model is someone editing rows, not someone replacing the PostgreSQL binary.
# Out: the first row in doubt (NULL if none), the last row before it, and the row counts that
# rule out duplicated sequences (the primary key could have been dropped).
_PG_SCREEN = f"""
WITH run AS (
  SELECT count(*) AS rows, max(e.sequence) AS last,
         min(e.sequence) FILTER (WHERE
           sha256(e.prev_hash || {_pg_canonical()}) IS DISTINCT FROM e.hash
           OR e.prev_hash IS DISTINCT FROM CASE WHEN e.sequence = %(after)s::bigint + 1
                                                THEN %(last)s::bytea ELSE p.hash END
         ) AS doubt
  FROM ledger_event e LEFT JOIN ledger_event p ON p.sequence = e.sequence - 1
  WHERE e.sequence > %(after)s::bigint
    AND (%(until)s::bigint IS NULL OR e.sequence <= %(until)s::bigint)
)
SELECT run.doubt, run.rows, run.last, good.sequence, good.hash,
       CASE WHEN run.doubt IS NOT NULL THEN (
         SELECT count(*) FROM ledger_event c
         WHERE c.sequence > %(after)s::bigint AND c.sequence <= good.sequence) END
FROM run LEFT JOIN LATERAL (
  SELECT g.sequence, g.hash FROM ledger_event g
  WHERE g.sequence > %(after)s::bigint AND g.sequence < coalesce(run.doubt, run.last + 1)
  ORDER BY g.sequence DESC LIMIT 1
) good ON true
"""
_PG_CANONICAL_ROWS = (
    f"SELECT e.sequence, {_pg_canonical()} FROM ledger_event e "
    "WHERE e.sequence > %s ORDER BY e.sequence LIMIT %s"
)
# Planner estimates lag behind a freshly appended ledger: let it use its workers anyway.
_PG_PARALLEL = ("parallel_setup_cost", "parallel_tuple_cost")
_PG_GET_PARALLEL = f"SELECT {', '.join(f'current_setting({g!r})' for g in _PG_PARALLEL)}"
_PG_SET_PARALLEL = f"SELECT {', '.join(f'set_config({g!r}, %s, true)' for g in _PG_PARALLEL)}"


def database_canonical(session: Session, *, after: int, limit: int) -> list[tuple[Any, ...]]:
    """(sequence, canonical bytes[, the length SQLite's guard expects]) built by the database."""
    driver: Any = session.connection().connection.driver_connection
    if _dialect(session) == "postgresql":
        with driver.cursor(binary=True) as cursor:
            return list(cursor.execute(_PG_CANONICAL_ROWS, (after, limit)).fetchall())
    return list(driver.execute(_SQLITE_CANONICAL_ROWS, (after, limit)).fetchall())


def screen(session: Session, cursor: chain.Cursor, *, until: int | None, chunk_size: int) -> None:
    """Advance `cursor` over the rows the database proves intact in bulk; stop before any doubt."""
    driver: Any = session.connection().connection.driver_connection
    if _dialect(session) == "postgresql":
        _screen_postgresql(driver, cursor, until)
        return
    end = head(session)[0]
    _screen_sqlite(driver, cursor, end if until is None else min(end, until), chunk_size)


def _screen_sqlite(driver: Any, cursor: chain.Cursor, end: int, chunk_size: int) -> None:
    after = cursor.verified
    while after < end:
        upto = min(after + chunk_size, end)
        rows = driver.execute(_SQLITE_SCREEN, (after, upto)).fetchall()
        # Sequences are rowids, unique: as many rows as the range is wide means none is missing.
        last = chain.screen(rows, cursor.last_hash) if len(rows) == upto - after else None
        if last is None:
            return
        cursor.expected, cursor.last_hash = upto + 1, last
        after = upto


def _screen_postgresql(driver: Any, cursor: chain.Cursor, until: int | None) -> None:
    after = cursor.verified
    with driver.cursor(binary=True) as sql:
        # For this statement only: the transaction is the caller's (an error discards it all).
        previous = sql.execute(_PG_GET_PARALLEL).fetchone()
        sql.execute(_PG_SET_PARALLEL, ["0"] * len(_PG_PARALLEL))
        sql.execute(_PG_SCREEN, {"after": after, "last": cursor.last_hash, "until": until})
        doubt, rows, last, good, good_hash, prefix_rows = sql.fetchone()
        sql.execute(_PG_SET_PARALLEL, previous)
    if good is not None and (
        rows == last - after if doubt is None else prefix_rows == good - after
    ):
        cursor.expected, cursor.last_hash = good + 1, bytes(good_hash)


# --- screening in a worker process (SQLite) --------------------------------------------------


def sqlite_file(session: Session) -> str | None:
    """The file of the session's SQLite database; None for PostgreSQL or an in-memory one."""
    if _dialect(session) != "sqlite":
        return None
    driver: Any = session.connection().connection.driver_connection
    files = {name: file for _, name, file in driver.execute("PRAGMA database_list")}
    return files.get("main") or None


def sqlite_writer_active(path: str) -> bool:
    """Whether any connection, the session's included, holds the database's write lock."""
    with closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as probe:
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        probe.execute("ROLLBACK")
        return False


_HASH_AT = "SELECT hash FROM ledger_event WHERE sequence = ?"


def screen_sqlite_file(
    path: str, *, after: int, end: int, chunk_size: int
) -> tuple[bytes, int, bytes] | None:
    """Screen (after, end] through a read-only connection of its own.

    Returns the stored hash of event `after` it started from, then the last event it proved and
    its hash: the caller joins this run to its own only if it proved that starting hash itself.
    """
    uri = f"{Path(path).as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True, isolation_level=None)) as connection:
        connection.execute("BEGIN")
        row = connection.execute(_HASH_AT, (after,)).fetchone()
        if row is None or not isinstance(row[0], bytes):
            return None
        cursor = chain.Cursor(expected=after + 1, last_hash=row[0])
        _screen_sqlite(connection, cursor, end, chunk_size)
        return row[0], cursor.verified, cursor.last_hash


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

"""The SQL verification reads: the log in leaf order, segment by segment, through the driver.

Raw driver rows, not ORM rows: typed result processing would cost more than the hashing. A reader
works on a connection of its own (a worker process) or on the session's (same transaction, so
that what the session wrote is checked too).

SQLite hands each leaf's entry to Python to hash. PostgreSQL recomputes every leaf hash itself
(sha256() in C, in the server process) and sends only the leaf hash and whether the row held.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from lawful.core.db import create_engine
from lawful.core.ledger.merkle import STRIDE

# SQLite: each entry and its leaf hash (CAST and coalesce: a row edited by hand may hold text or
# nothing where bytes belong, and must still be read, and found not to match).
_SQLITE_LEAVES = (
    "SELECT CAST(coalesce(entry, x'') AS BLOB), CAST(leaf_hash AS BLOB) FROM ledger_leaf "
    "WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index"
)
_SQLITE_INDEXES = (
    "SELECT leaf_index FROM ledger_leaf WHERE leaf_index >= ? AND leaf_index < ? "
    "ORDER BY leaf_index"
)
_PG_LEAVES = (
    "SELECT leaf_index, leaf_hash, coalesce(leaf_hash = sha256('\\x00'::bytea || entry), false) "
    "FROM ledger_leaf WHERE leaf_index >= %s AND leaf_index < %s ORDER BY leaf_index"
)
_PG_ENTRIES = (
    "SELECT leaf_index, entry, leaf_hash FROM ledger_leaf "
    "WHERE leaf_index >= %s AND leaf_index < %s ORDER BY leaf_index"
)
_SQLITE_ENTRIES = (
    "SELECT leaf_index, CAST(entry AS BLOB), CAST(leaf_hash AS BLOB) FROM ledger_leaf "
    "WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index"
)


@dataclass(frozen=True, slots=True)
class Source:
    """How a worker process reaches the database: a URL (SQLite file or PostgreSQL)."""

    url: str
    segment_level: int = 16


class Reader:
    """Segment reads over one DBAPI connection."""

    def __init__(self, driver: Any, postgresql: bool, segment_level: int = 16) -> None:
        self.driver = driver
        self.postgresql = postgresql
        self.segment_level = segment_level
        self._node_sql = self._nodes_statement()

    def _run(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        if self.postgresql:
            with self.driver.cursor(binary=True) as cursor:
                return list(cursor.execute(sql, params).fetchall())
        return list(self.driver.execute(sql, params).fetchall())

    def leaves(self, start: int, end: int) -> list[tuple[Any, ...]]:
        """SQLite: (entry, leaf_hash); PostgreSQL: (leaf_index, leaf_hash, whether the
        entry hashes to it)."""
        return self._run(_PG_LEAVES if self.postgresql else _SQLITE_LEAVES, (start, end))

    def indexes(self, start: int, end: int) -> list[int]:
        return [row[0] for row in self._run(_SQLITE_INDEXES, (start, end))]

    def entries(self, start: int, end: int) -> list[tuple[Any, ...]]:
        """(leaf_index, entry, leaf_hash): to name what is wrong."""
        return self._run(_PG_ENTRIES if self.postgresql else _SQLITE_ENTRIES, (start, end))

    def _nodes_statement(self) -> str:
        mark = "%s" if self.postgresql else "?"
        levels = " OR ".join(
            f"(level = {level} AND idx >= {mark} AND idx < {mark})"
            for level in range(STRIDE, self.segment_level + 1, STRIDE)
        )
        return f"SELECT level, idx, hash FROM ledger_node WHERE {levels}"

    def nodes(self, start: int, end: int) -> dict[tuple[int, int], bytes]:
        """Stored subtrees of levels up to the segment's that lie within [start, end)."""
        params: list[int] = []
        for level in range(STRIDE, self.segment_level + 1, STRIDE):
            params += [start >> level, -(-end >> level)]
        rows = self._run(self._node_sql, tuple(params))
        return {(level, idx): bytes(h) for level, idx, h in rows}

    def upper_nodes(self) -> dict[tuple[int, int], bytes]:
        """Stored subtrees above the segment level (a handful per million leaves)."""
        rows = self._run(
            "SELECT level, idx, hash FROM ledger_node WHERE level > "
            + ("%s" if self.postgresql else "?"),
            (self.segment_level,),
        )
        return {(level, idx): bytes(h) for level, idx, h in rows}


def session_reader(session: Session, segment_level: int) -> Reader:
    driver = session.connection().connection.driver_connection
    return Reader(driver, session.get_bind().dialect.name == "postgresql", segment_level)


def source_of(session: Session, segment_level: int) -> Source | None:
    """Where worker processes can read what this session reads: only once it has written
    nothing (its own writes are visible to it alone) and not from an in-memory database."""
    connection = session.connection()
    url = connection.engine.url
    driver: Any = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        row = driver.execute("SELECT pg_current_xact_id_if_assigned() IS NULL").fetchone()
        plain = url.render_as_string(hide_password=False)
        return Source(plain, segment_level) if row[0] else None
    files = {name: file for _, name, file in driver.execute("PRAGMA database_list")}
    path = files.get("main")
    if not path or _sqlite_writer_active(path):
        return None
    return Source(f"sqlite:///{path}", segment_level)


def _sqlite_writer_active(path: str) -> bool:
    """Whether any connection, the session's included, holds the database's write lock."""
    with closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as probe:
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        probe.execute("ROLLBACK")
        return False


_MAP = 1 << 40


@contextmanager
def open_reader(source: Source) -> Iterator[Reader]:
    """A read-only connection of a worker's own."""
    if source.url.startswith("sqlite"):
        path = source.url.removeprefix("sqlite:///")
        uri = f"{Path(path).as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, isolation_level=None)) as connection:
            # Pages mapped rather than copied in: a tenth less CPU on a long scan.
            connection.execute(f"PRAGMA mmap_size={_MAP}")
            connection.execute("BEGIN")
            yield Reader(connection, False, source.segment_level)
        return
    engine = create_engine(source.url, pool_size=1)
    try:
        with engine.connect() as connection:
            yield Reader(connection.connection.driver_connection, True, source.segment_level)
    finally:
        engine.dispose()

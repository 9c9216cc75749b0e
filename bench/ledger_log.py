"""A sequenced log written in bulk, in exactly the stored form the sequencer gives it.

Benchmarks need logs of millions of leaves; building them through `ledger.append` and the
sequencer would take longer than what is measured. Here the same pieces (`merkle.leaf_hashes`,
`sequencer.extend`, `sequencer.sign`) compute leaves, stored subtrees and a signed head every
`HEAD_EVERY` leaves, and the rows are loaded with executemany (SQLite) or COPY (PostgreSQL).
`ledger.verify` checks the result like any other log.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

import psycopg
from sqlalchemy.engine import Engine

from bench import home
from lawful.core.db import utc_text, utcnow
from lawful.core.ledger import merkle, sequencer
from lawful.core.ledger import service as ledger

HEAD_EVERY = 5_000  # as the sequencer: one signed head per batch of this size
LEAF_COLUMNS = ("leaf_index", "sequenced_at", "entry_id", "entry", "leaf_hash")


class LogLoader:
    """Appends leaves to an empty log through the driver, one transaction per call."""

    def __init__(self, engine: Engine) -> None:
        self.postgres = engine.dialect.name == "postgresql"
        self.at = utcnow()
        self.signer = ledger.signer(home.keyring())
        self.peaks: list[sequencer.Peak] = []
        self.size = 0
        if self.postgres:
            url = engine.url.set(drivername="postgresql")
            options = engine.url.query.get("options")
            dsn = url.set(query={}).render_as_string(hide_password=False)
            self.pg = psycopg.connect(dsn, options=cast(str, options), autocommit=False)
            self.pg.execute("SET synchronous_commit = off")
            self.pg.execute("SELECT lawful_ledger_partition(now()::date)")
            self.pg.commit()
        else:
            self.lite = sqlite3.connect(engine.url.database or "", isolation_level=None)
            self.lite.execute("PRAGMA synchronous=OFF")

    def add(self, entries: Sequence[bytes]) -> None:
        """Append `entries` as leaves, signing a head every HEAD_EVERY leaves and at the end."""
        for start in range(0, len(entries), HEAD_EVERY):
            chunk = entries[start : start + HEAD_EVERY]
            hashes = merkle.leaf_hashes(chunk)
            first = self.size
            nodes = sequencer.extend(self.peaks, first, hashes)
            self.size += len(chunk)
            head = sequencer.sign(
                self.signer, self.size, merkle.fold([h for _, _, h in self.peaks]), self.at
            )
            leaves = [
                (first + i, self.at, first + i + 1, entry, leaf)
                for i, (entry, leaf) in enumerate(zip(chunk, hashes, strict=True))
            ]
            self._load(leaves, [(lv, idx, h) for (lv, idx), h in nodes.items()], head)

    def _load(
        self, leaves: list[tuple[Any, ...]], nodes: list[tuple[Any, ...]], head: ledger.TreeHead
    ) -> None:
        heads = [(head.tree_size, head.root_hash, head.signed_at, head.key_id, head.signature)]
        tables = (
            ("ledger_leaf", LEAF_COLUMNS, leaves),
            ("ledger_node", ("level", "idx", "hash"), nodes),
            (
                "ledger_tree_head",
                ("tree_size", "root_hash", "signed_at", "key_id", "signature"),
                heads,
            ),
        )
        if self.postgres:
            with self.pg.cursor() as cursor:
                for table, columns, rows in tables:
                    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
            self.pg.commit()
            return
        self.lite.execute("BEGIN")
        for table, columns, rows in tables:
            marks = ", ".join("?" * len(columns))
            self.lite.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                [tuple(_sqlite(v) for v in row) for row in rows],
            )
        self.lite.execute("COMMIT")

    def ddl(self, statement: str) -> None:
        if self.postgres:
            self.pg.execute(statement)  # type: ignore[arg-type]
            self.pg.commit()
        else:
            self.lite.execute(statement)

    def secondary_indexes(self) -> list[tuple[str, str]]:
        """(name, CREATE statement) of ledger_leaf's subject index: dropped while loading."""
        if self.postgres:
            rows = self.pg.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'ledger_leaf' "
                "AND schemaname = current_schema() AND indexname LIKE '%subject%'"
            ).fetchall()
            self.pg.commit()
        else:
            rows = self.lite.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'ledger_leaf' AND name LIKE '%subject%'"
            ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def close(self) -> None:
        if self.postgres:
            self.pg.close()
        else:
            self.lite.close()


def _sqlite(value: Any) -> Any:
    return utc_text(value) if isinstance(value, dt.datetime) else value


def load(
    engine: Engine,
    batches: Iterable[Sequence[bytes]],
    progress: Callable[[int], None] = lambda done: None,
) -> int:
    """Build a log from batches of entries into an empty, migrated database; leaves written."""
    loader = LogLoader(engine)
    try:
        indexes = loader.secondary_indexes()
        for name, _ in indexes:
            loader.ddl(f"DROP INDEX {name}")
        for number, batch in enumerate(batches, start=1):
            loader.add(batch)
            if number % 10 == 0:
                progress(loader.size)
        progress(loader.size)
        for _, statement in indexes:
            # PostgreSQL names a partitioned table's index ON ONLY the parent: not what to rebuild.
            loader.ddl(statement.replace(" ON ONLY ", " ON "))
        loader.ddl("ANALYZE")
        return loader.size
    finally:
        loader.close()

"""All SQL of ingestion: which event keys a system already had recorded, and recording new ones.

Both in bulk: the keys of a batch are looked up a few thousand at a time, and stored with COPY
on PostgreSQL or one prepared statement on SQLite. The primary key (system, event_key) is what
makes a key unique, whatever two concurrent batches do.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Collection, Sequence
from typing import cast

import psycopg
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lawful.core.db import among, bound, utc_text
from lawful.core.errors import Conflict
from lawful.ingest.models import IngestKey

_keys = cast(sa.Table, IngestKey.__table__)
_CHUNK = 50_000
_EXISTING = "SELECT event_key FROM ingest_key WHERE system = :system AND "
_CONCURRENT = (
    "another batch with some of these event keys is being recorded at this moment; "
    "retry it: the keys already recorded will be skipped"
)


def _copy_text(value: str) -> str:
    return value.replace("\\", "\\\\")


def existing_keys(session: Session, system: str, keys: Collection[str]) -> set[str]:
    wanted = list(keys)
    statement = sa.text(_EXISTING + among(session, "event_key", "keys"))
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.update(session.scalars(statement, {"system": system, "keys": bound(session, chunk)}))
    return found


def insert_keys(session: Session, system: str, keys: Sequence[str], now: dt.datetime) -> None:
    """Record the keys; Conflict if a concurrent batch recorded one of them first."""
    if not keys:
        return
    connection = session.connection()
    driver = connection.connection.driver_connection
    try:
        if connection.dialect.name == "postgresql":
            # Text COPY framed here: keys are printable (no tab, no newline), so a backslash is
            # the one character to escape; recorded_at is the transaction's start, by default.
            prefix = _copy_text(system) + "\t"
            data = "".join(prefix + (_copy_text(k) if "\\" in k else k) + "\n" for k in keys)
            with (
                driver.cursor() as cursor,  # type: ignore[union-attr]
                cursor.copy("COPY ingest_key (system, event_key) FROM STDIN") as copy,
            ):
                copy.write(data.encode())
            return
        at = utc_text(now)  # SQLite keeps instants as their canonical text
        cursor = driver.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(
                "INSERT INTO ingest_key (system, event_key, recorded_at) VALUES (?, ?, ?)",
                [(system, key, at) for key in keys],
            )
        finally:
            cursor.close()
    except (IntegrityError, psycopg.errors.UniqueViolation, sqlite3.IntegrityError) as exc:
        # The drivers' own errors: the statements above bypass SQLAlchemy's wrapping.
        raise Conflict(_CONCURRENT) from exc

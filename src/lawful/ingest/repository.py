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

from lawful.core.db import utc_text
from lawful.core.errors import Conflict
from lawful.ingest.models import IngestKey

_keys = cast(sa.Table, IngestKey.__table__)
_CHUNK = 5_000
_EXISTING = sa.select(_keys.c.event_key).where(
    _keys.c.system == sa.bindparam("system"),
    _keys.c.event_key.in_(sa.bindparam("keys", expanding=True)),
)
_CONCURRENT = (
    "another batch with some of these event keys is being recorded at this moment; "
    "retry it: the keys already recorded will be skipped"
)


def existing_keys(session: Session, system: str, keys: Collection[str]) -> set[str]:
    wanted = list(keys)
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.update(session.scalars(_EXISTING, {"system": system, "keys": chunk}))
    return found


def insert_keys(session: Session, system: str, keys: Sequence[str], now: dt.datetime) -> None:
    """Record the keys; Conflict if a concurrent batch recorded one of them first."""
    if not keys:
        return
    connection = session.connection()
    driver = connection.connection.driver_connection
    try:
        if connection.dialect.name == "postgresql":
            with (
                driver.cursor() as cursor,  # type: ignore[union-attr]
                cursor.copy("COPY ingest_key (system, event_key, recorded_at) FROM STDIN") as copy,
            ):
                write = copy.write_row
                for key in keys:
                    write((system, key, now))
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

"""All SQL of the vault. Flushes nothing, commits nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lawful.core.db import Prepared, among, bound
from lawful.core.vault.models import VaultKey

_table = cast(sa.Table, VaultKey.__table__)
# Both SQLite and PostgreSQL accept far more bound parameters; this keeps statements readable in
# logs and plans stable.
_IN_CHUNK = 2_000


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start : start + _IN_CHUNK]


_WRAPPED_KEYS = "SELECT subject_ref, wrapped_key, master_version FROM vault_key WHERE "
_LOOKUP_CHUNK = 50_000  # refs bound as one value per statement (`db.among`)

Wrapped = tuple[bytes | None, int]  # the wrapped key (None when shredded), its master version


# One subject's key, asked on every access to their data: run on the driver's cursor.
_WRAPPED_KEY = Prepared(
    sa.select(_table.c.subject_ref, _table.c.wrapped_key, _table.c.master_version).where(
        _table.c.subject_ref == sa.bindparam("ref")
    )
)


def wrapped_keys(session: Session, refs: Collection[str]) -> dict[str, Wrapped]:
    """The stored wrapped key per known subject ref, with the master version that wraps it."""
    found: dict[str, Wrapped] = {}
    if len(refs) == 1:
        one = _WRAPPED_KEY.rows(session, {"ref": next(iter(refs))})
        return {row[0]: (_bytes(row[1]), row[2]) for row in one}
    wanted = sorted(refs)
    statement = sa.text(_WRAPPED_KEYS + among(session, "subject_ref", "refs"))
    for start in range(0, len(wanted), _LOOKUP_CHUNK):
        chunk = wanted[start : start + _LOOKUP_CHUNK]
        rows = session.execute(statement, {"refs": bound(session, chunk)})
        found.update({row[0]: (_bytes(row[1]), row[2]) for row in rows})
    return found


def _bytes(value: Any) -> bytes | None:
    # A textual statement gets the driver's own value: bytes, or a memoryview from some drivers.
    return None if value is None else bytes(value)


def _insert(session: Session) -> Any:
    # ON CONFLICT is spelled the same on both backends but lives in each dialect's insert().
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(_table)
    return sqlite.insert(_table)


def insert_keys(
    session: Session, wrapped: dict[str, bytes], *, version: int, now: dt.datetime
) -> None:
    """Insert new keys; a concurrent writer may have created some first, and theirs win."""
    if not wrapped:
        return
    rows = [
        {
            "subject_ref": ref,
            "wrapped_key": key,
            "master_version": version,
            "created_at": now,
            "shredded_at": None,
        }
        for ref, key in wrapped.items()
    ]
    session.execute(_insert(session).on_conflict_do_nothing(index_elements=["subject_ref"]), rows)


def shred_many(session: Session, refs: Sequence[str], *, now: dt.datetime) -> int:
    """Destroy these keys, leaving tombstones (a ref with no key yet gets one, so that no key
    is ever minted for an erased subject). Returns how many live keys were destroyed."""
    if not refs:
        return 0
    live = sum(1 for key, _ in wrapped_keys(session, refs).values() if key is not None)
    statement = _insert(session)
    for chunk in _chunks(list(refs)):
        rows = [
            {
                "subject_ref": ref,
                "wrapped_key": None,
                "master_version": 0,
                "created_at": now,
                "shredded_at": now,
            }
            for ref in chunk
        ]
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["subject_ref"],
                set_={
                    "wrapped_key": None,
                    "master_version": 0,
                    "shredded_at": sa.func.coalesce(
                        _table.c.shredded_at, statement.excluded.shredded_at
                    ),
                },
            ),
            rows,
        )
    return live


def shredded_refs(session: Session, refs: Collection[str]) -> set[str]:
    """Those of `refs` whose key is destroyed."""
    found = wrapped_keys(session, refs)
    return {ref for ref, (key, _) in found.items() if key is None}


_OLDER = (
    sa.select(_table.c.subject_ref, _table.c.wrapped_key, _table.c.master_version)
    .where(
        _table.c.wrapped_key.is_not(None),
        _table.c.master_version < sa.bindparam("version"),
        _table.c.subject_ref > sa.bindparam("after"),
    )
    .order_by(_table.c.subject_ref)
    .limit(sa.bindparam("limit"))
)


def wrapped_before(
    session: Session, *, version: int, after: str, limit: int
) -> list[tuple[str, bytes, int]]:
    """Live keys wrapped by a master version older than `version`, in ref order after `after`."""
    rows = session.execute(_OLDER, {"version": version, "after": after, "limit": limit})
    return [(row[0], row[1], row[2]) for row in rows]


_REWRAP = (
    sa.update(_table)
    .where(
        _table.c.subject_ref == sa.bindparam("ref"),
        _table.c.master_version == sa.bindparam("old"),
        _table.c.wrapped_key.is_not(None),
    )
    .values(wrapped_key=sa.bindparam("key"), master_version=sa.bindparam("new"))
)


def rewrap(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Store keys rewrapped by a newer master version (executemany: one statement for all).

    A key shredded in between stays shredded: the update only touches a live key still wrapped
    by the version it was read under."""
    if rows:
        session.connection().execute(_REWRAP, list(rows))


def count_older(session: Session, *, version: int) -> int:
    return session.execute(
        sa.select(sa.func.count())
        .select_from(_table)
        .where(_table.c.wrapped_key.is_not(None), _table.c.master_version < version)
    ).scalar_one()

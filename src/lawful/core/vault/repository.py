"""All SQL of the vault. Flushes nothing, commits nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lawful.core.vault.models import VaultKey

_table = cast(sa.Table, VaultKey.__table__)
# Both SQLite and PostgreSQL accept far more bound parameters; this keeps statements readable in
# logs and plans stable.
_IN_CHUNK = 2_000


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start : start + _IN_CHUNK]


_WRAPPED_KEYS = sa.select(_table.c.subject_ref, _table.c.wrapped_key).where(
    _table.c.subject_ref.in_(sa.bindparam("refs", expanding=True))
)


def wrapped_keys(session: Session, refs: Collection[str]) -> dict[str, bytes | None]:
    """The stored wrapped key per known subject ref (None when shredded)."""
    found: dict[str, bytes | None] = {}
    wanted = sorted(refs)
    for chunk in _chunks(wanted):
        rows = session.execute(_WRAPPED_KEYS, {"refs": list(chunk)})
        found.update({row[0]: row[1] for row in rows})
    return found


def _insert(session: Session) -> Any:
    # ON CONFLICT is spelled the same on both backends but lives in each dialect's insert().
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(_table)
    return sqlite.insert(_table)


def insert_keys(session: Session, wrapped: dict[str, bytes], *, now: dt.datetime) -> None:
    """Insert new keys; a concurrent writer may have created some first, and theirs win."""
    if not wrapped:
        return
    rows = [
        {"subject_ref": ref, "wrapped_key": key, "created_at": now, "shredded_at": None}
        for ref, key in wrapped.items()
    ]
    session.execute(_insert(session).on_conflict_do_nothing(index_elements=["subject_ref"]), rows)


def shred(session: Session, ref: str, *, now: dt.datetime) -> bool:
    """Destroy the key, leaving a tombstone. True if a live key was destroyed."""
    existing = session.execute(
        sa.select(_table.c.wrapped_key).where(_table.c.subject_ref == ref)
    ).one_or_none()
    statement = _insert(session).values(
        subject_ref=ref, wrapped_key=None, created_at=now, shredded_at=now
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["subject_ref"],
            set_={
                "wrapped_key": None,
                "shredded_at": sa.func.coalesce(
                    _table.c.shredded_at, statement.excluded.shredded_at
                ),
            },
        )
    )
    return existing is not None and existing.wrapped_key is not None

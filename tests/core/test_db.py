"""Engines, the unit of work and migrations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from lawful.core.db import (
    SQLITE_BUSY_TIMEOUT_MS,
    UTCDateTime,
    create_engine,
    session_scope,
    upgrade,
    utc_text,
)


@pytest.fixture
def sqlite(tmp_path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)")
    return engine


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(sqlite: Engine) -> None:
    with sqlite.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA synchronous").scalar() == 2  # FULL: a commit is on disk
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS


def test_the_unit_of_work_commits_at_the_end(sqlite: Engine) -> None:
    with session_scope(sqlite) as session:
        session.execute(sa.text("INSERT INTO note (text) VALUES ('kept')"))
    with sqlite.connect() as connection:
        assert connection.exec_driver_sql("SELECT text FROM note").scalars().all() == ["kept"]


def test_the_unit_of_work_rolls_back_on_error(sqlite: Engine) -> None:
    with pytest.raises(RuntimeError), session_scope(sqlite) as session:
        session.execute(sa.text("INSERT INTO note (text) VALUES ('lost')"))
        raise RuntimeError("boom")
    with sqlite.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM note").scalar() == 0


def test_a_read_only_unit_of_work_does_not_block_writers(sqlite: Engine) -> None:
    with session_scope(sqlite, read_only=True) as reader:
        assert reader.execute(sa.text("SELECT count(*) FROM note")).scalar() == 0
        with session_scope(sqlite) as writer:
            writer.execute(sa.text("INSERT INTO note (text) VALUES ('while reading')"))
        # Same snapshot for the whole read: repeatable, not autocommitted statement by statement.
        assert reader.execute(sa.text("SELECT count(*) FROM note")).scalar() == 0


def test_migrations_run_to_head_and_are_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    upgrade(url)
    upgrade(url)
    engine = create_engine(url)
    try:
        tables = set(sa.inspect(engine).get_table_names())
        assert {"ledger_pending", "ledger_leaf", "ledger_node", "ledger_tree_head"} <= tables
        assert {"vault_key", "alembic_version"} <= tables and "ledger_event" not in tables
    finally:
        engine.dispose()


def test_instants_come_back_as_aware_utc(session: Session) -> None:
    when = dt.datetime(2024, 5, 1, 11, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    back = session.execute(sa.select(sa.bindparam("x", when, type_=UTCDateTime()))).scalar()
    assert back == when and back.tzinfo == dt.UTC
    assert utc_text(when) == "2024-05-01T09:30:00.000000Z"
    with pytest.raises(StatementError):
        session.execute(sa.select(sa.bindparam("x", dt.datetime(2024, 5, 1), type_=UTCDateTime())))

"""Shared fixtures: a private LAWFUL_HOME, and a database built once by Alembic per run.

The database is SQLite in a temporary file, or LAWFUL_TEST_DATABASE_URL when set (an unreachable
URL fails the run: a green run that silently skipped PostgreSQL would prove nothing). Each test
runs inside a transaction that is rolled back, services committing only to a savepoint.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from lawful.core.db import create_engine, upgrade
from lawful.core.vault import keys

APPEND_ONLY_TABLES = ("ledger_event", "ledger_checkpoint")


@pytest.fixture(scope="session", autouse=True)
def lawful_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keys are written here, never in the working tree."""
    home = tmp_path_factory.mktemp("lawful-home")
    patch = pytest.MonkeyPatch()
    patch.setenv("LAWFUL_HOME", str(home))
    keys.forget_cached_keys()
    yield home
    patch.undo()
    keys.forget_cached_keys()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("LAWFUL_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'lawful-test.db'}"


@pytest.fixture(scope="session")
def engine(database_url: str, lawful_home: Path) -> Iterator[Engine]:
    engine = create_engine(database_url)
    if engine.dialect.name == "postgresql":
        reset_schema(engine)
    upgrade(engine)
    yield engine
    engine.dispose()


def reset_schema(engine: Engine) -> None:
    """Drop and recreate the current schema so that a run starts from nothing."""
    with engine.begin() as connection:
        schema = connection.exec_driver_sql("SELECT current_schema()").scalar_one()
        connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield session
        finally:
            session.close()
            transaction.rollback()


@contextmanager
def append_only_lifted(session: Session) -> Iterator[None]:
    """Switch the append-only triggers off, as an attacker with DDL rights would, then back on."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        for table in APPEND_ONLY_TABLES:
            connection.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        try:
            yield
        finally:
            for table in APPEND_ONLY_TABLES:
                connection.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        return
    triggers = connection.execute(
        sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
            "('ledger_event', 'ledger_checkpoint')"
        )
    ).all()
    assert triggers, "the migration installed no append-only trigger"
    for name, _ in triggers:
        connection.exec_driver_sql(f"DROP TRIGGER {name}")
    try:
        yield
    finally:
        for _, sql in triggers:
            connection.exec_driver_sql(sql)


@pytest.fixture
def tamper(session: Session) -> Callable[[], AbstractContextManager[None]]:
    return lambda: append_only_lifted(session)

"""Shared fixtures: a private LAWFUL_HOME, and a database built once by Alembic per run.

The database is SQLite in a temporary file, or a schema of the run's own in the PostgreSQL
database LAWFUL_TEST_DATABASE_URL names, dropped at the end (an unreachable URL fails the run: a
green run that silently skipped PostgreSQL would prove nothing). Each test
runs inside a transaction that is rolled back, services committing only to a savepoint.
"""

from __future__ import annotations

import importlib.util
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from types import ModuleType

import hypothesis
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from lawful.core.db import create_engine, upgrade
from lawful.core.vault.keys import Keyring, init_keyring

APPEND_ONLY_TABLES = (
    "ledger_pending",
    "ledger_leaf",
    "ledger_node",
    "ledger_tree_head",
    "ledger_member",
    "ledger_member_node",
)

# Speed is measured by the benchmarks, not by the tests: an example that runs slowly on a busy
# machine is not a failure.
hypothesis.settings.register_profile("lawful", deadline=None)
hypothesis.settings.load_profile("lawful")


@pytest.fixture(scope="session", autouse=True)
def lawful_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The run's installation home, with its keys made as `lawful init` makes them; commands
    run by the tests find it through LAWFUL_HOME. Never the working tree's."""
    home = tmp_path_factory.mktemp("lawful-home")
    init_keyring(home / "keys")
    patch = pytest.MonkeyPatch()
    patch.setenv("LAWFUL_HOME", str(home))
    yield home
    patch.undo()


@pytest.fixture(scope="session")
def keyring(lawful_home: Path) -> Keyring:
    from lawful.core.vault.keys import open_keyring

    return open_keyring(lawful_home / "keys")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("LAWFUL_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'lawful-test.db'}"
        return
    # A schema of this run's own: two runs on one PostgreSQL database never meet.
    with _own_database(url, "run") as own:
        yield own


@pytest.fixture(scope="session")
def database_of_its_own(database_url: str) -> Callable[[str], AbstractContextManager[str]]:
    """`with database_of_its_own("name") as url:` a database nobody else writes to."""
    return lambda name: _own_database(database_url, name)


@contextmanager
def _own_database(database_url: str, name: str) -> Iterator[str]:
    """A database nobody else writes to, for tests that commit (ledger rows can never be
    deleted): a new SQLite file, or a new PostgreSQL schema dropped afterwards."""
    if database_url.startswith("sqlite"):
        yield database_url.removesuffix(".db") + f"-{name}-{uuid.uuid4().hex[:8]}.db"
        return
    schema = f"lawful_{name}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(database_url)
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url = make_url(database_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str, lawful_home: Path) -> Iterator[Engine]:
    engine = create_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


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


@pytest.fixture(scope="session")
def rfc9162() -> ModuleType:
    """The verifier written from RFC 9162 and the README alone (tests/core/ledger/rfc9162.py)."""
    path = Path(__file__).parent / "core" / "ledger" / "rfc9162.py"
    spec = importlib.util.spec_from_file_location("rfc9162_verifier", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
    tables = ", ".join(f"'{table}'" for table in APPEND_ONLY_TABLES)
    triggers = connection.execute(
        sa.text(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({tables})"
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

"""Storage plumbing: engines, the declarative base, the unit of work and migrations.

The entrypoint owns the transaction (`session_scope`); services receive a session and never commit.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sqlite3
import weakref
from collections import namedtuple
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

from lawful.core.errors import ConfigurationError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Long enough for a bulk job holding the write lock for one batch, short enough to surface a
# stuck writer as an error instead of a hang.
SQLITE_BUSY_TIMEOUT_MS = 15_000

SQLITE_CACHE_KIB = 64 * 1024  # per connection
# Connections kept open per engine (as many again may open under a burst, and close after it).
POOL_SIZE = 20

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# Execution option read by the SQLite "begin" hook: read-only units of work begin DEFERRED so a long
# read (verifying the ledger) does not hold the single write lock.
_SQLITE_BEGIN = "lawful_sqlite_begin"
# Kept in each connection's info: statements other than reads run since its transaction began.
_WRITES = "lawful.writes"
_TRANSACTION = "lawful.transaction"
_SERIALS = itertools.count(1)
_READS = ("SELECT", "BEGIN", "PRAGMA")
_NO_WRITES = "lawful_no_writes"


class WriteRefused(RuntimeError):
    """A unit of work opened with `writes_refused` tried to write: it is to be run again where
    writing, and waiting for SQLite's write lock, may block (a worker thread, not the loop)."""


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware UTC instant, stored so that its text form is the same on every backend.

    SQLite keeps the canonical text (`2024-05-01T09:30:00.000000Z`) so that the ledger can hash the
    stored value without parsing it; PostgreSQL keeps a `timestamptz`.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(27))
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: an instant must carry its time zone")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return utc_text(value)
        return value

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            return dt.datetime.fromisoformat(value)
        if not isinstance(value, dt.datetime):
            raise TypeError(f"a timestamp column returned {type(value).__name__}")
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utc_text(value: dt.datetime) -> str:
    """The canonical text of an instant: UTC, microseconds, `Z`."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: an instant must carry its time zone")
    naive = value.astimezone(dt.UTC).replace(tzinfo=None)
    return naive.isoformat(timespec="microseconds") + "Z"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# 3.32 raised the limit on bound values per statement from 999 to 32,766.
SQLITE_MINIMUM = (3, 32, 0)


def create_engine(url: str | sa.URL, **kwargs: Any) -> Engine:
    """An engine for SQLite (WAL, foreign keys, busy timeout, BEGIN IMMEDIATE) or PostgreSQL."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        # psycopg 3 is the driver we ship; SQLAlchemy's default would be psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() in ("sqlite", "postgresql") and parsed.database not in (
        None,
        "",
        ":memory:",
    ):
        # One connection per request in flight, kept: with the default 5, a server answering 16
        # requests at once opened and closed a connection (and its PRAGMAs, or a PostgreSQL
        # backend) for most of them.
        kwargs.setdefault("pool_size", POOL_SIZE)
        kwargs.setdefault("max_overflow", POOL_SIZE)
    engine = sa.create_engine(parsed, **kwargs)
    _count_writes(engine)
    if engine.dialect.name == "sqlite":
        if sqlite3.sqlite_version_info < SQLITE_MINIMUM:
            raise ConfigurationError(
                f"SQLite {sqlite3.sqlite_version} is too old: lawful needs "
                f"{'.'.join(map(str, SQLITE_MINIMUM))} or later (it binds thousands of values "
                "per statement)"
            )
        _configure_sqlite(engine)
    return engine


def _count_writes(engine: Engine) -> None:
    """Count, per transaction, the statements that may write (anything but a plain read): work
    that holds back what it would write (the ledger's group commit) or remembers what it read
    (subject states) asks `writes` whether the transaction has changed anything since."""

    @event.listens_for(engine, "begin")
    def _reset(conn: Connection) -> None:
        conn.info[_WRITES] = 0
        conn.info[_TRANSACTION] = next(_SERIALS)

    @event.listens_for(engine, "before_cursor_execute")
    def _count(conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip()[:6].upper().startswith(_READS):
            if conn.get_execution_options().get(_NO_WRITES):
                raise WriteRefused(statement.lstrip()[:40])
            conn.info[_WRITES] = conn.info.get(_WRITES, 0) + 1


def writes(session: Session) -> int:
    """How many statements that may write this session's transaction has run (0: a pure read)."""
    count: int = session.connection().info.get(_WRITES, 0)
    return count


def data_version(session: Session) -> tuple[int, int]:
    """Changes whenever what this session reads may have changed by its own doing: another
    transaction, or a write in this one. What was read under an equal version can be reused."""
    info = session.connection().info
    return info.get(_TRANSACTION, 0), info.get(_WRITES, 0)


_BEGIN = {mode: f"BEGIN {mode}" for mode in ("IMMEDIATE", "DEFERRED")}


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # sqlite3's legacy mode begins transactions lazily and never for SELECT, which breaks
        # savepoints and repeatable reads; SQLAlchemy emits BEGIN itself (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            # Every commit reaches the disk before it returns: a ledger event recorded for an
            # answer already given must survive a power cut (NORMAL would only survive a crash
            # of the process). Spelled out, whatever default the SQLite build carries.
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            # Shredding a vault key must not leave the old key bytes in free pages of the file.
            cursor.execute("PRAGMA secure_delete=ON")
            # The ledger's subject index takes entries in pseudonym order, that is at random:
            # with SQLite's default 2 MiB of page cache a batch of 200 000 events keeps evicting
            # the pages it is about to write (measured: bulk inserts 2.4 times slower). An upper
            # bound, filled only as pages are read.
            cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # IMMEDIATE takes the write lock up front: two appenders queue instead of both reading the
        # same ledger head, and a deferred writer never fails late with SQLITE_BUSY_SNAPSHOT.
        mode = conn.get_execution_options().get(_SQLITE_BEGIN, "IMMEDIATE")
        # On the driver itself: nothing of SQLAlchemy's statement machinery is needed for it.
        conn.connection.driver_connection.execute(_BEGIN[mode])  # type: ignore[union-attr]


# Set in a session's info by work that erases (the vault shredding a key): once it commits, the
# erased values must leave SQLite's write-ahead log too (see `_checkpoint`).
ERASED = "lawful.erased"


def mark_erasure(session: Session) -> None:
    session.info[ERASED] = True


@contextmanager
def session_scope(
    engine: Engine,
    *,
    read_only: bool = False,
    deferred: bool = False,
    writes_refused: bool = False,
) -> Iterator[Session]:
    """One unit of work: committed at the end, rolled back on any error. Entrypoints only.

    `deferred` (SQLite): begin without the write lock, for work that mostly reads and hands what it
    writes to the ledger's group commit; a write it does make takes the lock then, or fails at
    once with `database is locked` when another writer holds it (see `is_busy`).
    `writes_refused`: deferred, and any statement that may write raises `WriteRefused` before it
    runs (for work on the event loop, which must never wait for the write lock)."""
    bind = engine
    if read_only or deferred or writes_refused:
        options: dict[str, Any] = {_SQLITE_BEGIN: "DEFERRED"}
        if read_only and engine.dialect.name == "postgresql":
            options["postgresql_readonly"] = True
        if writes_refused:
            options[_NO_WRITES] = True
        bind = _with_options(engine, options)
    session = Session(bind=bind, expire_on_commit=False)
    try:
        yield session
        session.commit()
        erased = session.info.pop(ERASED, False)
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    if erased:
        checkpoint_after_erasure(engine)


# Engines with execution options, made once per engine and set of options: a request asks one.
_OPTIONED: weakref.WeakKeyDictionary[Engine, dict[tuple[Any, ...], Engine]] = (
    weakref.WeakKeyDictionary()
)


def _with_options(engine: Engine, options: dict[str, Any]) -> Engine:
    made = _OPTIONED.setdefault(engine, {})
    key = tuple(sorted(options.items()))
    bound_engine = made.get(key)
    if bound_engine is None:
        bound_engine = made[key] = engine.execution_options(**options)
    return bound_engine


def is_busy(exc: BaseException) -> bool:
    """SQLite refused a deferred transaction the write lock (another writer holds it, or wrote
    since this one began reading): the work can be run again, beginning IMMEDIATE."""
    orig = getattr(exc, "orig", None)
    return isinstance(orig, sqlite3.OperationalError) and "locked" in str(orig)


def checkpoint_after_erasure(engine: Engine) -> bool:
    """SQLite: copy the write-ahead log into the database file and empty it, so that the pages
    an erasure overwrote (zeroed: `secure_delete`) replace the old ones and no copy of the
    erased values stays in the log. True when the log was emptied; False if a long reader kept
    it (the next erasure's checkpoint, or SQLite's own, completes it). PostgreSQL keeps dead
    rows until VACUUM and WAL segments until recycled: see the README's "Erasure and backups"."""
    if engine.dialect.name != "sqlite":
        return True
    return sqlite_checkpoint(engine)


def sqlite_checkpoint(engine: Engine) -> bool:
    """PRAGMA wal_checkpoint(TRUNCATE) outside any transaction (inside one, SQLite refuses it);
    True when the log was emptied."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            row = cursor.fetchone()
            busy = row is None or row[0]
        finally:
            cursor.close()
    finally:
        connection.close()
    return not busy


def alembic_config(connection: Connection | None = None, keys: object | None = None) -> Any:
    """The Alembic configuration, built in code: the migrations ship inside the package.

    `keys` (the installation's keyring) lets a migration encrypt what it moves under a subject's
    key; a migration that needs them and finds data but no keys refuses to run."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    if keys is not None:
        config.attributes["keys"] = keys
    return config


def upgrade(
    url: str | sa.URL | Engine, revision: str = "head", *, keys: object | None = None
) -> None:
    """Bring the database schema to `revision` (default: the latest)."""
    from alembic import command

    engine = url if isinstance(url, Engine) else create_engine(url)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection, keys), revision)
    finally:
        if engine is not url:
            engine.dispose()


# --- many values in one bound parameter ---------------------------------------------------------
# `column IN (?, ?, …)` with thousands of values costs more to compile than to run; a set-based
# lookup binds the whole set as one JSON array instead (encoded in C, where a driver's array
# adapter looks at every value in Python), and the database unpacks it.


def among(session: Session, column: str, parameter: str) -> str:
    """SQL testing that `column` is one of the values bound to `parameter` (see `bound`)."""
    if session.get_bind().dialect.name == "postgresql":
        # An array built from the JSON: the column's index is searched for each value.
        return (
            f"{column} = ANY(ARRAY(SELECT jsonb_array_elements_text(CAST(:{parameter} AS jsonb))))"
        )
    return f"{column} IN (SELECT value FROM json_each(:{parameter}))"


def bound(session: Session, values: Collection[str]) -> str:
    """The values as `among` binds them."""
    return json.dumps(list(values), ensure_ascii=False)


# --- the statements every request asks ----------------------------------------------------------
# A checked read asks four or five small SELECTs (the token, the subject's state, the vault key,
# the row itself). Through SQLAlchemy's execution machinery each costs ten times what the driver
# takes to run it; `Prepared` compiles such a statement once per dialect, with SQLAlchemy, and runs
# it on the driver's own cursor in the session's transaction, converting values with the very
# processors SQLAlchemy would apply.


class Prepared:
    """A Core SELECT compiled once per dialect and run on the session connection's driver cursor.

    `one_of` names expanding parameters (`IN` lists) bound here to a one-value list (one
    subject): each is rendered as a plain parameter. `json_of` names expanding parameters bound
    to a list of any length, sent as one JSON array the database unpacks (see `among`): a bulk
    read compiles nothing per call, whatever the number of values."""

    def __init__(
        self, statement: Any, *, one_of: Collection[str] = (), json_of: Collection[str] = ()
    ) -> None:
        self.statement = statement
        self.one_of = frozenset(one_of)
        self.json_of = frozenset(json_of)
        self._plans: dict[str, _Plan] = {}

    def rows(self, session: Session, params: dict[str, Any]) -> list[Any]:
        connection = session.connection()
        dialect = connection.dialect
        plan = self._plans.get(dialect.name)
        if plan is None:
            plan = self._plans[dialect.name] = _Plan.build(
                self.statement, dialect, self.one_of, self.json_of
            )
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(plan.sql, plan.bind(params))
            fetched = cursor.fetchall()
        finally:
            cursor.close()
        return [plan.row(values) for values in fetched]

    def first(self, session: Session, params: dict[str, Any]) -> Any:
        found = self.rows(session, params)
        return found[0] if found else None


class _Plan:
    def __init__(
        self,
        sql: str,
        names: list[str] | None,
        binders: dict[str, Any],
        one_of: frozenset[str],
        json_of: frozenset[str],
        results: list[Any],
        row_type: Any,
    ) -> None:
        self.sql = sql
        self.names = names  # in order, for a positional driver (SQLite); None: by name
        self.binders = binders
        self.one_of = one_of
        self.json_of = json_of
        # Only the columns with a result processor are looked at in each row.
        self.converting = [(i, p) for i, p in enumerate(results) if p is not None]
        self.results = results
        self.row_type = row_type

    @classmethod
    def build(
        cls,
        statement: Any,
        dialect: sa.Dialect,
        one_of: frozenset[str],
        json_of: frozenset[str] = frozenset(),
    ) -> _Plan:
        compiled = statement.compile(dialect=dialect)
        positional = compiled.positiontup is not None
        sql = compiled.string
        for name in one_of:
            sql = sql.replace(f"__[POSTCOMPILE_{name}]", "?" if positional else f"%({name})s")
        for name in json_of:
            marker = "?" if positional else f"%({name})s"
            if dialect.name == "postgresql":
                # An array built from the JSON: the column's index is searched for each value.
                sql = sql.replace(
                    f"IN (__[POSTCOMPILE_{name}])",
                    f"= ANY(ARRAY(SELECT jsonb_array_elements_text(CAST({marker} AS jsonb))))",
                )
            else:
                sql = sql.replace(
                    f"__[POSTCOMPILE_{name}]", f"SELECT value FROM json_each({marker})"
                )
        if "__[POSTCOMPILE_" in sql:
            raise ValueError("Prepared: an expanding parameter not named in one_of")
        binders = {}
        for name, bind in compiled.binds.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                binders[name] = processor
        columns = list(statement.selected_columns)
        results = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
        row_type = namedtuple("PreparedRow", [c.key for c in columns], rename=True)  # type: ignore[misc]
        names = list(compiled.positiontup) if positional else None
        return cls(sql, names, binders, one_of, json_of, results, row_type)

    def bind(self, params: dict[str, Any]) -> Any:
        values: dict[str, Any] = {}
        for name, value in params.items():
            if name in self.one_of:
                (value,) = value
            elif name in self.json_of:
                values[name] = json.dumps(list(value), ensure_ascii=False)
                continue
            binder = self.binders.get(name)
            values[name] = value if binder is None or value is None else binder(value)
        if self.names is None:
            return values
        return tuple(values[n] for n in self.names)

    def row(self, values: tuple[Any, ...]) -> Any:
        converting = self.converting
        if not converting:
            return tuple.__new__(self.row_type, values)
        row = list(values)
        for index, process in converting:
            value = row[index]
            if value is not None:
                row[index] = process(value)
        return tuple.__new__(self.row_type, row)

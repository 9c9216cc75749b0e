"""The composition root: settings, keys, database, register, policy and gate, wired once.

Every entrypoint — the API (`app.py`), the command line, the demo, the benchmarks and the tests —
gets its `Runtime` here, so there is one way to open an installation and one place that says what
a usable installation is. Nothing here creates a key or a database except `init`: opening an
installation whose keys or database are missing stops with a `ConfigurationError` naming what is
missing (the command line exits 2), instead of minting keys that would split pseudonyms and make
the ledger look tampered with.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from lawful.config import Settings, get_settings
from lawful.core.db import create_engine, session_scope, upgrade
from lawful.core.errors import ConfigurationError
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.register.load import load_register
from lawful.core.runtime import Runtime
from lawful.core.vault import keys as keyring
from lawful.rights.state import DbSubjectStates


def sqlite_path(url: str | sa.URL) -> Path | None:
    """The file of a SQLite URL; None for another database or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    name = parsed.database
    if name.startswith("file:"):
        name = name.removeprefix("file:").split("?", 1)[0]
    return Path(name)


def open_engine(settings: Settings, *, create: bool = False) -> Engine:
    """An engine on the configured database. A SQLite file must already exist unless `create`:
    a mistyped path must not silently start an empty installation."""
    path = sqlite_path(settings.database_url)
    if path is not None:
        if not path.exists():
            if not create:
                raise ConfigurationError(
                    f"no database at {path}: run `lawful init` (or set LAWFUL_DATABASE_URL)"
                )
            path.parent.mkdir(parents=True, exist_ok=True)
            # Created here, private: SQLite gives its -wal and -shm files the same mode.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        _private(path)
    return create_engine(settings.database_url)


def _private(path: Path) -> None:
    """Personal data lives in the file: only its owner may read it."""
    try:
        if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
    except OSError:
        pass  # not ours to change; the operator set it up


def open_runtime(
    settings: Settings | None = None,
    *,
    register_path: Path | None = None,
    migrate: bool = True,
) -> Runtime:
    """The installation as configured; ConfigurationError if its keys or database are missing."""
    settings = settings or get_settings()
    keys = keyring.open_keyring(settings.keys_dir)
    register = load_register(register_path or settings.register_path)
    engine = open_engine(settings)
    try:
        if migrate:
            upgrade(engine, keys=keys)
        else:
            with session_scope(engine, read_only=True) as session:
                session.execute(sa.text("SELECT 1"))
    except BaseException:
        engine.dispose()
        raise
    return Runtime(engine, register, Gate.build(register, DbSubjectStates(), keys), settings.home)


@dataclass(frozen=True)
class Initialised:
    keys_created: bool
    database_created: bool
    keys_dir: Path
    database: str


def init(settings: Settings | None = None) -> Initialised:
    """Create the installation's keys and database if they are not there yet; idempotent.

    Refuses to create keys for a database whose ledger already holds events: those were made
    with other keys, which must be restored from their backup instead."""
    settings = settings or get_settings()
    settings.home.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = sqlite_path(settings.database_url)
    database_created = path is not None and not path.exists()
    engine = open_engine(settings, create=True)
    try:
        existing = (
            keyring.open_keyring(settings.keys_dir)
            if keyring.keyring_exists(settings.keys_dir)
            else None
        )
        upgrade(engine, keys=existing)
        keys_created = existing is None
        if keys_created:
            with session_scope(engine, read_only=True) as session:
                events = ledger.counts(session).total
            if events:
                raise ConfigurationError(
                    f"the database already holds {events} ledger events made with other keys, "
                    f"and {settings.keys_dir} has none: restore the keys from their backup "
                    "(new keys would make the ledger unverifiable)"
                )
            keyring.init_keyring(settings.keys_dir)
        if engine.dialect.name == "postgresql":
            # The job queue's tables (procrastinate's own schema), beside lawful's.
            from lawful.entrypoints import jobqueue

            jobqueue.apply_schema(settings.database_url)
    finally:
        engine.dispose()
    url = make_url(settings.database_url).render_as_string(hide_password=True)
    return Initialised(keys_created, database_created, settings.keys_dir, url)

"""A throwaway PostgreSQL schema per benchmark, on the server named by LAWFUL_BENCH_PG_URL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from lawful.core.db import create_engine

PG_URL = os.environ.get("LAWFUL_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def reachable() -> bool:
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql("SELECT 1")
        return True
    except sa.exc.OperationalError as exc:
        print(f"postgresql: unreachable at {PG_URL} ({exc.orig}); skipped")
        return False
    finally:
        admin.dispose()


@contextmanager
def schemas(*names: str) -> Iterator[list[str]]:
    """Fresh, empty schemas; yields one URL each (search_path set), drops them afterwards."""
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as connection:
            for name in names:
                connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
                connection.exec_driver_sql(f"CREATE SCHEMA {name}")
        yield [
            admin.url.update_query_dict({"options": f"-csearch_path={name}"}).render_as_string(
                hide_password=False
            )
            for name in names
        ]
    finally:
        with admin.begin() as connection:
            for name in names:
                connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        admin.dispose()

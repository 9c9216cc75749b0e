"""The anchors of the HTTP benchmark: two bare FastAPI apps, served by uvicorn as `lawful serve`
serves lawful (one worker, same loop and protocol, warnings only, no proxy or server header).

  bare        answers `GET /api/v1/persons/{id}` (or any other page of the spec) with the very
              bytes and headers lawful answered for that path: what FastAPI and uvicorn cost alone
  audit-row   the same, after one audit row inserted and committed per request through the bare
              driver (sqlite3 in WAL with synchronous=FULL, or psycopg in autocommit), one
              connection per worker thread: the least any app recording each access durably pays

Both read what they serve from the file named by LAWFUL_BENCH_ANCHOR (JSON: path -> body and
headers; for audit-row, the database too). Run by `bench.http`, never on their own.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response

SPEC_VARIABLE = "LAWFUL_BENCH_ANCHOR"
_INSERT = "INSERT INTO audit (at, path, token) VALUES (CURRENT_TIMESTAMP, ?, ?)"


def _spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(Path(os.environ[SPEC_VARIABLE]).read_text())
    return loaded


def _answers(spec: dict[str, Any]) -> dict[str, Response]:
    return {
        path: Response(
            content=base64.b64decode(answer["body"]),
            status_code=answer["status"],
            headers=answer["headers"],
        )
        for path, answer in spec["answers"].items()
    }


def _key(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def bare() -> FastAPI:
    answers = _answers(_spec())
    app = FastAPI()

    @app.get("/api/v1/persons/{person_id}")
    async def read(person_id: str, request: Request) -> Response:
        return answers[_key(request)]

    # Any other page recorded in the spec (the privacy centre's timeline), after the API route.
    @app.get("/{page:path}")
    async def other(page: str, request: Request) -> Response:
        return answers[_key(request)]

    return app


class _Sqlite:
    def __init__(self, path: str) -> None:
        self.path = path
        self.local = threading.local()
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS audit "
                "(id INTEGER PRIMARY KEY, at TEXT NOT NULL, path TEXT NOT NULL, token TEXT)"
            )

    def record(self, path: str, token: str | None) -> None:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, isolation_level=None, timeout=15)
            connection.execute("PRAGMA synchronous=FULL")
            self.local.connection = connection
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(_INSERT, (path, token))
        connection.execute("COMMIT")


class _Postgres:
    def __init__(self, url: str) -> None:
        import psycopg

        self.connect = lambda: psycopg.connect(url, autocommit=True)
        self.local = threading.local()
        with self.connect() as connection:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS audit "
                "(id BIGSERIAL PRIMARY KEY, at TIMESTAMPTZ NOT NULL, path TEXT NOT NULL, "
                "token TEXT)"
            )

    def record(self, path: str, token: str | None) -> None:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.local.connection = self.connect()
        connection.execute(_INSERT.replace("?", "%s"), (path, token))


def audit_row() -> FastAPI:
    spec = _spec()
    answers = _answers(spec)
    database = spec["database"]
    store = _Postgres(database) if database.startswith("postgresql") else _Sqlite(database)
    app = FastAPI()

    # A plain def: FastAPI runs it in its worker threads, as lawful runs a request's unit of work.
    @app.get("/api/v1/persons/{person_id}")
    def read(person_id: str, request: Request) -> Response:
        store.record(_key(request), request.headers.get("authorization"))
        return answers[_key(request)]

    return app

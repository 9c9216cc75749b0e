"""Group commit: the ledger entries of many concurrent reads written in one transaction, one fsync.

A checked read writes nothing but its ledger entries. Holding SQLite's single write lock from its
first statement to its commit, as a writing unit of work must, serialised every read behind every
other read's fsync. Instead, such a read runs in a deferred transaction (no lock; readers never
wait for each other in WAL mode), holds its entries back (`hold`), and once its reads are done
hands them to the group commit, which answers only when they are on disk: the answer is never
sent before its record is durable, and nothing is traded away (synchronous=FULL stays).

One committer thread per process writes whatever has been queued since its last commit in one
transaction, then tells every waiter at once: a worker thread waiting in `submit`, or a request
on the event loop awaiting `submit_async` (one wake-up of the loop per batch, not per request).
So the lock is held for one INSERT and one fsync per batch, and the more requests wait, the more
each fsync carries. If the commit fails, every request of the batch fails with the same error,
and none is answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lawful.core.db import session_scope, writes
from lawful.core.ledger import repository

Rows = Sequence[Mapping[str, Any]]


class Commits(Protocol):
    """Where a unit of work that only read hands its held ledger entries (see `unit_of_work`)."""

    def submit(self, rows: Rows) -> None: ...


@dataclass(eq=False)
class _Waiter:
    """Rows queued by a worker thread (woken by `done`) or by the event loop (`future`)."""

    rows: Rows
    done: threading.Event | None = None
    future: asyncio.Future[None] | None = None
    loop: asyncio.AbstractEventLoop | None = None
    error: BaseException | None = None


@dataclass
class Collected:
    """Keeps the held entries instead of committing them: for a caller that will await
    `GroupCommit.submit_async` itself, on the event loop."""

    rows: list[Mapping[str, Any]] = field(default_factory=list)

    def submit(self, rows: Rows) -> None:
        self.rows.extend(rows)


class GroupCommit:
    """Commits held ledger entries for the threads and the event loop of one process, in batches."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._ready = threading.Condition(threading.Lock())
        self._queue: list[_Waiter] = []
        self._thread: threading.Thread | None = None
        self._closed = False
        self.batches = 0  # how many commits carried how many entries: for the benchmark's note
        self.entries = 0

    def submit(self, rows: Rows) -> None:
        """Return once `rows` are committed (raise the commit's error if it failed)."""
        me = _Waiter(rows, done=threading.Event())
        self._enqueue(me)
        me.done.wait()  # type: ignore[union-attr]
        if me.error is not None:
            raise me.error

    async def submit_async(self, rows: Rows) -> None:
        """The same, awaited on the event loop: the loop goes on serving while the batch is on
        its way to the disk."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._enqueue(_Waiter(rows, future=future, loop=loop))
        await future

    def close(self) -> None:
        """Commit what is queued, then stop the committer thread (it starts again if needed)."""
        with self._ready:
            self._closed = True
            self._ready.notify()
            thread = self._thread
        if thread is not None:
            thread.join()
        with self._ready:
            self._closed = False
            self._thread = None

    def _enqueue(self, waiter: _Waiter) -> None:
        with self._ready:
            self._queue.append(waiter)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="ledger-group-commit", daemon=True
                )
                self._thread.start()
            self._ready.notify()

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._queue and not self._closed:
                    self._ready.wait()
                batch, self._queue = self._queue, []
                if not batch and self._closed:
                    return
            _tell(batch, self._commit(batch))

    def _commit(self, batch: list[_Waiter]) -> BaseException | None:
        rows = [row for waiter in batch for row in waiter.rows]
        try:
            with session_scope(self.engine) as session:
                repository.insert_pending(session, rows)
        except Exception as exc:
            return exc
        self.batches += 1
        self.entries += len(rows)
        return None


def _tell(batch: list[_Waiter], error: BaseException | None) -> None:
    """Wake the whole batch: each thread, and each event loop once with all its futures."""
    by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
    for waiter in batch:
        if waiter.loop is not None and waiter.future is not None:
            by_loop.setdefault(waiter.loop, []).append(waiter.future)
        elif waiter.done is not None:
            waiter.error = error
            waiter.done.set()
    for loop, futures in by_loop.items():
        # A loop closed meanwhile has nobody waiting any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_settle, futures, error)


def _settle(futures: list[asyncio.Future[None]], error: BaseException | None) -> None:
    for future in futures:
        if future.done():  # the request was cancelled (the client went away)
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)


def hold(session: Session) -> None:
    """From now on, the ledger entries this session appends wait for `release`."""
    session.info[repository.HELD] = []


def release(session: Session) -> list[Mapping[str, Any]]:
    """Before the session commits: if it wrote anything besides its ledger entries, they join its
    own transaction (and nothing is returned); if it only read, they are returned, for the group
    commit to write once the session's read transaction has ended."""
    rows: list[Mapping[str, Any]] = session.info.pop(repository.HELD, None) or []
    if rows and writes(session):
        repository.insert_pending(session, rows)
        return []
    return rows

"""Group commit: the ledger entries of many concurrent reads written in one transaction, one fsync.

A checked read writes nothing but its ledger entries. Holding SQLite's single write lock from its
first statement to its commit, as a writing unit of work must, serialised every read behind every
other read's fsync. Instead, such a read runs in a deferred transaction (no lock; readers never
wait for each other in WAL mode), holds its entries back (`hold`), and once its reads are done
hands them to `GroupCommit.submit`, which returns only when they are on disk: the answer is never
sent before its record is durable, and nothing is traded away (synchronous=FULL stays).

Whoever submits while no commit is under way leads: it writes everything queued so far in one
transaction, then hands the lead to the first request that queued meanwhile. So the lock is held
for one INSERT and one fsync per batch, and the more requests wait, the more each fsync carries.
If the commit fails, every request of the batch fails with the same error, and none is answered.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lawful.core.db import session_scope, writes
from lawful.core.ledger import repository


@dataclass(eq=False)
class _Waiter:
    rows: Sequence[Mapping[str, Any]]
    event: threading.Event = field(default_factory=threading.Event)
    lead: bool = False
    error: BaseException | None = None


class GroupCommit:
    """Commits held ledger entries for many threads of one process, in batches."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._queue: list[_Waiter] = []
        self._busy = False
        self.batches = 0  # how many commits carried how many entries: for the benchmark's note
        self.entries = 0

    def submit(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Return once `rows` are committed (raise the commit's error if it failed)."""
        me = _Waiter(rows)
        with self._lock:
            self._queue.append(me)
            leading = not self._busy
            self._busy = True
        if not leading:
            me.event.wait()
            if not me.lead:
                if me.error is not None:
                    raise me.error
                return
        with self._lock:
            batch, self._queue = self._queue, []
        error = self._commit(batch)
        with self._lock:
            if self._queue:
                successor = self._queue[0]
                successor.lead = True
                successor.event.set()
            else:
                self._busy = False
        for waiter in batch:
            if waiter is not me:
                waiter.error = error
                waiter.event.set()
        if error is not None:
            raise error

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

"""Running the ledger's sequencer: each batch its own unit of work, in a loop.

Used by `lawful ledger sequence` (a worker of its own, on any host) and by the API server (a
background thread). Several may run against one database: one sequences, the others find the
lock taken and wait for the next round. Killing one at any moment loses nothing (see
`lawful.core.ledger.sequencer`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from lawful.core.db import session_scope
from lawful.core.errors import LedgerTampered
from lawful.core.ledger import copies as head_copies
from lawful.core.ledger import service as ledger
from lawful.core.vault.keys import Keyring

log = logging.getLogger("lawful.ledger")

INTERVAL = 0.5  # seconds between rounds when nothing is pending: an event waits about this long
COPY_EVERY = 60.0  # seconds between two copies of the signed head outside the database


@dataclass
class Sequencer:
    engine: Engine
    keys: Keyring
    batch: int = 5_000
    interval: float = INTERVAL
    copies: Path | None = None  # where signed heads are copied, at most every COPY_EVERY
    copy_every: float = COPY_EVERY
    _copied_at: float = field(default=float("-inf"), init=False)
    _latest: ledger.TreeHead | None = field(default=None, init=False)

    def drain(self) -> tuple[int, ledger.TreeHead | None]:
        """Sequence batches until nothing is pending (or another sequencer has the lock)."""
        total = 0
        while True:
            with session_scope(self.engine) as session:
                done = ledger.sequence(session, keys=self.keys, limit=self.batch)
            total += done.sequenced
            if done.head is not None:
                self._latest = done.head
                self._copy(done.head, force=False)
            if done.busy or done.sequenced < self.batch:
                return total, done.head

    def copy_latest(self) -> ledger.TreeHead | None:
        """Copy the newest signed head outside the database now (if there is one)."""
        with session_scope(self.engine, read_only=True) as session:
            head = ledger.latest_head(session)
        if head is not None:
            self._copy(head, force=True)
        return head

    def _copy(self, head: ledger.TreeHead, *, force: bool) -> None:
        now = time.monotonic()
        if self.copies is None or (not force and now - self._copied_at < self.copy_every):
            return
        head_copies.append(self.copies, head)
        self._copied_at = now

    def follow(self, stop: threading.Event, on_error: Callable[[Exception], None]) -> None:
        """Sequence until `stop` is set; errors are reported and the round retried later."""
        while not stop.is_set():
            try:
                self.drain()
            except (LedgerTampered, OperationalError, OSError) as exc:
                on_error(exc)
                stop.wait(max(self.interval, 5.0))
                continue
            stop.wait(self.interval)
        if self._latest is not None and self.copies is not None:
            self._copy(self._latest, force=True)


def in_background(sequencer: Sequencer) -> Callable[[], None]:
    """Start following in a daemon thread; returns the function that stops it."""
    stop = threading.Event()

    def report(exc: Exception) -> None:
        log.error("ledger sequencer: %s", exc)

    thread = threading.Thread(
        target=sequencer.follow, args=(stop, report), name="ledger-sequencer", daemon=True
    )
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(timeout=30)

    return halt

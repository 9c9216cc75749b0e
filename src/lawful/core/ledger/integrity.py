"""How the ledger proves itself: streaming the chain, checking checkpoints and signatures."""

from __future__ import annotations

import multiprocessing
import sys
import threading
from collections.abc import Sequence
from multiprocessing.connection import Connection

from cryptography.exceptions import InvalidSignature
from sqlalchemy.orm import Session

from lawful.core.db import utc_text
from lawful.core.ledger import chain, repository
from lawful.core.ledger.chain import ChainBreak, Cursor, Problem
from lawful.core.ledger.records import Checkpoint
from lawful.core.vault.keys import Keyring


def before_signing(session: Session, keys: Keyring, sequence: int) -> ChainBreak | None:
    """What would make signing the head at `sequence` bless a tampered ledger, if anything."""
    previous = repository.last_checkpoint(session)
    cursor = Cursor()
    if previous is not None:
        refused = bad_signatures(keys, [previous])
        if refused:
            return refused[0]
        if previous.sequence > sequence:
            return ChainBreak(
                sequence + 1,
                Problem.TRUNCATED,
                f"the ledger ends at event {sequence} but checkpoint #{previous.id} covers "
                f"events up to {previous.sequence}",
            )
        stored = repository.hashes_at(session, [previous.sequence]).get(previous.sequence)
        if stored != previous.hash:
            return ChainBreak(
                previous.sequence,
                Problem.CHECKPOINT_MISMATCH,
                f"event {previous.sequence} differs from checkpoint #{previous.id}",
            )
        cursor = Cursor(expected=previous.sequence + 1, last_hash=previous.hash)
    return stream(session, cursor, until=sequence)


def stream(
    session: Session, cursor: Cursor, *, until: int | None = None, chunk_size: int = 50_000
) -> ChainBreak | None:
    """Check the events after `cursor` (up to `until`), advancing it; the first break, if any.

    Two passes of different cost take turns: the screen proves long intact runs in bulk and
    stops before the first row it cannot prove; `chain.check_rows` then checks from there, row by
    row, and names the break. Rows the screen doubted wrongly are passed and the screen resumes.
    """
    _screen_in_parallel(session, cursor, until=until, chunk_size=chunk_size)
    while True:
        repository.screen(session, cursor, until=until, chunk_size=chunk_size)
        chunks = repository.chain_chunks(session, after=cursor.verified, chunk_size=chunk_size)
        rows = next(chunks, [])
        if until is not None:
            rows = [row for row in rows if row[0] <= until]
        if not rows:
            return None
        broken = chain.check_rows(rows, cursor)
        if broken is not None:
            return broken


# Below this many events, starting a second process costs about what it saves.
PARALLEL_MIN_EVENTS = 100_000


def _screen_in_parallel(
    session: Session, cursor: Cursor, *, until: int | None, chunk_size: int
) -> None:
    """SQLite: a forked process screens the upper half of the range while this one does the lower.

    PostgreSQL needs none of this: its screen runs in the server's parallel workers. The worker
    opens a read-only connection of its own (SQLite supports connections opened after a fork, not
    inherited ones), which sees the committed ledger: the session's view only if the session has
    written nothing, hence the write-lock probe. No fork beside other threads: a lock one of them
    held would be copied held. The worker can only prove: whatever it cannot, the session screens
    and checks itself, so the worst a worker can do is cost time.
    """
    path = repository.sqlite_file(session)
    if (
        path is None
        or threading.active_count() > 1
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return
    end = repository.head(session)[0]
    end = end if until is None else min(end, until)
    if end - cursor.verified < PARALLEL_MIN_EVENTS or repository.sqlite_writer_active(path):
        return
    middle = (cursor.verified + end) // 2
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    sys.stdout.flush()  # else the child would write out the parent's pending output once more
    sys.stderr.flush()
    worker = context.Process(
        target=_screen_worker, args=(sender, path, middle, end, chunk_size), daemon=True
    )
    worker.start()
    sender.close()
    try:
        repository.screen(session, cursor, until=middle, chunk_size=chunk_size)
        if cursor.verified != middle:
            return
        try:
            result = receiver.recv()
        except EOFError:
            return
    finally:
        receiver.close()
        if worker.is_alive():
            worker.terminate()
        worker.join()
    # The runs join only where the worker's starting hash is the one proven here.
    if result is not None and result[0] == cursor.last_hash:
        cursor.expected, cursor.last_hash = result[1] + 1, result[2]


def _screen_worker(sender: Connection, path: str, after: int, end: int, chunk_size: int) -> None:
    try:
        result = repository.screen_sqlite_file(path, after=after, end=end, chunk_size=chunk_size)
    except Exception:  # whatever went wrong, the parent screens the range itself
        result = None
    sender.send(result)
    sender.close()


def bad_signatures(keys: Keyring, checkpoints: Sequence[Checkpoint]) -> list[ChainBreak]:
    known = keys.verify_keys()
    breaks = []
    for cp in checkpoints:
        public = known.get(cp.key_id)
        if public is None:
            breaks.append(
                ChainBreak(
                    cp.sequence,
                    Problem.CHECKPOINT_SIGNATURE,
                    f"checkpoint #{cp.id} (seq {cp.sequence}) was signed with key {cp.key_id}, "
                    "which is neither this installation's signing key nor one it retired",
                )
            )
            continue
        message = chain.checkpoint_message(cp.sequence, cp.hash, utc_text(cp.signed_at))
        try:
            public.verify(cp.signature, message)
        except InvalidSignature:
            breaks.append(
                ChainBreak(
                    cp.sequence,
                    Problem.CHECKPOINT_SIGNATURE,
                    f"checkpoint #{cp.id} (seq {cp.sequence}) has an invalid signature: "
                    "the checkpoint was forged or altered",
                )
            )
    return breaks


def checkpoint_mismatches(
    session: Session,
    checkpoints: Sequence[Checkpoint],
    cursor: Cursor,
    broken: ChainBreak | None,
) -> list[ChainBreak]:
    # Rows below the break were recomputed and found consistent, so their stored hash is the
    # chain's hash; a checkpoint beyond an intact end means the tail was cut off.
    comparable = [cp for cp in checkpoints if cp.sequence <= cursor.verified]
    stored = repository.hashes_at(session, [cp.sequence for cp in comparable])
    breaks = []
    for cp in comparable:
        if stored.get(cp.sequence) != cp.hash:
            breaks.append(
                ChainBreak(
                    cp.sequence,
                    Problem.CHECKPOINT_MISMATCH,
                    f"event {cp.sequence} differs from checkpoint #{cp.id} signed "
                    f"{cp.signed_at:%Y-%m-%d %H:%M} UTC: the ledger was rewritten at or before "
                    f"event {cp.sequence}",
                )
            )
    if broken is None:
        beyond = [cp for cp in checkpoints if cp.sequence > cursor.verified]
        if beyond:
            cp = max(beyond, key=lambda c: c.sequence)
            end = cursor.verified
            breaks.append(
                ChainBreak(
                    end + 1,
                    Problem.TRUNCATED,
                    f"the ledger ends at event {end} but checkpoint #{cp.id} signed "
                    f"{cp.signed_at:%Y-%m-%d %H:%M} UTC covers events up to {cp.sequence}: "
                    f"events {end + 1} to {cp.sequence} were removed",
                )
            )
    return breaks


def missing_checkpoints(
    copies: Sequence[Checkpoint], stored: Sequence[Checkpoint]
) -> list[ChainBreak]:
    """Copies kept outside the database that match no checkpoint in it: an edited copy (its
    signed part matches a checkpoint, something else does not), or a deleted checkpoint."""
    signed = {(cp.sequence, cp.hash, cp.signature): cp for cp in stored}
    breaks = []
    for cp in copies:
        twin = signed.get((cp.sequence, cp.hash, cp.signature))
        if twin is not None:
            differs = [
                name
                for name in ("id", "signed_at", "key_id")
                if getattr(cp, name) != getattr(twin, name)
            ]
            breaks.append(
                ChainBreak(
                    cp.sequence,
                    Problem.CHECKPOINT_MISMATCH,
                    f"the copy of checkpoint #{twin.id} (seq {cp.sequence}) differs from it in "
                    f"{', '.join(differs)}: the copy was edited",
                )
            )
            continue
        breaks.append(
            ChainBreak(
                cp.sequence,
                Problem.CHECKPOINT_MISSING,
                f"checkpoint #{cp.id} (seq {cp.sequence}, signed "
                f"{cp.signed_at:%Y-%m-%d %H:%M} UTC) is kept outside the database but is missing "
                "from it: checkpoints were deleted",
            )
        )
    return breaks

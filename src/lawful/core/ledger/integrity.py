"""How the ledger proves itself: streaming the chain, checking checkpoints and signatures."""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.exceptions import InvalidSignature
from sqlalchemy.orm import Session

from lawful.core.db import utc_text
from lawful.core.ledger import chain, repository
from lawful.core.ledger.chain import ChainBreak, Cursor, Problem
from lawful.core.ledger.records import Checkpoint
from lawful.core.vault import keys


def before_signing(session: Session, sequence: int) -> ChainBreak | None:
    """What would make signing the head at `sequence` bless a tampered ledger, if anything."""
    previous = repository.last_checkpoint(session)
    cursor = Cursor()
    if previous is not None:
        refused = bad_signatures([previous])
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
    for rows in repository.chain_chunks(session, after=cursor.verified, chunk_size=chunk_size):
        if until is not None and rows[-1][0] > until:
            rows = [row for row in rows if row[0] <= until]
        broken = chain.check_rows(rows, cursor)
        if broken is not None:
            return broken
        if until is not None and cursor.verified >= until:
            return None
    return None


def bad_signatures(checkpoints: Sequence[Checkpoint]) -> list[ChainBreak]:
    public = keys.verify_key()
    own_id = keys.key_id(public)
    breaks = []
    for cp in checkpoints:
        if cp.key_id != own_id:
            breaks.append(
                ChainBreak(
                    cp.sequence,
                    Problem.CHECKPOINT_SIGNATURE,
                    f"checkpoint #{cp.id} (seq {cp.sequence}) was signed with key {cp.key_id}, "
                    f"not this installation's key {own_id}",
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

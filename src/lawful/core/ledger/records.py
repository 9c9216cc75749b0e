"""What the ledger hands out: frozen values, never live ORM rows of an append-only table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lawful.core.ledger.chain import Decision, Problem


@dataclass(frozen=True, slots=True)
class LedgerRecord:
    sequence: int
    occurred_at: dt.datetime
    event: str
    actor: str
    actor_kind: str
    entity: str
    purpose: str
    legal_basis: str
    subject_pseudonym: str | None
    data_categories: tuple[str, ...]
    recipient: str | None
    decision: Decision
    reasons: tuple[str, ...]
    obligations: tuple[str, ...]
    details: bytes | None  # encrypted with the subject's vault key
    prev_hash: bytes
    hash: bytes


@dataclass(frozen=True, slots=True)
class Checkpoint:
    id: int
    sequence: int
    hash: bytes
    signed_at: dt.datetime
    key_id: str
    signature: bytes


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    events: int  # events checked and found intact
    last_sequence: int  # the highest sequence stored
    checkpoints: int
    last_checkpoint: int | None  # sequence named by the newest checkpoint
    first_bad_sequence: int | None = None
    problem: Problem | None = None
    message: str = ""
    copies: int = 0  # checkpoint copies kept outside the database, checked too

    def summary(self) -> str:
        if self.ok:
            where = (
                f"last checkpoint at seq {self.last_checkpoint}"
                if self.last_checkpoint is not None
                else "no checkpoint yet"
            )
            held = (
                ""
                if not self.copies
                else ", its checkpoint copy agrees"
                if self.copies == 1
                else f", its {self.copies} checkpoint copies agree"
            )
            return f"ledger intact: {self.events} events, {where}{held}"
        return f"ledger NOT intact at seq {self.first_bad_sequence}: {self.message}"

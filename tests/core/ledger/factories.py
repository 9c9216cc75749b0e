"""Events to append, and appending then sequencing them, for the ledger's tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.core.ledger import service as ledger
from lawful.core.ledger.service import LedgerRecord, NewEvent
from lawful.core.vault.keys import Keyring, open_keyring


def event(i: int = 0, *, subject: str | None = "customer-1", **changes: Any) -> NewEvent:
    fields: dict[str, Any] = {
        "event": "customers.person.read",
        "actor": "branch-advisor",
        "actor_kind": "staff",
        "entity": "kbc-bank",
        "purpose": "customer-file",
        "legal_basis": "legitimate_interests",
        "decision": "allow",
        "subject_id": subject,
        "data_categories": ["identity", "contact"],
        "reasons": ["purpose_declared"],
        "details": {"screen": "overview", "i": i} if subject else None,
    }
    return NewEvent(**(fields | changes))


def run_keys() -> Keyring:
    """The run's keyring (see the `lawful_home` fixture), for helpers called without fixtures."""
    return open_keyring(Path(os.environ["LAWFUL_HOME"]) / "keys")


def append(session: Session, n: int, **changes: Any) -> list[LedgerRecord]:
    return ledger.append(session, keys=run_keys(), events=[event(i, **changes) for i in range(n)])


def sequence_all(session: Session, *, batch: int = 5_000) -> list[ledger.TreeHead]:
    """Sequence everything pending, `batch` entries (one signed head) at a time."""
    heads = []
    while True:
        done = ledger.sequence(session, keys=run_keys(), limit=batch)
        if done.head is not None:
            heads.append(done.head)
        if done.sequenced < batch:
            return heads


def sequenced(
    session: Session, n: int, *, batch: int = 5_000, **changes: Any
) -> list[LedgerRecord]:
    """`n` events appended and sequenced: the records as the log now holds them."""
    append(session, n, **changes)
    sequence_all(session, batch=batch)
    return ledger.recent(session, limit=n)


def run(session: Session, sql: str, **params: Any) -> None:
    session.execute(sa.text(sql), params)

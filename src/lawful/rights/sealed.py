"""What people write about a person, sealed with that person's vault key.

An objection's grounds (often health, family or money trouble), the DPO's answer, the reason a
request takes longer and why a restriction ends are the person's data, yet the request and
objection rows outlive an erasure: they prove the controller answered (Art. 5(2)). So the texts are
stored encrypted with the person's key, and erasure, which destroys the key, leaves them
unreadable in the database, its pages, its write-ahead log and every backup — while the rows
themselves (who asked what, when, and when it was answered) stay.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from lawful.core.vault import service as vault
from lawful.core.vault.keys import Keyring


def seal_text(session: Session, keys: Keyring, person_id: str, text: str | None) -> bytes | None:
    if text is None:
        return None
    return vault.encrypt(session, keys=keys, subject_id=person_id, plaintext=text.encode())


def open_sealed(
    session: Session, keys: Keyring, items: Sequence[tuple[str, bytes | None]]
) -> list[str | dict[str, Any] | None]:
    """The texts of `(person_id, sealed)` pairs, in order: None where nothing was written or the
    person was erased since."""
    present = [(i, pid, blob) for i, (pid, blob) in enumerate(items) if blob is not None]
    opened = vault.decrypt_items(session, keys=keys, items=[(pid, b) for _, pid, b in present])
    out: list[str | dict[str, Any] | None] = [None] * len(items)
    for (i, _, _), value in zip(present, opened, strict=True):
        out[i] = value.decode() if isinstance(value, bytes) else value
    return out


def as_text(value: str | dict[str, Any] | None) -> str | None:
    return value if isinstance(value, str) else None

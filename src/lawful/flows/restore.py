"""After a backup is restored: erase again whoever had been erased since it was taken (a use
case across the vault, the customer file and erasure).

Every erasure lists the person, by pseudonym, outside the database (`core.vault.tombstones`).
A restored database that knows a listed person's key as alive (or not at all) predates their
erasure: the person is erased again here, with today's holds, exactly as the first time, and the
keys of listed subjects are destroyed again. Nothing to do costs one query over the list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.core.vault import service as vault
from lawful.customers import service as customers
from lawful.flows.erasure import erase
from lawful.flows.retention import RETENTION_JOB

PAGE = 10_000
RESTORE = "restore"  # who registers the erasure requests replayed


@dataclass(frozen=True)
class Replayed:
    persons: list[str]  # erased again
    keys: int  # subject keys destroyed again (persons' and other subjects')


def replay_erasures(session: Session, *, gate: Gate, today: dt.date) -> Replayed:
    """Erase again every listed person the database does not know as erased; idempotent."""
    again = vault.forgotten_again(session, keys=gate.keys)
    if not again:
        return Replayed([], 0)
    pseudonymise = gate.keys.pseudonymiser()
    found: list[str] = []
    after = ""
    while page := customers.persons_not_erased(session, after=after, limit=PAGE):
        found.extend(p for p in page if pseudonymise(p) in again)
        after = page[-1]
    # The retention job's standing: it acts for the group under data-subject-rights.
    actor = Actor(RETENTION_JOB, gate.register.entities[0].id, ref=RESTORE)
    for person in found:
        erase(
            session,
            gate=gate,
            actor=actor,
            person_id=person,
            today=today,
            registered_by=RESTORE,
        )
    # What the persons' erasures did not cover: subjects with no file, keys alive again.
    left = vault.forgotten_again(session, keys=gate.keys)
    destroyed = vault.shred_pseudonyms(session, pseudonyms=sorted(left))
    return Replayed(found, destroyed + len(found))

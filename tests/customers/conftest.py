"""A gate whose subject states come from the customer file itself, via `policy_facts`.

Relationships, switched-off notifications, consents and erasure are read from the database the
tests write, so the real data drives each decision. Objections belong to the rights domain: the
tests state them through `FileStates.object`, on top of the file's facts.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Collection, Mapping
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.ledger.records import LedgerRecord
from lawful.core.policy.types import Actor, Objection, ObjectionStatus, SubjectState
from lawful.core.register.load import load_register
from lawful.core.register.models import Register
from lawful.core.vault.keys import Keyring, open_keyring
from lawful.customers import service
from lawful.customers.schemas import ApplicationCreate, ApplicationRead, PersonRead

from .factories import People

# Services that take no date are decided by the gate as of the real today.
TODAY = dt.date.today()
ADVISOR = Actor("advisor", "kbc-bank")
INSURER = Actor("onboarding-service", "kbc-insurance")
DPO = Actor("dpo", "kbc-bank")
SELF = Actor("self-service", "kbc-bank")
# Staff say why they open a file; the tests' staff all give this one.
READING = "appointment at the branch"


class FileStates:
    def __init__(self) -> None:
        self.objections: dict[str, set[Objection]] = {}

    def object(
        self, person_id: str, purpose: str, status: ObjectionStatus = ObjectionStatus.PENDING
    ) -> None:
        self.objections.setdefault(person_id, set()).add(Objection(purpose, status))

    def load(
        self, session: Session, subject_ids: Collection[str], *, as_of: dt.date
    ) -> Mapping[str, SubjectState]:
        facts = service.policy_facts(session, person_ids=subject_ids, as_of=as_of)
        return {
            pid: SubjectState(
                as_of=as_of,
                relationships=f.relationships,
                objections=frozenset(self.objections.get(pid, ())),
                preferences_off=f.preferences_off,
                consents=f.consents,
                erased=f.erased,
            )
            for pid, f in facts.items()
        }


@pytest.fixture(scope="session")
def register() -> Register:
    return load_register()


@pytest.fixture
def states() -> FileStates:
    return FileStates()


@pytest.fixture
def gate(register: Register, states: FileStates, keyring: Keyring) -> Gate:
    return Gate.build(register, states, keyring)


@pytest.fixture
def people() -> People:
    return People()


@pytest.fixture
def client(session: Session, gate: Gate, people: People) -> PersonRead:
    """A client of the bank since today, living in Ghent."""
    return service.create_person(
        session,
        gate=gate,
        actor=ADVISOR,
        data=people.person(),
        entity_state="client",
        today=TODAY,
    )


def run_keys() -> Keyring:
    """The run's keyring (see the `lawful_home` fixture), for helpers called without fixtures."""
    return open_keyring(Path(os.environ["LAWFUL_HOME"]) / "keys")


def applied(
    session: Session, gate: Gate, person_id: str, entity: str = "kbc-insurance"
) -> ApplicationRead:
    """The person (a client of the bank) applies in the app to become a client of `entity`."""
    return service.file_application(
        session, gate=gate, actor=SELF, person_id=person_id, data=ApplicationCreate(entity=entity)
    )


def last_event(session: Session, person_id: str) -> LedgerRecord:
    return ledger.for_subject(session, keys=run_keys(), subject_id=person_id)[-1]

"""Asking the gate before the file is touched, and the names under which the ledger records it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from lawful.core.errors import NotFound
from lawful.core.gate import Details, Gate
from lawful.core.policy.types import Actor
from lawful.customers import categories, repository
from lawful.customers.categories import Candidates
from lawful.customers.models import Person
from lawful.customers.schemas import PersonRead

CUSTOMER_FILE = "customer-file"
IDENTITY_REUSE = "intra-group-identity-reuse"
DATA_SUBJECT_RIGHTS = "data-subject-rights"


class Event(StrEnum):
    PERSON_CREATE = "customers.person.create"
    PERSON_READ = "customers.person.read"
    PERSON_RECTIFY = "customers.person.rectify"
    PERSON_EXPORT = "customers.person.export"
    PERSON_ERASE = "customers.person.erase"
    PORTABLE_DATA_EXPORT = "customers.portable_data.export"
    RECTIFICATION_LIST = "customers.rectification.list"
    RELATIONSHIP_OPEN = "customers.relationship.open"
    RELATIONSHIP_END = "customers.relationship.end"
    ACCOUNT_CREATE = "customers.account.create"
    CARD_CREATE = "customers.card.create"
    CARD_STATEMENT_CREATE = "customers.card_statement.create"
    LOAN_CREATE = "customers.loan.create"
    HOME_POLICY_CREATE = "customers.home_policy.create"
    KYC_RECORD_CREATE = "customers.kyc_record.create"
    KYC_RECORD_LIST = "customers.kyc_record.list"
    PRODUCT_LIST = "customers.product.list"
    IDENTITY_REUSE = "customers.identity.reuse"
    PREFERENCE_SET = "customers.preference.set"
    CONSENT_GIVE = "customers.consent.give"
    CONSENT_WITHDRAW = "customers.consent.withdraw"


def present(session: Session, person_id: str, *, erased_too: bool = False) -> None:
    """Refuse a person who is not on file, or erased (unless the gate is to judge that itself).

    Only the id and the erasure mark are read here: that is not the person's data, and the gate's
    own subject state reads the same.
    """
    found = repository.presence(session, person_id)
    if found is None:
        raise NotFound(f"no person {person_id}")
    if found.erased_at is not None and not erased_too:
        raise NotFound("erased")


def ask(
    session: Session,
    gate: Gate,
    actor: Actor,
    purpose: str,
    person_id: str,
    data: Iterable[Candidates],
    *,
    event: Event,
    details: Details | None = None,
    recipient: str | None = None,
    as_of: dt.date | None = None,
    on_file: bool = False,
) -> list[str]:
    """Ask the gate for these data of the person; a refusal is recorded and raised.

    `on_file`: refuse (NotFound, nothing recorded) a person not on file or erased, as `present`
    does, without a round trip of its own."""
    asked = categories.ask(categories.declared(gate.register, purpose), data)
    ctx = gate.open(session, actor=actor, purpose=purpose)
    ctx.access(
        person_id,
        categories=asked,
        event=event.value,
        details=details,
        recipient=recipient,
        as_of=as_of,
        on_file=on_file,
    )
    return asked


def person_read(person: Person | Row[Any], *, withheld: Iterable[str] = ()) -> PersonRead:
    hidden = tuple(withheld)
    read = PersonRead.model_validate(person)
    if not hidden:
        return read
    return read.model_copy(update={**dict.fromkeys(hidden), "withheld": hidden})


def ask_file(
    session: Session,
    gate: Gate,
    actor: Actor,
    person_id: str,
    data: Sequence[Candidates],
    event: Event,
    *,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Ask the gate under customer-file for a person on file and not erased."""
    ask(
        session,
        gate,
        actor,
        CUSTOMER_FILE,
        person_id,
        data,
        event=event,
        details=details,
        on_file=True,
    )

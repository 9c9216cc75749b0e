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
from lawful.core.register.models import RelationshipState
from lawful.customers import categories, repository
from lawful.customers.categories import Candidates
from lawful.customers.models import Person
from lawful.customers.schemas import PersonRead

# The file serves several purposes on different bases; each access is asked under the one that
# truly applies, so that an objection to the legitimate-interest one (customer-file) stops that
# purpose and nothing else (Art. 21(1)).
CUSTOMER_CONTRACT = "customer-contract"  # Art. 6(1)(b): a running contract, or the steps before
CUSTOMER_IDENTIFICATION = "customer-identification"  # Art. 6(1)(c): AML identification
CUSTOMER_FILE = "customer-file"  # Art. 6(1)(f): the file kept up to date for better service
IDENTITY_REUSE = "intra-group-identity-reuse"
DATA_SUBJECT_RIGHTS = "data-subject-rights"
# The relationships for which the contract purpose applies: the contract, or the steps the person
# asked for before entering it.
# The purposes a read of the file may fall under (see `file_purpose`), and of the identification
# records (see `identification_purpose`): an actor who may pursue none of them is refused before
# the person is looked up.
FILE_READ_PURPOSES = (CUSTOMER_CONTRACT, DATA_SUBJECT_RIGHTS, CUSTOMER_FILE)
IDENTIFICATION_READ_PURPOSES = (CUSTOMER_IDENTIFICATION, DATA_SUBJECT_RIGHTS)
CONTRACT_STATES = frozenset({RelationshipState.PROSPECT, RelationshipState.CLIENT})


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


def file_purpose(
    session: Session,
    gate: Gate,
    actor: Actor,
    person_id: str,
    *,
    today: dt.date | None = None,
    rights: bool = True,
) -> str:
    """The purpose an access to the person's file by this actor falls under.

    The contract purpose while the person is a prospect or client of the actor's entity; else data
    subject rights for an actor who answers them (the person themselves, the DPO); else the
    legitimate-interest customer file. `rights=False` for what never answers the person's rights
    (opening a file, a relationship). Relationships are the frame the gate itself decides on, so
    reading them first is no access to the file.
    """
    day = today or dt.date.today()
    policy = gate.policy
    if policy.may_pursue(actor, CUSTOMER_CONTRACT):
        # The state the gate decides on (read once per transaction): relationships begun by `day`.
        state = gate.states.load(session, [person_id], as_of=day).get(person_id)
        if state is not None and any(
            r.entity == actor.entity and r.state in CONTRACT_STATES and r.active_on(day)
            for r in state.relationships
        ):
            return CUSTOMER_CONTRACT
    for purpose in (DATA_SUBJECT_RIGHTS, CUSTOMER_FILE) if rights else (CUSTOMER_FILE,):
        if policy.may_pursue(actor, purpose):
            return purpose
    return CUSTOMER_CONTRACT  # the gate refuses it, and the refusal is recorded


def identification_purpose(gate: Gate, actor: Actor) -> str:
    """AML identification records: kept and used under the AML law; the person and the DPO see
    them as part of the person's rights."""
    if gate.policy.may_pursue(actor, CUSTOMER_IDENTIFICATION):
        return CUSTOMER_IDENTIFICATION
    if gate.policy.may_pursue(actor, DATA_SUBJECT_RIGHTS):
        return DATA_SUBJECT_RIGHTS
    return CUSTOMER_IDENTIFICATION


def ask_file(
    session: Session,
    gate: Gate,
    actor: Actor,
    person_id: str,
    data: Sequence[Candidates],
    event: Event,
    *,
    details: Mapping[str, Any] | None = None,
    purpose: str | None = None,
) -> str:
    """Ask the gate, under the purpose that applies (`file_purpose` unless named), for a person on
    file; return the purpose asked.

    An erased person is refused (NotFound) unless the purpose declares legal holds: what a hold
    keeps (a running contract's file, the AML identification) stays readable for the purposes
    that declare it, and the gate judges that. The person's rights are answered by the access
    report, not by the ordinary views.
    """
    purpose = purpose or file_purpose(session, gate, actor, person_id)
    # The gate's own subject state says whether the person is on file, and erased.
    state = gate.states.load(session, [person_id], as_of=dt.date.today()).get(person_id)
    if state is None:
        raise NotFound(f"no person {person_id}")
    if state.erased and not _holds_for(gate, purpose):
        raise NotFound("erased")
    ask(
        session,
        gate,
        actor,
        purpose,
        person_id,
        data,
        event=event,
        details=details,
    )
    return purpose


def _holds_for(gate: Gate, purpose: str) -> bool:
    """Whether an erased person's held data may be processed for this purpose at all."""
    if purpose == DATA_SUBJECT_RIGHTS:
        return False
    try:
        return bool(gate.register.purpose(purpose).legal_holds)
    except KeyError:
        return False

"""The customer file (activity 2): persons, relationships, products, identifications, choices.

This module is the domain's public face: other domains and the adapters call only what it holds
or re-exports (products in `products`, applications and identity reuse in `applications` and
`reuse`, rectification in `rectify`, the whole file in `dossier`).
Every function that reads or changes a person's data asks the gate first, for one purpose and the
categories it touches, so that a refusal means nothing was read or written; the only exceptions
are `relationships`, `policy_facts` and `bulk_insert`, each saying why.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from lawful.core.db import utcnow
from lawful.core.errors import InvalidInput, NotFound
from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.core.policy.types import Relationship as Period
from lawful.core.register.models import LegalBasis, RelationshipState
from lawful.customers import bulk, identity, portfolio, repository, scope
from lawful.customers import categories as c
from lawful.customers.access import (
    CUSTOMER_CONTRACT,
    CUSTOMER_FILE,
    Event,
    ask,
    ask_file,
    person_read,
)
from lawful.customers.access import FILE_READ_PURPOSES as FILE_READ_PURPOSES
from lawful.customers.access import file_purpose as file_purpose
from lawful.customers.access import present as present
from lawful.customers.applications import file_application as file_application
from lawful.customers.applications import list_applications as list_applications
from lawful.customers.applications import withdraw_application as withdraw_application
from lawful.customers.bulk import FACT_KINDS as FACT_KINDS
from lawful.customers.bulk import FACTS_CHUNK as FACTS_CHUNK
from lawful.customers.bulk import FactRow as FactRow
from lawful.customers.bulk import fact_select as fact_select
from lawful.customers.bulk import locales_many as locales_many
from lawful.customers.bulk import policy_fact_selects as policy_fact_selects
from lawful.customers.bulk import related_select as related_select
from lawful.customers.bulk import statements_due_select as statements_due_select
from lawful.customers.dossier import BulkErasure as BulkErasure
from lawful.customers.dossier import erase_person as erase_person
from lawful.customers.dossier import erase_persons as erase_persons
from lawful.customers.dossier import export_person as export_person
from lawful.customers.dossier import portable_data as portable_data
from lawful.customers.facts import FileFacts as FileFacts
from lawful.customers.facts import Product as Product
from lawful.customers.facts import file_facts as file_facts
from lawful.customers.holdings import CARD_MONTHS as CARD_MONTHS
from lawful.customers.holdings import holding_selects as holding_selects
from lawful.customers.models import (
    Account,
    Card,
    CardStatement,
    Consent,
    HomePolicy,
    KycRecord,
    Loan,
    Person,
    Preference,
    Relationship,
)
from lawful.customers.periods import end_periods, open_period, state_of
from lawful.customers.periods import prospect_while as prospect_while
from lawful.customers.portfolio import HomeRisk as HomeRisk
from lawful.customers.portfolio import InsuredProperty as InsuredProperty
from lawful.customers.products import add_account as add_account
from lawful.customers.products import add_card as add_card
from lawful.customers.products import add_card_statement as add_card_statement
from lawful.customers.products import add_home_policy as add_home_policy
from lawful.customers.products import add_kyc_record as add_kyc_record
from lawful.customers.products import add_loan as add_loan
from lawful.customers.products import kyc_records as kyc_records
from lawful.customers.products import products as products
from lawful.customers.rectify import approve_changes as approve_changes
from lawful.customers.rectify import discard_changes as discard_changes
from lawful.customers.rectify import pending_changes as pending_changes
from lawful.customers.rectify import propose_changes as propose_changes
from lawful.customers.rectify import rectify as rectify
from lawful.customers.reuse import reuse_identity as reuse_identity
from lawful.customers.schemas import (
    ConsentRead,
    PersonCreate,
    PersonRead,
    PolicyFacts,
    PreferenceRead,
    RectificationRead,
    RelationshipRead,
)
from lawful.customers.schemas import Section as Section
from lawful.customers.scope import is_staff as is_staff
from lawful.customers.scope import unseen_unless_related as unseen_unless_related

ALL_PERSON_DATA = tuple(c.PERSON_FIELDS.values())
# The purposes the file as a whole is kept for: its retention is the longest of theirs.
FILE_PURPOSES = (CUSTOMER_CONTRACT, CUSTOMER_FILE)
Rows = Sequence[Mapping[str, Any]]


# --- persons ----------------------------------------------------------------------------------


def create_person(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    data: PersonCreate,
    entity_state: str = "prospect",
    today: dt.date,
) -> PersonRead:
    """A new person, with a relationship with the actor's entity from `today`."""
    state = state_of(entity_state, field="entity_state")
    region, brand = identity.locate(data.postcode, gate.register.brands)
    person = Person(
        id=uuid.uuid4().hex,
        **data.model_dump(),
        region=region.value,
        brand=brand,
        created_at=utcnow(),
    )
    repository.add(session, person, conflict="a person with this national number is on file")
    # customer-file needs a relationship with the actor's entity: it must exist before the gate
    # is asked. A refusal raises, and the caller's transaction takes both rows back.
    open_period(session, person.id, actor.entity, state, today)
    ask(
        session,
        gate,
        actor,
        file_purpose(session, gate, actor, person.id, today=today, rights=False),
        person.id,
        ALL_PERSON_DATA,
        event=Event.PERSON_CREATE,
        details={"relationship": state.value},
        as_of=today,
    )
    return person_read(person)


@unseen_unless_related
def get_person(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    purpose: str | None = None,
    reason: str | None = None,
) -> PersonRead:
    """The person's identity and contact data, minus the fields the purpose does not declare.

    By default, under the purpose that applies (`access.file_purpose`); opening the file so
    takes a staff member's `reason` (see `scope.reason`). Under a purpose named by the caller,
    the request or case being answered is the reason.
    """
    why = scope.reason(gate, actor, reason) if purpose is None else {}
    purpose = purpose or file_purpose(session, gate, actor, person_id)
    declared = c.declared(gate.register, purpose)
    shown = [f for f, data in c.PERSON_FIELDS.items() if c.pick(declared, data)]
    withheld = [f for f in c.PERSON_FIELDS if f not in shown]
    # A purpose declaring none of them is asked for all, so that the gate refuses and records it.
    data = [c.PERSON_FIELDS[f] for f in shown] or ALL_PERSON_DATA
    ask_file(
        session,
        gate,
        actor,
        person_id,
        data,
        Event.PERSON_READ,
        details={"fields": shown, **why},
        purpose=purpose,
    )
    row = repository.person_row(session, person_id)
    if row is None:  # the gate found it on file in this very transaction
        raise NotFound(f"no person {person_id}")
    return person_read(row, withheld=withheld)


@unseen_unless_related
def history(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, reason: str | None = None
) -> list[RectificationRead]:
    """The file's rectifications. Staff see those their own entity made: what another entity
    of the group corrected, and the former values, are that entity's record."""
    why = scope.reason(gate, actor, reason)
    data = (*ALL_PERSON_DATA, *c.DERIVED_FIELDS.values())
    ask_file(session, gate, actor, person_id, data, Event.RECTIFICATION_LIST, details=why or None)
    entity = actor.entity if scope.is_staff(gate, actor) else None
    rows = repository.rectifications(session, person_id, entity=entity)
    return [RectificationRead.model_validate(r) for r in rows]


# --- relationships ----------------------------------------------------------------------------


def add_relationship(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    entity: str,
    state: str,
    since: dt.date,
) -> RelationshipRead:
    """Open a period with `entity`; the open one (if any) ends the day before."""
    new_state = state_of(state, field="state")
    if entity not in {e.id for e in gate.register.entities}:
        raise InvalidInput(f"{entity!r} is not an entity of the group", field="entity")
    present(session, person_id)
    # Written before the gate is asked, as at creation: it may be what gives the actor's entity
    # its relationship. A refusal raises and the caller's transaction takes it back.
    period = open_period(session, person_id, entity, new_state, since)
    details = {"entity": entity, "state": new_state.value}
    ask(
        session,
        gate,
        actor,
        file_purpose(session, gate, actor, person_id, today=since, rights=False),
        person_id,
        (),
        event=Event.RELATIONSHIP_OPEN,
        details=details,
    )
    return RelationshipRead.model_validate(period)


@unseen_unless_related
def end_relationship(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, entity: str, until: dt.date
) -> RelationshipRead:
    """End the prospect or client period with `entity` on `until` (see `periods.end_periods`)."""
    details = {"entity": entity, "until": until.isoformat()}
    ask_file(session, gate, actor, person_id, (), Event.RELATIONSHIP_END, details=details)
    return RelationshipRead.model_validate(end_periods(session, person_id, entity, until))


def relationships(session: Session, *, person_id: str) -> list[RelationshipRead]:
    """Every period of the person with every entity.

    No gate: which entity the person deals with, and since when, is the frame the gate itself
    decides on (and what legal holds count from), not content of the file.
    """
    return [
        RelationshipRead.model_validate(r) for r in repository.relationships(session, person_id)
    ]


# --- preferences and consents -----------------------------------------------------------------


@unseen_unless_related
def set_preference(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, key: str, enabled: bool
) -> PreferenceRead:
    """Switch a notification on or off (Profile > Notifications)."""
    known = {p.preference for p in gate.register.purposes if p.preference}
    if key not in known:
        raise InvalidInput(f"one of {', '.join(sorted(known))}", field="key")
    details = {"key": key, "enabled": enabled}
    ask_file(
        session, gate, actor, person_id, (c.PREFERENCES,), Event.PREFERENCE_SET, details=details
    )
    row = repository.set_preference(session, person_id, key, enabled=enabled, at=utcnow())
    return PreferenceRead.model_validate(row)


@unseen_unless_related
def give_consent(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, purpose: str
) -> ConsentRead:
    _consent_purpose(gate, purpose)
    details = {"purpose": purpose}
    ask_file(session, gate, actor, person_id, (c.CONSENTS,), Event.CONSENT_GIVE, details=details)
    row = repository.active_consent(session, person_id, purpose)
    if row is None:
        row = Consent(person_id=person_id, purpose=purpose, given_at=utcnow())
        repository.add(session, row, conflict="the consent could not be recorded")
    return ConsentRead.model_validate(row)


@unseen_unless_related
def withdraw_consent(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, purpose: str
) -> ConsentRead:
    _consent_purpose(gate, purpose)
    details = {"purpose": purpose}
    ask_file(
        session, gate, actor, person_id, (c.CONSENTS,), Event.CONSENT_WITHDRAW, details=details
    )
    row = repository.active_consent(session, person_id, purpose)
    if row is None:
        raise NotFound(f"no consent given for {purpose}")
    row.withdrawn_at = utcnow()
    session.flush()
    return ConsentRead.model_validate(row)


# --- the policy's input, and bulk loading -----------------------------------------------------


def policy_facts(
    session: Session, *, person_ids: Collection[str], as_of: dt.date
) -> dict[str, PolicyFacts]:
    """What the file tells the policy about each person on file; unknown ids are left out.

    No gate here: this is the gate's own input (relationships, switched-off notifications,
    consents, erasure), read to decide on an access, not an access itself. One statement per
    2,000 ids, so that a bulk job's thousands of subjects cost a handful of round trips.
    """
    params = policy_fact_parameters(as_of)
    rows = bulk.policy_fact_rows(session, person_ids, **params)
    return policy_facts_from(rows)


def policy_fact_parameters(as_of: dt.date) -> dict[str, Any]:
    """The values `policy_fact_selects` binds besides `ids`."""
    # A consent counts on `as_of` if given by the end of that day and not withdrawn by then.
    end_of_day = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return {"as_of": as_of, "before": end_of_day}


def policy_facts_from(rows: Iterable[FactRow]) -> dict[str, PolicyFacts]:
    """The facts per person found in rows of `policy_fact_selects`."""
    erased: dict[str, bool] = {}
    periods: dict[str, list[Period]] = defaultdict(list)
    off: dict[str, set[str]] = defaultdict(set)
    consents: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        pid = row.person_id
        if row.kind == bulk.FACT_PERSON:
            erased[pid] = row.key is not None
        elif row.kind == bulk.FACT_PERIOD:
            if row.key is None or row.value is None or row.since is None:
                raise RuntimeError("a relationship period without entity, state or start")
            state = RelationshipState(row.value)
            periods[pid].append(Period(row.key, state, row.since, row.until))
        elif row.kind == bulk.FACT_OFF:
            off[pid].add(str(row.key))
        elif row.kind == bulk.FACT_CONSENT:
            consents[pid].add(str(row.key))
    return {
        pid: PolicyFacts(
            relationships=tuple(sorted(periods[pid], key=_period_order)),
            preferences_off=frozenset(off[pid]),
            consents=frozenset(consents[pid]),
            erased=is_erased,
        )
        for pid, is_erased in erased.items()
    }


def bulk_insert(
    session: Session,
    *,
    persons: Rows = (),
    relationships: Rows = (),
    accounts: Rows = (),
    cards: Rows = (),
    statements: Rows = (),
    loans: Rows = (),
    home_policies: Rows = (),
    kyc: Rows = (),
    preferences: Rows = (),
    consents: Rows = (),
) -> None:
    """Load many rows at once (the demo world), each mapping holding a table's column names.

    No gate here: the generator creating the world records the matching ledger events itself,
    in bulk, through `ctx.access_many`. Rows that reference others (a card its account) carry
    their ids; parents are inserted before children.
    """
    tables = (
        (Person, persons),
        (Relationship, relationships),
        (Account, accounts),
        (Card, cards),
        (CardStatement, statements),
        (Loan, loans),
        (HomePolicy, home_policies),
        (KycRecord, kyc),
        (Preference, preferences),
        (Consent, consents),
    )
    for model, rows in tables:
        bulk.bulk_insert(session, model, rows)


def persons_not_erased(session: Session, *, after: str = "", limit: int = 10_000) -> list[str]:
    """Ids of the persons not erased, a page at a time.

    No gate: bare ids, read to find whom a restored backup brought back after their erasure
    (see `flows.restore`), not the content of anyone's file."""
    return bulk.ids_not_erased(session, after=after, limit=limit)


def on_file(session: Session, *, person_ids: Collection[str]) -> dict[str, bool]:
    """Which of these persons are on file, and whether each was erased (id -> erased).

    No gate: bare ids, checked so that another system records events only about people the
    group knows (see `ingest`), not the content of anyone's file."""
    return bulk.erased_flags(session, person_ids)


def home_risks(
    session: Session,
    *,
    entity: str,
    start: dt.date,
    end: dt.date,
    min_sum_insured_cents: int | None = None,
    policy_ids: Collection[int] | None = None,
) -> list[portfolio.HomeRisk]:
    """The entity's home policies in force over [start, end], holders not erased, as the figures
    a reinsurance cession needs (see `portfolio`). No gate: the caller decides per holder, in bulk,
    before anything leaves (see `insurance.service`)."""
    return portfolio.home_risks(
        session,
        entity=entity,
        start=start,
        end=end,
        min_sum_insured_cents=min_sum_insured_cents,
        policy_ids=policy_ids,
    )


def insured_properties(
    session: Session, *, as_of: dt.date, entity: str | None = None
) -> list[portfolio.InsuredProperty]:
    """The home policies in force on `as_of`, holders not erased: each building's coordinates and
    construction year (see `portfolio`). No gate: the flood job decides per owner, in bulk, and
    records every owner's processing before it proposes anything (see `flood.service`)."""
    return portfolio.insured_properties(session, as_of=as_of, entity=entity)


# --- helpers ----------------------------------------------------------------------------------


def _consent_purpose(gate: Gate, purpose: str) -> None:
    for p in gate.register.purposes:
        if p.id == purpose and (p.requires_consent or p.legal_basis is LegalBasis.CONSENT):
            return
    raise InvalidInput("not a purpose of the register that rests on consent", field="purpose")


def former_clients(
    session: Session, *, ended_before: dt.date, today: dt.date, after: str, limit: int
) -> list[str]:
    """Ids of persons not erased whose last client day is before `ended_before`, with no prospect
    or client period running on `today`, by id after `after`.

    No gate: which files have outlived their period is the retention job's own input, like the
    policy's facts; the job asks the gate before it touches any of them.
    """
    return bulk.former_clients(
        session, ended_before=ended_before, today=today, after=after, limit=limit
    )


def count_persons(session: Session) -> int:
    """How many files exist: a figure, not personal data, so no gate."""
    return bulk.count_persons(session)


def _period_order(period: Period) -> tuple[str, dt.date]:
    return (period.entity, period.since or dt.date.min)


# --- what other domains may know of a product --------------------------------------------------

PRODUCT_MODELS: Mapping[str, type[Account | Card | Loan | HomePolicy]] = {
    "account": Account,
    "card": Card,
    "loan": Loan,
    "home_policy": HomePolicy,
}
PRODUCT_SECTIONS: Mapping[str, Section] = {
    "account": Section.ACCOUNTS,
    "card": Section.CARDS,
    "loan": Section.LOANS,
    "home_policy": Section.HOME_POLICIES,
}


def product_entity(session: Session, *, person_id: str, kind: str, product_id: int) -> str | None:
    """The entity that holds this product of the person, None when the person holds no such
    product: a fact of the file's frame, as `relationships` is, not its content."""
    return repository.product_entity(session, PRODUCT_MODELS[kind], person_id, product_id)


# The person's columns a form may be pre-filled with (never the national number or contact data).
PREFILL_PERSON_FIELDS = ("first_name", "last_name", "birth_date", "street", "postcode", "city")


def prefill_sources(session: Session, *, person_id: str, entity: str) -> dict[str, Any]:
    """What the entity's own file holds for pre-filling a form: the identity and address, the
    open accounts and running home policies with `entity`, each with the record it comes from.

    No gate: the pre-fill use case asks it under its purpose for exactly the categories of the
    fields its form declares, before anything is read; it shows only those fields."""
    person = repository.person_row(session, person_id)
    if person is None:
        raise NotFound(f"no person {person_id}")
    accounts = [
        {"id": a.id, "kind": a.kind, "iban": a.iban}
        for a in repository.rows_of(session, Account, person_id, entity=entity)
        if a.closed_on is None
    ]
    policies = [
        {"id": p.id, "policy_number": p.policy_number}
        for p in repository.rows_of(session, HomePolicy, person_id, entity=entity)
        if p.end_on is None
    ]
    return {
        "person": {f: getattr(person, f) for f in PREFILL_PERSON_FIELDS},
        "accounts": accounts,
        "home_policies": policies,
    }


def contact_points(
    session: Session, *, person_ids: Collection[str]
) -> dict[str, tuple[str | None, str | None]]:
    """Each person's e-mail address and phone number (erased persons have none), set-based.

    No gate: the outbox asked it, for the channel's category and the message's purpose, for every
    person of the batch, and reads only the allowed ones' addresses."""
    return repository.contact_points(session, list(person_ids))


def product_ids(
    session: Session, *, person_id: str, kind: str, entity: str
) -> dict[int, str | None]:
    """The person's products of `kind` held with `entity`, by id, with a card's last digits: a
    fact of the file's frame (which product a message or complaint is about), not its content."""
    return repository.product_ids(session, PRODUCT_MODELS[kind], person_id, entity)

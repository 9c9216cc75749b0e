"""Erasure (Art. 17) and what it cannot erase yet: legal holds, each with its reason and end date.

The rules below decide, from the person's file, which sections are kept, under which basis and until
when. Each rule is a function of the file's facts; rules that need tables other domains do not
have yet (open complaints, MiFID recordings) are hooks in `SESSION_RULES` that those domains fill.
Sections are erase_person's unit: a section is kept whole or erased whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from lawful.core.db import utcnow
from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.core.register.models import Register, RelationshipState
from lawful.core.vault import service as vault
from lawful.customers import service as customers
from lawful.customers.service import Section
from lawful.rights import repository
from lawful.rights.dates import add_duration, add_months
from lawful.rights.labels import label
from lawful.rights.language import TextBuilder, builder_for_file
from lawful.rights.requests import (
    PURPOSE,
    RightsEvent,
    answered_request,
    complete_request,
    record,
)
from lawful.rights.schemas import ErasureOutcome, KeptItem, RequestType

CONTRACT = "contract"  # not a legal hold: the data is still needed to perform a running contract
AML_IDENTIFICATION = "aml-identification"
AML_TRANSACTIONS = "aml-transactions"
INSURANCE_CONTRACT = "insurance-contract"
OPEN_COMPLAINT = "open-complaint"
MIFID_RECORDINGS = "mifid-recordings"
# A contract hold has no end date of its own: the retention job looks again after this long.
CONTRACT_REVIEW_MONTHS = 12
PRODUCT_SECTIONS = (Section.ACCOUNTS, Section.CARDS, Section.LOANS, Section.HOME_POLICIES)

# What each basis keeps of the file. The retention job erases a released hold's sections unless
# another hold of the person still keeps them.
HOLD_SECTIONS: Mapping[str, tuple[Section, ...]] = {
    AML_IDENTIFICATION: (Section.IDENTITY, Section.KYC),
    AML_TRANSACTIONS: (Section.ACCOUNTS, Section.CARDS, Section.LOANS),
    # The policyholder's name and the insured property, for the limitation period.
    INSURANCE_CONTRACT: (Section.IDENTITY, Section.HOME_POLICIES),
    # A running contract needs its products and a way to reach the client.
    CONTRACT: (Section.RELATIONSHIPS, Section.CONTACT, *PRODUCT_SECTIONS),
    OPEN_COMPLAINT: (Section.IDENTITY, Section.CONTACT),
    MIFID_RECORDINGS: (),  # recordings live in interactions, which has no table yet
}


@dataclass(frozen=True, slots=True)
class Product:
    entity: str
    # Closing, end or last statement; None while open-ended (an account, a card, a policy). A loan
    # knows its end in advance: until that day comes, it still runs.
    last_day: dt.date | None

    def running_on(self, day: dt.date) -> bool:
        return self.last_day is None or self.last_day >= day


@dataclass(frozen=True, slots=True)
class Period:
    entity: str
    state: str
    since: dt.date
    until: dt.date | None


@dataclass(frozen=True)
class FileFacts:
    relationships: tuple[Period, ...]
    products: Mapping[Section, tuple[Product, ...]]
    present: frozenset[Section]  # sections that hold something

    def active_client_entities(self, day: dt.date) -> frozenset[str]:
        return frozenset(
            p.entity
            for p in self.relationships
            if p.state == RelationshipState.CLIENT
            and p.since <= day
            and (p.until is None or day <= p.until)
        )

    def last_client_day(self, day: dt.date) -> dt.date | None:
        """The day the person stopped being anyone's client; `day` while they still are one."""
        if self.active_client_entities(day):
            return day
        ends = [p.until for p in self.relationships if p.state == RelationshipState.CLIENT]
        ends += [
            p.since - dt.timedelta(days=1)
            for p in self.relationships
            if p.state == RelationshipState.FORMER_CLIENT
        ]
        known = [e for e in ends if e is not None]
        return max(known) if known else None


@dataclass(frozen=True, slots=True)
class Keep:
    section: Section
    hold: str
    until: dt.date | None


Rule = Callable[[Register, FileFacts, dt.date], list[Keep]]
SessionRule = Callable[[Session, str, dt.date], list[Keep]]


def _held(register: Register, hold: str, start: dt.date) -> dt.date:
    return add_duration(start, register.legal_hold(hold).duration)


def aml_identification(register: Register, facts: FileFacts, today: dt.date) -> list[Keep]:
    """AML law art. 60: identification, 10 years after the end of the client relationship."""
    end = facts.last_client_day(today)
    if end is None:
        return []
    until = _held(register, AML_IDENTIFICATION, end)
    return [
        Keep(s, AML_IDENTIFICATION, until)
        for s in HOLD_SECTIONS[AML_IDENTIFICATION]
        if s in facts.present
    ]


def aml_transactions(register: Register, facts: FileFacts, today: dt.date) -> list[Keep]:
    """AML law art. 60: operations, 10 years after the last one (a closing, a statement)."""
    kept = []
    for section in HOLD_SECTIONS[AML_TRANSACTIONS]:
        products = facts.products.get(section, ())
        if products:
            last = max(p.last_day or today for p in products)
            kept.append(Keep(section, AML_TRANSACTIONS, _held(register, AML_TRANSACTIONS, last)))
    return kept


def insurance_contract(register: Register, facts: FileFacts, today: dt.date) -> list[Keep]:
    """Insurance law art. 88: claims under a policy lapse 3 years after it ends."""
    policies = facts.products.get(Section.HOME_POLICIES, ())
    if not policies:
        return []
    last = max(p.last_day or today for p in policies)
    until = _held(register, INSURANCE_CONTRACT, last)
    return [
        Keep(s, INSURANCE_CONTRACT, until)
        for s in HOLD_SECTIONS[INSURANCE_CONTRACT]
        if s in facts.present
    ]


def running_contracts(register: Register, facts: FileFacts, today: dt.date) -> list[Keep]:
    """Art. 17(1)(a) does not reach data still needed for a contract the person still has."""
    entities = facts.active_client_entities(today)
    if not entities:
        return []
    kept = [Keep(Section.RELATIONSHIPS, CONTRACT, None)]
    if Section.CONTACT in facts.present:
        kept.append(Keep(Section.CONTACT, CONTRACT, None))
    for section in PRODUCT_SECTIONS:
        products = facts.products.get(section, ())
        if any(p.entity in entities and p.running_on(today) for p in products):
            kept.append(Keep(section, CONTRACT, None))
    return kept


def open_complaints(session: Session, person_id: str, today: dt.date) -> list[Keep]:
    """Hook for the complaints domain: an open complaint keeps its file (Art. 17(3)(e))."""
    return []


def mifid_recordings(session: Session, person_id: str, today: dt.date) -> list[Keep]:
    """Hook for the interactions domain: investment-service recordings, 5 years (MiFID II)."""
    return []


RULES: list[Rule] = [running_contracts, aml_identification, aml_transactions, insurance_contract]
SESSION_RULES: list[SessionRule] = [open_complaints, mifid_recordings]


def plan(
    session: Session, register: Register, person_id: str, facts: FileFacts, today: dt.date
) -> list[Keep]:
    kept = [k for rule in RULES for k in rule(register, facts, today)]
    kept += [k for rule in SESSION_RULES for k in rule(session, person_id, today)]
    # A hold whose period is already over keeps nothing.
    kept = [k for k in kept if k.until is None or k.until >= today]
    order = {s: i for i, s in enumerate(Section)}
    return sorted(kept, key=lambda k: (order[k.section], k.hold))


def facts_of(file: Mapping[str, Any]) -> FileFacts:
    """The facts the rules need, from `export_person`'s JSON-ready file."""
    day = _day

    def cards(row: Mapping[str, Any]) -> dt.date | None:
        if row.get("closed_on") is None:
            return None
        seen = [day(row["closed_on"])]
        for st in row.get("statements") or ():
            seen += [day(st.get(k)) for k in ("period_end", "due_date", "paid_on") if st.get(k)]
        return max(d for d in seen if d is not None)

    last_day: Mapping[Section, Callable[[Mapping[str, Any]], dt.date | None]] = {
        Section.ACCOUNTS: lambda r: day(r.get("closed_on")),
        Section.CARDS: cards,
        Section.LOANS: lambda r: day(r.get("end_on")),
        Section.HOME_POLICIES: lambda r: day(r.get("end_on")),
    }
    products = {
        section: tuple(Product(r["entity"], last_day[section](r)) for r in file.get(section, ()))
        for section in PRODUCT_SECTIONS
    }
    present = frozenset(s for s in Section if _filled(file.get(s.value)))
    relationships = tuple(
        Period(r["entity"], r["state"], dt.date.fromisoformat(r["since"]), day(r["until"]))
        for r in file.get(Section.RELATIONSHIPS.value, ())
    )
    return FileFacts(relationships, products, present)


def _day(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _filled(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(v is not None and k not in ("brand", "language") for k, v in value.items())
    return bool(value)


def reason(texts: TextBuilder, hold: str) -> str:
    if hold == CONTRACT:
        return label(texts.lang, "kept.contract")
    declared = texts.register.legal_hold(hold)
    title = texts.text(declared.title, f"legal_holds.{hold}.title")
    law = texts.text(declared.law, f"legal_holds.{hold}.law")
    return label(texts.lang, "kept.hold", title=title, law=law)


def hold_rows(person_id: str, items: Sequence[KeptItem], today: dt.date) -> list[dict[str, Any]]:
    """One legal_hold row per basis, until its last kept section's end (a review for contracts)."""
    now = utcnow()
    by_hold: dict[str, KeptItem] = {}
    ends: dict[str, dt.date] = {}
    for item in items:
        by_hold.setdefault(item.hold, item)
        end = item.until or add_months(today, CONTRACT_REVIEW_MONTHS)
        ends[item.hold] = max(end, ends.get(item.hold, end))
    return [
        {"person_id": person_id, "hold": h, "reason": i.reason, "until": ends[h], "created_at": now}
        for h, i in by_hold.items()
    ]


def erase(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    today: dt.date,
    request_id: int | None = None,
    registered_by: str | None = None,
) -> ErasureOutcome:
    """Erase what may be erased, keep the rest under a hold, and destroy the subject's key.

    Every recorded step comes before `erase_person`: from then on the person is erased and the
    gate refuses further processing, and once the key is shredded no detail can be encrypted.
    """
    customers.present(session, person_id)  # an erased person has nothing left to erase
    request_id = answered_request(
        session,
        gate=gate,
        actor=actor,
        person_id=person_id,
        kind=RequestType.ERASURE,
        today=today,
        request_id=request_id,
        registered_by=registered_by,
    )
    file = customers.export_person(session, gate=gate, actor=actor, person_id=person_id)
    texts = builder_for_file(gate.register, file)
    facts = facts_of(file)
    items = [
        KeptItem(section=k.section.value, hold=k.hold, reason=reason(texts, k.hold), until=k.until)
        for k in plan(session, gate.register, person_id, facts, today)
    ]
    keep = {Section(i.section) for i in items}
    # Only what there was to erase: an empty section is neither erased nor kept.
    erasing = [s.value for s in Section if s not in keep and s in facts.present]
    outcome = {"erased": erasing, "kept": [i.model_dump(mode="json") for i in items]}
    every = gate.register.purpose(PURPOSE).data_categories
    record(
        session,
        gate,
        actor,
        person_id,
        event=RightsEvent.ERASURE_EXECUTE,
        today=today,
        categories=every,
        details={"request_id": request_id, "erased": erasing},
    )
    complete_request(
        session, gate=gate, actor=actor, request_id=request_id, outcome=outcome, today=today
    )
    erased = customers.erase_person(session, gate=gate, actor=actor, person_id=person_id, keep=keep)
    repository.insert_holds(session, hold_rows(person_id, items, today))
    vault.shred(session, keys=gate.keys, subject_id=person_id)
    return ErasureOutcome(
        request_id=request_id, erased=[s.value for s in erased if s.value in erasing], kept=items
    )

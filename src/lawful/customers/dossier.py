"""The whole file of one person, by section: for access (Art. 15), portability (Art. 20) and
erasure (Art. 17). All three run under data-subject-rights, for every entity of the group.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from lawful.core.db import Base, utcnow
from lawful.core.errors import InvalidInput, NotFound
from lawful.core.gate import Gate
from lawful.core.policy.compile import covered
from lawful.core.policy.types import Actor
from lawful.core.register.models import LegalBasis, Register
from lawful.customers import bulk, repository
from lawful.customers import categories as c
from lawful.customers.access import DATA_SUBJECT_RIGHTS, Event, ask, present
from lawful.customers.models import (
    Account,
    Application,
    Card,
    CardStatement,
    Consent,
    HomePolicy,
    IdentityChange,
    KycRecord,
    Loan,
    Person,
    Preference,
    Rectification,
    Relationship,
)
from lawful.customers.schemas import (
    AccountRead,
    CardRead,
    CardStatementRead,
    ConsentRead,
    HomePolicyRead,
    KycRecordRead,
    LoanRead,
    PreferenceRead,
    RectificationRead,
    RelationshipRead,
    Section,
)

# The person's columns each section holds. language and brand stay on the erased person's row:
# the table requires them, and without name, contact or national number they identify no one.
SECTION_COLUMNS: Mapping[Section, tuple[str, ...]] = {
    Section.IDENTITY: c.IDENTITY_FIELDS,
    Section.CONTACT: ("email", "phone"),
}
# The tables each section holds, children before parents (statements hang on cards).
SECTION_TABLES: Mapping[Section, tuple[type[Base], ...]] = {
    Section.RELATIONSHIPS: (Relationship,),
    # An application keeps the identity document checked at the branch: identification data.
    Section.KYC: (Application, KycRecord),
    Section.ACCOUNTS: (Account,),
    Section.CARDS: (CardStatement, Card),
    Section.LOANS: (Loan,),
    Section.HOME_POLICIES: (HomePolicy,),
    # Identity changes asked for and not yet decided go with the history of the file.
    Section.RECTIFICATIONS: (IdentityChange, Rectification),
    Section.PREFERENCES: (Preference,),
    Section.CONSENTS: (Consent,),
}
# Portability (Art. 20) carries what the person gave us (provided) or what their own use of our
# products produced (observed: the EDPB, WP242 rev.01, counts such raw data as provided), and of
# that only what a purpose resting on the contract or on consent processes (Art. 20(1)(a)).
PROVIDED = (Section.IDENTITY, Section.CONTACT, Section.PREFERENCES, Section.CONSENTS)
OBSERVED = (Section.ACCOUNTS, Section.CARDS, Section.HOME_POLICIES)
PORTABLE_BASES = frozenset({LegalBasis.CONTRACT, LegalBasis.CONSENT})
# What we work out ourselves rather than receive: the region and brand from the postcode, the
# insured building's coordinates (geocoded); the policy number and dates are the contract's terms
# the person agreed to, kept so that the rows say which policy they are.
OURS = frozenset({"region", "brand", "latitude", "longitude", "person_id"})


@dataclass(frozen=True)
class BulkErasure:
    """Per person erased, the sections erased (as `erase_person` returns them); the refused, with
    the policy's reasons; the ids not in the file."""

    erased: dict[str, list[Section]]
    denied: dict[str, tuple[str, ...]]
    not_found: list[str]


def export_person(session: Session, *, gate: Gate, actor: Actor, person_id: str) -> dict[str, Any]:
    """Everything the file holds on the person, JSON-ready (dates in ISO 8601)."""
    # An erased person is the gate's to judge: data kept under a legal hold may still be shown.
    present(session, person_id, erased_too=True)
    sections = list(Section)
    ask(
        session,
        gate,
        actor,
        DATA_SUBJECT_RIGHTS,
        person_id,
        (data for s in sections for data in c.SECTION_DATA[s]),
        event=Event.PERSON_EXPORT,
        details={"sections": [s.value for s in sections]},
    )
    person = _person(session, person_id)
    rows = repository.rows_of
    file: dict[Section, Any] = {
        Section.IDENTITY: _fields(person, c.IDENTITY_FIELDS),
        Section.CONTACT: {**_fields(person, c.CONTACT_FIELDS), "brand": person.brand},
        Section.RELATIONSHIPS: _dump(
            RelationshipRead, repository.relationships(session, person_id)
        ),
        Section.KYC: _dump(KycRecordRead, rows(session, KycRecord, person_id)),
        Section.ACCOUNTS: _dump(AccountRead, rows(session, Account, person_id)),
        Section.CARDS: [
            card.model_dump(mode="json") for card in cards_with_statements(session, person_id)
        ],
        Section.LOANS: _dump(LoanRead, rows(session, Loan, person_id)),
        Section.HOME_POLICIES: _dump(HomePolicyRead, rows(session, HomePolicy, person_id)),
        Section.RECTIFICATIONS: _dump(
            RectificationRead, repository.rectifications(session, person_id)
        ),
        Section.PREFERENCES: _dump(PreferenceRead, repository.preferences(session, person_id)),
        Section.CONSENTS: _dump(ConsentRead, repository.consents(session, person_id)),
    }
    return {section.value: value for section, value in file.items()}


def portable_data(
    session: Session, *, gate: Gate, actor: Actor, person_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What portability (Art. 20) carries, JSON-ready, in one gate call: the sections of `PROVIDED`
    (`provided`) and `OBSERVED` (`observed`) whose data a contract- or consent-based purpose of
    the register processes, less what we computed ourselves (`OURS`)."""
    present(session, person_id, erased_too=True)
    provided_sections = portable_sections(gate.register, PROVIDED)
    observed_sections = portable_sections(gate.register, OBSERVED)
    ask(
        session,
        gate,
        actor,
        DATA_SUBJECT_RIGHTS,
        person_id,
        (data for s in (*provided_sections, *observed_sections) for data in c.SECTION_DATA[s]),
        event=Event.PORTABLE_DATA_EXPORT,
    )
    person = _person(session, person_id)
    rows = repository.rows_of
    every: dict[Section, Any] = {
        Section.IDENTITY: _fields(person, c.IDENTITY_FIELDS),
        Section.CONTACT: _fields(person, c.CONTACT_FIELDS),
        Section.PREFERENCES: lambda: _dump(
            PreferenceRead, repository.preferences(session, person_id)
        ),
        Section.CONSENTS: lambda: _dump(ConsentRead, repository.consents(session, person_id)),
        Section.ACCOUNTS: lambda: _dump(AccountRead, rows(session, Account, person_id)),
        Section.CARDS: lambda: [
            card.model_dump(mode="json") for card in cards_with_statements(session, person_id)
        ],
        Section.HOME_POLICIES: lambda: _dump(HomePolicyRead, rows(session, HomePolicy, person_id)),
    }

    def section(s: Section) -> Any:
        value = every[s]
        return _without_ours(value() if callable(value) else value)

    return (
        {s.value: section(s) for s in provided_sections},
        {s.value: section(s) for s in observed_sections},
    )


def portable_sections(register: Register, sections: Sequence[Section]) -> list[Section]:
    """The sections every datum of which some contract- or consent-based purpose declares."""
    declared = frozenset(
        category
        for p in register.purposes
        if p.legal_basis in PORTABLE_BASES
        for category in p.data_categories
    )
    return [
        s
        for s in sections
        if all(any(covered(cat, declared) for cat in data) for data in c.SECTION_DATA[s])
    ]


def _without_ours(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_ours(v) for k, v in value.items() if k not in OURS}
    if isinstance(value, list):
        return [_without_ours(v) for v in value]
    return value


def erase_person(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, keep: Collection[Section]
) -> list[Section]:
    """Erase every section not in `keep`; return the sections erased, in `Section` order.

    The person is marked erased whatever is kept: from then on the gate refuses every use except
    what a legal hold keeps and data-subject rights, which erase the rest when the hold ends. The
    row stays as a tombstone so the ledger's pseudonym still resolves.
    """
    kept = {_section(s) for s in keep}
    erased = [s for s in Section if s not in kept]
    present(session, person_id, erased_too=True)
    # Only what is still there is asked for: when a hold ends, the sections the first erasure
    # emptied are not accessed again, and the ledger must not say they were.
    there = holding(session, [person_id]).get(person_id, set())
    emptied = [s for s in erased if s in there]
    # No details: they are encrypted with the subject's key, which the first erasure shreds, so a
    # later erasure could not record them. The categories say what was erased; the rights domain
    # records the erased and kept sections before the key goes.
    ask(
        session,
        gate,
        actor,
        DATA_SUBJECT_RIGHTS,
        person_id,
        (data for s in emptied for data in c.SECTION_DATA[s]),
        event=Event.PERSON_ERASE,
    )
    _erase(session, [person_id], emptied, now=utcnow())
    return erased


def erase_persons(
    session: Session, *, gate: Gate, actor: Actor, keep: Mapping[str, Collection[Section]]
) -> BulkErasure:
    """`erase_person` for many persons at once (the retention job), set-based.

    Persons are grouped by the sections there still are to erase; each group costs one gate call
    (every decision recorded in one batch), one DELETE per table and one UPDATE, whatever its
    size. A person the gate refuses is left untouched and reported in `denied`; an id that is not
    in the file, in `not_found`, with nothing recorded (`erase_person` raises NotFound for it).
    """
    known = bulk.on_file(session, keep)
    kept = {p: {_section(s) for s in sections} for p, sections in keep.items() if p in known}
    held = holding(session, list(kept))
    groups: dict[tuple[Section, ...], list[str]] = defaultdict(list)
    for person, sections in kept.items():
        there = held.get(person, set())
        groups[tuple(s for s in Section if s not in sections and s in there)].append(person)
    declared = c.declared(gate.register, DATA_SUBJECT_RIGHTS)
    ctx = gate.open(session, actor=actor, purpose=DATA_SUBJECT_RIGHTS)
    now = utcnow()
    erased: dict[str, list[Section]] = {}
    denied: dict[str, tuple[str, ...]] = {}
    for erasing, persons in groups.items():
        asked = c.ask(declared, (data for s in erasing for data in c.SECTION_DATA[s]))
        # No details, as in `erase_person`: the persons' keys are shredded.
        outcome = ctx.access_many(persons, categories=asked, event=Event.PERSON_ERASE.value)
        denied.update(outcome.denied)
        if not outcome.allowed:
            continue
        _erase(session, outcome.allowed, erasing, now=now)
        for person in outcome.allowed:
            erased[person] = [s for s in Section if s not in kept[person]]
    return BulkErasure(erased=erased, denied=denied, not_found=sorted(set(keep) - known))


_PARTS = {s: (SECTION_TABLES.get(s, ()), SECTION_COLUMNS.get(s, ())) for s in Section}


def holding(session: Session, person_ids: Sequence[str]) -> dict[str, set[Section]]:
    """Per person, the sections that still hold something: whether data is there, not the data,
    so it may run before the gate is asked."""
    return bulk.holding_many(session, person_ids, _PARTS)


def _erase(
    session: Session, person_ids: Sequence[str], sections: Sequence[Section], *, now: dt.datetime
) -> None:
    """Empty these sections of these persons and mark them erased (a first erasure's date is
    kept: a second one comes when a hold ends)."""
    for table in (t for s in sections for t in SECTION_TABLES.get(s, ())):
        bulk.delete_rows_of(session, table, person_ids)
    columns = [col for s in sections for col in SECTION_COLUMNS.get(s, ())]
    bulk.clear_persons(session, person_ids, columns, now=now)


def cards_with_statements(
    session: Session, person_id: str, *, entity: str | None = None
) -> list[CardRead]:
    by_card: dict[int, list[CardStatementRead]] = defaultdict(list)
    for statement in repository.statements(session, person_id, entity=entity):
        by_card[statement.card_id].append(CardStatementRead.model_validate(statement))
    return [
        CardRead.model_validate(card).model_copy(update={"statements": by_card[card.id]})
        for card in repository.rows_of(session, Card, person_id, entity=entity)
    ]


def _section(value: str) -> Section:
    try:
        return Section(value)
    except ValueError:
        raise InvalidInput(f"unknown section {value!r}", field="keep") from None


def _person(session: Session, person_id: str) -> Person:
    person = repository.person(session, person_id)
    if person is None:
        raise NotFound(f"no person {person_id}")
    return person


def _fields(person: Person, names: Sequence[str]) -> dict[str, Any]:
    values = {name: getattr(person, name) for name in names}
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}


def _dump(schema: type[BaseModel], rows: Sequence[object]) -> list[dict[str, Any]]:
    return [schema.model_validate(row).model_dump(mode="json") for row in rows]

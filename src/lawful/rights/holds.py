"""What erasure (Art. 17) cannot take yet: legal holds, each with its basis and end date.

The rules below decide, from the frame of a person's file (`customers.FileFacts`), which sections
are kept, under which hold and until when. A hold's end counts from the end of what it protects —
the relationship (AML identification), the last operation (AML transactions), the policy's end
(insurance claims), the contract itself — never from the day of the erasure; while that end has
not come, `until` is None and a stored hold is looked at again after `REVIEW_MONTHS`. Rules that
need tables other domains do not have yet (MiFID recordings) are hooks in `BULK_RULES` that
those domains fill; what another domain keeps (an open complaint, see `complaints.holds_for`) is
passed in by the use case as `also`. Sections are erasure's unit: kept whole or erased whole.

Everything here is data; the words a person reads about a hold are rendered at the edge.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from lawful.core.register.models import Register, RetentionStart
from lawful.customers.service import FileFacts, Product, Section
from lawful.rights.dates import add_duration, add_months

CONTRACT = "running-contract"  # the data a contract still running needs (Art. 6(1)(b))
AML_IDENTIFICATION = "aml-identification"
AML_TRANSACTIONS = "aml-transactions"
INSURANCE_CONTRACT = "insurance-contract"
OPEN_COMPLAINT = "open-complaint"
MIFID_RECORDINGS = "mifid-recordings"
# A hold whose end has not come yet is stored with this review date; retention looks again then.
REVIEW_MONTHS = 12
PRODUCT_SECTIONS = (Section.ACCOUNTS, Section.CARDS, Section.LOANS, Section.HOME_POLICIES)

# What each hold keeps of the file.
HOLD_SECTIONS: Mapping[str, tuple[Section, ...]] = {
    # AML law art. 60: the identification, and the relationship its period counts from.
    AML_IDENTIFICATION: (Section.IDENTITY, Section.KYC, Section.RELATIONSHIPS),
    AML_TRANSACTIONS: (Section.ACCOUNTS, Section.CARDS, Section.LOANS),
    # The policyholder's name and the insured property, for the limitation period.
    INSURANCE_CONTRACT: (Section.IDENTITY, Section.HOME_POLICIES),
    # A running contract needs who the client is, how to reach them, and its products.
    CONTRACT: (Section.IDENTITY, Section.CONTACT, Section.RELATIONSHIPS, *PRODUCT_SECTIONS),
    OPEN_COMPLAINT: (Section.IDENTITY, Section.CONTACT),
    MIFID_RECORDINGS: (),  # recordings live in interactions, which has no table yet
}


@dataclass(frozen=True, slots=True)
class Keep:
    """A section kept under a hold; `until` None while the end it counts from has not come."""

    section: Section
    hold: str
    until: dt.date | None


Rule = Callable[[Register, FileFacts, dt.date], list[Keep]]
# Rules of other domains, asked for many persons at once: person -> what they keep.
BulkRule = Callable[[Session, Sequence[str], dt.date], Mapping[str, list[Keep]]]


def retention_end(register: Register, purposes: Iterable[str], today: dt.date) -> dt.date:
    """A relationship or contract that ended before this day has outlived the longest retention
    of these purposes (counted from such an end)."""
    wanted = set(purposes)
    counted = (RetentionStart.RELATIONSHIP_END, RetentionStart.CONTRACT_END)
    longest = max(
        (
            p.retention.duration
            for p in register.purposes
            if p.id in wanted and p.retention.starts in counted
        ),
        key=lambda d: (d.years * 12 + d.months, d.days),
    )
    months = longest.years * 12 + longest.months
    return add_months(today, -months) - dt.timedelta(days=longest.days)


def _after(register: Register, hold: str, end: dt.date | None) -> dt.date | None:
    return None if end is None else add_duration(end, register.legal_hold(hold).duration)


def _last(products: Iterable[Product]) -> dt.date | None:
    """The last day of these products; None while one of them has no end."""
    days = [p.last_day for p in products]
    if not days or None in days:
        return None
    return max(d for d in days if d is not None)


def _sections(facts: FileFacts, hold: str, until: dt.date | None) -> list[Keep]:
    return [Keep(s, hold, until) for s in HOLD_SECTIONS[hold] if s in facts.present]


def running_contracts(register: Register, facts: FileFacts, today: dt.date) -> list[Keep]:
    """Art. 17(1)(a) does not reach data a contract the person still has needs. Its products
    are kept until they end; who the client is, how to reach them and the relationship, until
    the last running contract ends (unknown while one has no end, or the relationship none)."""
    entities = facts.active_client_entities(today)
    if not entities:
        return []
    running = {
        s: [p for p in facts.products.get(s, ()) if p.entity in entities and p.running_on(today)]
        for s in PRODUCT_SECTIONS
    }
    periods = [p for p in facts.relationships if p.entity in entities and p.active_on(today)]
    ends = [p.until for p in periods] + [p.last_day for ps in running.values() for p in ps]
    whole = None if None in ends else max(d for d in ends if d is not None)
    kept = [
        Keep(s, CONTRACT, whole)
        for s in (Section.IDENTITY, Section.CONTACT, Section.RELATIONSHIPS)
        if s in facts.present
    ]
    kept += [Keep(s, CONTRACT, _last(products)) for s, products in running.items() if products]
    return kept


def aml_identification(register: Register, facts: FileFacts, today: dt.date) -> list[Keep]:
    """AML law art. 60: identification, 10 years after the end of the client relationship."""
    if facts.active_client_entities(today):
        return _sections(facts, AML_IDENTIFICATION, None)
    end = facts.relationship_end(today)
    if end is None:
        return []  # never a client: no relationship the law asks us to document
    return _sections(facts, AML_IDENTIFICATION, _after(register, AML_IDENTIFICATION, end))


def aml_transactions(register: Register, facts: FileFacts, today: dt.date) -> list[Keep]:
    """AML law art. 60: operations, 10 years after the last one (a closing, a statement)."""
    kept = []
    for section in HOLD_SECTIONS[AML_TRANSACTIONS]:
        products = facts.products.get(section, ())
        if products and section in facts.present:
            until = _after(register, AML_TRANSACTIONS, _last(products))
            kept.append(Keep(section, AML_TRANSACTIONS, until))
    return kept


def insurance_contract(register: Register, facts: FileFacts, today: dt.date) -> list[Keep]:
    """Insurance law art. 88: claims under a policy lapse 3 years after it ends."""
    policies = facts.products.get(Section.HOME_POLICIES, ())
    if not policies:
        return []
    until = _after(register, INSURANCE_CONTRACT, _last(policies))
    return _sections(facts, INSURANCE_CONTRACT, until)


def mifid_recordings(
    session: Session, person_ids: Sequence[str], today: dt.date
) -> dict[str, list[Keep]]:
    """Hook for the interactions domain: investment-service recordings, 5 years (MiFID II)."""
    return {}


RULES: list[Rule] = [running_contracts, aml_identification, aml_transactions, insurance_contract]
BULK_RULES: list[BulkRule] = [mifid_recordings]


def plan_many(
    session: Session,
    register: Register,
    facts: Mapping[str, FileFacts],
    today: dt.date,
    *,
    standing: Mapping[str, Sequence[Keep]] | None = None,
    also: Mapping[str, Sequence[Keep]] | None = None,
) -> dict[str, list[Keep]]:
    """Per person, what is kept and why, in `Section` order then hold.

    `also`: what other domains keep (an open complaint its product), as the use case asks them.

    `standing`: holds already stored and not yet ended. One stays at least as long as stored: a
    rule may no longer see what it counted from (a relationship erased since), and a hold's end
    never moves earlier.
    """
    persons = list(facts)
    extra: dict[str, list[Keep]] = {p: [] for p in persons}
    for rule in BULK_RULES:
        for person, kept in rule(session, persons, today).items():
            extra.setdefault(person, []).extend(kept)
    order = {s: i for i, s in enumerate(Section)}
    out: dict[str, list[Keep]] = {}
    for person, file in facts.items():
        kept = [k for rule in RULES for k in rule(register, file, today)] + extra[person]
        kept += [k for k in (also or {}).get(person, ()) if k.section in file.present]
        kept += [k for k in (standing or {}).get(person, ()) if k.section in file.present]
        # A hold whose period is already over keeps nothing.
        out[person] = sorted(
            _longest(k for k in kept if k.until is None or k.until >= today),
            key=lambda k: (order[k.section], k.hold),
        )
    return out


def _longest(kept: Iterable[Keep]) -> list[Keep]:
    """One item per (section, hold): the latest end, None (not come yet) being the latest."""
    best: dict[tuple[Section, str], Keep] = {}
    for k in kept:
        seen = best.get((k.section, k.hold))
        if seen is None or (seen.until is not None and (k.until is None or k.until > seen.until)):
            best[(k.section, k.hold)] = k
    return list(best.values())


def hold_rows(
    person_id: str, kept: Sequence[Keep], today: dt.date, now: dt.datetime
) -> list[dict[str, object]]:
    """One stored hold per basis, until its last kept section's end (`ends_on`), or a review date
    while that end has not come (`ends_on` None). `reason` names the register's hold: the words
    are the reader's."""
    ends: dict[str, dt.date | None] = {}
    for k in kept:
        seen = ends.get(k.hold, k.until)
        ends[k.hold] = None if seen is None or k.until is None else max(seen, k.until)
    review = add_months(today, REVIEW_MONTHS)
    return [
        {
            "person_id": person_id,
            "hold": h,
            "reason": reason_code(h),
            "until": end or review,
            "ends_on": end,
            "created_at": now,
        }
        for h, end in ends.items()
    ]


def reason_code(hold: str) -> str:
    """What a stored hold says about why: the register entry the reader's words come from."""
    return f"legal_holds.{hold}"


def standing_keeps(rows: Iterable[tuple[str, dt.date | None]], today: dt.date) -> list[Keep]:
    """Stored holds (hold, real end) whose known end has not passed, as what they keep. One whose
    end was not known is left to the rules, which know better now."""
    return [
        Keep(s, hold, ends_on)
        for hold, ends_on in rows
        if ends_on is not None and ends_on >= today
        for s in HOLD_SECTIONS.get(hold, ())
    ]

"""Personalised offers (activity 6), partnerships (11) and profiling for strategy (13).

The domain's public face: adapters, flows and the job call only what this module holds or
re-exports. Every function takes the session and keyword-only arguments and never commits.

A person who objected to direct marketing sees no offer and is never asked about under a
marketing purpose here: the objection is read from the policy's own view of the person before
anything else, and nothing is recorded in their name.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from lawful.core.db import utcnow
from lawful.core.errors import NotFound, NotOnFile
from lawful.core.gate import Gate
from lawful.core.policy.types import Actor, Reason, SubjectState
from lawful.customers import service as customers
from lawful.offers import repository, rules, texts
from lawful.offers.catalogue import BY_ID, OWN, PARTNER, PARTNERSHIPS, PROFILING
from lawful.offers.events import Event
from lawful.offers.job import OWN_DATA, PARTNER_DATA, PROFILE_DATA
from lawful.offers.job import Outcome as Outcome
from lawful.offers.job import decide as decide
from lawful.offers.models import Offer
from lawful.offers.schemas import (
    FactRead,
    Language,
    OfferCell,
    OfferRead,
    ReferralRead,
    SegmentCell,
    StrategyReport,
    WhyRead,
)

__all__ = [
    "K_FLOOR",
    "Outcome",
    "accept",
    "clients_frame",
    "decide",
    "decline",
    "eligible",
    "erase",
    "export_person",
    "person_offers",
    "purge",
    "read_tables",
    "report",
    "with_open_partner_offers",
]

K_FLOOR = 10  # no strategy cell under this many people (or offers) is shown
REFERRAL_DATA = ("user.name", "user.contact", "user.location.property")
SHOWN = ("open", "accepted")
eligible = rules.eligible


def read_tables(session: Session, *, today: dt.date) -> dict[str, pl.DataFrame]:
    """The job's work list: what every client holds, one statement per table. No gate here,
    as for the card reminders' due statements: `decide` asks the gate for every person of a
    batch before anything is kept, sent or recorded, and leaves objectors out before the rules
    run."""
    return repository.read_tables(session, today=today)


def clients_frame(tables: dict[str, pl.DataFrame], *, today: dt.date) -> pl.DataFrame:
    return rules.frame(tables, today)


def purge(session: Session, *, gate: Gate, today: dt.date) -> int:
    """Offers and profiles past the register's retention, one DELETE each; offers deleted."""
    offers_days = gate.register.purpose(OWN).retention.duration.total_days()
    profile_days = gate.register.purpose(PROFILING).retention.duration.total_days()
    return repository.purge(
        session,
        offers_before=today - dt.timedelta(days=offers_days),
        segments_before=today - dt.timedelta(days=profile_days),
    )


# --- the customer's offers ------------------------------------------------------------------


def _state(session: Session, gate: Gate, person_id: str, today: dt.date) -> SubjectState:
    state = gate.states.load(session, [person_id], as_of=today).get(person_id)
    if state is None or state.erased:
        raise NotOnFile(f"no person {person_id}")
    return state


def _scope(
    session: Session, gate: Gate, actor: Actor, person_id: str, state: SubjectState, staff: bool
) -> None:
    """Staff reach the offers of their own entity's customers only; anyone else answers as an
    unknown id does. The refusal is recorded, except for an objector: nothing is recorded about
    them under a marketing purpose, even a refusal."""
    if not staff or state.relationships_by_entity.get(actor.entity):
        return
    error = NotOnFile(f"no person {person_id}")
    if state.dm_objection:
        raise error
    gate.open(session, actor=actor, purpose=OWN).refuse(
        person_id,
        categories=OWN_DATA,
        event=Event.OFFER_LIST.value,
        reasons=[Reason.NO_RELATIONSHIP.value],
        error=error,
    )


def _visible(offer: Offer, state: SubjectState, actor: Actor, staff: bool) -> bool:
    if offer.purpose in state.restricted:
        return False
    if offer.purpose == PARTNER and PARTNER not in state.consents:
        return False
    return not staff or offer.entity == actor.entity


def person_offers(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    today: dt.date,
    staff: bool,
    language: Language | None = None,
) -> list[OfferRead]:
    """The offers standing for the person (staff: their entity's), each with why it was made."""
    state = _state(session, gate, person_id, today)
    _scope(session, gate, actor, person_id, state, staff)
    if state.dm_objection:
        return []  # Art. 21(3): no offer, and nothing recorded under a marketing purpose
    offers = [
        o
        for o in repository.offers_of(session, person_id, statuses=SHOWN)
        if _visible(o, state, actor, staff)
    ]
    for purpose, data in ((OWN, OWN_DATA), (PARTNER, PARTNER_DATA)):
        # Only what is shown is read: a person with no offer standing (a prospect, a former
        # client) gets an empty list, and nothing is recorded because nothing was read.
        mine = [o.id for o in offers if o.purpose == purpose]
        if mine:
            gate.open(session, actor=actor, purpose=purpose).access(
                person_id,
                categories=data,
                event=Event.OFFER_LIST.value,
                details={"offers": mine},
                as_of=today,
            )
    lang = language.value if language else _language(session, person_id)
    return [_read(gate, o, lang) for o in offers]


def _language(session: Session, person_id: str) -> str:
    found = customers.locales_many(session, [person_id]).get(person_id)
    return texts.language(None, found[0] if found else None)


def _read(gate: Gate, offer: Offer, lang: str) -> OfferRead:
    product = BY_ID[offer.product]
    facts = json.loads(offer.facts)
    partner_name = None
    if offer.partner is not None:
        name = gate.register.recipient(offer.partner).name
        partner_name = name.get(lang) if name else offer.partner
    return OfferRead(
        id=offer.id,
        product=product.id,
        title=product.title[lang],
        description=product.description[lang],
        entity=offer.entity,
        partner=offer.partner,
        partner_name=partner_name,
        purpose=offer.purpose,
        legal_basis=gate.register.purpose(offer.purpose).legal_basis.value,
        status=offer.status,
        made_on=offer.made_on,
        language=Language(lang),
        why=WhyRead(
            rule=product.rule,
            text=texts.rule_text(product, lang),
            model=None,
            facts=[
                FactRead(fact=name, label=label, value=value)
                for name, label, value in texts.fact_lines(product, facts, lang)
            ],
        ),
    )


def _open_offer(
    session: Session,
    gate: Gate,
    actor: Actor,
    person_id: str,
    offer_id: int,
    today: dt.date,
    staff: bool,
) -> tuple[Offer, SubjectState]:
    state = _state(session, gate, person_id, today)
    _scope(session, gate, actor, person_id, state, staff)
    offer = repository.offer(session, person_id, offer_id)
    if (
        offer is None
        or state.dm_objection
        or offer.status != "open"
        or not _visible(offer, state, actor, staff)
    ):
        raise NotFound(f"no open offer {offer_id}")
    return offer, state


def accept(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    offer_id: int,
    today: dt.date,
    staff: bool,
) -> ReferralRead | OfferRead:
    """The person takes the offer up. A partner's offer is taken up by asking to be put in
    touch: the contact details and the home's features go to the partner, a disclosure
    recorded in the ledger under `partnerships`, with the partner as recipient."""
    offer, _ = _open_offer(session, gate, actor, person_id, offer_id, today, staff)
    if offer.partner is not None:
        gate.open(session, actor=actor, purpose=PARTNERSHIPS).access(
            person_id,
            categories=REFERRAL_DATA,
            event=Event.PARTNER_REFERRAL.value,
            details={"offer": offer.id, "product": offer.product},
            recipient=offer.partner,
            as_of=today,
        )
    else:
        gate.open(session, actor=actor, purpose=OWN).access(
            person_id,
            categories=OWN_DATA,
            event=Event.OFFER_ACCEPT.value,
            details={"offer": offer.id, "product": offer.product},
            as_of=today,
        )
    offer.status, offer.decided_at = "accepted", utcnow()
    session.flush()
    if offer.partner is None:
        return _read(gate, offer, _language(session, person_id))
    name = gate.register.recipient(offer.partner).name
    lang = _language(session, person_id)
    return ReferralRead(
        offer_id=offer.id,
        partner=offer.partner,
        partner_name=(name or {}).get(lang, offer.partner),
        data_categories=list(REFERRAL_DATA),
        status=offer.status,
    )


def decline(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    offer_id: int,
    today: dt.date,
    staff: bool,
) -> OfferRead:
    """The person does not want this offer: it is not made again while it is kept."""
    offer, _ = _open_offer(session, gate, actor, person_id, offer_id, today, staff)
    data = OWN_DATA if offer.purpose == OWN else PARTNER_DATA
    gate.open(session, actor=actor, purpose=offer.purpose).access(
        person_id,
        categories=data,
        event=Event.OFFER_DECLINE.value,
        details={"offer": offer.id, "product": offer.product},
        as_of=today,
    )
    offer.status, offer.decided_at = "declined", utcnow()
    session.flush()
    return _read(gate, offer, _language(session, person_id))


# --- strategy figures, erasure, the access report -------------------------------------------


def report(session: Session, *, entity: str | None = None, k: int = K_FLOOR) -> StrategyReport:
    """Customers per profile and offers per product and status, no cell under `k` shown:
    anonymous counts, which is why they pass no gate."""
    segments = [
        SegmentCell(entity=e, segment=s, age_band=a, customers=n)
        if n >= k
        else SegmentCell(entity=e, segment=s, age_band=a, suppressed=True)
        for e, s, a, n in repository.report(session, entity=entity)
    ]
    offers = [
        OfferCell(entity=e, product=p, status=st, offers=n)
        if n >= k
        else OfferCell(entity=e, product=p, status=st, suppressed=True)
        for e, p, st, n in repository.offer_counts(session, entity=entity)
    ]
    hidden = sum(c.suppressed for c in segments) + sum(c.suppressed for c in offers)
    return StrategyReport(
        k=k,
        segments=segments,
        offers=offers,
        suppressed_cells=hidden,
        note=f"cells of fewer than {k} people or offers are suppressed: their count is not shown",
    )


def with_open_partner_offers(session: Session, *, limit: int) -> list[str]:
    """Ids of persons with a partner's offer standing: bare ids, a work list, no one's data."""
    return repository.with_open_partner_offers(session, limit=limit)


def erase(session: Session, *, person_ids: Sequence[str]) -> int:
    """Erase the persons' offers and profiles with their file (Art. 17); no hold keeps them.
    No gate of its own: the erasure use case asked it. The number of offers erased."""
    return repository.delete_for(session, person_ids)


def export_person(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, purpose: str, today: dt.date
) -> dict[str, Any]:
    """Everything this domain holds on the person, JSON-ready, for the access report (Art. 15):
    their profile and every offer kept, with the rule and facts that chose it."""
    gate.open(session, actor=actor, purpose=purpose).access(
        person_id,
        categories=PROFILE_DATA,
        event=Event.DATA_EXPORT.value,
        as_of=today,
    )
    segment = repository.segment_of(session, person_id)
    offers = repository.offers_of(session, person_id, statuses=("open", "accepted", "declined"))
    return {
        "profiles": []
        if segment is None
        else [
            {
                "segment": segment.segment,
                "age_band": segment.age_band,
                "card_use": segment.card_use,
                "computed_on": segment.computed_on.isoformat(),
            }
        ],
        "offers": [
            {
                "product": o.product,
                "offer_rule": o.rule,
                "offer_facts": json.loads(o.facts),
                "offer_status": o.status,
                "made_on": o.made_on.isoformat(),
            }
            for o in offers
        ],
    }

"""Offers over HTTP: the customer's own offers and why; staff see their entity's, and the
strategy figures of their entity with no cell under the k-anonymity floor."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Query

from lawful.offers import service
from lawful.offers.catalogue import OWN
from lawful.offers.schemas import Language, OfferRead, ReferralRead, StrategyReport
from lawful.web.deps import (
    PersonId,
    PrincipalDep,
    RowId,
    RuntimeDep,
    SessionDep,
    actor_of,
    is_staff,
    reach,
    staff_acting_for,
)
from lawful.web.routing import UnitOfWorkRouter

router = UnitOfWorkRouter(tags=["offers"])
_SCOPE = (
    "A customer reaches their own offers only; staff reach the offers their entity made to its "
    "own customers, any other id answering 404 as an unknown one does. A person who objected "
    "to direct marketing has no offer."
)
LanguageQuery = Annotated[
    Language | None, Query(description="fr, nl or en (default: the person's language).")
]


@router.get(
    "/persons/{person_id}/offers",
    summary="The person's offers, each with why it was made (the rule and the facts it read)",
    description=_SCOPE,
)
def person_offers(
    person_id: PersonId,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
    lang: LanguageQuery = None,
) -> list[OfferRead]:
    reach(rt, session, who, person_id, purpose=OWN)
    return service.person_offers(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        person_id=person_id,
        today=dt.date.today(),
        staff=is_staff(who),
        language=lang,
    )


@router.post(
    "/persons/{person_id}/offers/{offer_id}/accept",
    summary="Take an offer up; for a partner's offer, ask to be put in touch with the partner",
    description=(
        "Taking a partner's offer up passes the person's name, contact details and the insured "
        "home's features to that partner, and nothing else; the disclosure is recorded in the "
        "ledger with the partner as recipient. " + _SCOPE
    ),
)
def accept(
    person_id: PersonId, offer_id: RowId, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> ReferralRead | OfferRead:
    reach(rt, session, who, person_id, purpose=OWN)
    return service.accept(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        person_id=person_id,
        offer_id=offer_id,
        today=dt.date.today(),
        staff=is_staff(who),
    )


@router.post(
    "/persons/{person_id}/offers/{offer_id}/decline",
    summary="Decline an offer: it is not made again while it is kept",
    description=_SCOPE,
)
def decline(
    person_id: PersonId, offer_id: RowId, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> OfferRead:
    reach(rt, session, who, person_id, purpose=OWN)
    return service.decline(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        person_id=person_id,
        offer_id=offer_id,
        today=dt.date.today(),
        staff=is_staff(who),
    )


@router.get(
    "/offers/report",
    summary="Customers per profile and offers per product for the caller's entity (k-anonymous)",
    description=f"Counts only; a cell of fewer than {service.K_FLOOR} is suppressed and says so.",
)
def report(rt: RuntimeDep, session: SessionDep, who: PrincipalDep) -> StrategyReport:
    actor = staff_acting_for(rt, who, purpose=OWN)
    return service.report(session, entity=actor.entity)

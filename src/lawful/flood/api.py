"""Flood underwriting over HTTP: underwriters review their entity's proposals, a customer reads
theirs (a home policy's or a home-insurance quote's) in plain words and contests them."""

from __future__ import annotations

import datetime as dt

from fastapi import Query

from lawful.core.errors import NotPermitted
from lawful.flood import service
from lawful.flood.schemas import (
    AssessmentRead,
    ContestCreate,
    Lang,
    QuoteFloodRead,
    ReviewCreate,
)
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

router = UnitOfWorkRouter(tags=["flood"])
PURPOSE = service.PURPOSE
LangQuery = Query("en", description="The language of the explanation: fr, nl or en.")


@router.get(
    "/persons/{person_id}/flood-assessments",
    summary="The person's flood assessments, explained (staff: their entity's)",
    description=(
        "What the partner's data proposed for each insured home, whether an underwriter has "
        "reviewed it (who, when, why), and the explanation in plain words."
    ),
)
def person_assessments(
    person_id: PersonId,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
    lang: Lang = LangQuery,
) -> list[AssessmentRead]:
    reach(rt, session, who, person_id, purpose=PURPOSE)
    return service.person_assessments(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        person_id=person_id,
        lang=lang,
        staff=is_staff(who),
    )


@router.get(
    "/persons/{person_id}/simulations/{simulation_id}/flood-assessment",
    summary="A home-insurance quote's flood outcome, explained",
    description=(
        "What the partner's data proposed for the quoted building, whether an underwriter has "
        "reviewed it, and the explanation in plain words; `assessment` is null until the quote "
        "is assessed. The person (client or prospect), or underwriters of the quote's insurer; "
        "another entity's staff get the answer an unknown number gets. The person contests it "
        "as any assessment."
    ),
)
def quote_assessment(
    person_id: PersonId,
    simulation_id: RowId,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
    lang: Lang = LangQuery,
) -> QuoteFloodRead:
    reach(rt, session, who, person_id, purpose=PURPOSE)
    return service.quote_assessment(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        person_id=person_id,
        simulation_id=simulation_id,
        lang=lang,
        staff=is_staff(who),
    )


@router.post(
    "/persons/{person_id}/flood-assessments/{assessment_id}/contest",
    summary="Contest a flood assessment and give one's view (the customer)",
    description="The assessment goes back to an underwriter, who reviews it again.",
)
def contest(
    person_id: PersonId,
    assessment_id: RowId,
    body: ContestCreate,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
    lang: Lang = LangQuery,
) -> AssessmentRead:
    reach(rt, session, who, person_id, purpose=PURPOSE)
    if is_staff(who):
        raise NotPermitted("the customer contests their own assessment")
    return service.contest(
        session,
        gate=rt.gate,
        person_id=person_id,
        assessment_id=assessment_id,
        data=body,
        now=dt.datetime.now(dt.UTC),
        lang=lang,
    )


@router.get(
    "/flood/assessments",
    summary="The caller's entity's proposals waiting for an underwriter (new or contested)",
)
def review_queue(
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
    limit: int = Query(100, ge=1, le=1_000, description="At most this many."),
) -> list[AssessmentRead]:
    actor = staff_acting_for(rt, who, purpose=PURPOSE)
    return service.queue(session, gate=rt.gate, actor=actor, limit=limit)


@router.post(
    "/flood/assessments/{assessment_id}/review",
    summary="An underwriter's review: confirm or change a proposal, with reasons",
    description=(
        "Only now does a refusal or a loading take effect. A refusal is accepted only where "
        "art. 129 of the Law of 4 April 2014 allows it; an assessment not waiting for review "
        "answers 409; another entity's answers 404."
    ),
)
def review(
    assessment_id: RowId, body: ReviewCreate, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> AssessmentRead:
    actor = staff_acting_for(rt, who, purpose=PURPOSE)
    return service.review(
        session,
        gate=rt.gate,
        actor=actor,
        assessment_id=assessment_id,
        data=body,
        by=who.staff_id or who.label,
        now=dt.datetime.now(dt.UTC),
    )

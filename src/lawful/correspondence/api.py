"""Business correspondence over HTTP: staff register, examine and answer their entity's messages."""

from __future__ import annotations

import datetime as dt

from fastapi import Query, status

from lawful.core.runtime import Runtime
from lawful.correspondence import intent, service
from lawful.correspondence.intent import Classifier
from lawful.correspondence.schemas import (
    DraftDecision,
    DraftRead,
    Examination,
    MessageCreate,
    MessageExamined,
    MessageRead,
)
from lawful.web.deps import (
    PersonId,
    PrincipalDep,
    RowId,
    RuntimeDep,
    SessionDep,
    reach,
    require_staff,
    staff_acting_for,
)
from lawful.web.routing import UnitOfWorkRouter

router = UnitOfWorkRouter(tags=["correspondence"])
PURPOSE = service.PURPOSE


def classifier(rt: Runtime) -> Classifier:
    return intent.load(None if rt.home is None else rt.home / "models")


def warm_classifier(rt: Runtime) -> None:
    intent.warm(None if rt.home is None else rt.home / "models")


@router.post(
    "/persons/{person_id}/correspondence",
    status_code=status.HTTP_201_CREATED,
    summary="Register a letter, fax or e-mail exchanged with the person",
    description=(
        "The text is analysed (language, topic, intent, urgency, kinds of personal data found) "
        "and stored sealed with the person's key; the answer carries the analysis, not the text. "
        "An incoming complaint opens a complaint in the register (`complaint_id`) when its "
        "product can be told."
    ),
)
def register_message(
    person_id: PersonId,
    body: MessageCreate,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
) -> MessageRead:
    require_staff(who)
    reach(rt, session, who, person_id, purpose=PURPOSE)
    actor = staff_acting_for(rt, who, purpose=PURPOSE)
    return service.register_message(
        session,
        gate=rt.gate,
        actor=actor,
        person_id=person_id,
        data=body,
        classifier=classifier(rt),
        today=dt.date.today(),
        by=who.label,
    )


@router.get(
    "/persons/{person_id}/correspondence",
    summary="The person's messages with the caller's entity: their analysis, not their text",
)
def person_messages(
    person_id: PersonId,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
    limit: int = Query(50, ge=1, le=service.PAGE_MAX, description="Newest first, at most."),
) -> list[MessageRead]:
    require_staff(who)
    reach(rt, session, who, person_id, purpose=PURPOSE)
    actor = staff_acting_for(rt, who, purpose=PURPOSE)
    return service.person_messages(
        session,
        gate=rt.gate,
        actor=actor,
        person_id=person_id,
        today=dt.date.today(),
        limit=limit,
    )


@router.post(
    "/correspondence/{message_id}/examinations",
    summary="Examine a message: its text, for one of the six declared grounds",
    description=(
        "`ground`: assignment, evidence, process-control, security, fraud or "
        "service-optimisation, with a `justification`. Without them the attempt is refused "
        "(422) and recorded; a message marked private is examined by its mailbox's holder only."
    ),
)
def examine(
    message_id: RowId, body: Examination, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> MessageExamined:
    actor = staff_acting_for(rt, who, purpose=PURPOSE)
    return service.examine(
        session,
        gate=rt.gate,
        actor=actor,
        message_id=message_id,
        data=body,
        today=dt.date.today(),
    )


@router.post(
    "/correspondence/{message_id}/drafts",
    status_code=status.HTTP_201_CREATED,
    summary="Draft an answer from the template of the message's intent, for approval",
)
def draft_answer(
    message_id: RowId, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> DraftRead:
    actor = staff_acting_for(rt, who, purpose=PURPOSE)
    return service.draft_answer(
        session,
        gate=rt.gate,
        actor=actor,
        message_id=message_id,
        today=dt.date.today(),
        by=who.label,
        sender=who.staff_id or who.label,
    )


@router.post(
    "/correspondence/drafts/{draft_id}/decision",
    summary="Approve (possibly corrected) or reject a drafted answer; nothing is sent by lawful",
)
def decide_draft(
    draft_id: RowId, body: DraftDecision, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> DraftRead:
    actor = staff_acting_for(rt, who, purpose=PURPOSE)
    return service.decide_draft(
        session,
        gate=rt.gate,
        actor=actor,
        draft_id=draft_id,
        data=body,
        today=dt.date.today(),
        by=who.label,
    )

"""Complaints over HTTP: staff handle their entity's, a customer files and follows their own."""

from __future__ import annotations

import datetime as dt

from fastapi import Query, status

from lawful.complaints import service
from lawful.complaints.schemas import (
    ComplaintCreate,
    ComplaintPage,
    ComplaintRead,
    DataRequest,
    Escalation,
    HoldingReply,
    Source,
    Statistics,
    Transition,
)
from lawful.core.errors import InvalidInput
from lawful.web.deps import (
    MAX_ID,
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

router = UnitOfWorkRouter(tags=["complaints"])
PURPOSE = service.PURPOSE


@router.post(
    "/persons/{person_id}/complaints",
    status_code=status.HTTP_201_CREATED,
    summary="File a complaint (the customer) or register one received (staff)",
    description=(
        "A customer files about one of their products (`source` customer). Staff register a "
        "complaint about their entity's product as it came in: from the branch, an agent, "
        "Test-Achats or an ombudsman (`source_ref` their case reference; an ombudsman's "
        "`ombudsman_due`). Deadlines follow the regime: payment services 15 Belgian business "
        "days, insurance and others the group's policy, ombudsman cases the ombudsman's."
    ),
)
def file_complaint(
    person_id: PersonId,
    body: ComplaintCreate,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
) -> ComplaintRead:
    reach(rt, session, who, person_id, purpose=PURPOSE)
    staff = is_staff(who)
    if not staff and body.source is not Source.CUSTOMER:
        raise InvalidInput("a customer files their own complaint", field="source")
    return service.file_complaint(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        person_id=person_id,
        data=body,
        today=dt.date.today(),
        by=who.label,
        staff=staff,
    )


@router.get(
    "/persons/{person_id}/complaints",
    summary="The person's complaints, with every step (staff: their entity's)",
)
def person_complaints(
    person_id: PersonId, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> list[ComplaintRead]:
    reach(rt, session, who, person_id, purpose=PURPOSE)
    return service.person_complaints(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        person_id=person_id,
        today=dt.date.today(),
        staff=is_staff(who),
    )


@router.get(
    "/complaints",
    summary="The complaints made about the caller's entity, a page at a time",
    description="With `overdue=true`, only those past their acknowledgement or answer deadline.",
)
def complaints(
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
    overdue: bool = Query(False, description="Only complaints past a deadline."),
    after: int = Query(0, ge=0, le=MAX_ID, description="The last number of the previous page."),
    limit: int = Query(service.PAGE, ge=1, le=service.PAGE_MAX, description="Per page."),
) -> ComplaintPage:
    actor = staff_acting_for(rt, who, purpose=PURPOSE)
    return service.queue(
        session,
        gate=rt.gate,
        actor=actor,
        today=dt.date.today(),
        overdue=overdue,
        after=after,
        limit=limit,
    )


@router.get(
    "/complaints/statistics",
    summary="Root causes per product kind and entity, no cell under 10 complaints shown",
)
def statistics(rt: RuntimeDep, session: SessionDep, who: PrincipalDep) -> Statistics:
    staff_acting_for(rt, who, purpose=PURPOSE)
    return service.statistics(session)


@router.get("/complaints/{complaint_id}", summary="One complaint of the caller's entity")
def get_complaint(
    complaint_id: RowId, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> ComplaintRead:
    actor = staff_acting_for(rt, who, purpose=PURPOSE)
    return service.get_complaint(
        session, gate=rt.gate, actor=actor, complaint_id=complaint_id, today=dt.date.today()
    )


@router.post(
    "/complaints/{complaint_id}/transitions",
    summary="Move a complaint on: acknowledged, investigating, answered, closed",
    description="A transition the status does not allow answers 409.",
)
def transition(
    complaint_id: RowId, body: Transition, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> ComplaintRead:
    actor = staff_acting_for(rt, who, purpose=PURPOSE)
    return service.move(
        session,
        gate=rt.gate,
        actor=actor,
        complaint_id=complaint_id,
        to=body.to,
        reason=body.reason,
        today=dt.date.today(),
        by=who.label,
    )


@router.post(
    "/complaints/{complaint_id}/holding-reply",
    summary="A holding reply: a payment-service complaint answered within 35 business days",
)
def holding_reply(
    complaint_id: RowId, body: HoldingReply, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> ComplaintRead:
    actor = staff_acting_for(rt, who, purpose=PURPOSE)
    return service.holding_reply(
        session,
        gate=rt.gate,
        actor=actor,
        complaint_id=complaint_id,
        reason=body.reason,
        today=dt.date.today(),
        by=who.label,
    )


@router.post(
    "/complaints/{complaint_id}/escalation",
    summary="Escalate to the complaints function or an ombudsman",
)
def escalate(
    complaint_id: RowId, body: Escalation, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> ComplaintRead:
    actor = staff_acting_for(rt, who, purpose=PURPOSE)
    return service.escalate(
        session,
        gate=rt.gate,
        actor=actor,
        complaint_id=complaint_id,
        data=body,
        today=dt.date.today(),
        by=who.label,
    )


@router.post(
    "/complaints/{complaint_id}/data-requests",
    status_code=status.HTTP_201_CREATED,
    summary="Ask a group entity, Worldline (card complaints) or the customer for data",
    description="Each request is a disclosure recorded in the ledger; the access report lists it.",
)
def data_request(
    complaint_id: RowId, body: DataRequest, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> ComplaintRead:
    actor = staff_acting_for(rt, who, purpose=PURPOSE)
    return service.request_data(
        session,
        gate=rt.gate,
        actor=actor,
        complaint_id=complaint_id,
        data=body,
        today=dt.date.today(),
        by=who.label,
    )

"""Data-subject rights over HTTP: access, objection, erasure, portability, tracked requests.

Objecting is possible by automated means (Art. 21(5)): a customer's token suffices.
"""

from __future__ import annotations

import datetime as dt
import threading
from enum import StrEnum

from fastapi import Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from lawful.core.register.models import Id
from lawful.core.text import LongText, ShortText
from lawful.customers.schemas import IdentityDocument, PersonUpdate
from lawful.flows import access_report as access
from lawful.flows import erasure
from lawful.flows import portability as portable
from lawful.rights import service, words
from lawful.rights.requests import PURPOSE, QUEUE_PAGE, QUEUE_PAGE_MAX
from lawful.rights.schemas import (
    AccessReport,
    ErasureOutcome,
    ObjectionRead,
    RequestPage,
    RequestRead,
    RequestType,
)
from lawful.web.deps import (
    MAX_ID,
    PersonId,
    PrincipalDep,
    RowId,
    RuntimeDep,
    SessionDep,
    actor_of,
    reach,
    require_staff,
    staff_acting_for,
)
from lawful.web.routing import AfterCommit, UnitOfWorkRouter

router = UnitOfWorkRouter(tags=["your rights"])
# One PDF at a time per process: WeasyPrint's Pango and fontconfig are not safe to use from two
# threads at once (GLib reports a corrupted list), and a render is CPU work under the GIL anyway,
# so renders queue here instead of taking every worker thread from the quick requests.
_PDF_RENDERS = threading.Lock()


class ReportFormat(StrEnum):
    JSON = "json"
    HTML = "html"
    PDF = "pdf"


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ObjectionCreate(Body):
    purpose: Id | None = Field(
        default=None,
        description="A register purpose id; leave empty to object to all direct marketing.",
    )
    grounds: LongText | None = Field(
        default=None, description="Your particular situation (required for Art. 21(1) objections)."
    )


class ObjectionDecision(Body):
    upheld: bool
    grounds: LongText | None = Field(
        default=None, description="Compelling legitimate grounds; required to reject."
    )


class RequestCreate(Body):
    type: RequestType
    changes: PersonUpdate | None = Field(
        default=None,
        description=(
            "For a rectification request: the corrections asked for. They are applied once staff "
            "have checked them against an identity document."
        ),
    )
    statement: LongText | None = Field(
        default=None, description="What the person wants to tell us about it."
    )


class RequestDecision(Body):
    approved: bool
    grounds: LongText = Field(min_length=3, description="What the person is told.")
    document: IdentityDocument | None = Field(
        default=None,
        description="To approve a rectification: the identity document the changes were checked "
        "against.",
    )


class RequestClosure(Body):
    grounds: LongText = Field(min_length=3, description="What the person is told.")


ANSWERED = Query(
    None,
    ge=1,
    le=MAX_ID,
    description="The registered request this answers. Required from staff: reading or erasing a "
    "whole file answers a request. A customer leaves it out: the call is the request.",
)


class Extension(Body):
    reason: ShortText = Field(
        min_length=3, description="Why two more months are needed (Art. 12(3))."
    )


@router.get(
    "/persons/{person_id}/access-report",
    summary="Everything the group holds on the person and what it did with it (Art. 15)",
    response_class=Response,
    response_model=None,
    responses={200: {"content": {"application/json": {}, "text/html": {}, "application/pdf": {}}}},
)
def access_report(
    person_id: PersonId,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
    format: ReportFormat = Query(ReportFormat.JSON, description="json, html or pdf"),
    request_id: int | None = ANSWERED,
) -> AfterCommit:
    reach(rt, session, who, person_id, purpose=PURPOSE)
    data = access.access_report(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        person_id=person_id,
        today=dt.date.today(),
        request_id=request_id,
        registered_by=who.label,
    )
    # Worded and rendered once the report's transaction is committed: no lock is held while a
    # PDF renders.
    register = rt.gate.register
    return AfterCommit(lambda: _rendered(service.report_view(register, data), format))


def _rendered(report: AccessReport, format: ReportFormat) -> Response:
    if format is ReportFormat.PDF:
        with _PDF_RENDERS:
            return Response(service.to_pdf(report), media_type="application/pdf")
    if format is ReportFormat.HTML:
        return Response(service.to_html(report), media_type="text/html; charset=utf-8")
    return Response(service.to_json(report), media_type="application/json")


@router.post(
    "/persons/{person_id}/objections",
    status_code=status.HTTP_201_CREATED,
    summary="Object to a purpose, or to all direct marketing (Art. 21)",
)
def object_to(
    person_id: PersonId,
    body: ObjectionCreate,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
) -> ObjectionRead:
    reach(rt, session, who, person_id, purpose=PURPOSE)
    return service.object(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        person_id=person_id,
        purpose=body.purpose,
        grounds=body.grounds,
        channel=service.channel_of(actor_of(who)),
        registered_by=who.label,
        today=dt.date.today(),
    )


@router.get("/persons/{person_id}/objections", summary="The person's objections and outcomes")
def objections(
    person_id: PersonId, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> list[ObjectionRead]:
    reach(rt, session, who, person_id, purpose=PURPOSE)
    return service.list_objections(
        session, gate=rt.gate, actor=actor_of(who), person_id=person_id, today=dt.date.today()
    )


@router.delete(
    "/persons/{person_id}/objections/{objection_id}",
    summary="Withdraw an objection: it no longer restricts anything (recorded)",
)
def withdraw_objection(
    person_id: str, objection_id: int, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> ObjectionRead:
    reach(rt, session, who, person_id, purpose=PURPOSE)
    return service.withdraw_objection(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        objection_id=objection_id,
        person_id=person_id,
        today=dt.date.today(),
    )


@router.post(
    "/objections/{objection_id}/decision",
    summary="The DPO upholds an objection, or rejects it with compelling grounds",
)
def decide(
    objection_id: RowId,
    body: ObjectionDecision,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
) -> ObjectionRead:
    require_staff(who)
    return service.decide_objection(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        objection_id=objection_id,
        upheld=body.upheld,
        grounds=body.grounds,
        today=dt.date.today(),
    )


@router.post(
    "/persons/{person_id}/erasure",
    summary="Erase what may go; list what must stay, why and until when (Art. 17)",
)
def erase(
    person_id: PersonId,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
    request_id: int | None = ANSWERED,
) -> ErasureOutcome:
    reach(rt, session, who, person_id, purpose=PURPOSE)
    done = erasure.erase(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        person_id=person_id,
        today=dt.date.today(),
        request_id=request_id,
        registered_by=who.label,
    )
    return words.erasure_outcome(
        rt.gate.register,
        request_id=done.request_id,
        erased=done.erased,
        kept=done.kept,
        language=done.language,
        brand=done.brand,
    )


@router.get(
    "/persons/{person_id}/portability",
    summary="What the person provided, as JSON and CSV in one zip (Art. 20)",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
def portability(
    person_id: PersonId,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
    request_id: int | None = ANSWERED,
) -> Response:
    reach(rt, session, who, person_id, purpose=PURPOSE)
    archive = portable.portability(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        person_id=person_id,
        today=dt.date.today(),
        request_id=request_id,
        registered_by=who.label,
    )
    headers = {"Content-Disposition": f'attachment; filename="data-{person_id}.zip"'}
    return Response(archive, media_type="application/zip", headers=headers)


@router.post(
    "/persons/{person_id}/requests",
    status_code=status.HTTP_201_CREATED,
    summary="Register a rights request (tracked with its one-month deadline)",
    description=(
        "A rectification request names the `changes` asked for; it is answered the same way "
        "whatever they are, and staff check them against an identity document before the file "
        "changes."
    ),
)
def submit(
    person_id: PersonId, body: RequestCreate, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> RequestRead:
    reach(rt, session, who, person_id, purpose=PURPOSE)
    return service.file_request(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        person_id=person_id,
        type=body.type,
        channel=service.channel_of(actor_of(who)),
        registered_by=who.label,
        today=dt.date.today(),
        changes=body.changes,
        statement=body.statement,
    )


@router.get("/persons/{person_id}/requests", summary="The person's rights requests")
def person_requests(
    person_id: PersonId, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> list[RequestRead]:
    reach(rt, session, who, person_id, purpose=PURPOSE)
    return service.list_requests(
        session, gate=rt.gate, actor=actor_of(who), person_id=person_id, today=dt.date.today()
    )


@router.get(
    "/requests",
    summary="The requests made to the caller's entity, by deadline, a page at a time",
    description=(
        "Reading the queue is recorded as one event, whatever the number of requests. Pass the "
        "`next_cursor` of a page as `cursor` to get the next one."
    ),
)
def all_requests(
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
    overdue: bool = Query(False, description="Only requests past their deadline."),
    status: str | None = Query(
        None, max_length=16, pattern=r"^[a-z_]+$", description="Only requests in this status."
    ),
    limit: int = Query(QUEUE_PAGE, ge=1, le=QUEUE_PAGE_MAX, description="Requests per page."),
    cursor: str | None = Query(
        None,
        max_length=100,
        pattern=r"^[A-Za-z0-9_=-]+$",
        description="Where the previous page ended.",
    ),
) -> RequestPage:
    require_staff(who)
    today = dt.date.today()
    return service.request_queue(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        today=today,
        status=status,
        overdue_on=today if overdue else None,
        limit=limit,
        cursor=cursor,
    )


@router.post(
    "/requests/{request_id}/decision",
    summary="The DPO approves or rejects a rectification or restriction request, with grounds",
)
def decide_request(
    request_id: RowId, body: RequestDecision, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> RequestRead:
    require_staff(who)
    return service.decide_request(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        request_id=request_id,
        approved=body.approved,
        grounds=body.grounds,
        document=body.document,
        today=dt.date.today(),
    )


@router.post(
    "/requests/{request_id}/closure",
    summary="The DPO lifts an approved restriction, closing its request",
)
def close_request(
    request_id: RowId, body: RequestClosure, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> RequestRead:
    require_staff(who)
    return service.close_request(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        request_id=request_id,
        grounds=body.grounds,
        today=dt.date.today(),
    )


@router.post(
    "/requests/{request_id}/extension",
    summary="Extend a request's deadline by two months, with the reason (Art. 12(3))",
)
def extend(
    request_id: RowId, body: Extension, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> RequestRead:
    actor = staff_acting_for(rt, who, purpose=PURPOSE)
    return service.extend_request(
        session,
        gate=rt.gate,
        actor=actor,
        request_id=request_id,
        reason=body.reason,
        today=dt.date.today(),
    )

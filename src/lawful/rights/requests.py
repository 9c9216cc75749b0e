"""Tracked requests (Art. 12(3)): one month to answer, extendable once by two months with a reason.

Every step of a request is itself processing under the purpose `data-subject-rights`, recorded in
the ledger through the gate: receipt, extension, completion.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from lawful.auth.service import SELF_SERVICE_ROLE
from lawful.core.db import utcnow
from lawful.core.errors import Conflict, InvalidInput, NotFound, ProcessingDenied
from lawful.core.gate import Details, Gate
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.rights import repository
from lawful.rights.dates import add_months
from lawful.rights.models import RightsRequest
from lawful.rights.schemas import (
    OPEN_STATUSES,
    Channel,
    RequestRead,
    RequestStatus,
    RequestType,
)

PURPOSE = "data-subject-rights"
# A request refers to the person by id and nothing else.
REQUEST_DATA = ("user.unique_id",)
ANSWER_MONTHS = 1
EXTENSION_MONTHS = 2


class RightsEvent(StrEnum):
    REQUEST_RECEIVE = "rights.request.receive"
    REQUEST_EXTEND = "rights.request.extend"
    REQUEST_COMPLETE = "rights.request.complete"
    REQUEST_READ = "rights.request.read"
    ACCESS_REPORT = "rights.access.report"
    OBJECTION_RECEIVE = "rights.objection.receive"
    OBJECTION_DECIDE = "rights.objection.decide"
    OBJECTION_WITHDRAW = "rights.objection.withdraw"
    OBJECTION_READ = "rights.objection.read"
    ERASURE_EXECUTE = "rights.erasure.execute"
    HOLD_RELEASE = "rights.hold.release"
    RETENTION_ERASE = "rights.retention.erase"
    PORTABILITY_EXPORT = "rights.portability.export"


def record(
    session: Session,
    gate: Gate,
    actor: Actor,
    person_id: str,
    *,
    event: RightsEvent,
    today: dt.date,
    categories: Sequence[str] = REQUEST_DATA,
    details: Details | None = None,
) -> None:
    """Ask the gate and record, under data-subject-rights; raises `ProcessingDenied` if refused."""
    ctx = gate.open(session, actor=actor, purpose=PURPOSE)
    ctx.access(person_id, categories=categories, event=event.value, details=details, as_of=today)


def read(row: RightsRequest) -> RequestRead:
    return RequestRead(
        id=row.id,
        person_id=row.person_id,
        type=RequestType(row.type),
        status=RequestStatus(row.status),
        channel=Channel(row.channel),
        registered_by=row.registered_by,
        received_on=row.received_on,
        deadline=row.deadline,
        original_deadline=add_months(row.received_on, ANSWER_MONTHS),
        extension_reason=row.extension_reason,
        completed_at=row.completed_at,
        outcome=json.loads(row.outcome) if row.outcome is not None else None,
    )


def _enum(kind: type[StrEnum], value: str, field: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise InvalidInput(f"one of {allowed}", field=field) from None


def submit_request(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    type: str,
    channel: str,
    registered_by: str,
    today: dt.date,
) -> RequestRead:
    kind: RequestType = _enum(RequestType, type, "type")
    via: Channel = _enum(Channel, channel, "channel")
    if not registered_by.strip():
        raise InvalidInput("who registered the request is required", field="registered_by")
    # Only the id and the erasure mark are read: is there anyone on file (erased or not)?
    customers.present(session, person_id, erased_too=True)
    record(
        session,
        gate,
        actor,
        person_id,
        event=RightsEvent.REQUEST_RECEIVE,
        today=today,
        details={"type": kind.value, "channel": via.value},
    )
    row = repository.add(
        session,
        RightsRequest(
            person_id=person_id,
            type=kind.value,
            status=RequestStatus.RECEIVED.value,
            channel=via.value,
            registered_by=registered_by,
            received_on=today,
            deadline=add_months(today, ANSWER_MONTHS),
        ),
    )
    return read(row)


def _open(session: Session, request_id: int) -> RightsRequest:
    row = repository.request(session, request_id, lock=True)
    if row is None:
        raise NotFound(f"no request {request_id}")
    if row.status not in OPEN_STATUSES:
        raise Conflict(f"request {request_id} is already {row.status}")
    return row


def extend_request(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    request_id: int,
    reason: str,
    today: dt.date,
) -> RequestRead:
    """Art. 12(3): once, by two months from the original deadline, with the reason told."""
    if not reason or not reason.strip():
        raise InvalidInput("the person must be told why the answer takes longer", field="reason")
    row = _open(session, request_id)
    if row.extension_reason is not None:
        raise Conflict(f"request {request_id} was already extended once")
    original = add_months(row.received_on, ANSWER_MONTHS)
    if today > original:
        raise Conflict(
            f"request {request_id} is past its deadline of {original}: too late to extend"
        )
    record(
        session,
        gate,
        actor,
        row.person_id,
        event=RightsEvent.REQUEST_EXTEND,
        today=today,
        details={"request_id": row.id, "reason": reason.strip()},
    )
    row.extension_reason = reason.strip()
    row.deadline = add_months(original, EXTENSION_MONTHS)
    session.flush()
    return read(row)


def start_request(session: Session, *, request_id: int) -> RequestRead:
    """Mark a request as being worked on (an objection awaiting the DPO's decision)."""
    row = _open(session, request_id)
    row.status = RequestStatus.IN_PROGRESS.value
    session.flush()
    return read(row)


def complete_request(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    request_id: int,
    outcome: Mapping[str, Any],
    today: dt.date,
) -> RequestRead:
    row = _open(session, request_id)
    record(
        session,
        gate,
        actor,
        row.person_id,
        event=RightsEvent.REQUEST_COMPLETE,
        today=today,
        details={"request_id": row.id, "type": row.type},
    )
    row.status = RequestStatus.COMPLETED.value
    row.completed_at = utcnow()
    row.outcome = json.dumps(dict(outcome), ensure_ascii=False, sort_keys=True, default=str)
    session.flush()
    return read(row)


def channel_of(actor: Actor) -> str:
    """How a request reached us: from the customer's own app, or registered by staff."""
    return (Channel.API if actor.role == SELF_SERVICE_ROLE else Channel.STAFF).value


def answered_request(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    kind: RequestType,
    today: dt.date,
    request_id: int | None = None,
    registered_by: str | None = None,
) -> int:
    """The request an answer answers: `request_id`, registered earlier for this person and of this
    kind; without it the call is the request (the customer asking in the app), received now."""
    if request_id is None:
        return submit_request(
            session,
            gate=gate,
            actor=actor,
            person_id=person_id,
            type=kind,
            channel=channel_of(actor),
            registered_by=registered_by or actor.role,
            today=today,
        ).id
    request = get_request(session, request_id=request_id)
    if request.type is not kind or request.person_id != person_id:
        raise InvalidInput(
            f"request {request_id} is not this person's {kind.value} request",
            field="request_id",
        )
    return request_id


def get_request(session: Session, *, request_id: int) -> RequestRead:
    row = repository.request(session, request_id)
    if row is None:
        raise NotFound(f"no request {request_id}")
    return read(row)


def list_requests(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    today: dt.date,
    person_id: str | None = None,
    status: str | None = None,
    overdue_on: dt.date | None = None,
) -> list[RequestRead]:
    """By deadline; `overdue_on` keeps the open requests whose deadline fell before that day.

    Reading requests is processing under data-subject-rights: for one person it is recorded
    (and refused) like any access; across persons, every person listed is recorded in one batch
    and those the policy refuses are left out.
    """
    statuses: list[str] | None = None
    if status is not None:
        statuses = [_enum(RequestStatus, status, "status").value]
    if overdue_on is not None:
        still_open = [s.value for s in OPEN_STATUSES]
        statuses = [s for s in statuses if s in still_open] if statuses else still_open
    if person_id is not None:
        customers.present(session, person_id, erased_too=True)
        record(session, gate, actor, person_id, event=RightsEvent.REQUEST_READ, today=today)
    elif not gate.policy.may_pursue(actor, PURPOSE):
        # Nobody's data is read before this refusal, so there is no subject to record it against.
        raise ProcessingDenied(PURPOSE, ["role_not_permitted"])
    rows = repository.requests(
        session, person_id=person_id, statuses=statuses, overdue_on=overdue_on
    )
    if person_id is None and rows:
        subjects = sorted({row.person_id for row in rows})
        outcome = gate.open(session, actor=actor, purpose=PURPOSE).access_many(
            subjects, categories=REQUEST_DATA, event=RightsEvent.REQUEST_READ.value, as_of=today
        )
        rows = [row for row in rows if row.person_id not in outcome.denied]
    return [read(row) for row in rows]

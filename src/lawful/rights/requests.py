"""Tracked requests (Art. 12(3)): one month to answer, extendable once by two months with a reason.

Every step of a request is itself processing under the purpose `data-subject-rights`, recorded in
the ledger through the gate: receipt, extension, completion.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from lawful.auth.service import SELF_SERVICE_ROLE
from lawful.core.db import utcnow
from lawful.core.errors import Conflict, InvalidInput, NotFound, NotOnFile
from lawful.core.gate import Details, Gate
from lawful.core.policy.types import Actor, Reason
from lawful.core.register.models import ActorKind
from lawful.customers import service as customers
from lawful.rights import repository
from lawful.rights.dates import add_months
from lawful.rights.models import RightsRequest
from lawful.rights.schemas import (
    OPEN_STATUSES,
    Channel,
    RequestPage,
    RequestRead,
    RequestStatus,
    RequestType,
)
from lawful.rights.sealed import as_text, open_sealed, seal_text

PURPOSE = "data-subject-rights"
# A request refers to the person by id and nothing else.
REQUEST_DATA = ("user.unique_id",)
ANSWER_MONTHS = 1
EXTENSION_MONTHS = 2
QUEUE_PAGE = 50
QUEUE_PAGE_MAX = 200
_CURSOR_MAX = 48  # base64 of "YYYY-MM-DD|" and a 64-bit id, with room to spare


class RightsEvent(StrEnum):
    REQUEST_RECEIVE = "rights.request.receive"
    REQUEST_EXTEND = "rights.request.extend"
    REQUEST_COMPLETE = "rights.request.complete"
    REQUEST_DECIDE = "rights.request.decide"
    REQUEST_CLOSE = "rights.request.close"
    REQUEST_READ = "rights.request.read"
    REQUEST_QUEUE_READ = "rights.request_queue.read"
    ACCESS_REPORT = "rights.access.report"
    TIMELINE_READ = "rights.timeline.read"
    SUMMARY_READ = "rights.data_summary.read"
    OBJECTION_RECEIVE = "rights.objection.receive"
    OBJECTION_DECIDE = "rights.objection.decide"
    OBJECTION_WITHDRAW = "rights.objection.withdraw"
    OBJECTION_READ = "rights.objection.read"
    OBJECTION_QUEUE_READ = "rights.objection_queue.read"
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


def read(session: Session, gate: Gate, row: RightsRequest) -> RequestRead:
    return read_many(session, gate, [row])[0]


def read_many(session: Session, gate: Gate, rows: Sequence[RightsRequest]) -> list[RequestRead]:
    """The requests as their reader sees them, their sealed texts opened (in one key lookup)."""
    texts = open_sealed(
        session,
        gate.keys,
        [
            (row.person_id, blob)
            for row in rows
            for blob in (row.extension_reason, row.decision_grounds, row.closing_grounds)
        ],
    )
    return [
        _read(row, *(as_text(t) for t in texts[3 * i : 3 * i + 3])) for i, row in enumerate(rows)
    ]


def _read(
    row: RightsRequest,
    extension_reason: str | None,
    decision_grounds: str | None,
    closing_grounds: str | None,
) -> RequestRead:
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
        extension_reason=extension_reason,
        completed_at=row.completed_at,
        outcome=json.loads(row.outcome) if row.outcome is not None else None,
        entity=row.entity,
        decision_grounds=decision_grounds,
        decided_by=row.decided_by,
        closing_grounds=closing_grounds,
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
    statement: str | None = None,
) -> RequestRead:
    """Register a request made to the actor's entity; `statement`, the person's own words, goes
    to the ledger (encrypted with their key), not into the request row, which outlives erasure."""
    kind: RequestType = _enum(RequestType, type, "type")
    via: Channel = _enum(Channel, channel, "channel")
    if not registered_by.strip():
        raise InvalidInput("who registered the request is required", field="registered_by")
    # Only the id and the erasure mark are read: is there anyone on file (erased or not)?
    customers.present(session, person_id, erased_too=True)
    words = " ".join((statement or "").split())
    details = {"type": kind.value, "channel": via.value} | ({"statement": words} if words else {})
    record(
        session,
        gate,
        actor,
        person_id,
        event=RightsEvent.REQUEST_RECEIVE,
        today=today,
        details=details,
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
            entity=actor.entity,
        ),
    )
    return read(session, gate, row)


def is_staff(gate: Gate, actor: Actor) -> bool:
    return any(r.id == actor.role and r.kind is ActorKind.STAFF for r in gate.register.roles)


def reachable(
    session: Session, gate: Gate, actor: Actor, person_id: str, *, event: RightsEvent
) -> None:
    """Staff reach a person's rights records only if the person is (or was) their entity's
    customer, or made a request to it; anyone else answers as an unknown id, and the attempt is
    recorded. The person, and the system components acting for them, always reach their own."""
    if not is_staff(gate, actor):
        return
    periods = customers.relationships(session, person_id=person_id)
    if any(p.entity == actor.entity for p in periods):
        return
    if repository.has_request(session, person_id=person_id, entity=actor.entity):
        return
    gate.open(session, actor=actor, purpose=PURPOSE).refuse(
        person_id,
        categories=REQUEST_DATA,
        event=event.value,
        reasons=(Reason.NO_RELATIONSHIP.value,),
        error=NotOnFile(f"no person {person_id}"),
    )


def in_scope(gate: Gate, actor: Actor, row: RightsRequest) -> bool:
    """Staff act on the requests made to their entity (and on those from before entities were
    recorded); the person, and the system components acting for them, on any of theirs."""
    return not is_staff(gate, actor) or row.entity is None or row.entity == actor.entity


def open_request(session: Session, request_id: int) -> RightsRequest:
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
    row = open_request(session, request_id)
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
    row.extension_reason = seal_text(session, gate.keys, row.person_id, reason.strip())
    row.deadline = add_months(original, EXTENSION_MONTHS)
    session.flush()
    return read(session, gate, row)


def start_request(session: Session, *, gate: Gate, request_id: int) -> RequestRead:
    """Mark a request as being worked on (an objection awaiting the DPO's decision)."""
    row = open_request(session, request_id)
    row.status = RequestStatus.IN_PROGRESS.value
    session.flush()
    return read(session, gate, row)


def complete_request(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    request_id: int,
    outcome: Mapping[str, Any],
    today: dt.date,
    grounds: str | None = None,
) -> RequestRead:
    """Answer the request: `outcome` says what was done (facts only: it outlives an erasure),
    `grounds` why, in words the person is told (sealed with their key)."""
    row = open_request(session, request_id)
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
    if grounds is not None:
        row.decision_grounds = seal_text(session, gate.keys, row.person_id, grounds)
    session.flush()
    return read(session, gate, row)


def finish_request(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    request_id: int,
    outcome: Mapping[str, Any],
    today: dt.date,
) -> RequestRead:
    """Complete the request, unless an earlier answer completed it already (the access report
    downloaded again on the day it was answered): its first outcome stands."""
    row = repository.request(session, request_id)
    if row is not None and row.status == RequestStatus.COMPLETED:
        return read(session, gate, row)
    return complete_request(
        session, gate=gate, actor=actor, request_id=request_id, outcome=outcome, today=today
    )


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
    kind. Without it the call is the person's own request, made in the app: an access request
    still open, or answered today, is answered again rather than opened anew; otherwise one is
    received now. Staff always answer a registered request: reading or erasing a whole file
    needs one to point to.
    """
    if request_id is None:
        if is_staff(gate, actor):
            raise InvalidInput(
                "staff answer a registered request: name it (its id)", field="request_id"
            )
        if kind is RequestType.ACCESS:
            again = repository.request_to_answer_again(
                session,
                person_id=person_id,
                type=kind.value,
                statuses=[s.value for s in OPEN_STATUSES],
                answered_since=today,
            )
            if again is not None:
                return again
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
    row = repository.request(session, request_id)
    if row is None or not in_scope(gate, actor, row):
        raise NotFound(f"no request {request_id}")
    request = read(session, gate, row)
    if request.type is not kind or request.person_id != person_id:
        raise InvalidInput(
            f"request {request_id} is not this person's {kind.value} request",
            field="request_id",
        )
    return request_id


def get_request(session: Session, *, gate: Gate, request_id: int) -> RequestRead:
    row = repository.request(session, request_id)
    if row is None:
        raise NotFound(f"no request {request_id}")
    return read(session, gate, row)


def list_requests(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    today: dt.date,
    person_id: str,
    status: str | None = None,
    overdue_on: dt.date | None = None,
) -> list[RequestRead]:
    """One person's requests by deadline (staff: those made to their entity); `overdue_on` keeps
    the open ones whose deadline fell before that day. Recorded like any access."""
    statuses = _statuses(status, overdue_on)
    customers.present(session, person_id, erased_too=True)
    reachable(session, gate, actor, person_id, event=RightsEvent.REQUEST_READ)
    record(session, gate, actor, person_id, event=RightsEvent.REQUEST_READ, today=today)
    rows = repository.requests(
        session,
        person_id=person_id,
        statuses=statuses,
        overdue_on=overdue_on,
        entity=actor.entity if is_staff(gate, actor) else None,
    )
    return read_many(session, gate, rows)


def request_queue(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    today: dt.date,
    status: str | None = None,
    overdue_on: dt.date | None = None,
    limit: int = QUEUE_PAGE,
    cursor: str | None = None,
) -> RequestPage:
    """The requests made to the actor's entity, by deadline, one page at a time.

    Reading the queue is one recorded access, whatever the number of rows: it shows who asked
    what and by when (the person's id, nothing of their file), the DPO's daily work, not a
    consultation of anyone's data in particular.
    """
    if not 1 <= limit <= QUEUE_PAGE_MAX:
        raise InvalidInput(f"between 1 and {QUEUE_PAGE_MAX}", field="limit")
    after = _cursor(cursor) if cursor else None
    statuses = _statuses(status, overdue_on)
    gate.open(session, actor=actor, purpose=PURPOSE).survey(
        categories=REQUEST_DATA, event=RightsEvent.REQUEST_QUEUE_READ.value, as_of=today
    )
    rows = repository.request_page(
        session,
        entity=actor.entity,
        statuses=statuses,
        overdue_on=overdue_on,
        after=after,
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    following = _cursor_of(rows[-1]) if more else None
    return RequestPage(items=read_many(session, gate, rows), next_cursor=following)


def _statuses(status: str | None, overdue_on: dt.date | None) -> list[str] | None:
    statuses: list[str] | None = None
    if status is not None:
        statuses = [_enum(RequestStatus, status, "status").value]
    if overdue_on is not None:
        still_open = [s.value for s in OPEN_STATUSES]
        statuses = [s for s in statuses if s in still_open] if statuses else still_open
    return statuses


def _cursor_of(row: RightsRequest) -> str:
    raw = f"{row.deadline.isoformat()}|{row.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor(value: str) -> tuple[dt.date, int]:
    """The (deadline, id) a page ends on, from the opaque cursor the previous page handed out."""
    refused = InvalidInput("not a cursor this list handed out", field="cursor")
    if len(value) > _CURSOR_MAX:
        raise refused
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        day, _, number = raw.partition("|")
        after = dt.date.fromisoformat(day), int(number)
    except (ValueError, UnicodeDecodeError):
        raise refused from None
    if not 0 < after[1] < 2**63:  # ids are positive 64-bit integers
        raise refused
    return after

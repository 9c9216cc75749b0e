"""Rectification (Art. 16) and restriction (Art. 18) requests: filed, decided, closed.

A rectification request carries the changes asked for; they wait in the customer file until the
DPO checks them against an identity document and approves them (the file changes, with history)
or rejects them with written grounds (what was asked is dropped). Filing answers the same whether
or not a requested national number is someone else's: nothing is looked up until staff decide.

A restriction request is approved (the restriction is in force until the request is closed, when
it is lifted) or rejected, with written grounds either way.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy.orm import Session

from lawful.core.db import utcnow
from lawful.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.customers.schemas import IdentityDocument, PersonUpdate
from lawful.rights.models import RightsRequest
from lawful.rights.requests import (
    RightsEvent,
    in_scope,
    open_request,
    read,
    record,
    submit_request,
)
from lawful.rights.schemas import RequestRead, RequestStatus, RequestType
from lawful.rights.sealed import seal_text

DPO = "dpo"
DECIDED = (RequestType.RECTIFICATION, RequestType.RESTRICTION)


def file_request(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    type: str,
    channel: str,
    registered_by: str,
    today: dt.date,
    changes: PersonUpdate | None = None,
    statement: str | None = None,
) -> RequestRead:
    """Register a request; a rectification request names the changes it asks for."""
    rectification = type == RequestType.RECTIFICATION.value
    asked = changes.model_dump(exclude_unset=True) if changes is not None else {}
    if rectification and not asked:
        raise InvalidInput("say what to correct", field="changes")
    if asked and not rectification:
        raise InvalidInput("only a rectification request names changes", field="changes")
    request = submit_request(
        session,
        gate=gate,
        actor=actor,
        person_id=person_id,
        type=type,
        channel=channel,
        registered_by=registered_by,
        today=today,
        statement=statement,
    )
    if changes is not None and asked:
        customers.propose_changes(
            session,
            gate=gate,
            actor=actor,
            person_id=person_id,
            request_id=request.id,
            changes=changes,
        )
    return request


def decide_request(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    request_id: int,
    approved: bool,
    grounds: str,
    today: dt.date,
    document: IdentityDocument | None = None,
) -> RequestRead:
    """The DPO approves or rejects a rectification or restriction request, with grounds."""
    row = _decidable(gate, actor, session, request_id, grounds)
    kind = RequestType(row.type)
    if row.decided_by is not None:
        raise Conflict(f"request {request_id} was already decided")
    why = grounds.strip()
    outcome: dict[str, Any] = {"decision": "approved" if approved else "rejected"}
    record(
        session,
        gate,
        actor,
        row.person_id,
        event=RightsEvent.REQUEST_DECIDE,
        today=today,
        details={"request_id": row.id, "approved": approved, "grounds": why},
    )
    if kind is RequestType.RECTIFICATION:
        if approved and document is None:
            raise InvalidInput(
                "name the identity document the changes were checked against", field="document"
            )
        if approved and document is not None:
            fields = sorted(customers.pending_changes(session, request_id=row.id))
            customers.approve_changes(
                session,
                gate=gate,
                actor=actor,
                person_id=row.person_id,
                request_id=row.id,
                document=document,
                reason=why,
                changed_by=_label(actor),
            )
        else:
            fields = customers.discard_changes(session, request_id=row.id)
        outcome["fields"] = fields
        _end(row, RequestStatus.COMPLETED if approved else RequestStatus.REFUSED)
    elif approved:
        # In force from today until the request is closed, which lifts it.
        outcome["restricted_from"] = today.isoformat()
        row.status = RequestStatus.IN_PROGRESS.value
    else:
        _end(row, RequestStatus.REFUSED)
    row.decision_grounds = seal_text(session, gate.keys, row.person_id, why)
    row.decided_by = _label(actor)
    row.outcome = _json(outcome)
    session.flush()
    return read(session, gate, row)


def close_request(
    session: Session, *, gate: Gate, actor: Actor, request_id: int, grounds: str, today: dt.date
) -> RequestRead:
    """Close an approved restriction: it is lifted, with the grounds the person is told."""
    row = _decidable(gate, actor, session, request_id, grounds)
    if row.type != RequestType.RESTRICTION or row.decided_by is None:
        raise Conflict(f"request {request_id} is closed by deciding it")
    why = grounds.strip()
    record(
        session,
        gate,
        actor,
        row.person_id,
        event=RightsEvent.REQUEST_CLOSE,
        today=today,
        details={"request_id": row.id, "grounds": why},
    )
    previous = read(session, gate, row).outcome or {}
    row.outcome = _json({**previous, "lifted_on": today.isoformat()})
    row.closing_grounds = seal_text(session, gate.keys, row.person_id, why)
    _end(row, RequestStatus.COMPLETED)
    session.flush()
    return read(session, gate, row)


def _decidable(
    gate: Gate, actor: Actor, session: Session, request_id: int, grounds: str
) -> RightsRequest:
    if actor.role != DPO:
        raise NotPermitted("only the data protection officer decides on a request")
    if not (grounds or "").strip():
        raise InvalidInput("the person is told why: write the grounds", field="grounds")
    row = open_request(session, request_id)
    if not in_scope(gate, actor, row):
        raise NotFound(f"no request {request_id}")
    if RequestType(row.type) not in DECIDED:
        raise Conflict(f"a {row.type} request is answered by carrying it out, not decided")
    return row


def _end(row: RightsRequest, status: RequestStatus) -> None:
    row.status, row.completed_at = status.value, utcnow()


def _label(actor: Actor) -> str:
    return f"{actor.role}:{actor.ref}" if actor.ref else actor.role


def _json(outcome: dict[str, Any]) -> str:
    return json.dumps(outcome, ensure_ascii=False, sort_keys=True, default=str)

"""The right to object (Art. 21), as the register declares it purpose by purpose.

Direct marketing (21(2)-(3)) is absolute: upheld on receipt, for every direct-marketing purpose and
the profiling done for it. A legitimate-interest purpose (21(1)) is restricted on receipt — the
policy reads a pending objection as a stop — until the DPO decides: upheld, or rejected on written
compelling grounds. A purpose with no right to object is refused with the register's reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from lawful.core.db import utcnow
from lawful.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.core.register.models import ObjectionMode, Purpose
from lawful.customers import service as customers
from lawful.rights import repository
from lawful.rights.errors import NotObjectable
from lawful.rights.language import builder
from lawful.rights.models import Objection
from lawful.rights.requests import (
    PURPOSE,
    RightsEvent,
    complete_request,
    in_scope,
    reachable,
    record,
    start_request,
    submit_request,
)
from lawful.rights.schemas import (
    ObjectionKind,
    ObjectionRead,
    ObjectionState,
    PendingObjection,
    RequestType,
)
from lawful.rights.sealed import as_text, open_sealed, seal_text

DPO = "dpo"
# An objection is a privacy choice the person makes about themselves.
OBJECTION_DATA = ("user.unique_id", "user.privacy_preferences")
STANDING = (ObjectionState.PENDING.value, ObjectionState.UPHELD.value)


def read(session: Session, gate: Gate, row: Objection) -> ObjectionRead:
    return read_many(session, gate, [row])[0]


def read_many(session: Session, gate: Gate, rows: Sequence[Objection]) -> list[ObjectionRead]:
    """The objections as their reader sees them, their sealed grounds opened."""
    texts = open_sealed(
        session,
        gate.keys,
        [(row.person_id, blob) for row in rows for blob in (row.grounds, row.decision_grounds)],
    )
    return [
        ObjectionRead(
            id=row.id,
            person_id=row.person_id,
            kind=ObjectionKind(row.kind),
            purpose=row.purpose,
            status=ObjectionState(row.status),
            grounds=as_text(texts[2 * i]),
            decision_grounds=as_text(texts[2 * i + 1]),
            decided_by=row.decided_by,
            received_at=row.received_at,
            decided_at=row.decided_at,
            request_id=row.request_id,
        )
        for i, row in enumerate(rows)
    ]


def _written(text: str | None) -> str | None:
    """The text as written, or None when there is nothing but blanks."""
    return text.strip() if text and text.strip() else None


def _purpose(gate: Gate, purpose: str) -> Purpose:
    try:
        return gate.register.purpose(purpose)
    except KeyError:
        raise NotFound(f"no purpose '{purpose}' in the register") from None


def object(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    purpose: str | None,
    grounds: str | None,
    channel: str,
    registered_by: str,
    today: dt.date,
) -> ObjectionRead:
    declared = _purpose(gate, purpose) if purpose is not None else None
    direct_marketing = declared is None or declared.direct_marketing
    grounds = _written(grounds)
    if declared is not None and not direct_marketing:
        if declared.objection.mode is ObjectionMode.NONE:
            person = customers.get_person(
                session, gate=gate, actor=actor, person_id=person_id, purpose=PURPOSE
            )
            texts = builder(gate.register, language=person.language, brand=person.brand)
            reason = declared.objection.reason
            raise NotObjectable(
                declared.id,
                texts.text(reason, f"purposes.{declared.id}.objection.reason") if reason else "",
            )
        if declared.objection.mode is ObjectionMode.BALANCING and grounds is None:
            raise InvalidInput(
                "an objection to this purpose must say what in your situation weighs against it",
                field="grounds",
            )
    kind = (
        ObjectionKind.DIRECT_MARKETING if direct_marketing else ObjectionKind.PARTICULAR_SITUATION
    )
    stored_purpose = None if direct_marketing else purpose
    if repository.standing_objection(
        session, person_id, kind=kind.value, purpose=stored_purpose, standing=STANDING
    ):
        raise Conflict(f"an objection to {stored_purpose or 'direct marketing'} already stands")
    request = submit_request(
        session,
        gate=gate,
        actor=actor,
        person_id=person_id,
        type=RequestType.OBJECTION.value,
        channel=channel,
        registered_by=registered_by,
        today=today,
    )
    # Balancing waits for the DPO; direct marketing (and any absolute mode) stops at once.
    pending = declared is not None and declared.objection.mode is ObjectionMode.BALANCING
    status = ObjectionState.PENDING if pending and not direct_marketing else ObjectionState.UPHELD
    record(
        session,
        gate,
        actor,
        person_id,
        event=RightsEvent.OBJECTION_RECEIVE,
        today=today,
        categories=OBJECTION_DATA,
        details={"kind": kind.value, "purpose": purpose, "grounds": grounds},
    )
    now = utcnow()
    row = repository.add(
        session,
        Objection(
            person_id=person_id,
            kind=kind.value,
            purpose=stored_purpose,
            status=status.value,
            grounds=seal_text(session, gate.keys, person_id, grounds),
            received_at=now,
            decided_at=None if status is ObjectionState.PENDING else now,
            decided_by=None if status is ObjectionState.PENDING else "policy:absolute",
            request_id=request.id,
        ),
    )
    if status is ObjectionState.PENDING:
        start_request(session, gate=gate, request_id=request.id)
    else:
        complete_request(
            session,
            gate=gate,
            actor=actor,
            request_id=request.id,
            outcome=_outcome(row, named=purpose),
            today=today,
        )
    return read(session, gate, row)


def objection_queue(
    session: Session, *, gate: Gate, actor: Actor, today: dt.date, limit: int = 50
) -> list[PendingObjection]:
    """The objections awaiting the DPO's decision at the DPO's entity, the nearest deadline first.

    As the request queue: one recorded access, whatever the number of rows; it shows who objected
    to what and by when, not the grounds, which are opened when the DPO decides."""
    if actor.role != DPO:
        raise NotPermitted("only the data protection officer decides on an objection")
    gate.open(session, actor=actor, purpose=PURPOSE).survey(
        categories=("user.unique_id",), event=RightsEvent.OBJECTION_QUEUE_READ.value, as_of=today
    )
    rows = repository.pending_objections(
        session, entity=actor.entity, pending=ObjectionState.PENDING.value, limit=limit
    )
    return [
        PendingObjection(
            id=row.id,
            person_id=row.person_id,
            purpose=row.purpose,
            received_at=row.received_at,
            deadline=deadline,
            request_id=row.request_id,
        )
        for row, deadline in rows
    ]


def objection_to_decide(
    session: Session, *, gate: Gate, actor: Actor, objection_id: int, today: dt.date
) -> ObjectionRead:
    """One objection of the DPO's entity, with the person's grounds, for the DPO to decide on;
    reading it is recorded for that person. Another entity's answers as one that does not exist."""
    if actor.role != DPO:
        raise NotPermitted("only the data protection officer decides on an objection")
    row = repository.objection(session, objection_id)
    if row is None or not _in_scope(session, gate, actor, row):
        raise NotFound(f"no objection {objection_id}")
    record(
        session,
        gate,
        actor,
        row.person_id,
        event=RightsEvent.OBJECTION_READ,
        today=today,
        categories=OBJECTION_DATA,
        details={"objection_id": row.id},
    )
    return read(session, gate, row)


def decide_objection(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    objection_id: int,
    upheld: bool,
    grounds: str | None,
    today: dt.date,
) -> ObjectionRead:
    """The DPO decides an Art. 21(1) objection; rejecting it takes written compelling grounds."""
    if actor.role != DPO:
        raise NotPermitted("only the data protection officer decides on an objection")
    grounds = _written(grounds)
    if not upheld and grounds is None:
        raise InvalidInput(
            "rejecting an objection requires the compelling legitimate grounds, in writing",
            field="grounds",
        )
    row = repository.objection(session, objection_id, lock=True)
    if row is None or not _in_scope(session, gate, actor, row):
        # Another entity's objection answers as one that does not exist.
        raise NotFound(f"no objection {objection_id}")
    if row.status != ObjectionState.PENDING:
        raise Conflict(f"objection {objection_id} is {row.status}, not pending")
    status = ObjectionState.UPHELD if upheld else ObjectionState.REJECTED
    record(
        session,
        gate,
        actor,
        row.person_id,
        event=RightsEvent.OBJECTION_DECIDE,
        today=today,
        categories=OBJECTION_DATA,
        details={"objection_id": row.id, "status": status.value, "grounds": grounds},
    )
    row.status = status.value
    row.decision_grounds = seal_text(session, gate.keys, row.person_id, grounds)
    row.decided_by = f"{actor.role}:{actor.ref}" if actor.ref else actor.role
    row.decided_at = utcnow()
    session.flush()
    _answer(session, gate, actor, row, today, grounds)
    return read(session, gate, row)


def withdraw_objection(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    objection_id: int,
    today: dt.date,
    person_id: str | None = None,
) -> ObjectionRead:
    """The person takes an objection back: it no longer stands against any processing.

    With `person_id`, an objection of someone else is not found. A withdrawal while the DPO had not
    decided closes the request: there is nothing left to decide.
    """
    if person_id is not None:
        reachable(session, gate, actor, person_id, event=RightsEvent.OBJECTION_WITHDRAW)
    row = repository.objection(session, objection_id, lock=True)
    if row is None or (person_id is not None and row.person_id != person_id):
        raise NotFound(f"no objection {objection_id}")
    if row.status == ObjectionState.WITHDRAWN:
        raise Conflict(f"objection {objection_id} was already withdrawn")
    was_pending = row.status == ObjectionState.PENDING
    record(
        session,
        gate,
        actor,
        row.person_id,
        event=RightsEvent.OBJECTION_WITHDRAW,
        today=today,
        categories=OBJECTION_DATA,
        details={"objection_id": row.id},
    )
    row.status = ObjectionState.WITHDRAWN.value
    session.flush()
    if was_pending:
        _answer(session, gate, actor, row, today)
    return read(session, gate, row)


def list_objections(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, today: dt.date
) -> list[ObjectionRead]:
    """The person's objections and their outcomes; reading them is recorded like any access."""
    customers.present(session, person_id, erased_too=True)
    reachable(session, gate, actor, person_id, event=RightsEvent.OBJECTION_READ)
    rows = repository.objections_of_person(session, person_id)
    record(
        session,
        gate,
        actor,
        person_id,
        event=RightsEvent.OBJECTION_READ,
        today=today,
        categories=OBJECTION_DATA,
    )
    return read_many(session, gate, rows)


def _in_scope(session: Session, gate: Gate, actor: Actor, row: Objection) -> bool:
    """The DPO decides the objections made to their entity: those of its request."""
    request = repository.request(session, row.request_id) if row.request_id is not None else None
    return request is None or in_scope(gate, actor, request)


def _answer(
    session: Session,
    gate: Gate,
    actor: Actor,
    row: Objection,
    today: dt.date,
    grounds: str | None = None,
) -> None:
    """Complete the objection's request with what the person is told (`grounds`: the DPO's)."""
    if row.request_id is not None:
        complete_request(
            session,
            gate=gate,
            actor=actor,
            request_id=row.request_id,
            outcome=_outcome(row, named=row.purpose),
            grounds=grounds,
            today=today,
        )


def _outcome(row: Objection, *, named: str | None) -> dict[str, Any]:
    """What the person is told, kept on the request."""
    return {
        "objection_id": row.id,
        "kind": row.kind,
        "purpose": named,
        "status": row.status,
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
    }

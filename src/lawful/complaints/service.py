"""Complaint handling (activity 16): the functions adapters and use cases call.

Every step passes the gate under `complaint-handling` and is recorded in the ledger in the same
transaction: filing, reading, each transition, a holding reply, an escalation, each request for
data (a disclosure to the group entity, provider or body named in the register). Staff reach the
complaints made about their own entity only; any other number answers as an unknown one. What an
open complaint keeps from erasure (`holds_for`) is asked by the erasure and retention use cases;
closing a complaint sets the end of a hold already stored, five years on (the register's
`open-complaint`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy.orm import Session

from lawful.complaints import repository
from lawful.complaints.deadlines import (
    Regime,
    due_dates,
    extended_answer,
    regime_of,
)

# What the erasure and retention use cases ask of a complaint's hold.
from lawful.complaints.holds import OPEN_COMPLAINT as OPEN_COMPLAINT
from lawful.complaints.holds import hold_end as hold_end
from lawful.complaints.holds import holds_for as holds_for
from lawful.complaints.models import Complaint, ComplaintStep
from lawful.complaints.reads import read, read_many
from lawful.complaints.schemas import (
    EXTERNAL,
    ComplaintCreate,
    ComplaintPage,
    ComplaintRead,
    DataRequest,
    DataSource,
    Escalation,
    ProductKind,
    Statistics,
    StatisticsCell,
    Status,
)
from lawful.core.db import utcnow
from lawful.core.errors import Conflict, InvalidInput, NotFound
from lawful.core.gate import Details, Gate
from lawful.core.policy.types import Actor, Decision, Obligation
from lawful.core.register.models import Register
from lawful.core.vault import service as vault
from lawful.customers import service as customers
from lawful.rights import service as rights

PURPOSE = "complaint-handling"
K_FLOOR = 10  # no statistics cell under this many complaints is shown
PAGE, PAGE_MAX = 50, 100


class Event(StrEnum):
    FILE = "complaints.complaint.file"
    READ = "complaints.complaint.read"
    LIST = "complaints.complaint.list"
    MOVE = "complaints.complaint.transition"
    HOLDING_REPLY = "complaints.complaint.holding_reply"
    ESCALATE = "complaints.complaint.escalate"
    DATA_REQUEST = "complaints.data_request.send"


BASE = ("user.name", "user.contact", "user.content.complaint")
PRODUCT_DATA: dict[str, tuple[str, ...]] = {
    ProductKind.ACCOUNT: ("user.financial.bank_account", "user.financial.account_transactions"),
    ProductKind.CARD: ("user.financial.credit_card", "user.financial.card_statement"),
    ProductKind.LOAN: ("user.financial.loan",),
    ProductKind.HOME_POLICY: ("user.financial.insurance_policy",),
}
NEXT: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.ACKNOWLEDGED}),
    Status.ACKNOWLEDGED: frozenset({Status.INVESTIGATING, Status.ANSWERED}),
    Status.INVESTIGATING: frozenset({Status.ANSWERED}),
    Status.ANSWERED: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
}
# The register's recipient each data request discloses to; the customer is the data subject.
RECIPIENTS: dict[DataSource, str | None] = {
    DataSource.KBC_BANK: "group-kbc-bank",
    DataSource.KBC_INSURANCE: "group-kbc-insurance",
    DataSource.CBC_INSURANCE: "group-cbc-insurance",
    DataSource.WORLDLINE: "worldline",
    DataSource.CUSTOMER: None,
}


def categories(kind: str) -> tuple[str, ...]:
    return (*BASE, *PRODUCT_DATA[kind])


# --- filing -----------------------------------------------------------------------------------


def file_complaint(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    data: ComplaintCreate,
    today: dt.date,
    by: str,
    staff: bool,
) -> ComplaintRead:
    """Register a complaint about one of the person's products, with its deadlines. Staff
    register complaints about their own entity's products; the person, about any of theirs."""
    _seen(session, actor, person_id, staff=staff)
    entity = customers.product_entity(
        session, person_id=person_id, kind=data.product_kind, product_id=data.product_id
    )
    if entity is None or (staff and entity != actor.entity):
        where = " with this entity" if staff else ""
        raise InvalidInput(f"not a {data.product_kind} of this person{where}", field="product_id")
    received = data.received_on or today
    if received > today:
        raise InvalidInput("a complaint is not received in the future", field="received_on")
    if data.ombudsman_due is not None and data.ombudsman_due < received:
        raise InvalidInput("the ombudsman's deadline comes after receipt", field="ombudsman_due")
    regime = regime_of(data.source, data.product_kind)
    due = due_dates(regime, received, external=data.ombudsman_due)
    row = Complaint(
        person_id=person_id,
        entity=entity,
        source=data.source.value,
        source_ref=data.source_ref,
        product_kind=data.product_kind.value,
        product_id=data.product_id,
        root_cause=data.root_cause.value,
        regime=regime.value,
        status=Status.RECEIVED.value,
        received_on=received,
        acknowledge_due=due.acknowledge_by,
        answer_due=due.answer_by,
        extended=False,
    )
    repository.add(session, row)
    # Received from an external body: what it sent us is a disclosure it made, recorded as such.
    source = data.source.value if data.source in EXTERNAL else None
    decision = _record(session, gate, actor, row, Event.FILE, today, recipient=source)
    if not _erased(decision):
        row.summary = vault.encrypt(
            session, keys=gate.keys, subject_id=person_id, plaintext=data.summary.encode()
        )
    _step(session, row, "received", by, recipient=source)
    return read(session, gate, row, today, steps=True)


# --- reading ----------------------------------------------------------------------------------


def get_complaint(
    session: Session, *, gate: Gate, actor: Actor, complaint_id: int, today: dt.date
) -> ComplaintRead:
    row = _own(session, actor, complaint_id)
    _record(session, gate, actor, row, Event.READ, today)
    return read(session, gate, row, today, steps=True)


def person_complaints(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    today: dt.date,
    staff: bool,
) -> list[ComplaintRead]:
    """The person's complaints: all of them for the person, their entity's for staff."""
    _seen(session, actor, person_id, staff=staff, erased_too=True)
    rows = repository.of_person(session, person_id, entity=actor.entity if staff else None)
    if not rows:
        return []
    kinds = sorted({r.product_kind for r in rows})
    ctx = gate.open(session, actor=actor, purpose=PURPOSE)
    ctx.access(
        person_id,
        categories=sorted({c for k in kinds for c in categories(k)}),
        event=Event.LIST,
        details={"complaints": [r.id for r in rows]},
        as_of=today,
    )
    return read_many(session, gate, rows, today, steps=True)


def queue(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    today: dt.date,
    overdue: bool,
    after: int,
    limit: int,
) -> ComplaintPage:
    """The complaints made about the actor's entity, by number, a page at a time; with
    `overdue`, only those past a deadline today. Each person on the page is recorded as seen,
    in one batch; one the policy refuses (erased, nothing held) is left out."""
    rows = repository.queue(
        session,
        entity=actor.entity,
        overdue_on=today if overdue else None,
        after=after,
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    if rows:
        persons = sorted({r.person_id for r in rows})
        ctx = gate.open(session, actor=actor, purpose=PURPOSE)
        outcome = ctx.access_many(persons, categories=BASE, event=Event.LIST, as_of=today)
        allowed = set(outcome.allowed)
        shown = [r for r in rows if r.person_id in allowed]
    else:
        shown = []
    items = read_many(session, gate, shown, today, steps=False, summaries=False)
    return ComplaintPage(items=items, next_after=rows[-1].id if more and rows else None)


# --- steps ------------------------------------------------------------------------------------


def move(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    complaint_id: int,
    to: Status,
    reason: str | None,
    today: dt.date,
    by: str,
) -> ComplaintRead:
    """One step along received → acknowledged → investigating → answered → closed. An answer
    to a complaint an external body brought is disclosed to that body."""
    row = _own(session, actor, complaint_id)
    now = Status(row.status)
    if to not in NEXT[now]:
        raise Conflict(f"a complaint {now.value} cannot become {to.value}")
    recipient = None
    if to is Status.ANSWERED:
        recipient = _body(row.escalated_to) or _body(row.source)
    details = {"from": now.value, "to": to.value}
    decision = _record(session, gate, actor, row, Event.MOVE, today, details, recipient)
    row.status = to.value
    if to is Status.CLOSED:
        row.closed_on = today
        if not repository.has_other_open(session, row.person_id, row.id):
            ends = hold_end(gate.register, today)
            rights.end_holds(session, person_id=row.person_id, hold=OPEN_COMPLAINT, ends_on=ends)
    _step(session, row, to.value, by, reason=_seal(session, gate, row, reason, decision))
    return read(session, gate, row, today, steps=True)


def holding_reply(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    complaint_id: int,
    reason: str,
    today: dt.date,
    by: str,
) -> ComplaintRead:
    """PSD2 art. 101: a payment-service complaint that cannot be answered in 15 business days
    may take up to 35, once, with a holding reply saying why."""
    row = _own(session, actor, complaint_id)
    extended = extended_answer(Regime(row.regime), row.received_on)
    if extended is None:
        raise Conflict(f"a holding reply extends payment-service complaints only, not {row.regime}")
    if row.extended:
        raise Conflict("the answer's deadline was already extended")
    if row.status not in (Status.ACKNOWLEDGED, Status.INVESTIGATING):
        raise Conflict(f"a complaint {row.status} takes no holding reply")
    details = {"answer_due": extended.isoformat()}
    decision = _record(session, gate, actor, row, Event.HOLDING_REPLY, today, details)
    row.answer_due, row.extended = extended, True
    _step(session, row, "holding_reply", by, reason=_seal(session, gate, row, reason, decision))
    return read(session, gate, row, today, steps=True)


def escalate(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    complaint_id: int,
    data: Escalation,
    today: dt.date,
    by: str,
) -> ComplaintRead:
    """To the complaints function, or an ombudsman seized of the case: the case file is then
    disclosed to that ombudsman, an answered complaint is investigated again, and the
    ombudsman's deadline, when given, becomes the answer's."""
    row = _own(session, actor, complaint_id)
    if row.status == Status.CLOSED:
        raise Conflict("a closed complaint is not escalated")
    if row.escalated_to == data.to.value:
        raise Conflict(f"already escalated to {data.to.value}")
    if data.due_on is not None and data.due_on < today:
        raise InvalidInput("the new deadline is not in the past", field="due_on")
    recipient = _body(data.to.value)
    details = {"to": data.to.value}
    decision = _record(session, gate, actor, row, Event.ESCALATE, today, details, recipient)
    row.escalated_to = data.to.value
    if recipient is not None and row.status == Status.ANSWERED:
        row.status = Status.INVESTIGATING.value
    if data.due_on is not None:
        row.answer_due = data.due_on
    reason = _seal(session, gate, row, data.reason, decision)
    _step(session, row, "escalated", by, recipient=recipient, reason=reason)
    return read(session, gate, row, today, steps=True)


def request_data(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    complaint_id: int,
    data: DataRequest,
    today: dt.date,
    by: str,
) -> ComplaintRead:
    """Ask a group entity, the provider or the customer for what the complaint needs: what is
    sent with the question (who, which product, the complaint) is a disclosure to that
    recipient, recorded under complaint-handling; the person's access report lists it."""
    row = _own(session, actor, complaint_id)
    if row.status == Status.CLOSED:
        raise Conflict("a closed complaint asks for nothing more")
    if data.to.value == row.entity:
        raise InvalidInput("the complaint's own entity holds what it has", field="to")
    if data.to is DataSource.WORLDLINE and row.product_kind != ProductKind.CARD:
        raise InvalidInput("the card processor is asked about card complaints only", field="to")
    recipient = RECIPIENTS[data.to]
    details = {"to": data.to.value, "complaint": row.id}
    decision = _record(session, gate, actor, row, Event.DATA_REQUEST, today, details, recipient)
    reason = _seal(session, gate, row, data.reason, decision)
    _step(session, row, "data_request", by, recipient=recipient or data.to.value, reason=reason)
    return read(session, gate, row, today, steps=True)


def kept_until(
    session: Session, *, register: Register, complaint_ids: Sequence[int]
) -> dict[int, dt.date | None]:
    """Until when each complaint keeps what belongs to it (the open-complaint hold): None while
    it is open, five years from its closing once closed. A bare fact of the register, no
    personal data, which is why it passes no gate."""
    closed = repository.closed_on(session, complaint_ids)
    return {i: None if c is None else hold_end(register, c) for i, c in closed.items()}


# --- statistics -------------------------------------------------------------------------------


def statistics(session: Session, *, k: int = K_FLOOR) -> Statistics:
    """Complaints per product kind, entity and root cause, no cell under `k` shown: anonymous
    figures, which is why they pass no gate."""
    shown, cells, hidden = repository.statistics(session, k=k)
    return Statistics(
        k=k,
        cells=[
            StatisticsCell(product_kind=p, entity=e, root_cause=r, complaints=n)
            for p, e, r, n in shown
        ],
        suppressed_cells=cells,
        suppressed_complaints=hidden,
    )


# --- helpers ----------------------------------------------------------------------------------


def _seen(
    session: Session, actor: Actor, person_id: str, *, staff: bool, erased_too: bool = False
) -> None:
    """The person is on file and, for staff, has been in a relationship with their entity: one
    who never was answers as an unknown id does, so that staff learn nothing of other entities'
    customers."""
    customers.present(session, person_id, erased_too=erased_too)
    if staff and not any(
        r.entity == actor.entity for r in customers.relationships(session, person_id=person_id)
    ):
        raise NotFound(f"no person {person_id}")


def _own(session: Session, actor: Actor, complaint_id: int) -> Complaint:
    """The complaint, if it was made about the actor's entity; otherwise as if there were none."""
    row = repository.get(session, complaint_id)
    if row is None or row.entity != actor.entity:
        raise NotFound(f"no complaint {complaint_id}")
    return row


def _body(target: str | None) -> str | None:
    """The register's recipient for an external body the case goes to."""
    return target if target in EXTERNAL else None


def _record(
    session: Session,
    gate: Gate,
    actor: Actor,
    row: Complaint,
    event: Event,
    today: dt.date,
    details: Details | None = None,
    recipient: str | None = None,
) -> Decision:
    ctx = gate.open(session, actor=actor, purpose=PURPOSE)
    return ctx.access(
        row.person_id,
        categories=categories(row.product_kind),
        event=event,
        details={"complaint": row.id, **(details or {})},
        recipient=recipient,
        as_of=today,
    )


def _erased(decision: Decision) -> bool:
    """Allowed only under a legal hold: the person is erased and their key destroyed."""
    return Obligation.LEGAL_HOLD in decision.obligations


def _seal(
    session: Session, gate: Gate, row: Complaint, text: str | None, decision: Decision
) -> bytes | None:
    if text is None or _erased(decision):
        return None
    return vault.encrypt(session, keys=gate.keys, subject_id=row.person_id, plaintext=text.encode())


def _step(
    session: Session,
    row: Complaint,
    step: str,
    by: str,
    *,
    recipient: str | None = None,
    reason: bytes | None = None,
) -> None:
    repository.add(
        session,
        ComplaintStep(
            complaint_id=row.id,
            step=step,
            status=row.status,
            recipient=recipient,
            by=by,
            at=utcnow(),
            reason=reason,
        ),
    )

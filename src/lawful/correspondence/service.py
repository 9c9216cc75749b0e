"""Business correspondence (activity 4): the functions adapters and use cases call.

Every step passes the gate under `business-correspondence` and is recorded in the ledger in the
same transaction: registering a message (with what the automated analysis found), listing a
person's messages, examining one, drafting and deciding an answer. A message's text is read only
by examining it, for one of the six declared grounds with a justification; without them the
attempt is refused and recorded. Staff reach their own entity's messages only; any other number
answers as an unknown one. An incoming message the classifier takes for a complaint is routed to
the complaints register by the triage system, with the product when it can be told.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from lawful.complaints import service as complaints
from lawful.complaints.schemas import ComplaintCreate, RootCause
from lawful.core.db import utcnow
from lawful.core.errors import InvalidInput, NotFound, ProcessingDenied
from lawful.core.gate import Details, Gate
from lawful.core.policy.types import Actor, Decision, Obligation
from lawful.core.register.models import Register
from lawful.correspondence import drafts, pii, repository
from lawful.correspondence.analysis import Analysis, Topic, analyse
from lawful.correspondence.corpus import Intent
from lawful.correspondence.intent import Classifier
from lawful.correspondence.models import Draft, Message
from lawful.correspondence.schemas import (
    Direction,
    DraftDecision,
    DraftRead,
    DraftStatus,
    Examination,
    FoundRead,
    MessageCreate,
    MessageExamined,
    MessageRead,
)
from lawful.customers import service as customers
from lawful.rights.sealed import as_text, open_sealed, seal_text

PURPOSE = "business-correspondence"
TRIAGE = "correspondence-triage"  # the system role that routes complaints to their register
PAGE_MAX = 100
EXPIRY_BATCH = 5_000
CATEGORIES = ("user.name", "user.contact.email", "user.content.correspondence")
MISSING_GROUND = "examination_ground_missing"
MARKED_PRIVATE = "marked_private"


@dataclass(frozen=True)
class Expiry:
    deleted: int
    kept: int  # past the retention, still kept under a complaint's hold
    received_before: dt.date


class Event(StrEnum):
    REGISTER = "correspondence.message.register"
    LIST = "correspondence.message.list"
    EXAMINE = "correspondence.message.examine"
    DRAFT = "correspondence.draft.create"
    DECIDE = "correspondence.draft.decide"
    EXPORT = "correspondence.message.export"


# --- registering ------------------------------------------------------------------------------


def register_message(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    data: MessageCreate,
    classifier: Classifier,
    today: dt.date,
    by: str,
) -> MessageRead:
    """Store a message the person exchanged with the actor's entity, analysed on the way in:
    text sealed with the person's key, the analysis kept in the clear (no values of personal
    data, only their kinds). An incoming complaint opens a complaint in the register."""
    _seen(session, actor, person_id)
    row = Message(
        person_id=person_id,
        entity=actor.entity,
        channel=data.channel.value,
        direction=data.direction.value,
        mailbox=data.mailbox or (actor.ref or by),
        private=data.private,
        received_at=data.received_at or utcnow(),
        topic=Topic.OTHER.value,
        intent="",
        confidence=0.0,
        urgency="",
        found={},
        registered_by=by,
    )
    repository.add(session, row)
    # The gate first: nothing is read, not even by the analysis, before it allows.
    details = {"message": row.id, "channel": row.channel, "direction": row.direction}
    _record(session, gate, actor, row, Event.REGISTER, today, details)
    text = f"{data.subject}\n{data.body}" if data.subject else data.body
    analysis = analyse([text], classifier)[0]
    row.language, row.topic, row.intent = analysis.language, analysis.topic, analysis.intent
    row.confidence, row.urgency = analysis.confidence, analysis.urgency
    row.found = analysis.found_counts()
    row.subject = seal_text(session, gate.keys, person_id, data.subject)
    row.body = seal_text(session, gate.keys, person_id, data.body)
    session.flush()
    if analysis.complaint and data.direction is Direction.INCOMING:
        row.complaint_id = _route_complaint(session, gate, row, analysis, data.body, today, by)
    return MessageRead.model_validate(row)


def _route_complaint(
    session: Session,
    gate: Gate,
    row: Message,
    analysis: Analysis,
    body: str,
    today: dt.date,
    by: str,
) -> int | None:
    """Open the complaint when its product can be told: the person's only product of the kind
    the message speaks of with this entity, or the card whose last digits it quotes. Otherwise the
    message stays marked as a complaint for staff to register by hand."""
    if analysis.topic is Topic.OTHER:
        return None
    kind = analysis.topic.value
    owned = customers.product_ids(session, person_id=row.person_id, kind=kind, entity=row.entity)
    product = _which(owned, analysis, body)
    if product is None:
        return None
    data = ComplaintCreate(
        source="customer",
        product_kind=kind,
        product_id=product,
        root_cause=_root_cause(body),
        summary=body[:2000] if len(body) >= 3 else "(empty)",
        received_on=row.received_at.date() if row.received_at.date() <= today else today,
    )
    triage = Actor(TRIAGE, row.entity, by)
    try:
        filed = complaints.file_complaint(
            session,
            gate=gate,
            actor=triage,
            person_id=row.person_id,
            data=data,
            today=today,
            by=f"{TRIAGE}:{row.id}",
            staff=True,
        )
    except (ProcessingDenied, NotFound, InvalidInput):
        return None
    return filed.id


def _which(owned: dict[int, str | None], analysis: Analysis, body: str) -> int | None:
    if len(owned) == 1:
        return next(iter(owned))
    quoted = {f.masked[-4:] for f in analysis.found if f.kind is pii.Kind.CARD_NUMBER}
    quoted |= set(re.findall(r"(?:\*{2,}|x{2,}|…)\s?(\d{4})\b", body, re.IGNORECASE))
    matching = [pid for pid, last in owned.items() if last is not None and last in quoted]
    return matching[0] if len(matching) == 1 else None


_CAUSES = (
    (RootCause.FEES, r"frais|kosten|fee|tarif|commission"),
    (RootCause.DISPUTED_TRANSACTION, r"contest|betwist|disput|opération|verrichting|transaction"),
    (RootCause.CLAIM_HANDLING, r"sinistre|schade|claim|indemni|vergoed"),
    (RootCause.SERVICE, r"service|dienst|répon|antwoord|answer|attend|wacht|wait"),
)


def _root_cause(body: str) -> RootCause:
    for cause, pattern in _CAUSES:
        if re.search(pattern, body, re.IGNORECASE):
            return cause
    return RootCause.OTHER


# --- reading ----------------------------------------------------------------------------------


def person_messages(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, today: dt.date, limit: int
) -> list[MessageRead]:
    """The person's messages with the actor's entity, newest first: what the analysis says,
    without their text (reading it is examining it)."""
    _seen(session, actor, person_id)
    rows = repository.of_person(session, person_id, entity=actor.entity, limit=limit)
    ctx = gate.open(session, actor=actor, purpose=PURPOSE)
    ctx.access(
        person_id,
        categories=("user.content.correspondence",),
        event=Event.LIST,
        details={"messages": [r.id for r in rows]},
        as_of=today,
    )
    return [MessageRead.model_validate(r) for r in rows]


def examine(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    message_id: int,
    data: Examination,
    today: dt.date,
) -> MessageExamined:
    """The message's text, for one of the six grounds with a justification: recorded in the
    ledger with both. Without them, or for a message marked private by anyone but its mailbox's
    holder, the attempt is recorded as refused and nothing is read."""
    row = _own(session, actor, message_id)
    ctx = gate.open(session, actor=actor, purpose=PURPOSE)
    if data.ground is None or data.justification is None:
        ctx.refuse(
            row.person_id,
            categories=CATEGORIES,
            event=Event.EXAMINE,
            reasons=[MISSING_GROUND],
            error=InvalidInput(
                "a message is examined for one of the declared grounds, with a justification",
                field="ground" if data.ground is None else "justification",
            ),
        )
    if row.private and actor.ref != row.mailbox:
        ctx.refuse(
            row.person_id, categories=CATEGORIES, event=Event.EXAMINE, reasons=[MARKED_PRIVATE]
        )
    details = {"message": row.id, "ground": data.ground.value, "justification": data.justification}
    decision = _record(session, gate, actor, row, Event.EXAMINE, today, details)
    subject = body = None
    if not _erased(decision):
        opened = open_sealed(
            session, gate.keys, [(row.person_id, row.subject), (row.person_id, row.body)]
        )
        subject, body = as_text(opened[0]), as_text(opened[1])
    found = pii.find(body) if body else []
    return MessageExamined(
        **MessageRead.model_validate(row).model_dump(),
        ground=data.ground,
        subject=subject,
        body=body,
        personal_data=[FoundRead(kind=f.kind.value, masked=f.masked) for f in found],
    )


# --- answers ----------------------------------------------------------------------------------


def draft_answer(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    message_id: int,
    today: dt.date,
    by: str,
    sender: str,
) -> DraftRead:
    """An answer from the template of the message's intent, in its language (else the person's),
    with the person's name read through the gate; proposed, never sent: a staff member approves
    or rejects it."""
    row = _own(session, actor, message_id)
    if row.direction != Direction.INCOMING:
        raise InvalidInput("only an incoming message is answered", field="message_id")
    person = customers.get_person(
        session, gate=gate, actor=actor, person_id=row.person_id, purpose=PURPOSE
    )
    language = drafts.answer_language(row.language, person.language)
    name = (
        " ".join(n for n in (person.first_name, person.last_name) if n)
        or {"fr": "Madame, Monsieur", "nl": "mevrouw, meneer", "en": "Sir or Madam"}[language]
    )
    text = drafts.compose(intent=Intent(row.intent), language=language, name=name, sender=sender)
    decision = _record(
        session, gate, actor, row, Event.DRAFT, today, {"message": row.id, "template": row.intent}
    )
    draft = Draft(
        message_id=row.id,
        language=language,
        template=row.intent,
        body=None if _erased(decision) else seal_text(session, gate.keys, row.person_id, text),
        status=DraftStatus.PROPOSED.value,
        drafted_by=by,
        drafted_at=utcnow(),
    )
    repository.add(session, draft)
    return _draft_read(draft, None if _erased(decision) else text)


def decide_draft(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    draft_id: int,
    data: DraftDecision,
    today: dt.date,
    by: str,
) -> DraftRead:
    """Approve (with the staff member's corrections) or reject a proposed answer. An approved
    answer is ready for the staff member to send from their mailbox; lawful sends nothing."""
    draft = repository.get_draft(session, draft_id)
    row = None if draft is None else repository.get(session, draft.message_id)
    if draft is None or row is None or row.entity != actor.entity:
        raise NotFound(f"no draft {draft_id}")
    if draft.status != DraftStatus.PROPOSED:
        raise InvalidInput(f"the draft is already {draft.status}", field="approve")
    status = DraftStatus.APPROVED if data.approve else DraftStatus.REJECTED
    details = {"draft": draft.id, "status": status.value, "edited": data.body is not None}
    decision = _record(session, gate, actor, row, Event.DECIDE, today, details)
    draft.status, draft.decided_by, draft.decided_at = status.value, by, utcnow()
    text = None
    if not _erased(decision):
        if data.body is not None:
            draft.body = seal_text(session, gate.keys, row.person_id, data.body)
        text = as_text(open_sealed(session, gate.keys, [(row.person_id, draft.body)])[0])
    session.flush()
    return _draft_read(draft, text)


# --- the person's rights ----------------------------------------------------------------------


def export_person(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, purpose: str, today: dt.date
) -> dict[str, Any]:
    """Every message the group holds with the person, JSON-ready, for the access report
    (Art. 15): when, how, which way, its subject and text (None once erased), and what the
    analysis took it for. Recorded under `purpose` (the person's rights)."""
    rows = repository.all_of_person(session, person_id)
    gate.open(session, actor=actor, purpose=purpose).access(
        person_id,
        categories=("user.content.correspondence",),
        event=Event.EXPORT,
        details={"messages": len(rows)},
        as_of=today,
    )
    sealed = [(person_id, blob) for r in rows for blob in (r.subject, r.body)]
    opened = open_sealed(session, gate.keys, sealed)
    return {
        "correspondence": [
            {
                "received_at": r.received_at.isoformat(),
                "entity": r.entity,
                "message_channel": r.channel,
                "direction": r.direction,
                "subject": as_text(opened[2 * i]) or None,
                "body": as_text(opened[2 * i + 1]),
                "message_intent": r.intent,
            }
            for i, r in enumerate(rows)
        ]
    }


# --- retention --------------------------------------------------------------------------------


def expire(
    session: Session, *, register: Register, today: dt.date, batch: int = EXPIRY_BATCH
) -> Expiry:
    """Delete the messages (and their drafts) received longer ago than the register's retention
    for business correspondence, except those that opened a complaint still kept under the
    open-complaint hold (open, or closed less than five years ago). A page of numbers at a time,
    two statements per page; run again, it finds nothing more."""
    retention = register.purpose(PURPOSE).retention
    years, months = retention.duration.years, retention.duration.months
    cutoff = _months_before(today, years * 12 + months) - dt.timedelta(days=retention.duration.days)
    before = dt.datetime.combine(cutoff, dt.time(), tzinfo=dt.UTC)
    deleted = kept = 0
    after = 0
    while page := repository.received_before(session, before=before, after=after, limit=batch):
        after = page[-1][0]
        linked = [c for _, c in page if c is not None]
        until = complaints.kept_until(session, register=register, complaint_ids=linked)
        held = {c for c in linked if (end := until.get(c, today)) is None or end >= today}
        gone = [m for m, c in page if c is None or c not in held]
        kept += len(page) - len(gone)
        deleted += repository.delete(session, gone)
    return Expiry(deleted=deleted, kept=kept, received_before=cutoff)


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


# --- helpers ----------------------------------------------------------------------------------


def _draft_read(draft: Draft, text: str | None) -> DraftRead:
    return DraftRead(
        id=draft.id,
        message_id=draft.message_id,
        language=draft.language,
        template=draft.template,
        status=DraftStatus(draft.status),
        body=text,
        drafted_by=draft.drafted_by,
        drafted_at=draft.drafted_at,
        decided_by=draft.decided_by,
        decided_at=draft.decided_at,
    )


def _seen(session: Session, actor: Actor, person_id: str) -> None:
    """The person is on file and has been in a relationship with the actor's entity: one who
    never was answers as an unknown id does."""
    customers.present(session, person_id)
    if not any(
        r.entity == actor.entity for r in customers.relationships(session, person_id=person_id)
    ):
        raise NotFound(f"no person {person_id}")


def _own(session: Session, actor: Actor, message_id: int) -> Message:
    row = repository.get(session, message_id)
    if row is None or row.entity != actor.entity:
        raise NotFound(f"no message {message_id}")
    return row


def _record(
    session: Session,
    gate: Gate,
    actor: Actor,
    row: Message,
    event: Event,
    today: dt.date,
    details: Details,
) -> Decision:
    ctx = gate.open(session, actor=actor, purpose=PURPOSE)
    return ctx.access(
        row.person_id, categories=CATEGORIES, event=event, details=details, as_of=today
    )


def _erased(decision: Decision) -> bool:
    return Obligation.LEGAL_HOLD in decision.obligations

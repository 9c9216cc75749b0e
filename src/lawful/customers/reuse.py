"""Activity 1: a client of one group entity who becomes a client of another is not identified twice.

The receiving entity B (the actor's) relies on a valid identification that another group entity A
performed, and only for a person who applied to become B's client (`applications`): without an
open application, B is refused and the refusal recorded. Everything B reads of what A holds is a
disclosure from A to B under intra-group-identity-reuse, recorded with B's recipient id: first
whether and how well the group identified the person (the KYC status), then the record's content.
B gets its own copy of the record (method "reuse", pointing at A's) and a client relationship, and
the application is complete.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.orm import Session

from lawful.core.errors import ProcessingDenied
from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.core.register.models import RecipientKind, Register, RelationshipState
from lawful.customers import applications, repository
from lawful.customers import categories as c
from lawful.customers.access import IDENTITY_REUSE, Event, ask, present
from lawful.customers.models import KycRecord
from lawful.customers.periods import open_period
from lawful.customers.repository import KycSummary
from lawful.customers.schemas import KycRecordRead, ReuseOutcome
from lawful.customers.scope import ScopeEvent
from lawful.customers.scope import ask as ask_for

# What passes from A to B: identification data only, as the purpose's balancing test promises.
REUSED_DATA = ((c.NAME,), (c.DATE_OF_BIRTH,), (c.ADDRESS,), (c.NATIONAL_NUMBER,), c.KYC)

AGAIN = "Please identify again at a branch with your eID, or with itsme in the app."
_WHY = {
    "no_group_identification": "no entity of the group has identified you yet",
    "insufficient_level": "the identification we hold is not thorough enough for this product",
    "objection_pending": "you objected to our passing your identity between group entities",
    "objection_upheld": "you objected to our passing your identity between group entities",
}
# Spelled out rather than strftime("%B"), which follows the process locale.
_MONTHS = (
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
)


def reuse_identity(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    required_level: int = 2,
    today: dt.date,
) -> ReuseOutcome:
    present(session, person_id)
    receiving = actor.entity
    group = {e.id for e in gate.register.entities}
    recipient = recipient_of(gate.register, receiving)
    if not gate.policy.may_pursue(actor, IDENTITY_REUSE):
        # Refused before anything about the person is read; `ask` records the refusal and raises.
        ask(
            session,
            gate,
            actor,
            IDENTITY_REUSE,
            person_id,
            REUSED_DATA,
            event=Event.IDENTITY_REUSE,
            recipient=recipient,
            as_of=today,
        )

    application = applications.open_application(session, person_id=person_id, entity=receiving)
    if application is None:
        asked = c.ask(c.declared(gate.register, IDENTITY_REUSE), REUSED_DATA)
        gate.open(session, actor=actor, purpose=IDENTITY_REUSE).refuse(
            person_id,
            categories=asked,
            event=Event.IDENTITY_REUSE.value,
            reasons=(NO_APPLICATION,),
            recipient=recipient,
            error=NoApplication(receiving),
        )

    # What each identification is worth (entity, level, expiry) decides whether there is anything
    # to disclose at all: reading that of another entity's records is a disclosure in itself.
    try:
        ask_for(
            session,
            gate,
            actor,
            IDENTITY_REUSE,
            person_id,
            (c.KYC,),
            event=ScopeEvent.KYC_STATUS_SCREEN,
            details={"application": application.id},
            recipient=recipient,
            as_of=today,
        )
    except ProcessingDenied as refused:
        if not set(refused.reasons) <= SUBJECT_REASONS:
            raise
        return _not_reused(refused.reasons)
    summaries = repository.kyc_summaries(session, person_id)

    def usable(k: KycSummary) -> bool:
        return k.expires_on > today and k.level >= required_level

    if any(k.entity == receiving and usable(k) for k in summaries):
        return ReuseOutcome(reused=False, reasons=("already_identified",))
    others = [k for k in summaries if k.entity != receiving and k.entity in group]
    if not others:
        return _not_reused(("no_group_identification",))
    candidates = [k for k in others if usable(k)]
    if not candidates:
        expired = [k.expires_on for k in others if k.expires_on <= today]
        reasons: tuple[str, ...] = ("expired",) if expired else ()
        if any(k.level < required_level for k in others):
            reasons += ("insufficient_level",)
        return _not_reused(reasons, max(expired, default=None))

    # The most thorough, then the longest valid; an original before a copy of one.
    best = max(candidates, key=lambda k: (k.level, k.expires_on, k.reused_from is None, k.id))
    try:
        ask(
            session,
            gate,
            actor,
            IDENTITY_REUSE,
            person_id,
            REUSED_DATA,
            event=Event.IDENTITY_REUSE,
            details={"from": best.entity, "kyc_record": best.id, "application": application.id},
            recipient=recipient,
            as_of=today,
        )
    except ProcessingDenied as refused:
        if not set(refused.reasons) <= SUBJECT_REASONS:
            raise  # the actor may not do this at all: a refusal, not an answer about the person
        # Returned, not raised: the caller's transaction commits, and the refusal's record with it.
        return _not_reused(refused.reasons)

    source = repository.kyc_record(session, best.id)
    copy = KycRecord(
        person_id=person_id,
        entity=receiving,
        method="reuse",
        document_type=source.document_type,
        document_number=source.document_number,
        level=source.level,
        performed_on=today,
        expires_on=source.expires_on,  # reuse does not make an identification younger
        reused_from=source.id,
    )
    repository.add(session, copy, conflict="the identification could not be copied")
    open_period(session, person_id, receiving, RelationshipState.CLIENT, today)
    applications.complete(session, application=application)
    return ReuseOutcome(
        reused=True, kyc_record=KycRecordRead.model_validate(copy), from_entity=best.entity
    )


NO_APPLICATION = "no_application"


class NoApplication(ProcessingDenied):
    """Identity reuse asked for a person who has not applied to the receiving entity."""

    def __init__(self, entity: str) -> None:
        super().__init__(IDENTITY_REUSE, [NO_APPLICATION])
        self.args = (
            f"the person has not applied to become a client of {entity}: their identification "
            "moves within the group only on their application, filed by them or recorded at a "
            "branch with their identity document checked",
        )


# Refusals that come from the person's situation: the customer is told what to do instead.
SUBJECT_REASONS = frozenset(
    {"objection_pending", "objection_upheld", "no_relationship", "erased", "dm_objection"}
)


def recipient_of(register: Register, entity: str) -> str:
    """The register's recipient id for a group entity receiving data."""
    for recipient in register.recipients:
        if recipient.kind is RecipientKind.GROUP_ENTITY and recipient.entity == entity:
            return recipient.id
    # Undeclared: the gate refuses it (recipient_not_declared) and the refusal is recorded.
    return f"group-{entity}"


def _not_reused(reasons: Sequence[str], expired_on: dt.date | None = None) -> ReuseOutcome:
    return ReuseOutcome(
        reused=False,
        reasons=tuple(reasons),
        expired_on=expired_on,
        what_to_do=what_to_do(reasons, expired_on),
    )


def what_to_do(reasons: Sequence[str], expired_on: dt.date | None = None) -> str:
    """What the customer must do instead, in plain English."""
    why = []
    for reason in reasons:
        if reason == "expired" and expired_on is not None:
            why.append(f"your identification with the group expired on {_long(expired_on)}")
        else:
            why.append(_WHY.get(reason) or "we cannot pass on your identification at the moment")
    text = "; ".join(dict.fromkeys(why))
    return f"{text[:1].upper()}{text[1:]}. {AGAIN}"


def _long(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"

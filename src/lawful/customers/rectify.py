"""Rectification with history (activity 2), and identity changes that wait for a document check.

Contact data (e-mail, phone, address, language) is the customer's to correct. Identity data (names,
birth date, national number) changes only against an identity document that staff checked: the
customer asks in a rectification request, the changes wait here, and the DPO applies them (with
history, naming the document) or drops them. Whether a requested national number is already
someone else's is not checked when the customer asks: the answer must be the same either way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from lawful.core.db import utcnow
from lawful.core.errors import InvalidInput
from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.customers import categories as c
from lawful.customers import identity, repository
from lawful.customers.access import Event, ask_file, file_purpose
from lawful.customers.models import IdentityChange, Person
from lawful.customers.schemas import IdentityDocument, PersonRead, PersonUpdate
from lawful.customers.scope import ScopeEvent as E
from lawful.customers.scope import ask, unseen_unless_related

__all__ = ["approve_changes", "discard_changes", "pending_changes", "propose_changes", "rectify"]


@unseen_unless_related
def rectify(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    changes: PersonUpdate,
    reason: str,
    changed_by: str,
    document: IdentityDocument | None = None,
) -> PersonRead:
    """Correct the fields set in `changes`; each value that really changes gets a history row.

    An identity field needs `document`, the identity document checked by the staff member: it is
    named in the history's reason and in the ledger.
    """
    why = (reason or "").strip()
    if not why:
        raise InvalidInput("say why the file is corrected", field="reason")
    who = identity.text(changed_by or "", field="changed_by", max_length=64)
    asked: dict[str, Any] = changes.model_dump(exclude_unset=True)
    if not asked:
        raise InvalidInput("name at least one field to correct", field="changes")
    proof = [f for f in c.PROOF_FIELDS if f in asked]
    if proof and document is None:
        raise InvalidInput(
            "identity data changes only through a rectification request, checked against an "
            "identity document",
            field=proof[0],
        )
    if "postcode" in asked:
        region, brand = identity.locate(asked["postcode"], gate.register.brands)
        asked |= {"region": region.value, "brand": brand}
    fields = {**c.PERSON_FIELDS, **c.DERIVED_FIELDS}
    details: dict[str, Any] = {"fields": sorted(asked), "reason": why}
    if document is not None:
        details["document"] = document.model_dump()
        why = f"{why} (identity document checked: {document.type} {document.number})"
    data = [fields[f] for f in asked]
    ask_file(session, gate, actor, person_id, data, Event.PERSON_RECTIFY, details=details)
    person = repository.person(session, person_id)
    if person is None:  # `ask_file` found it on file in this transaction
        raise InvalidInput("no such person", field="person_id")
    check_birth(asked, person)
    now = utcnow()
    history = []
    with repository.unique(
        session, conflict="this national number cannot be recorded on this file"
    ):
        for field, after in asked.items():
            before = getattr(person, field)
            if before == after:
                continue
            history.append(
                {
                    "person_id": person_id,
                    "field": field,
                    "before": as_text(before),
                    "after": as_text(after),
                    "reason": why,
                    "changed_by": who,
                    "entity": actor.entity,
                    "changed_at": now,
                }
            )
            setattr(person, field, after)
    repository.insert_rectifications(session, history)
    return PersonRead.model_validate(person)


@unseen_unless_related
def propose_changes(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    request_id: int,
    changes: PersonUpdate,
) -> list[str]:
    """Keep the changes a rectification request asks for, until staff verify them.

    Checked now: each value on its own, and a national number against the birth date (the
    person's own data). Not checked now: whether another file holds the number.
    """
    asked: dict[str, Any] = changes.model_dump(exclude_unset=True)
    if not asked:
        raise InvalidInput("name at least one field to correct", field="changes")
    fields = sorted(asked)
    ask(
        session,
        gate,
        actor,
        file_purpose(session, gate, actor, person_id),
        person_id,
        [c.PERSON_FIELDS[f] for f in fields],
        event=E.IDENTITY_CHANGE_ASK,
        details={"request_id": request_id, "fields": fields},
        on_file=True,
    )
    person = repository.person(session, person_id)
    if person is None:
        raise InvalidInput("no such person", field="person_id")
    check_birth(asked, person)
    now = utcnow()
    repository.add_all(
        session,
        [
            IdentityChange(
                person_id=person_id,
                request_id=request_id,
                field=f,
                after=as_text(asked[f]),
                asked_at=now,
            )
            for f in fields
        ],
    )
    return fields


def pending_changes(session: Session, *, request_id: int) -> dict[str, str | None]:
    """The changes a request still waits on, by field, as text. No gate: the caller records the
    decision that reads them (`approve_changes` or `discard_changes`)."""
    return {row.field: row.after for row in repository.identity_changes(session, request_id)}


def approve_changes(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    request_id: int,
    document: IdentityDocument,
    reason: str,
    changed_by: str,
) -> PersonRead:
    """Apply what the request asked, checked against `document`; the waiting changes go."""
    pending = pending_changes(session, request_id=request_id)
    if not pending:
        raise InvalidInput("the request asks for no change", field="request_id")
    changes = PersonUpdate.model_validate(pending)
    person = rectify(
        session,
        gate=gate,
        actor=actor,
        person_id=person_id,
        changes=changes,
        reason=reason,
        changed_by=changed_by,
        document=document,
    )
    repository.delete_identity_changes(session, request_id)
    return person


def discard_changes(session: Session, *, request_id: int) -> list[str]:
    """Drop what a refused request asked (minimisation): the fields it named stay on record."""
    fields = sorted(pending_changes(session, request_id=request_id))
    repository.delete_identity_changes(session, request_id)
    return fields


def check_birth(asked: Mapping[str, Any], person: Person) -> None:
    """A new national number must encode the stored birth date, and the other way round."""
    if "national_number" not in asked and "birth_date" not in asked:
        return
    number = asked.get("national_number", person.national_number)
    born = asked.get("birth_date", person.birth_date)
    if number and born and not identity.encodes_birth_date(number, born):
        field = "national_number" if "national_number" in asked else "birth_date"
        raise InvalidInput("the national number does not encode the date of birth", field=field)


def as_text(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)

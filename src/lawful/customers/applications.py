"""Applications to become a client of an entity of the group: what identity reuse rests on.

The register's balancing test for intra-group identity reuse promises that identity data moves
only when the person starts onboarding with the receiving entity. That start is an application:
filed by the person themselves (self-service), or recorded at a branch by the receiving entity's
staff, who checked the person's identity document and read the national number on it. Without an
open application, the entity gets nothing of the file (see `reuse`).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy.orm import Session

from lawful.core.db import utcnow
from lawful.core.errors import Conflict, InvalidInput, NotFound
from lawful.core.gate import Gate
from lawful.core.policy.types import Actor, Reason
from lawful.core.register.models import RelationshipState
from lawful.customers import categories as c
from lawful.customers import identity, repository
from lawful.customers.access import IDENTITY_REUSE, file_purpose, present
from lawful.customers.models import Application
from lawful.customers.schemas import ApplicationCreate, ApplicationRead
from lawful.customers.scope import ScopeEvent, ask, is_staff, unseen_unless_related

# Comparing the national number read on the document with the file's is a use of it.
DOCUMENT_CHECK = ((c.NATIONAL_NUMBER, c.KYC_RECORD),)


class ApplicationStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"  # the person became a client of the entity
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"  # left open longer than `VALID_FOR`: it no longer lets anything move


# An onboarding not finished within six months has stopped: the register's balancing test lets
# identity move for an onboarding under way, not on the strength of an old wish.
VALID_FOR = dt.timedelta(days=183)


def _filed_since() -> dt.datetime:
    return utcnow() - VALID_FOR


class Channel(StrEnum):
    SELF_SERVICE = "self_service"
    BRANCH = "branch"


def read(row: Application) -> ApplicationRead:
    read = ApplicationRead.model_validate(row)
    if row.status == ApplicationStatus.OPEN and row.filed_at < _filed_since():
        return read.model_copy(update={"status": ApplicationStatus.LAPSED.value})
    return read


@unseen_unless_related
def file_application(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, data: ApplicationCreate
) -> ApplicationRead:
    """File (the person) or record (staff, at a branch) an application; an open one is kept."""
    if is_staff(gate, actor):
        return _record_at_branch(session, gate=gate, actor=actor, person_id=person_id, data=data)
    if data.entity is None:
        raise InvalidInput("name the entity you apply to", field="entity")
    entity = _entity(gate, data.entity)
    present(session, person_id)
    _not_yet_client(session, person_id, entity)
    # The person acts on their own file: recorded under it, with the entity they apply to.
    details = {"entity": entity, "channel": Channel.SELF_SERVICE.value}
    ask(
        session,
        gate,
        actor,
        file_purpose(session, gate, actor, person_id, rights=False),
        person_id,
        (),
        event=ScopeEvent.APPLICATION_FILE,
        details=details,
    )
    row = repository.open_application(session, person_id, entity, filed_since=_filed_since())
    if row is None:
        row = _new(person_id, entity, Channel.SELF_SERVICE)
        repository.add(session, row, conflict="the application could not be recorded")
    return read(row)


def _record_at_branch(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, data: ApplicationCreate
) -> ApplicationRead:
    """Staff record an application to their own entity, having checked the identity document."""
    entity = actor.entity
    if not gate.policy.may_pursue(actor, IDENTITY_REUSE):
        # Refused (and recorded) before the input is looked at, as any role outside the purpose.
        ask(session, gate, actor, IDENTITY_REUSE, person_id, DOCUMENT_CHECK,
            event=ScopeEvent.APPLICATION_RECORD, on_file=True)  # fmt: skip
    if data.entity is not None and data.entity != entity:
        raise InvalidInput(f"staff record applications to {entity}, their entity", field="entity")
    if data.document is None:
        raise InvalidInput("name the identity document you checked", field="document")
    if data.national_number is None:
        raise InvalidInput(
            "the national number read on the document is needed", field="national_number"
        )
    number = identity.national_number(data.national_number)
    present(session, person_id)
    _not_yet_client(session, person_id, entity)
    document = data.document
    details = {
        "entity": entity,
        "channel": Channel.BRANCH.value,
        "document": document.model_dump(),
    }
    # Under identity reuse: the policy lets an entity's staff go this far only for a client of
    # the group, and records the attempt with who made it.
    ask(
        session,
        gate,
        actor,
        IDENTITY_REUSE,
        person_id,
        DOCUMENT_CHECK,
        event=ScopeEvent.APPLICATION_RECORD,
        details=details,
    )
    if not repository.national_number_is(session, person_id, number):
        gate.open(session, actor=actor, purpose=IDENTITY_REUSE).refuse(
            person_id,
            categories=[c.NATIONAL_NUMBER],
            event=ScopeEvent.APPLICATION_RECORD.value,
            reasons=("document_mismatch",),
        )
    row = repository.open_application(session, person_id, entity, filed_since=_filed_since())
    if row is None:
        row = _new(person_id, entity, Channel.BRANCH)
        session.add(row)
    row.document_type, row.document_number = document.type, document.number
    row.checked_by = actor.ref or actor.role
    session.flush()
    return read(row)


@unseen_unless_related
def list_applications(
    session: Session, *, gate: Gate, actor: Actor, person_id: str
) -> list[ApplicationRead]:
    """The person's applications; an entity's staff see those made to their entity only, and
    only for a person who is (or was) their entity's customer or applied to it."""
    staff = is_staff(gate, actor)
    rows = repository.applications(session, person_id, entity=actor.entity if staff else None)
    if staff and not rows and not repository.relationships(session, person_id, entity=actor.entity):
        present(session, person_id)
        gate.open(session, actor=actor, purpose=IDENTITY_REUSE).refuse(
            person_id,
            categories=(),
            event=ScopeEvent.APPLICATION_LIST.value,
            reasons=(Reason.NO_RELATIONSHIP.value,),
        )
    ask(
        session,
        gate,
        actor,
        IDENTITY_REUSE if staff else file_purpose(session, gate, actor, person_id, rights=False),
        person_id,
        (),
        event=ScopeEvent.APPLICATION_LIST,
        on_file=True,
    )
    return [read(r) for r in rows]


@unseen_unless_related
def withdraw_application(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, application_id: int
) -> ApplicationRead:
    """The person withdraws an open application: nothing of the file may move on its account."""
    row = repository.application(session, application_id)
    theirs = row is not None and row.person_id == person_id
    if row is None or not theirs or (is_staff(gate, actor) and row.entity != actor.entity):
        # Staff withdraw only what was applied for at their entity (the person changed their mind).
        raise NotFound(f"no application {application_id}")
    if (status := read(row).status) != ApplicationStatus.OPEN:
        raise Conflict(f"application {application_id} is {status}")
    ask(
        session,
        gate,
        actor,
        file_purpose(session, gate, actor, person_id, rights=False),
        person_id,
        (),
        event=ScopeEvent.APPLICATION_WITHDRAW,
        details={"application": row.id, "entity": row.entity},
        on_file=True,
    )
    row.status, row.closed_at = ApplicationStatus.WITHDRAWN.value, utcnow()
    session.flush()
    return read(row)


def open_application(session: Session, *, person_id: str, entity: str) -> Application | None:
    """The person's open application to `entity`, if any. No gate: whether the person asked is
    what allows the gate to be asked at all (see `reuse`)."""
    return repository.open_application(session, person_id, entity, filed_since=_filed_since())


def complete(session: Session, *, application: Application) -> None:
    application.status, application.closed_at = ApplicationStatus.COMPLETED.value, utcnow()
    session.flush()


def _new(person_id: str, entity: str, channel: Channel) -> Application:
    return Application(
        person_id=person_id,
        entity=entity,
        channel=channel.value,
        status=ApplicationStatus.OPEN.value,
        filed_at=utcnow(),
    )


def _entity(gate: Gate, entity: str) -> str:
    if entity not in {e.id for e in gate.register.entities}:
        raise InvalidInput(f"{entity!r} is not an entity of the group", field="entity")
    return entity


def _not_yet_client(session: Session, person_id: str, entity: str) -> None:
    # Relationships are the frame the gate decides on, not content: read without it.
    for period in repository.relationships(session, person_id, entity=entity, open_only=True):
        if period.state == RelationshipState.CLIENT:
            raise Conflict(f"already a client of {entity}")

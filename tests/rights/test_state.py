"""DbSubjectStates: the policy sees the facts, objections, DM objection, holds and erasure."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from lawful.core.db import utcnow
from lawful.core.gate import Gate
from lawful.core.policy.types import Hold, Objection, ObjectionStatus
from lawful.core.register.models import RelationshipState
from lawful.customers.schemas import PersonRead
from lawful.flows import erasure
from lawful.rights import repository, service
from lawful.rights.models import LegalHold
from lawful.rights.models import Objection as ObjectionRow
from lawful.rights.schemas import ObjectionKind
from lawful.rights.state import DbSubjectStates

from .conftest import DPO, SELF, TODAY, new_person, registered


def _object(session: Session, gate: Gate, person: PersonRead, purpose: str | None) -> int:
    return service.object(
        session,
        gate=gate,
        actor=SELF,
        person_id=person.id,
        purpose=purpose,
        grounds="my situation" if purpose else None,
        channel="api",
        registered_by="self-service",
        today=TODAY,
    ).id


def test_objections_dm_objection_and_holds(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    other = new_person(session, gate)
    pending = _object(session, gate, client, "customer-file")
    rejected = _object(session, gate, client, "recorded-conversations")
    service.decide_objection(
        session,
        gate=gate,
        actor=DPO,
        objection_id=rejected,
        upheld=False,
        grounds="Evidence for a pending claim",
        today=TODAY,
    )
    _object(session, gate, other, None)
    until = TODAY + dt.timedelta(days=30)
    repository.add(
        session,
        LegalHold(
            person_id=other.id, hold="open-complaint", reason="r", until=until, created_at=utcnow()
        ),
    )
    repository.add(
        session,
        LegalHold(
            person_id=other.id,
            hold="aml-transactions",
            reason="r",
            until=until,
            created_at=utcnow(),
            released_at=utcnow(),
        ),
    )
    states = DbSubjectStates().load(session, [client.id, other.id, "unknown"], as_of=TODAY)
    assert set(states) == {client.id, other.id}
    mine = states[client.id]
    assert mine.objections == {
        Objection("customer-file", ObjectionStatus.PENDING),
        Objection("recorded-conversations", ObjectionStatus.REJECTED),
    }
    assert not mine.dm_objection and mine.restricted == {"customer-file"}
    assert [r.entity for r in mine.relationships] == ["kbc-bank"]
    theirs = states[other.id]
    assert theirs.dm_objection and not theirs.objections
    assert theirs.legal_holds == {Hold("open-complaint", until)}  # the released one is gone
    assert not theirs.erased
    assert pending


def test_a_withdrawn_dm_objection_no_longer_counts(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    objection = _object(session, gate, client, None)
    assert DbSubjectStates().load(session, [client.id], as_of=TODAY)[client.id].dm_objection
    service.withdraw_objection(session, gate=gate, actor=SELF, objection_id=objection, today=TODAY)
    assert not DbSubjectStates().load(session, [client.id], as_of=TODAY)[client.id].dm_objection


def test_erasure_is_seen(session: Session, gate: Gate, client: PersonRead) -> None:
    erasure.erase(
        session,
        gate=gate,
        actor=DPO,
        person_id=client.id,
        today=TODAY,
        request_id=registered(session, gate, client.id),
    )
    state = DbSubjectStates().load(session, [client.id], as_of=TODAY)[client.id]
    assert state.erased
    assert {h.hold for h in state.legal_holds} == {"aml-identification", "running-contract"}


def test_many_subjects_in_chunks(session: Session, gate: Gate, client: PersonRead) -> None:
    session.add(
        ObjectionRow(
            person_id=client.id,
            kind=ObjectionKind.PARTICULAR_SITUATION.value,
            purpose="customer-file",
            status="upheld",
            received_at=utcnow(),
        )
    )
    session.flush()
    ids = [f"ghost-{i}" for i in range(2_000)] + [client.id]
    states = DbSubjectStates().load(session, ids, as_of=TODAY)
    assert list(states) == [client.id]
    assert states[client.id].objections == {Objection("customer-file", ObjectionStatus.UPHELD)}
    assert DbSubjectStates().load(session, [], as_of=TODAY) == {}


def test_many_at_once_are_each_what_they_are_alone(
    session: Session, gate: Gate, client: PersonRead, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bulk read (ids bound as one JSON array, in chunks) gives every subject the state the
    single read gives: objections, the DM objection, prospects, across chunk boundaries."""
    objector = new_person(session, gate)
    _object(session, gate, objector, "customer-file")
    marketing = new_person(session, gate, language="fr", region="wallonia")
    _object(session, gate, marketing, None)
    prospect = new_person(session, gate, state="prospect")
    people = [client.id, objector.id, marketing.id, prospect.id]
    alone = {p: DbSubjectStates().load(session, [p], as_of=TODAY)[p] for p in people}
    monkeypatch.setattr("lawful.rights.state.BULK_CHUNK", 2)
    together = DbSubjectStates().load(session, [*people, "ghost-1"], as_of=TODAY)
    assert together == alone
    assert together[objector.id].objected == {"customer-file"}
    assert together[marketing.id].dm_objection
    assert together[prospect.id].relationship_states == {RelationshipState.PROSPECT}

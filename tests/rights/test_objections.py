"""Objections through a real gate: direct marketing stops at once, balancing restricts at once and
the DPO decides, a purpose without the right is refused with the register's reason."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from lawful.core.errors import Conflict, InvalidInput, NotFound, NotPermitted, ProcessingDenied
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.customers.schemas import PersonRead
from lawful.rights import service
from lawful.rights.schemas import ObjectionKind, ObjectionRead, ObjectionState, RequestStatus

from .conftest import ADVISOR, DPO, OFFERS, SELF, TODAY, new_person

OFFER_DATA = ["user.name", "user.financial.bank_account"]
CONVERSATION_DATA = ["user.name", "user.content.conversation_transcript"]


def _object(
    session: Session, gate: Gate, person: PersonRead, purpose: str | None, grounds: str | None
) -> ObjectionRead:
    return service.object(
        session,
        gate=gate,
        actor=SELF,
        person_id=person.id,
        purpose=purpose,
        grounds=grounds,
        channel="api",
        registered_by="self-service",
        today=TODAY,
    )


def _offer(session: Session, gate: Gate, person: PersonRead, purpose: str) -> None:
    ctx = gate.open(session, actor=OFFERS, purpose=purpose)
    ctx.access(person.id, categories=OFFER_DATA, event="engagement.offer.select", as_of=TODAY)


def _conversation(session: Session, gate: Gate, person: PersonRead) -> None:
    ctx = gate.open(session, actor=ADVISOR, purpose="recorded-conversations")
    ctx.access(
        person.id, categories=CONVERSATION_DATA, event="interactions.summary.read", as_of=TODAY
    )


def test_direct_marketing_objection_stops_every_dm_purpose_at_once(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    _offer(session, gate, client, "personalised-offers")
    objection = _object(session, gate, client, None, None)
    assert objection.kind is ObjectionKind.DIRECT_MARKETING
    assert objection.status is ObjectionState.UPHELD and objection.purpose is None
    for purpose in ("personalised-offers", "commercial-profiling"):
        with pytest.raises(ProcessingDenied) as refused:
            _offer(session, gate, client, purpose)
        assert "dm_objection" in refused.value.reasons
    # Answered at once: the request is completed and says so.
    request = service.get_request(session, gate=gate, request_id=objection.request_id or 0)
    assert request.status is RequestStatus.COMPLETED
    assert request.outcome and request.outcome["status"] == "upheld"


def test_naming_a_dm_purpose_is_a_direct_marketing_objection(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    objection = _object(session, gate, client, "commercial-profiling", None)
    assert objection.kind is ObjectionKind.DIRECT_MARKETING
    with pytest.raises(ProcessingDenied):
        _offer(session, gate, client, "personalised-offers")
    with pytest.raises(Conflict):
        _object(session, gate, client, None, None)


def test_balancing_objection_restricts_at_once_and_a_reasoned_rejection_lifts_it(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    _conversation(session, gate, client)
    objection = _object(
        session, gate, client, "recorded-conversations", "I am a journalist protecting sources"
    )
    assert objection.status is ObjectionState.PENDING
    assert service.get_request(session, gate=gate, request_id=objection.request_id or 0).status is (
        RequestStatus.IN_PROGRESS
    )
    with pytest.raises(ProcessingDenied) as refused:
        _conversation(session, gate, client)
    assert refused.value.reasons == ("objection_pending",)

    with pytest.raises(InvalidInput) as no_grounds:
        service.decide_objection(
            session,
            gate=gate,
            actor=DPO,
            objection_id=objection.id,
            upheld=False,
            grounds=" ",
            today=TODAY,
        )
    assert no_grounds.value.field == "grounds"
    with pytest.raises(NotPermitted):
        service.decide_objection(
            session,
            gate=gate,
            actor=ADVISOR,
            objection_id=objection.id,
            upheld=True,
            grounds=None,
            today=TODAY,
        )
    grounds = "Summaries are needed to defend a pending claim about advice given"
    rejected = service.decide_objection(
        session,
        gate=gate,
        actor=DPO,
        objection_id=objection.id,
        upheld=False,
        grounds=grounds,
        today=TODAY,
    )
    assert rejected.status is ObjectionState.REJECTED
    assert (rejected.decision_grounds, rejected.decided_by) == (grounds, "dpo")
    _conversation(session, gate, client)  # allowed again
    request = service.get_request(session, gate=gate, request_id=objection.request_id or 0)
    assert request.status is RequestStatus.COMPLETED
    assert request.decision_grounds == grounds
    decided = [
        r
        for r in ledger.for_subject(session, keys=gate.keys, subject_id=client.id)
        if r.event == "rights.objection.decide"
    ]
    assert len(decided) == 1 and decided[0].actor == "dpo"
    with pytest.raises(Conflict):
        service.decide_objection(
            session,
            gate=gate,
            actor=DPO,
            objection_id=objection.id,
            upheld=True,
            grounds=None,
            today=TODAY,
        )


def test_upheld_objection_keeps_the_processing_stopped(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    objection = _object(session, gate, client, "recorded-conversations", "Recordings distress me")
    upheld = service.decide_objection(
        session,
        gate=gate,
        actor=DPO,
        objection_id=objection.id,
        upheld=True,
        grounds=None,
        today=TODAY,
    )
    assert upheld.status is ObjectionState.UPHELD
    with pytest.raises(ProcessingDenied) as refused:
        _conversation(session, gate, client)
    assert refused.value.reasons == ("objection_upheld",)
    assert [
        o.status
        for o in service.list_objections(
            session, gate=gate, actor=DPO, person_id=client.id, today=TODAY
        )
    ] == [ObjectionState.UPHELD]


@pytest.mark.parametrize(
    ("language", "region", "expected"),
    [
        ("nl", "flanders", "De wet verplicht ons deze gesprekken op te nemen"),
        ("fr", "wallonia", "La loi nous oblige à enregistrer ces échanges"),
        ("en", "brussels", "The law requires us to record these exchanges"),
        ("de", "wallonia", "La loi nous oblige à enregistrer ces échanges"),
    ],
)
def test_no_objection_where_the_register_says_why_in_the_persons_language(
    session: Session, gate: Gate, language: str, region: str, expected: str
) -> None:
    person = new_person(session, gate, language=language, region=region)
    with pytest.raises(service.NotObjectable) as refused:
        _object(session, gate, person, "mifid-call-recording", "I dislike it")
    assert str(refused.value).startswith(expected)
    assert isinstance(refused.value, Conflict)


def test_objection_input_rules(session: Session, gate: Gate, client: PersonRead) -> None:
    with pytest.raises(NotFound):
        _object(session, gate, client, "mind-reading", "no")
    with pytest.raises(InvalidInput) as no_grounds:
        _object(session, gate, client, "customer-file", None)
    assert no_grounds.value.field == "grounds"
    first = _object(session, gate, client, "customer-file", "I moved abroad")
    with pytest.raises(Conflict):
        _object(session, gate, client, "customer-file", "still abroad")
    received = [
        r
        for r in ledger.for_subject(session, keys=gate.keys, subject_id=client.id)
        if r.event == "rights.objection.receive"
    ]
    assert len(received) == 1
    withdrawn = service.withdraw_objection(
        session, gate=gate, actor=SELF, objection_id=first.id, today=TODAY
    )
    assert withdrawn.status is ObjectionState.WITHDRAWN
    # Withdrawn, it no longer stands: the person may object anew.
    _object(session, gate, client, "customer-file", "I moved abroad again")


def test_objection_by_staff_for_the_customer(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    branch = Actor("advisor", "kbc-bank")
    with pytest.raises(ProcessingDenied):
        # An adviser's role does not cover data-subject-rights: requests go to the DPO's office.
        service.object(
            session,
            gate=gate,
            actor=branch,
            person_id=client.id,
            purpose=None,
            grounds=None,
            channel="staff",
            registered_by="advisor:jan",
            today=TODAY,
        )
    objection = service.object(
        session,
        gate=gate,
        actor=DPO,
        person_id=client.id,
        purpose=None,
        grounds=None,
        channel="staff",
        registered_by="dpo:an",
        today=TODAY,
    )
    request = service.get_request(session, gate=gate, request_id=objection.request_id or 0)
    assert (request.channel, request.registered_by) == ("staff", "dpo:an")

"""Activity 1: reusing a group entity's identification at another entity, or saying why not."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from lawful.core.errors import NotFound
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import ObjectionStatus
from lawful.customers import service
from lawful.customers.schemas import PersonRead, ReuseOutcome

from .conftest import ADVISOR, INSURER, TODAY, FileStates, last_event
from .factories import People, kyc

DAY = dt.timedelta(days=1)
AGAIN = "identify again at a branch with your eID, or with itsme in the app"


def identified(session: Session, gate: Gate, person: PersonRead, **overrides: object) -> int:
    record = service.add_kyc_record(
        session, gate=gate, actor=ADVISOR, person_id=person.id, data=kyc(TODAY, **overrides)
    )
    return record.id


def reuse(session: Session, gate: Gate, person: PersonRead) -> ReuseOutcome:
    return service.reuse_identity(
        session, gate=gate, actor=INSURER, person_id=person.id, today=TODAY
    )


def test_the_insurer_reuses_the_banks_identification(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    source = identified(session, gate, client, level=3)
    outcome = reuse(session, gate, client)
    assert outcome.reused and outcome.from_entity == "kbc-bank" and outcome.reasons == ()
    copy = outcome.kyc_record
    assert copy is not None
    assert (copy.entity, copy.method, copy.reused_from, copy.level, copy.performed_on) == (
        "kbc-insurance",
        "reuse",
        source,
        3,
        TODAY,
    )
    event = last_event(session, client.id)
    assert (event.event, event.purpose, event.recipient, event.decision, event.entity) == (
        "customers.identity.reuse",
        "intra-group-identity-reuse",
        "group-kbc-insurance",
        "allow",
        "kbc-insurance",
    )
    assert "user.government_id.national_identification_number" in event.data_categories
    assert ledger.details(session, record=event) == {"from": "kbc-bank", "kyc_record": source}
    insurer = [
        r
        for r in service.relationships(session, person_id=client.id)
        if r.entity == "kbc-insurance"
    ]
    assert [(r.state, r.since) for r in insurer] == [("client", TODAY)]
    assert service.kyc_records(session, gate=gate, actor=INSURER, person_id=client.id) == [copy]
    # Done once: the insurer is now identified and there is nothing left to reuse.
    assert reuse(session, gate, client).reasons == ("already_identified",)


def test_a_prospect_of_the_insurer_becomes_its_client(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    identified(session, gate, client)
    service.add_relationship(
        session,
        gate=gate,
        actor=INSURER,
        person_id=client.id,
        entity="kbc-insurance",
        state="prospect",
        since=TODAY - 3 * DAY,
    )
    assert reuse(session, gate, client).reused
    insurer = [
        r
        for r in service.relationships(session, person_id=client.id)
        if r.entity == "kbc-insurance"
    ]
    assert [(r.state, r.until) for r in insurer] == [
        ("prospect", TODAY - DAY),
        ("client", None),
    ]


def test_expired_identification_names_its_expiry(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    expired_on = TODAY - 10 * DAY
    identified(session, gate, client, performed_on=TODAY - 4000 * DAY, expires_on=expired_on)
    before = ledger.counts(session).total
    outcome = reuse(session, gate, client)
    assert (outcome.reused, outcome.reasons, outcome.expired_on) == (
        False,
        ("expired",),
        expired_on,
    )
    assert outcome.what_to_do is not None and AGAIN in outcome.what_to_do
    assert str(expired_on.year) in outcome.what_to_do
    # Nothing was disclosed, so nothing was asked of the gate.
    assert ledger.counts(session).total == before


def test_insufficient_level(session: Session, gate: Gate, client: PersonRead) -> None:
    identified(session, gate, client, level=1)
    outcome = reuse(session, gate, client)
    assert (outcome.reused, outcome.reasons) == (False, ("insufficient_level",))
    assert outcome.what_to_do is not None and "not thorough enough" in outcome.what_to_do


def test_no_group_identification(session: Session, gate: Gate, client: PersonRead) -> None:
    outcome = reuse(session, gate, client)
    assert (outcome.reused, outcome.reasons) == (False, ("no_group_identification",))
    assert outcome.what_to_do is not None and AGAIN in outcome.what_to_do


def test_an_objection_to_reuse_is_reported_and_its_refusal_recorded(
    session: Session, gate: Gate, states: FileStates, client: PersonRead
) -> None:
    identified(session, gate, client)
    states.object(client.id, "intra-group-identity-reuse", ObjectionStatus.UPHELD)
    outcome = reuse(session, gate, client)
    assert (outcome.reused, outcome.reasons) == (False, ("objection_upheld",))
    assert outcome.what_to_do is not None and "You objected" in outcome.what_to_do
    event = last_event(session, client.id)
    assert (event.event, event.decision, event.recipient) == (
        "customers.identity.reuse",
        "deny",
        "group-kbc-insurance",
    )
    assert (
        service.kyc_records(session, gate=gate, actor=ADVISOR, person_id=client.id)[0].entity
        == "kbc-bank"
    )
    assert [r.entity for r in service.relationships(session, person_id=client.id)] == ["kbc-bank"]


def test_a_prospect_of_the_group_is_not_a_client_to_reuse_for(
    session: Session, gate: Gate, people: People
) -> None:
    prospect = service.create_person(
        session, gate=gate, actor=ADVISOR, data=people.person(), today=TODAY
    )
    identified(session, gate, prospect)
    outcome = reuse(session, gate, prospect)
    assert (outcome.reused, outcome.reasons) == (False, ("no_relationship",))


def test_unknown_person(session: Session, gate: Gate) -> None:
    with pytest.raises(NotFound):
        service.reuse_identity(session, gate=gate, actor=INSURER, person_id="f" * 32, today=TODAY)

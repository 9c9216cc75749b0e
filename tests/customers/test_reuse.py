"""Activity 1: reusing a group entity's identification at another entity, or saying why not."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from lawful.core.errors import Conflict, NotFound, ProcessingDenied
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor, ObjectionStatus
from lawful.customers import service
from lawful.customers.models import Application
from lawful.customers.reuse import NoApplication
from lawful.customers.schemas import (
    ApplicationCreate,
    ApplicationRead,
    IdentityDocument,
    PersonRead,
    ReuseOutcome,
)

from .conftest import ADVISOR, INSURER, READING, SELF, TODAY, FileStates, applied, last_event
from .factories import People, kyc, national_number

DAY = dt.timedelta(days=1)
AGAIN = "identify again at a branch with your eID, or with itsme in the app"


def identified(session: Session, gate: Gate, person: PersonRead, **overrides: object) -> int:
    record = service.add_kyc_record(
        session, gate=gate, actor=ADVISOR, person_id=person.id, data=kyc(TODAY, **overrides)
    )
    return record.id


def reuse(session: Session, gate: Gate, person: PersonRead, *, apply: bool = True) -> ReuseOutcome:
    """The person applied to the insurer in the app; the insurer then reuses."""
    if apply:
        applied(session, gate, person.id)
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
    details = ledger.details(session, keys=gate.keys, record=event)
    # Reading how well the group identified the person came first, itself a disclosure.
    screen, copied = ledger.for_subject(session, keys=gate.keys, subject_id=client.id)[-2:]
    assert copied == event
    assert (screen.event, screen.decision, screen.recipient, screen.entity) == (
        "customers.kyc_record.screen",
        "allow",
        "group-kbc-insurance",
        "kbc-insurance",
    )
    assert screen.data_categories == ("user.government_id.kyc_record",)
    application = service.list_applications(session, gate=gate, actor=SELF, person_id=client.id)[0]
    assert details == {"from": "kbc-bank", "kyc_record": source, "application": application.id}
    # The application is complete: the person is the insurer's client.
    assert (application.status, application.channel) == ("completed", "self_service")
    insurer = [
        r
        for r in service.relationships(session, person_id=client.id)
        if r.entity == "kbc-insurance"
    ]
    assert [(r.state, r.since) for r in insurer] == [("client", TODAY)]
    assert service.kyc_records(
        session, gate=gate, actor=INSURER, person_id=client.id, reason=READING
    ) == [copy]
    # Done once: the person is the insurer's client, with no application left to act on.
    with pytest.raises(Conflict, match="already a client"):
        applied(session, gate, client.id)
    with pytest.raises(NoApplication):
        reuse(session, gate, client, apply=False)


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
    outcome = reuse(session, gate, client)
    assert (outcome.reused, outcome.reasons, outcome.expired_on) == (
        False,
        ("expired",),
        expired_on,
    )
    assert outcome.what_to_do is not None and AGAIN in outcome.what_to_do
    assert str(expired_on.year) in outcome.what_to_do
    # The status was read (and that is on record); nothing was copied.
    assert last_event(session, client.id).event == "customers.kyc_record.screen"


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
    # Refused at the first step: not even the identification status was read.
    event = last_event(session, client.id)
    assert (event.event, event.decision, event.recipient) == (
        "customers.kyc_record.screen",
        "deny",
        "group-kbc-insurance",
    )
    assert (
        service.kyc_records(session, gate=gate, actor=ADVISOR, person_id=client.id, reason=READING)[
            0
        ].entity
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


def test_without_an_application_nothing_moves_and_the_refusal_is_recorded(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    identified(session, gate, client, level=3)
    with pytest.raises(NoApplication) as refused:
        reuse(session, gate, client, apply=False)
    assert refused.value.reasons == ("no_application",)
    assert "has not applied to become a client of kbc-insurance" in str(refused.value)
    event = last_event(session, client.id)
    assert (event.event, event.decision, event.reasons, event.recipient, event.details) == (
        "customers.identity.reuse",
        "deny",
        ("no_application",),
        "group-kbc-insurance",
        None,
    )
    # Not even the identification status was read, and the file stays the bank's alone.
    events = [e.event for e in ledger.for_subject(session, keys=gate.keys, subject_id=client.id)]
    assert "customers.kyc_record.screen" not in events
    assert [r.entity for r in service.relationships(session, person_id=client.id)] == ["kbc-bank"]
    with pytest.raises(NotFound):
        service.get_person(session, gate=gate, actor=INSURER, person_id=client.id)


def test_a_withdrawn_application_no_longer_allows_reuse(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    identified(session, gate, client)
    application = applied(session, gate, client.id)
    withdrawn = service.withdraw_application(
        session, gate=gate, actor=SELF, person_id=client.id, application_id=application.id
    )
    assert withdrawn.status == "withdrawn" and withdrawn.closed_at is not None
    with pytest.raises(NoApplication):
        reuse(session, gate, client, apply=False)


def test_an_application_left_open_six_months_lapses(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    identified(session, gate, client)
    old = applied(session, gate, client.id)
    row = session.get(Application, old.id)
    assert row is not None
    row.filed_at -= dt.timedelta(days=184)
    session.flush()
    with pytest.raises(NoApplication):
        reuse(session, gate, client, apply=False)
    listed = service.list_applications(session, gate=gate, actor=SELF, person_id=client.id)
    assert [a.status for a in listed] == ["lapsed"]
    # Applying again starts a new onboarding, and reuse rests on it.
    assert applied(session, gate, client.id).id != old.id
    assert reuse(session, gate, client, apply=False).reused


BRANCH = Actor("advisor", "kbc-insurance", "staff-0042")


def branch_application(
    session: Session, gate: Gate, person: PersonRead, number: str | None = None
) -> ApplicationRead:
    document = IdentityDocument(type="eid", number="592-7654321-12")
    data = ApplicationCreate(document=document, national_number=number or person.national_number)
    return service.file_application(
        session, gate=gate, actor=BRANCH, person_id=person.id, data=data
    )


def test_an_application_recorded_at_a_branch_names_the_document_and_who_checked_it(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    identified(session, gate, client)
    application = branch_application(session, gate, client)
    assert (application.entity, application.channel, application.status) == (
        "kbc-insurance",
        "branch",
        "open",
    )
    assert (application.document_type, application.checked_by) == ("eid", "staff-0042")
    event = last_event(session, client.id)
    assert (event.event, event.purpose, event.entity) == (
        "customers.application.record",
        "intra-group-identity-reuse",
        "kbc-insurance",
    )
    assert ledger.details(session, keys=gate.keys, record=event)["document"] == {  # type: ignore[index]
        "type": "eid",
        "number": "592-7654321-12",
    }
    outcome = service.reuse_identity(
        session, gate=gate, actor=BRANCH, person_id=client.id, today=TODAY
    )
    assert outcome.reused


def test_a_document_of_someone_else_is_refused_and_recorded(
    session: Session, gate: Gate, people: People, client: PersonRead
) -> None:
    assert client.birth_date is not None
    other = national_number(client.birth_date)
    with pytest.raises(ProcessingDenied) as refused:
        branch_application(session, gate, client, number=other)
    assert refused.value.reasons == ("document_mismatch",)
    event = last_event(session, client.id)
    assert (event.event, event.decision, event.reasons) == (
        "customers.application.record",
        "deny",
        ("document_mismatch",),
    )


def test_a_branch_cannot_record_an_application_for_someone_the_group_does_not_serve(
    session: Session, gate: Gate, people: People
) -> None:
    prospect = service.create_person(
        session, gate=gate, actor=ADVISOR, data=people.person(), today=TODAY
    )
    with pytest.raises(NotFound):
        branch_application(session, gate, prospect)


def test_unknown_person(session: Session, gate: Gate) -> None:
    with pytest.raises(NotFound):
        service.reuse_identity(session, gate=gate, actor=INSURER, person_id="f" * 32, today=TODAY)

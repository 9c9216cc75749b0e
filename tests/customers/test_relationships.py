"""Relationship periods, preferences, consents, and the facts the policy reads from the file."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy.orm import Session

from lawful.core.errors import InvalidInput, NotFound, ProcessingDenied
from lawful.core.gate import Gate
from lawful.core.policy.types import Actor, Relationship
from lawful.core.register.models import RelationshipState
from lawful.customers import service
from lawful.customers.schemas import PersonRead

from .conftest import ADVISOR, DPO, READING, TODAY, last_event
from .factories import People

DAY = dt.timedelta(days=1)
INSURANCE_ADVISOR = Actor("advisor", "kbc-insurance")
REMINDERS = Actor("reminder-service", "kbc-bank")


def test_a_prospect_becoming_a_client_leaves_one_period_per_state(
    session: Session, gate: Gate, people: People
) -> None:
    earlier = TODAY - 30 * DAY
    person = service.create_person(
        session, gate=gate, actor=ADVISOR, data=people.person(), today=earlier
    )
    client = service.add_relationship(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=person.id,
        entity="kbc-bank",
        state="client",
        since=TODAY,
    )
    periods = service.relationships(session, person_id=person.id)
    assert [(p.state, p.since, p.until) for p in periods] == [
        ("prospect", earlier, TODAY - DAY),
        ("client", TODAY, None),
    ]
    assert client == periods[1]
    # Asking again changes nothing.
    again = service.add_relationship(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=person.id,
        entity="kbc-bank",
        state="client",
        since=TODAY,
    )
    assert again == client
    assert last_event(session, person.id).event == "customers.relationship.open"


def test_a_prospect_becoming_a_client_the_same_day_is_one_period(
    session: Session, gate: Gate, people: People
) -> None:
    person = service.create_person(
        session, gate=gate, actor=ADVISOR, data=people.person(), today=TODAY
    )
    service.add_relationship(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=person.id,
        entity="kbc-bank",
        state="client",
        since=TODAY,
    )
    periods = service.relationships(session, person_id=person.id)
    assert [(p.state, p.since, p.until) for p in periods] == [("client", TODAY, None)]


def test_a_relationship_with_another_entity_is_added_alongside(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    added = service.add_relationship(
        session,
        gate=gate,
        actor=INSURANCE_ADVISOR,
        person_id=client.id,
        entity="kbc-insurance",
        state="prospect",
        since=TODAY,
    )
    assert (added.entity, added.state) == ("kbc-insurance", "prospect")
    assert len(service.relationships(session, person_id=client.id)) == 2
    # Now the insurer has a relationship, its advisor may read the file.
    service.get_person(
        session, gate=gate, actor=INSURANCE_ADVISOR, person_id=client.id, reason=READING
    )


@pytest.mark.parametrize(
    ("entity", "state", "field"), [("acme-bank", "client", "entity"), ("kbc-bank", "vip", "state")]
)
def test_add_relationship_checks_entity_and_state(
    session: Session, gate: Gate, client: PersonRead, entity: str, state: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        service.add_relationship(
            session,
            gate=gate,
            actor=ADVISOR,
            person_id=client.id,
            entity=entity,
            state=state,
            since=TODAY,
        )
    assert error.value.field == field


def test_ending_a_client_relationship_opens_former_client_the_next_day(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    former = service.end_relationship(
        session, gate=gate, actor=ADVISOR, person_id=client.id, entity="kbc-bank", until=TODAY
    )
    assert (former.state, former.since, former.until) == ("former_client", TODAY + DAY, None)
    periods = service.relationships(session, person_id=client.id)
    assert [(p.state, p.until) for p in periods] == [
        ("client", TODAY),
        ("former_client", None),
    ]
    with pytest.raises(NotFound):
        service.end_relationship(
            session, gate=gate, actor=ADVISOR, person_id=client.id, entity="kbc-bank", until=TODAY
        )


def test_ending_a_prospect_relationship_opens_nothing(
    session: Session, gate: Gate, people: People
) -> None:
    person = service.create_person(
        session, gate=gate, actor=ADVISOR, data=people.person(), today=TODAY
    )
    ended = service.end_relationship(
        session, gate=gate, actor=ADVISOR, person_id=person.id, entity="kbc-bank", until=TODAY
    )
    assert (ended.state, ended.until) == ("prospect", TODAY)
    assert len(service.relationships(session, person_id=person.id)) == 1


def test_policy_facts_for_many_people_at_once(
    session: Session, gate: Gate, people: People, client: PersonRead
) -> None:
    prospect = service.create_person(
        session, gate=gate, actor=ADVISOR, data=people.person(), today=TODAY - 10 * DAY
    )
    service.set_preference(
        session, gate=gate, actor=ADVISOR, person_id=client.id, key="card_reminders", enabled=False
    )
    service.give_consent(
        session, gate=gate, actor=ADVISOR, person_id=client.id, purpose="third-party-offers"
    )
    service.erase_person(session, gate=gate, actor=DPO, person_id=prospect.id, keep=())
    # More ids than one IN list holds: unknown ids are left out.
    unknown = [uuid.uuid4().hex for _ in range(1000)]
    facts = service.policy_facts(
        session, person_ids=[*unknown, client.id, prospect.id], as_of=TODAY
    )
    assert set(facts) == {client.id, prospect.id}
    mine = facts[client.id]
    assert mine.relationships == (Relationship("kbc-bank", RelationshipState.CLIENT, TODAY),)
    assert mine.preferences_off == {"card_reminders"}
    assert mine.consents == {"third-party-offers"}
    assert not mine.erased
    assert facts[prospect.id].erased and facts[prospect.id].relationships == ()
    # Relationships that begin after the day asked about are not facts of that day.
    assert (
        service.policy_facts(session, person_ids=[client.id], as_of=TODAY - DAY)[
            client.id
        ].relationships
        == ()
    )


def test_a_switched_off_notification_stops_the_reminders(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    ctx = gate.open(session, actor=REMINDERS, purpose="customer-notifications")
    categories = ["user.financial.card_statement", "user.device.device_id"]
    ctx.access(client.id, categories=categories, event="engagement.reminder.send")
    switched = service.set_preference(
        session, gate=gate, actor=ADVISOR, person_id=client.id, key="card_reminders", enabled=False
    )
    assert (switched.key, switched.enabled) == ("card_reminders", False)
    with pytest.raises(ProcessingDenied) as refused:
        ctx.access(client.id, categories=categories, event="engagement.reminder.send")
    assert refused.value.reasons == ("preference_off",)
    service.set_preference(
        session, gate=gate, actor=ADVISOR, person_id=client.id, key="card_reminders", enabled=True
    )
    ctx.access(client.id, categories=categories, event="engagement.reminder.send")


def test_set_preference_knows_only_the_registers_keys(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    with pytest.raises(InvalidInput) as error:
        service.set_preference(
            session, gate=gate, actor=ADVISOR, person_id=client.id, key="spam", enabled=False
        )
    assert error.value.field == "key"


def test_consent_given_then_withdrawn(session: Session, gate: Gate, client: PersonRead) -> None:
    given = service.give_consent(
        session, gate=gate, actor=ADVISOR, person_id=client.id, purpose="third-party-offers"
    )
    again = service.give_consent(
        session, gate=gate, actor=ADVISOR, person_id=client.id, purpose="third-party-offers"
    )
    assert again.id == given.id and given.withdrawn_at is None
    withdrawn = service.withdraw_consent(
        session, gate=gate, actor=ADVISOR, person_id=client.id, purpose="third-party-offers"
    )
    assert withdrawn.id == given.id and withdrawn.withdrawn_at is not None
    facts = service.policy_facts(session, person_ids=[client.id], as_of=TODAY)
    assert facts[client.id].consents == frozenset()
    with pytest.raises(NotFound):
        service.withdraw_consent(
            session, gate=gate, actor=ADVISOR, person_id=client.id, purpose="third-party-offers"
        )


def test_consent_only_for_purposes_resting_on_it(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    with pytest.raises(InvalidInput) as error:
        service.give_consent(
            session, gate=gate, actor=ADVISOR, person_id=client.id, purpose="customer-file"
        )
    assert error.value.field == "purpose"

"""Profile > Notifications: defaults from the register, mandatory notices, the Belgian e-mail/SMS
marketing rules, the direct-marketing objection over everything, and every change on record."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from lawful.core.errors import InvalidInput, NotFound, ProcessingDenied
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.engagement import service
from lawful.engagement.schemas import PreferencesRead, PreferencesUpdate, TopicRead
from lawful.rights import service as rights

from .conftest import ADVISOR, SELF, TODAY, new_person

REMINDERS = Actor("reminder-service", "kbc-bank")


def topic(prefs: PreferencesRead, topic_id: str) -> TopicRead:
    return next(t for t in prefs.topics if t.topic == topic_id)


def read(session: Session, gate: Gate, person_id: str, actor: Actor = SELF) -> PreferencesRead:
    return service.get_preferences(
        session, gate=gate, actor=actor, person_id=person_id, today=TODAY
    )


def change(
    session: Session, gate: Gate, person_id: str, actor: Actor = SELF, **changes: object
) -> PreferencesRead:
    return service.set_preferences(
        session,
        gate=gate,
        actor=actor,
        person_id=person_id,
        changes=PreferencesUpdate.model_validate(changes),
        today=TODAY,
    )


def test_a_new_client_gets_the_registers_defaults(session: Session, gate: Gate) -> None:
    person = new_person(session, gate)
    prefs = read(session, gate, person.id)
    assert prefs.card_reminder_days == 3 and prefs.quiet_hours is None and prefs.language is None
    reminder = topic(prefs, "card-balance-reminder")
    assert reminder.default and reminder.kind == "service"
    assert reminder.channels == reminder.effective_channels == ["push", "in_app"]
    # A client of the group: the group's own offers by e-mail under the soft opt-in.
    assert topic(prefs, "offers").effective_channels == ["in_app", "email"]
    # Partners' offers need the person's opt-in: nothing by default.
    assert topic(prefs, "partner-offers").channels == []
    security = topic(prefs, "security-alerts")
    assert security.mandatory and security.note and "cannot be switched off" in security.note


def test_a_mandatory_notice_cannot_be_switched_off_and_nothing_else_changes(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate)
    with pytest.raises(InvalidInput) as refused:
        change(session, gate, person.id, language="fr", topics={"security-alerts": []})
    assert refused.value.field == "topics.security-alerts"
    assert "mandatory notice" in str(refused.value) and "push, in_app" in str(refused.value)
    prefs = read(session, gate, person.id)
    assert prefs.language is None  # all or none
    assert topic(prefs, "security-alerts").channels == ["push", "in_app"]
    # Its channels can still be chosen.
    chosen = change(session, gate, person.id, topics={"security-alerts": ["in_app"]})
    assert topic(chosen, "security-alerts").channels == ["in_app"]


@pytest.mark.parametrize(
    ("topics", "field", "words"),
    [
        ({"newsletter": ["email"]}, "topics.newsletter", "no such topic"),
        ({"security-alerts": ["email"]}, "topics.security-alerts", "not a channel of this topic"),
        ({"card-balance-reminder": ["sms", "sms"]}, "topics.card-balance-reminder", "twice"),
    ],
)
def test_a_topic_or_channel_the_register_does_not_offer_is_refused(
    session: Session, gate: Gate, topics: dict[str, list[str]], field: str, words: str
) -> None:
    person = new_person(session, gate)
    with pytest.raises(InvalidInput) as refused:
        change(session, gate, person.id, topics=topics)
    assert refused.value.field == field and words in str(refused.value)


def test_switching_card_reminders_off_reaches_the_policy_and_is_recorded(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate)
    prefs = change(
        session,
        gate,
        person.id,
        topics={"card-balance-reminder": []},
        quiet_hours={"start": "22:00", "end": "07:00"},
        card_reminder_days=5,
        language="fr",
    )
    assert topic(prefs, "card-balance-reminder").channels == []
    assert prefs.card_reminder_days == 5 and prefs.language == "fr"
    assert prefs.quiet_hours is not None and str(prefs.quiet_hours.start) == "22:00:00"
    ctx = gate.open(session, actor=REMINDERS, purpose="customer-notifications")
    with pytest.raises(ProcessingDenied) as denied:
        ctx.access(
            person.id,
            categories=["user.financial.card_statement"],
            event="engagement.card_reminder.send",
        )
    assert denied.value.reasons == ("preference_off",)
    events = ledger.for_subject(session, keys=gate.keys, subject_id=person.id)
    changed = [e for e in events if e.event == "engagement.notification_preferences.change"]
    assert len(changed) == 1
    assert ledger.details(session, keys=gate.keys, record=changed[0]) == {
        "topics": {"card-balance-reminder": []},
        "quiet_hours": {"start": "22:00:00", "end": "07:00:00"},
        "card_reminder_days": 5,
        "language": "fr",
    }
    # Back on: the policy lets reminders through again.
    back = change(session, gate, person.id, topics={"card-balance-reminder": ["sms", "in_app"]})
    assert topic(back, "card-balance-reminder").effective_channels == ["sms", "in_app"]
    ctx.access(
        person.id,
        categories=["user.financial.card_statement"],
        event="engagement.card_reminder.send",
    )


def test_a_prospect_gets_marketing_by_email_only_on_their_own_opt_in(
    session: Session, gate: Gate
) -> None:
    prospect = new_person(session, gate, state="prospect")
    offers = topic(read(session, gate, prospect.id), "offers")
    assert offers.withheld == {"email": "opt_in_required"}
    assert offers.effective_channels == ["in_app"]
    chosen = change(session, gate, prospect.id, topics={"offers": ["in_app", "email"]})
    assert topic(chosen, "offers").effective_channels == ["in_app", "email"]


def test_choosing_partner_offers_is_the_opt_in_and_switching_them_off_withdraws_it(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate)
    on = change(session, gate, person.id, topics={"partner-offers": ["email"]})
    assert topic(on, "partner-offers").effective_channels == ["email"]
    assert (
        "third-party-offers"
        in gate.states.load(session, [person.id], as_of=TODAY)[person.id].consents
    )
    off = change(session, gate, person.id, topics={"partner-offers": []})
    assert topic(off, "partner-offers").channels == []
    assert (
        "third-party-offers"
        not in gate.states.load(session, [person.id], as_of=TODAY)[person.id].consents
    )


def test_a_direct_marketing_objection_overrides_every_marketing_choice(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate)
    change(
        session,
        gate,
        person.id,
        topics={"offers": ["email", "sms"], "partner-offers": ["email"]},
    )
    rights.object(
        session,
        gate=gate,
        actor=SELF,
        person_id=person.id,
        purpose=None,
        grounds=None,
        channel="api",
        registered_by="customer",
        today=TODAY,
    )
    prefs = read(session, gate, person.id)
    for marketing in ("offers", "partner-offers"):
        assert topic(prefs, marketing).effective_channels == []
        assert set(topic(prefs, marketing).withheld.values()) == {"dm_objection"}
    # Service messages are not marketing: the reminder still comes.
    assert topic(prefs, "card-balance-reminder").effective_channels == ["push", "in_app"]


def test_staff_of_an_entity_the_person_has_no_relationship_with_see_no_one(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate)
    insurer = Actor("advisor", "kbc-insurance")
    with pytest.raises(NotFound):
        read(session, gate, person.id, actor=insurer)
    with pytest.raises(NotFound):
        read(session, gate, "0" * 32, actor=ADVISOR)
    assert read(session, gate, person.id, actor=ADVISOR).person_id == person.id

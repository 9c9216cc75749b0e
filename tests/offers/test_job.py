"""The offers job on a real database: rules, the gate, objections, consent, the outbox."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.engagement import service as engagement
from lawful.engagement.models import Notification
from lawful.engagement.schemas import PreferencesUpdate
from lawful.offers import service as offers
from lawful.offers.catalogue import BY_ID
from lawful.offers.schemas import Language

from .conftest import ADVISOR, TODAY, Holdings, client, object_to_marketing, run

MARKETING = {"personalised-offers", "third-party-offers", "commercial-profiling", "partnerships"}
EVERYTHING = Holdings(mortgage=True, late_card=True, old_home=True)


def _marketing_events(session: Session, gate: Gate, person: str) -> list[str]:
    events = ledger.for_subject(session, keys=gate.keys, subject_id=person)
    return [e.event for e in events if e.purpose in MARKETING]


def test_each_rule_chooses_its_offer_and_says_why(session: Session, gate: Gate) -> None:
    saver = client(session, gate)
    borrower = client(session, gate, Holdings(mortgage=True))
    late = client(session, gate, Holdings(late_card=True))
    outcome = run(session, gate, [saver, borrower, late])
    assert outcome.considered == 3 and outcome.profiled == 3 and outcome.by_objection == 0
    mine = offers.person_offers(
        session,
        gate=gate,
        actor=Actor("self-service", "kbc-bank"),
        person_id=borrower,
        today=TODAY,
        staff=False,
    )
    assert {o.product for o in mine} == {"home-insurance", "savings-account", "credit-card"}
    home = next(o for o in mine if o.product == "home-insurance")
    assert home.entity == "kbc-insurance" and home.legal_basis == "legitimate_interests"
    assert home.why.rule == BY_ID["home-insurance"].rule and home.why.model is None
    facts = {f.fact: f.value for f in home.why.facts}
    assert facts == {"mortgages": "1", "home_policies": "0"}
    assert "woonkrediet" in home.why.text  # the person's language: Dutch
    late_offers = offers.person_offers(
        session,
        gate=gate,
        actor=Actor("self-service", "kbc-bank"),
        person_id=late,
        today=TODAY,
        staff=False,
    )
    assert "card-direct-debit" in {o.product for o in late_offers}
    direct = next(o for o in late_offers if o.product == "card-direct-debit")
    assert {f.fact: f.value for f in direct.why.facts}["late_statements"] == "1"


def test_why_reads_in_french_dutch_and_english(session: Session, gate: Gate) -> None:
    person = client(session, gate, language="fr")
    run(session, gate, [person])
    for lang, word in (("fr", "compte d'épargne"), ("nl", "spaarrekening"), ("en", "savings")):
        read = offers.person_offers(
            session,
            gate=gate,
            actor=Actor("self-service", "kbc-bank"),
            person_id=person,
            today=TODAY,
            staff=False,
            language=Language(lang),
        )
        savings = next(o for o in read if o.product == "savings-account")
        assert word in savings.why.text.lower() or word in savings.title.lower()
        assert all(f.label for f in savings.why.facts)
    default = offers.person_offers(
        session,
        gate=gate,
        actor=Actor("self-service", "kbc-bank"),
        person_id=person,
        today=TODAY,
        staff=False,
    )
    assert {o.language.value for o in default} == {"fr"}
    assert "\u00a0: " in default[0].why.text  # French sets its colon off


def test_a_direct_marketing_objection_leaves_no_offer_and_no_marketing_event(
    session: Session, gate: Gate
) -> None:
    objector = client(session, gate, EVERYTHING)
    customers.give_consent(
        session, gate=gate, actor=ADVISOR, person_id=objector, purpose="third-party-offers"
    )
    other = client(session, gate, EVERYTHING)
    first = run(session, gate, [objector, other])  # before the objection: offers made
    assert first.offers_made > 0
    before = len(_marketing_events(session, gate, objector))
    object_to_marketing(session, gate, objector)
    outcome = run(session, gate, [objector, other])
    assert outcome.by_objection == 1 and outcome.considered == 2 and outcome.profiled == 1
    assert (
        offers.person_offers(
            session,
            gate=gate,
            actor=Actor("self-service", "kbc-bank"),
            person_id=objector,
            today=TODAY,
            staff=False,
        )
        == []
    )
    assert len(_marketing_events(session, gate, objector)) == before  # not one more
    left = offers.export_person(
        session,
        gate=gate,
        actor=Actor("dpo", "kbc-bank"),
        person_id=objector,
        purpose="data-subject-rights",
        today=TODAY,
    )
    assert left["profiles"] == [] and left["offers"] == []


def test_an_objector_from_the_start_has_zero_marketing_events(session: Session, gate: Gate) -> None:
    objector = client(session, gate, EVERYTHING)
    object_to_marketing(session, gate, objector)
    outcome = run(session, gate, [objector])
    assert (outcome.offers_made, outcome.profiled, outcome.queued) == (0, 0, 0)
    assert _marketing_events(session, gate, objector) == []
    queued = session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.person_id == objector)
    )
    assert queued == 0


def test_partners_offers_only_with_consent_and_the_referral_is_a_recorded_disclosure(
    session: Session, gate: Gate
) -> None:
    without = client(session, gate, Holdings(old_home=True))
    agreed = client(session, gate, Holdings(old_home=True))
    customers.give_consent(
        session, gate=gate, actor=ADVISOR, person_id=agreed, purpose="third-party-offers"
    )
    outcome = run(session, gate, [without, agreed])
    assert outcome.offers["energy-renovation"] == 1 and outcome.without_consent == 1
    events = ledger.for_subject(session, keys=gate.keys, subject_id=without)
    assert not [e for e in events if e.purpose == "third-party-offers"]  # never looked at
    me = Actor("self-service", "kbc-bank")
    mine = offers.person_offers(
        session, gate=gate, actor=me, person_id=agreed, today=TODAY, staff=False
    )
    partner = next(o for o in mine if o.product == "energy-renovation")
    assert partner.partner == "sustainability-partner" and partner.partner_name == "Ecorenova NV"
    assert partner.legal_basis == "consent"
    assert {f.fact: f.value for f in partner.why.facts}["oldest_home_built"] == "1962"
    referral = offers.accept(
        session,
        gate=gate,
        actor=me,
        person_id=agreed,
        offer_id=partner.id,
        today=TODAY,
        staff=False,
    )
    assert referral.status == "accepted"
    disclosed = [
        e
        for e in ledger.for_subject(session, keys=gate.keys, subject_id=agreed)
        if e.event == "offers.partner_referral.disclose"
    ]
    assert len(disclosed) == 1
    assert disclosed[0].recipient == "sustainability-partner"
    assert disclosed[0].purpose == "partnerships" and disclosed[0].decision == "allow"


def test_messages_follow_preferences_and_the_soft_opt_in(session: Session, gate: Gate) -> None:
    person = client(session, gate, Holdings(mortgage=True))
    run(session, gate, [person])
    rows = session.execute(
        sa.select(Notification.topic, Notification.channel, Notification.idempotency_key).where(
            Notification.person_id == person
        )
    ).all()
    by_product = {key.split(":")[-1]: channel for _, channel, key in rows}
    # Defaults are the app then e-mail: the app comes first, whatever the product.
    assert set(by_product) == {"home-insurance", "savings-account", "credit-card"}
    assert set(by_product.values()) == {"in_app"}
    again = run(session, gate, [person])
    assert again.queued == 0  # each offer's message goes out once


def test_an_explicit_email_choice_is_the_persons_opt_in(session: Session, gate: Gate) -> None:
    person = client(session, gate, Holdings(mortgage=True))
    engagement.set_preferences(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=person,
        changes=PreferencesUpdate(topics={"offers": ["email"]}),
        today=TODAY,
    )
    outcome = run(session, gate, [person])
    channels = session.scalars(
        sa.select(Notification.channel).where(Notification.person_id == person)
    ).all()
    assert outcome.queued == 3 and channels == ["email"] * 3


def test_switching_offers_off_sends_nothing(session: Session, gate: Gate) -> None:
    person = client(session, gate)
    engagement.set_preferences(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=person,
        changes=PreferencesUpdate(topics={"offers": []}),
        today=TODAY,
    )
    outcome = run(session, gate, [person])
    assert outcome.offers_made == 2 and outcome.queued == 0 and outcome.by_preference == 2


def test_a_declined_offer_is_not_made_again(session: Session, gate: Gate) -> None:
    person = client(session, gate)
    run(session, gate, [person])
    me = Actor("self-service", "kbc-bank")
    savings = next(
        o
        for o in offers.person_offers(
            session, gate=gate, actor=me, person_id=person, today=TODAY, staff=False
        )
        if o.product == "savings-account"
    )
    offers.decline(
        session,
        gate=gate,
        actor=me,
        person_id=person,
        offer_id=savings.id,
        today=TODAY,
        staff=False,
    )
    run(session, gate, [person])
    shown = offers.person_offers(
        session, gate=gate, actor=me, person_id=person, today=TODAY, staff=False
    )
    assert "savings-account" not in {o.product for o in shown}


def test_the_report_suppresses_cells_under_ten(session: Session, gate: Gate) -> None:
    people = [client(session, gate) for _ in range(12)]
    people += [client(session, gate, Holdings(mortgage=True)) for _ in range(2)]
    run(session, gate, people)
    report = offers.report(session, entity="kbc-bank")
    assert report.k == 10
    for cell in report.segments:
        assert cell.suppressed == (cell.customers is None)
        assert cell.customers is None or cell.customers >= 10
    assert any(c.suppressed for c in report.segments)  # the two borrowers
    assert report.suppressed_cells >= 1 and "fewer than 10" in report.note
    for cell in report.offers:
        assert cell.offers is None or cell.offers >= 10
    facts = json.dumps(report.model_dump(mode="json"))
    assert not any(p in facts for p in people)  # no one named


def test_quiet_hours_defer_all_but_the_apps_inbox(session: Session, gate: Gate) -> None:
    person = client(session, gate)
    engagement.set_preferences(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=person,
        changes=PreferencesUpdate.model_validate(
            {"quiet_hours": {"start": "22:00", "end": "07:00"}, "topics": {"offers": ["email"]}}
        ),
        today=TODAY,
    )
    tables = offers.read_tables(session, today=TODAY)
    clients = offers.clients_frame(tables, today=TODAY).filter(pl.col("person_id") == person)
    night = dt.datetime.combine(TODAY, dt.time(23, 30), tzinfo=dt.UTC)  # 00:30 in Brussels
    deferred = offers.decide(session, gate=gate, clients=clients, today=TODAY, now=night)
    assert deferred.by_quiet_hours == 2 and deferred.queued == 0
    morning = dt.datetime.combine(TODAY, dt.time(9, 0), tzinfo=dt.UTC)
    later = offers.decide(session, gate=gate, clients=clients, today=TODAY, now=morning)
    assert later.queued == 2 and later.by_quiet_hours == 0

"""The demo world: deterministic, valid identifiers, a verifiable ledger, working tokens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import phonenumbers
import pytest
from sqlalchemy import Engine
from stdnum.be import nn

from lawful.auth import service as auth
from lawful.complaints import service as complaints
from lawful.core.db import create_engine, upgrade
from lawful.core.gate import Gate, unit_of_work
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.core.register.load import load_register
from lawful.core.register.models import Register
from lawful.core.vault.keys import Keyring
from lawful.customers import identity
from lawful.customers import service as customers
from lawful.demo import tokens, world
from lawful.demo.people import PeopleFactory
from lawful.flows import access_report
from lawful.rights import service as rights
from lawful.rights.state import DbSubjectStates

SEED = 7


@pytest.fixture(scope="module")
def register() -> Register:
    return load_register()


@pytest.fixture(scope="module")
def built(
    database_of_its_own: Callable[[str], AbstractContextManager[str]],
    register: Register,
    keyring: Keyring,
) -> Iterator[tuple[Engine, world.WorldSummary, Gate]]:
    with database_of_its_own("world") as url:
        engine = create_engine(url)
        upgrade(engine)
        gate = Gate.build(register, DbSubjectStates(), keyring)
        summary = world.build(
            engine, register, gate, customers_count=120, seed=SEED, progress=lambda *_: None
        )
        yield engine, summary, gate
        engine.dispose()


def test_people_are_deterministic_and_valid() -> None:
    first = [PeopleFactory(SEED).person() for _ in range(1)]
    again = PeopleFactory(SEED)
    people = [again.person() for _ in range(300)]
    assert people[0] == first[0]
    for p in people:
        assert nn.is_valid(p.national_number)
        assert nn.get_birth_date(p.national_number) == p.birth_date
        assert phonenumbers.is_valid_number(phonenumbers.parse(p.phone))
        assert p.email.isascii()
    assert {p.region for p in people} == {"flanders", "wallonia", "brussels"}


def test_world_is_built_with_a_verifiable_ledger(
    built: tuple[Engine, world.WorldSummary, Gate],
    keyring: Keyring,
) -> None:
    engine, summary, _ = built
    assert summary.customers == 120
    assert summary.rows["accounts"] > 0 and summary.rows["home_policies"] > 0
    with unit_of_work(engine) as session:
        assert customers.count_persons(session) == 120
        result = ledger.verify(session, keys=keyring)
    assert result.ok, result.message
    assert result.events >= summary.ledger_events


def test_showcase_customers_have_an_identity_reuse_in_their_timeline(
    built: tuple[Engine, world.WorldSummary, Gate], register: Register, keyring: Keyring
) -> None:
    engine, summary, _ = built
    assert summary.showcase, "at least one brand has a showcase customer"
    assert world.showcase(register, customers_count=120, seed=SEED) == summary.showcase
    with unit_of_work(engine) as session:
        for person in summary.showcase.values():
            events = ledger.for_subject(session, keys=keyring, subject_id=person)
            reuse = [e for e in events if e.event == "customers.identity.reuse"]
            assert reuse and reuse[0].recipient and reuse[0].decision == "allow"


def test_demo_tokens_authenticate(
    built: tuple[Engine, world.WorldSummary, Gate], register: Register
) -> None:
    engine, summary, gate = built
    issued = tokens.issue(engine, gate, summary.showcase)
    assert {t.role for t in issued} >= {"customer", "advisor", "dpo"}
    with unit_of_work(engine) as session:
        for t in issued:
            principal = auth.authenticate(session, states=gate.states, token=t.token)
            assert principal.person_id == t.who or principal.staff_id == t.who


def test_every_account_of_the_default_world_has_its_own_iban(register: Register) -> None:
    """`make demo`'s world: 10 000 customers and their accounts, none sharing an IBAN."""
    rows = world.generate(register, world.DEFAULT_CUSTOMERS, world.DEFAULT_SEED)
    ibans = [account["iban"] for account in rows.accounts]
    assert len(ibans) > world.DEFAULT_CUSTOMERS
    assert len(set(ibans)) == len(ibans)
    assert all(identity.iban(i) == i for i in ibans[:500])  # valid, as the file requires


def test_ombudsfins_card_case_asks_worldline_and_holds_the_card(
    built: tuple[Engine, world.WorldSummary, Gate], keyring: Keyring
) -> None:
    """A showcase customer's card: Ombudsfin's case is open, the request to Worldline is on their
    record, and what the complaint keeps from erasure has no end while it is open."""
    engine, summary, gate = built
    assert summary.complaints > 1 and summary.complaint is not None
    with unit_of_work(engine) as session:
        actor = Actor("complaint-handler", "kbc-bank", "cmp-test")
        case = complaints.get_complaint(
            session, gate=gate, actor=actor, complaint_id=summary.complaint, today=world.TODAY
        )
        assert (case.source, case.product_kind, case.status) == (
            "ombudsfin",
            "card",
            "investigating",
        )
        events = ledger.for_subject(session, keys=keyring, subject_id=case.person_id)
        assert [e for e in events if e.recipient == "worldline" and e.decision == "allow"]
        held = complaints.holds_for(
            session, register=gate.register, person_ids=[case.person_id], today=world.TODAY
        )[case.person_id]
        assert ("cards", "open-complaint", None) in {
            (k.section.value, k.hold, k.until) for k in held
        }
        report = rights.report_view(
            gate.register,
            access_report.access_report(
                session,
                gate=gate,
                actor=Actor("self-service", "kbc-bank"),
                person_id=case.person_id,
                today=world.TODAY,
            ),
        )
    # The customer's access report lists the request to Worldline, under complaint handling.
    asked = [e for e in report.timeline if e.recipient == "Worldline SA/NV"]
    assert asked and asked[0].purpose == "complaint-handling"


def test_no_complaint_is_filed_about_an_entity_the_person_does_not_deal_with(
    built: tuple[Engine, world.WorldSummary, Gate],
) -> None:
    """A home policy taken out with an insurer whose identity reuse did not go through leaves the
    person without a relationship there; its handlers cannot file about them, and the build goes
    on."""
    from lawful.demo import complaints as demo_complaints

    engine, _, gate = built
    with unit_of_work(engine) as session:
        person = next(
            pid
            for pid in customers.persons_not_erased(session, limit=200)
            if all(
                r.entity != "cbc-insurance" for r in customers.relationships(session, person_id=pid)
            )
        )
    policies = [
        {"id": 900_000 + i, "person_id": person, "entity": "cbc-insurance"} for i in range(500)
    ]
    filed, shown = demo_complaints.build(
        engine,
        gate,
        {"home_policy": policies},
        [],
        today=world.TODAY,
        seed=SEED,
        progress=lambda *_: None,
    )
    assert (filed, shown) == (0, None)


def test_a_house_built_two_years_after_the_decree_is_refused_after_review(
    built: tuple[Engine, world.WorldSummary, Gate],
) -> None:
    """The showcase zone's decree was published on 1 March 2019: the house built in 2021 is
    refused flood cover by an underwriter, with reasons; the one built in 1985 is covered with
    its class's loading; other refusals and loadings wait for review."""
    from lawful.flood import service as flood

    engine, summary, gate = built
    houses = summary.flood
    assert houses is not None and houses.summary is not None
    assert houses.summary.in_zone >= 2 and houses.summary.pending_review >= 2
    with unit_of_work(engine) as session:
        seen = {}
        for person in (houses.refused_person, houses.covered_person):
            for read in flood.person_assessments(
                session,
                gate=gate,
                actor=Actor("self-service", "kbc-bank"),
                person_id=person,
                lang="en",
                staff=False,
            ):
                seen[read.policy_id] = read
    refused, covered = seen[houses.refused_policy], seen[houses.covered_policy]
    assert (refused.zone, refused.construction_year, refused.decided) == (
        "RZ-SHOWCASE-1",
        2021,
        "refuse",
    )
    assert refused.reviewed_by == "uw-0001" and refused.review_reasons
    assert "more than 18 months" in refused.explanation and "Bureau" in refused.explanation
    assert (covered.construction_year, covered.decided, covered.decided_loading_bp) == (
        1985,
        "loading",
        2_500,
    )
    assert covered.reviewed_by == "uw-0001"


def test_a_quoted_house_in_the_zone_is_assessed_and_waits_for_an_underwriter(
    built: tuple[Engine, world.WorldSummary, Gate],
) -> None:
    """A bank client, the insurer's prospect since they asked for a quote, simulates home
    insurance for a house built in 2022 in the showcase zone: assessed in the same run as the
    insured houses, refusal proposed, pending review; the person reads why in plain words."""
    from lawful.flood import service as flood

    engine, summary, gate = built
    houses = summary.flood
    assert houses is not None and houses.summary is not None
    assert houses.quote is not None and houses.quote_person is not None
    assert houses.summary.quotes == 1
    with unit_of_work(engine) as session:
        read = flood.quote_assessment(
            session,
            gate=gate,
            actor=Actor("self-service", "kbc-bank"),
            person_id=houses.quote_person,
            simulation_id=houses.quote,
            lang="fr",
            staff=False,
        ).assessment
    assert read is not None
    assert (read.zone, read.construction_year, read.proposed, read.status) == (
        "RZ-SHOWCASE-1",
        2022,
        "refuse",
        "pending_review",
    )
    assert read.decided is None and read.refusable
    assert "Bureau de tarification" in read.explanation
    assert "souscripteur" in read.explanation


def test_the_mifid_calls_training_copy_goes_on_time_while_its_evidence_stays(
    built: tuple[Engine, world.WorldSummary, Gate],
) -> None:
    """The retention job run the day after the training copy's last: deleted; the evidence, the
    recording MiFID II requires, is kept five years. Rolled back: the world stays as built."""
    import datetime as dt

    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from lawful.flows import retention
    from lawful.interactions.models import ConversationCopy

    engine, summary, gate = built
    talked = summary.conversations
    assert talked.mifid_call is not None and talked.training_until and talked.evidence_until
    assert talked.evidence_until.year == world.TODAY.year + 5
    with engine.connect() as connection:
        transaction = connection.begin()
        session = Session(bind=connection, join_transaction_mode="create_savepoint")
        try:
            day = talked.training_until + dt.timedelta(days=1)
            run = retention.run_retention(session, gate=gate, today=day)
            assert run.copies_expired >= 2  # its training and quality copies, at least
            left = session.scalars(
                sa.select(ConversationCopy.use).where(
                    ConversationCopy.conversation_id == talked.mifid_call
                )
            ).all()
            assert set(left) == {"history", "evidence"}
        finally:
            session.close()
            transaction.rollback()


def test_the_assistant_says_whom_the_showcase_data_was_shared_with(
    built: tuple[Engine, world.WorldSummary, Gate],
) -> None:
    answers = built[1].conversations.answers
    assert answers
    for lang, text in answers.items():
        opening = {
            "fr": "D'après le registre",
            "nl": "Volgens het register",
            "en": "According to the record",
        }[lang]
        assert text.startswith(opening), text


def test_mail_examined_without_a_ground_is_refused_and_a_complaint_email_is_routed(
    built: tuple[Engine, world.WorldSummary, Gate],
) -> None:
    """The demo's correspondence: the refusal and the examination are both in the ledger, and
    the complaint e-mail opened a complaint about the customer's card."""
    engine, summary, gate = built
    mail = summary.mail
    assert mail is not None and mail.refused and mail.complaint is not None
    with unit_of_work(engine) as session:
        events = ledger.for_subject(session, keys=gate.keys, subject_id=mail.person_id)
        examined = [
            (e.decision, e.reasons) for e in events if e.event == "correspondence.message.examine"
        ]
        assert examined == [("deny", ("examination_ground_missing",)), ("allow", ())]
        actor = Actor("complaint-handler", "kbc-bank", "cmp-test")
        case = complaints.get_complaint(
            session, gate=gate, actor=actor, complaint_id=mail.complaint, today=world.TODAY
        )
        assert (case.source, case.product_kind, case.root_cause) == ("customer", "card", "fees")


MARKETING = {"personalised-offers", "third-party-offers", "commercial-profiling", "partnerships"}


def test_objectors_have_no_offer_and_no_marketing_event_and_every_offer_explains_itself(
    built: tuple[Engine, world.WorldSummary, Gate],
) -> None:
    from lawful.offers import service as offers
    from lawful.rights import service as rights

    engine, summary, gate = built
    assert summary.offers.offers > 0 and summary.offers.left_out >= 1
    dpo = Actor("dpo", "kbc-bank")
    with unit_of_work(engine) as session:
        people = [p.id for p in world.people(customers_count=120, seed=SEED)]
        states = gate.states.load(session, people, as_of=world.TODAY)
        objectors = [p for p in people if states[p].dm_objection]
        assert objectors
        for person in objectors:
            events = ledger.for_subject(session, keys=gate.keys, subject_id=person)
            assert not [e for e in events if e.purpose in MARKETING], person
            held = offers.export_person(
                session,
                gate=gate,
                actor=dpo,
                person_id=person,
                purpose=rights.PURPOSE,
                today=world.TODAY,
            )
            assert held == {"profiles": [], "offers": []}
        others = [p for p in people if p not in objectors and states[p].relationship_states]
        explained = 0
        for person in others[:40]:
            for offer in offers.person_offers(
                session,
                gate=gate,
                actor=Actor("self-service", "kbc-bank"),
                person_id=person,
                today=world.TODAY,
                staff=False,
            ):
                assert offer.why.rule and offer.why.text and offer.why.facts
                assert all(f.label and f.value for f in offer.why.facts)
                explained += 1
        assert explained > 0


def test_the_partner_referral_is_a_disclosure_in_the_ledger(
    built: tuple[Engine, world.WorldSummary, Gate],
) -> None:
    engine, summary, gate = built
    assert summary.offers.referral is not None
    with unit_of_work(engine) as session:
        events = ledger.for_subject(session, keys=gate.keys, subject_id=summary.offers.referral)
    disclosed = [e for e in events if e.event == "offers.partner_referral.disclose"]
    assert [(e.recipient, e.purpose, e.decision) for e in disclosed] == [
        ("sustainability-partner", "partnerships", "allow")
    ]

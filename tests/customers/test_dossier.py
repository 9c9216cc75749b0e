"""The whole file by section: access report, portability, erasure; and bulk loading."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.core.db import utcnow
from lawful.core.errors import InvalidInput, ProcessingDenied
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.vault import service as vault
from lawful.customers import categories as c
from lawful.customers import repository, service
from lawful.customers.access import CUSTOMER_FILE, Event, ask
from lawful.customers.models import Account, Card, KycRecord, Rectification
from lawful.customers.schemas import (
    CardCreate,
    CardStatementCreate,
    PersonRead,
    PersonUpdate,
    Section,
)

from .conftest import ADVISOR, DPO, INSURER, READING, TODAY, applied, last_event
from .factories import People, account, iban, kyc, national_number

OPENED = dt.date(2020, 1, 6)


@pytest.fixture
def full(session: Session, gate: Gate, client: PersonRead) -> PersonRead:
    """A client with something in every section."""
    kw = {"session": session, "gate": gate, "actor": ADVISOR, "person_id": client.id}
    current = service.add_account(**kw, data=account())
    card = service.add_card(
        **kw,
        data=CardCreate(
            account_id=current.id, last_digits="4242", credit_limit_cents=100_000, opened_on=OPENED
        ),
    )
    service.add_card_statement(
        **kw,
        data=CardStatementCreate(
            card_id=card.id,
            period_end=TODAY,
            balance_cents=5_000,
            minimum_due_cents=500,
            due_date=TODAY,
        ),
    )
    service.add_kyc_record(**kw, data=kyc(TODAY))
    applied(session, gate, client.id)
    service.reuse_identity(session, gate=gate, actor=INSURER, person_id=client.id, today=TODAY)
    service.rectify(
        **kw, changes=PersonUpdate(city="Gentbrugge"), reason="typo", changed_by="customer"
    )
    service.set_preference(**kw, key="card_reminders", enabled=False)
    service.give_consent(**kw, purpose="third-party-offers")
    return client


def test_export_holds_every_section_as_json(session: Session, gate: Gate, full: PersonRead) -> None:
    file = service.export_person(session, gate=gate, actor=DPO, person_id=full.id)
    assert list(file) == [s.value for s in Section]
    assert file["identity"]["national_number"] == full.national_number
    assert file["identity"]["birth_date"] == str(full.birth_date)
    assert file["identity"]["city"] == "Gentbrugge" and file["contact"]["brand"] == "kbc"
    assert {r["entity"] for r in file["relationships"]} == {"kbc-bank", "kbc-insurance"}
    assert [k["method"] for k in file["kyc"]] == ["branch", "reuse"]
    assert (
        len(file["accounts"]) == 1 and file["cards"][0]["statements"][0]["balance_cents"] == 5_000
    )
    assert file["loans"] == [] and file["home_policies"] == []
    assert [r["field"] for r in file["rectifications"]] == ["city"]
    assert [(p["key"], p["enabled"]) for p in file["preferences"]] == [("card_reminders", False)]
    assert file["consents"][0]["purpose"] == "third-party-offers"
    json.dumps(file)
    event = last_event(session, full.id)
    assert (event.event, event.purpose) == ("customers.person.export", "data-subject-rights")
    assert {
        "user.government_id.national_identification_number",
        "user.financial.credit_card",
        "user.financial.card_statement",
        "user.government_id.kyc_record",
    } <= set(event.data_categories)


def test_portable_data_is_what_the_person_gave_and_what_their_use_produced(
    session: Session, gate: Gate, full: PersonRead
) -> None:
    data, observed = service.portable_data(session, gate=gate, actor=DPO, person_id=full.id)
    assert list(data) == ["identity", "contact", "preferences", "consents"]
    assert "region" not in data["identity"] and data["contact"]["language"] == full.language
    assert list(observed) == ["accounts", "cards", "home_policies"]
    assert len(observed["cards"]) == 1 and len(observed["cards"][0]["statements"]) == 1
    json.dumps([data, observed])
    event = last_event(session, full.id)
    assert event.event == "customers.portable_data.export"
    # Only what portability carries was asked for: no identification record, no loan.
    assert "user.financial.credit_card" in event.data_categories
    assert "user.government_id.kyc_record" not in event.data_categories
    assert "user.financial.loan" not in event.data_categories


def test_erasure_keeps_the_sections_asked_and_marks_the_person_erased(
    session: Session, gate: Gate, full: PersonRead
) -> None:
    erased = service.erase_person(
        session,
        gate=gate,
        actor=DPO,
        person_id=full.id,
        keep=[Section.IDENTITY, Section.KYC, Section.CARDS],
    )
    assert erased == [s for s in Section if s not in {Section.IDENTITY, Section.KYC, Section.CARDS}]
    event = last_event(session, full.id)
    assert (event.event, event.decision, event.details) == ("customers.person.erase", "allow", None)
    # Only what held data was asked for: the person had no loan and no home policy.
    assert {"user.financial.bank_account", "user.contact.email"} <= set(event.data_categories)
    assert not {"user.financial.loan", "user.financial.insurance_policy"} & set(
        event.data_categories
    )
    facts = service.policy_facts(session, person_ids=[full.id], as_of=TODAY)[full.id]
    assert facts.erased and facts.relationships == () and facts.consents == frozenset()
    # The gate now refuses the person to the customer file...
    with pytest.raises(ProcessingDenied) as refused:
        ask(session, gate, ADVISOR, CUSTOMER_FILE, full.id, [c.ACCOUNTS], event=Event.PRODUCT_LIST)
    assert "erased" in refused.value.reasons
    # ...but data-subject rights survive erasure: the person may still see what is kept.
    file = service.export_person(session, gate=gate, actor=DPO, person_id=full.id)
    assert file["identity"]["national_number"] == full.national_number
    assert file["contact"]["email"] is None and file["accounts"] == []
    assert len(file["cards"]) == 1
    person = repository.person(session, full.id)
    assert person is not None and person.erased_at is not None
    assert (person.national_number, person.last_name) == (full.national_number, full.last_name)
    assert (person.email, person.phone) == (None, None)
    # The address is identification data: kept with the identity.
    assert (person.street, person.postcode) == (full.street, full.postcode)
    kept = (Account, Card, KycRecord, Rectification)
    counts = {m.__name__: len(repository.rows_of(session, m, full.id)) for m in kept}
    assert counts == {"Account": 0, "Card": 1, "KycRecord": 2, "Rectification": 0}
    # The kept card keeps its statements and loses the link to its erased account.
    assert len(repository.statements(session, full.id)) == 1
    assert repository.rows_of(session, Card, full.id)[0].account_id is None


def test_erasing_everything_leaves_a_tombstone(
    session: Session, gate: Gate, full: PersonRead
) -> None:
    assert service.erase_person(session, gate=gate, actor=DPO, person_id=full.id, keep=()) == list(
        Section
    )
    person = repository.person(session, full.id)
    assert person is not None
    assert (person.first_name, person.national_number, person.birth_date, person.city) == (
        None,
    ) * 4
    assert service.relationships(session, person_id=full.id) == []


def test_a_later_erasure_touches_only_what_is_left_and_records_no_details(
    session: Session, gate: Gate, full: PersonRead
) -> None:
    """When a hold ends the subject's key is long gone: nothing could be encrypted for the event."""
    service.erase_person(session, gate=gate, actor=DPO, person_id=full.id, keep=[Section.CARDS])
    vault.shred(session, keys=gate.keys, subject_id=full.id)
    assert service.erase_person(session, gate=gate, actor=DPO, person_id=full.id, keep=()) == list(
        Section
    )
    event = last_event(session, full.id)
    assert (event.event, event.decision, event.details) == ("customers.person.erase", "allow", None)
    assert event.data_categories == ("user.financial.card_statement", "user.financial.credit_card")
    assert repository.rows_of(session, Card, full.id) == []
    assert repository.statements(session, full.id) == []
    assert ledger.verify(session, keys=gate.keys).ok


def test_erasing_what_is_already_gone_is_recorded_with_no_category(
    session: Session, gate: Gate, full: PersonRead
) -> None:
    service.erase_person(session, gate=gate, actor=DPO, person_id=full.id, keep=())
    service.erase_person(session, gate=gate, actor=DPO, person_id=full.id, keep=())
    event = last_event(session, full.id)
    assert (event.event, event.decision, event.data_categories) == (
        "customers.person.erase",
        "allow",
        (),
    )


def test_erasure_refuses_an_unknown_section(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    keep: list[Section] = ["payslips"]  # type: ignore[list-item]
    with pytest.raises(InvalidInput) as error:
        service.erase_person(session, gate=gate, actor=DPO, person_id=client.id, keep=keep)
    assert error.value.field == "keep"


def test_bulk_insert_then_single_inserts_carry_on(session: Session, gate: Gate) -> None:
    born = dt.date(1990, 5, 17)
    person_id = uuid.uuid4().hex
    now = utcnow()
    service.bulk_insert(
        session,
        persons=[
            {
                "id": person_id,
                "national_number": national_number(born),
                "first_name": "Lotte",
                "last_name": "Peeters",
                "birth_date": born,
                "street": "Meir 1",
                "postcode": "2000",
                "city": "Antwerpen",
                "region": "flanders",
                "brand": "kbc",
                "language": "nl",
                "created_at": now,
            }
        ],
        relationships=[
            {"person_id": person_id, "entity": "kbc-bank", "state": "client", "since": OPENED}
        ],
        accounts=[
            {
                "id": 900_001,
                "person_id": person_id,
                "entity": "kbc-bank",
                "kind": "current",
                "iban": iban(),
                "opened_on": OPENED,
            }
        ],
        cards=[
            {
                "id": 900_001,
                "person_id": person_id,
                "entity": "kbc-bank",
                "account_id": 900_001,
                "last_digits": "1234",
                "credit_limit_cents": 0,
                "opened_on": OPENED,
            }
        ],
    )
    products = service.products(
        session, gate=gate, actor=ADVISOR, person_id=person_id, reason=READING
    )
    assert [c.account_id for c in products.cards] == [900_001]
    # Ids given in bulk do not collide with the next ones the database hands out.
    added = service.add_account(
        session, gate=gate, actor=ADVISOR, person_id=person_id, data=account()
    )
    assert added.id > 900_001


def test_bulk_erasure_does_what_erase_person_does_for_each_person(
    session: Session, gate: Gate, full: PersonRead, people: People
) -> None:
    other = service.create_person(
        session, gate=gate, actor=ADVISOR, data=people.person(), entity_state="client", today=TODAY
    )
    kept = [Section.IDENTITY, Section.KYC, Section.CARDS]
    outcome = service.erase_persons(
        session, gate=gate, actor=DPO, keep={full.id: kept, other.id: (), "nobody": ()}
    )
    assert outcome.erased == {
        full.id: [s for s in Section if s not in kept],
        other.id: list(Section),
    }
    assert (outcome.denied, outcome.not_found) == ({}, ["nobody"])
    assert ledger.for_subject(session, keys=gate.keys, subject_id="nobody") == []
    for person_id in (full.id, other.id):
        event = last_event(session, person_id)
        assert (event.event, event.decision, event.details) == (
            "customers.person.erase",
            "allow",
            None,
        )
    event = last_event(session, full.id)
    assert {"user.financial.bank_account", "user.contact.email"} <= set(event.data_categories)
    assert "user.financial.loan" not in event.data_categories  # nothing was there to erase
    person = repository.person(session, full.id)
    assert person is not None and person.erased_at is not None
    assert (person.national_number, person.email, person.phone) == (
        full.national_number,
        None,
        None,
    )
    counts = {
        m.__name__: len(repository.rows_of(session, m, full.id))
        for m in (Account, Card, KycRecord, Rectification)
    }
    assert counts == {"Account": 0, "Card": 1, "KycRecord": 2, "Rectification": 0}
    tombstone = repository.person(session, other.id)
    assert tombstone is not None and tombstone.erased_at is not None
    # Stored as every other instant is: in UTC, with its zone (canonical text on SQLite)...
    assert tombstone.erased_at.tzinfo is not None
    stored = session.execute(
        sa.text("SELECT CAST(erased_at AS TEXT) FROM person WHERE id = :id"), {"id": other.id}
    ).scalar_one()
    if session.get_bind().dialect.name == "sqlite":
        assert stored.endswith("Z") and "T" in stored
    # ...so that a later erasure (a hold ending) keeps that first date.
    first = tombstone.erased_at
    service.erase_person(session, gate=gate, actor=DPO, person_id=other.id, keep=())
    session.expire_all()
    again = repository.person(session, other.id)
    assert again is not None and again.erased_at == first
    assert (tombstone.first_name, tombstone.national_number) == (None, None)
    assert service.relationships(session, person_id=other.id) == []


def test_bulk_erasure_leaves_the_refused_untouched(
    session: Session, gate: Gate, full: PersonRead
) -> None:
    outcome = service.erase_persons(session, gate=gate, actor=ADVISOR, keep={full.id: ()})
    assert outcome.erased == {} and "role_not_permitted" in outcome.denied[full.id]
    assert last_event(session, full.id).decision == "deny"
    person = repository.person(session, full.id)
    assert person is not None and person.erased_at is None and person.email == full.email

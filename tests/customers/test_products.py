"""Products and identifications: added and read through the gate, per entity."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from lawful.core.errors import Conflict, InvalidInput, NotFound
from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.customers import service
from lawful.customers.schemas import (
    CardCreate,
    CardStatementCreate,
    HomePolicyCreate,
    LoanCreate,
    PersonRead,
)

from .conftest import ADVISOR, READING, TODAY, last_event
from .factories import account, kyc

INSURER = Actor("advisor", "kbc-insurance")
OPENED = dt.date(2020, 1, 6)


def home_policy(number: str = "HP-0001") -> HomePolicyCreate:
    return HomePolicyCreate(
        policy_number=number,
        street="Coupure Links 653",
        postcode="9000",
        city="Gent",
        latitude=51.05,
        longitude=3.71,
        construction_year=1932,
        start_on=OPENED,
    )


def test_products_of_the_actors_entity_with_card_statements(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    kw = {"session": session, "gate": gate, "actor": ADVISOR, "person_id": client.id}
    current = service.add_account(**kw, data=account())
    card = service.add_card(
        **kw,
        data=CardCreate(
            account_id=current.id, last_digits="4242", credit_limit_cents=250_000, opened_on=OPENED
        ),
    )
    statement = service.add_card_statement(
        **kw,
        data=CardStatementCreate(
            card_id=card.id,
            period_end=TODAY,
            balance_cents=12_345,
            minimum_due_cents=1_235,
            due_date=TODAY + dt.timedelta(days=20),
        ),
    )
    loan = service.add_loan(
        **kw,
        data=LoanCreate(
            kind="mortgage",
            principal_cents=25_000_000,
            rate_bp=325,
            start_on=OPENED,
            end_on=OPENED.replace(year=2045),
        ),
    )
    assert last_event(session, client.id).event == "customers.loan.create"

    # The insurer's own products live beside the bank's, and neither sees the other's.
    service.add_relationship(
        session,
        gate=gate,
        actor=INSURER,
        person_id=client.id,
        entity="kbc-insurance",
        state="client",
        since=TODAY,
    )
    policy = service.add_home_policy(
        session, gate=gate, actor=INSURER, person_id=client.id, data=home_policy()
    )
    assert (policy.region, policy.entity) == ("flanders", "kbc-insurance")

    bank = service.products(**kw, reason=READING)
    assert [a.iban for a in bank.accounts] == [current.iban]
    assert [c.statements for c in bank.cards] == [[statement]]
    assert bank.loans == [loan] and bank.home_policies == []
    event = last_event(session, client.id)
    assert event.event == "customers.product.list"
    assert {"user.financial.bank_account", "user.financial.loan"} <= set(event.data_categories)
    insurer = service.products(
        session, gate=gate, actor=INSURER, person_id=client.id, reason=READING
    )
    assert insurer.accounts == [] and insurer.home_policies == [policy]


def test_a_card_on_someone_elses_account_is_refused(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    with pytest.raises(InvalidInput) as error:
        service.add_card(
            session,
            gate=gate,
            actor=ADVISOR,
            person_id=client.id,
            data=CardCreate(
                account_id=999_999, last_digits="0001", credit_limit_cents=0, opened_on=OPENED
            ),
        )
    assert error.value.field == "account_id"
    with pytest.raises(InvalidInput) as error:
        service.add_card_statement(
            session,
            gate=gate,
            actor=ADVISOR,
            person_id=client.id,
            data=CardStatementCreate(
                card_id=999_999,
                period_end=TODAY,
                balance_cents=0,
                minimum_due_cents=0,
                due_date=TODAY,
            ),
        )
    assert error.value.field == "card_id"


def test_an_iban_already_on_file_is_a_conflict(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    data = account()
    service.add_account(session, gate=gate, actor=ADVISOR, person_id=client.id, data=data)
    with pytest.raises(Conflict):
        service.add_account(session, gate=gate, actor=ADVISOR, person_id=client.id, data=data)


def test_identifications_are_read_per_entity(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    record = service.add_kyc_record(
        session, gate=gate, actor=ADVISOR, person_id=client.id, data=kyc(TODAY)
    )
    assert (record.entity, record.reused_from) == ("kbc-bank", None)
    assert service.kyc_records(
        session, gate=gate, actor=ADVISOR, person_id=client.id, reason=READING
    ) == [record]


def test_no_product_is_written_for_an_entity_without_relationship(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    # Answered as an unknown person: the insurer's staff learn nothing of the bank's client.
    with pytest.raises(NotFound):
        service.add_home_policy(
            session, gate=gate, actor=INSURER, person_id=client.id, data=home_policy()
        )
    assert (
        service.products(
            session, gate=gate, actor=ADVISOR, person_id=client.id, reason=READING
        ).accounts
        == []
    )

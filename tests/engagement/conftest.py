"""A real gate over the database (subject states from `DbSubjectStates`) and card holders."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session
from tests.rights import factories

from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.core.register.load import load_register
from lawful.core.register.models import Register
from lawful.core.vault.keys import Keyring
from lawful.customers import service as customers
from lawful.customers.schemas import PersonRead
from lawful.rights.state import DbSubjectStates

TODAY = dt.date.today()
ADVISOR = Actor("advisor", "kbc-bank")
SELF = Actor("self-service", "kbc-bank")


@pytest.fixture(scope="session")
def register() -> Register:
    return load_register()


@pytest.fixture(scope="session")
def gate(register: Register, keyring: Keyring) -> Gate:
    return Gate.build(register, DbSubjectStates(), keyring)


def new_person(
    session: Session,
    gate: Gate,
    *,
    state: str = "client",
    language: str = "nl",
    region: str = "flanders",
    entity: str = "kbc-bank",
) -> PersonRead:
    return customers.create_person(
        session,
        gate=gate,
        actor=Actor("advisor", entity),
        data=factories.person(region, language),
        entity_state=state,
        today=TODAY - dt.timedelta(days=400),
    )


def card_holder(
    session: Session,
    gate: Gate,
    *,
    due: dt.date,
    language: str = "nl",
    region: str = "flanders",
    balance_cents: int = 42_000,
    paid_on: dt.date | None = None,
) -> tuple[str, int]:
    """A bank client with one card and one statement due on `due`; (person id, statement id)."""
    person = new_person(session, gate, language=language, region=region)
    kw = {"gate": gate, "actor": ADVISOR, "person_id": person.id}
    account = customers.add_account(session, **kw, data=factories.account())
    card = customers.add_card(session, **kw, data=factories.card(account_id=account.id))
    statement = customers.add_card_statement(
        session,
        **kw,
        data=factories.statement(
            card.id,
            due - dt.timedelta(days=20),
            due_date=due,
            balance_cents=balance_cents,
            paid_on=paid_on,
        ),
    )
    return person.id, statement.id

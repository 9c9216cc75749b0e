"""A real gate over the database and customers whose holdings call for one offer or another."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session
from tests.rights import factories

from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.core.register.load import load_register
from lawful.core.register.models import Register
from lawful.core.vault.keys import Keyring
from lawful.customers import service as customers
from lawful.offers import service as offers
from lawful.rights import service as rights
from lawful.rights.state import DbSubjectStates

TODAY = dt.date.today()
NOW = dt.datetime.now(dt.UTC)
BANK, INSURER = "kbc-bank", "kbc-insurance"
ADVISOR = Actor("advisor", BANK)
DPO = Actor("dpo", BANK)


@pytest.fixture(scope="session")
def register() -> Register:
    return load_register()


@pytest.fixture(scope="session")
def gate(register: Register, keyring: Keyring) -> Gate:
    return Gate.build(register, DbSubjectStates(), keyring)


@dataclass(frozen=True)
class Holdings:
    current: bool = True
    mortgage: bool = False
    late_card: bool = False
    old_home: bool = False  # a home insured with the group's insurer, built in 1962


def client(
    session: Session, gate: Gate, holdings: Holdings = Holdings(), *, language: str = "nl"
) -> str:
    """A client of the bank with these holdings (and, for a home, of the insurer too)."""
    region = "wallonia" if language == "fr" else "flanders"
    person = customers.create_person(
        session,
        gate=gate,
        actor=ADVISOR,
        data=factories.person(region, language),
        entity_state="client",
        today=TODAY - dt.timedelta(days=800),
    )
    kw = {"gate": gate, "actor": ADVISOR, "person_id": person.id}
    if holdings.current:
        account = customers.add_account(session, **kw, data=factories.account())
        if holdings.late_card:
            card = customers.add_card(session, **kw, data=factories.card(account_id=account.id))
            period_end = TODAY - dt.timedelta(days=60)
            customers.add_card_statement(
                session,
                **kw,
                data=factories.statement(
                    card.id, period_end, paid_on=period_end + dt.timedelta(days=25)
                ),
            )
    if holdings.mortgage:
        start = TODAY - dt.timedelta(days=400)
        customers.add_loan(
            session, **kw, data=factories.loan(start, start + dt.timedelta(days=365 * 20))
        )
    if holdings.old_home:
        insurer = "cbc-insurance" if region == "wallonia" else INSURER
        customers.add_relationship(
            session,
            gate=gate,
            actor=Actor("advisor", insurer),
            person_id=person.id,
            entity=insurer,
            state="client",
            since=TODAY - dt.timedelta(days=500),
        )
        customers.add_home_policy(
            session,
            gate=gate,
            actor=Actor("advisor", insurer),
            person_id=person.id,
            data=factories.home_policy(construction_year=1962),
        )
    return person.id


def object_to_marketing(session: Session, gate: Gate, person_id: str) -> None:
    rights.object(
        session,
        gate=gate,
        actor=DPO,
        person_id=person_id,
        purpose=None,
        grounds=None,
        channel="staff",
        registered_by="dpo:test",
        today=TODAY,
    )


def run(session: Session, gate: Gate, person_ids: list[str]) -> offers.Outcome:
    """The job over these persons only, in the test's transaction."""
    import polars as pl

    tables = offers.read_tables(session, today=TODAY)
    clients = offers.clients_frame(tables, today=TODAY).filter(
        pl.col("person_id").is_in(person_ids)
    )
    return offers.decide(session, gate=gate, clients=clients, today=TODAY, now=NOW)

"""A real gate over the database: the register, and subject states from `DbSubjectStates`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.core.register.load import load_register
from lawful.core.register.models import Register
from lawful.core.vault.keys import Keyring
from lawful.customers import service as customers
from lawful.customers.schemas import PersonRead
from lawful.flows import access_report as flow
from lawful.rights import service as rights
from lawful.rights.schemas import AccessReport
from lawful.rights.state import DbSubjectStates

from . import factories

# Customer-file services take no date: the gate decides them as of the real today.
TODAY = dt.date.today()
ADVISOR = Actor("advisor", "kbc-bank")
DPO = Actor("dpo", "kbc-bank")
SELF = Actor("self-service", "kbc-bank")
OFFERS = Actor("offer-engine", "kbc-bank")
READING = "appointment at the branch"


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
    region: str = "flanders",
    language: str = "nl",
    state: str = "client",
    since: dt.date = TODAY,
) -> PersonRead:
    return customers.create_person(
        session,
        gate=gate,
        actor=ADVISOR,
        data=factories.person(region, language),
        entity_state=state,
        today=since,
    )


def registered(session: Session, gate: Gate, person_id: str, kind: str = "erasure") -> int:
    """A request the DPO registers for the person: what staff answer by reading or erasing."""
    return rights.submit_request(
        session,
        gate=gate,
        actor=DPO,
        person_id=person_id,
        type=kind,
        channel="staff",
        registered_by="dpo:dpo-0001",
        today=TODAY,
    ).id


@pytest.fixture
def client(session: Session, gate: Gate) -> PersonRead:
    """A Dutch-speaking client of the bank, in Ghent (brand KBC)."""
    return new_person(session, gate)


def access_report(session: Session, gate: Gate, **kw: Any) -> AccessReport:
    """The access report as the API answers it: the use case's data, worded for the person."""
    return rights.report_view(gate.register, flow.access_report(session, gate=gate, **kw))

"""Reinsurance runs on the real gate over the database (the rights domain's fixtures)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session
from tests.rights import factories
from tests.rights.conftest import gate, register

from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.customers.schemas import PersonRead

__all__ = ["gate", "register"]

INSURER = "kbc-insurance"
UNDERWRITER = Actor("advisor", INSURER)
DPO = Actor("dpo", INSURER)


def policyholder(
    session: Session,
    gate: Gate,
    *,
    policies: int = 1,
    sum_insured_cents: int = 35_000_000,
    start: dt.date = dt.date(2025, 1, 1),
) -> tuple[PersonRead, list[int]]:
    """A client of the insurer with home policies in Ghent, each with its figures."""
    person = customers.create_person(
        session,
        gate=gate,
        actor=UNDERWRITER,
        data=factories.person(),
        entity_state="client",
        today=start,
    )
    ids = []
    for _ in range(policies):
        policy = customers.add_home_policy(
            session,
            gate=gate,
            actor=UNDERWRITER,
            person_id=person.id,
            data=factories.home_policy(
                start_on=start, sum_insured_cents=sum_insured_cents, premium_cents=61_500
            ),
        )
        ids.append(policy.id)
    return person, ids

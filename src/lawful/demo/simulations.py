"""The demo's interrupted simulation and pre-filled form, played through the services as the
customer would in the app: a loan simulation started and abandoned the day before the world's day,
then the loan application pre-filled from the file and that simulation."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from lawful.core.gate import Gate, unit_of_work
from lawful.core.policy.types import Actor
from lawful.simulations import prefill as forms
from lawful.simulations import service as simulations
from lawful.simulations.schemas import (
    Closure,
    PrefillCreate,
    PrefillRead,
    SimulationCreate,
    StepCreate,
)

LOCAL = ZoneInfo("Europe/Brussels")
SELF = Actor("self-service", "kbc-bank")


def abandon_a_loan_simulation(engine: Engine, gate: Gate, *, person_id: str, day: dt.date) -> int:
    """The person tries a loan in the app the morning before `day`, two steps in, and stops."""
    start = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(9, 0), tzinfo=LOCAL)
    kw: dict[str, Any] = {"gate": gate, "actor": SELF, "person_id": person_id}
    with unit_of_work(engine) as session:
        made = simulations.start(
            session,
            **kw,
            data=SimulationCreate(product="loan", channel="app", language="fr"),
            now=start,
        )
        for minutes, name, answers in (
            (4, "amount", {"amount": 18_000, "duration_months": 48}),
            (9, "purpose", {"purpose": "voiture"}),
        ):
            simulations.record_step(
                session,
                **kw,
                simulation_id=made.id,
                step=StepCreate(name=name, answers=answers),
                now=start + dt.timedelta(minutes=minutes),
            )
        simulations.close(
            session,
            **kw,
            simulation_id=made.id,
            closure=Closure(outcome="abandoned"),
            now=start + dt.timedelta(minutes=12),
        )
    return made.id


def prefilled_application(
    engine: Engine, gate: Gate, *, person_id: str, simulation_id: int, day: dt.date
) -> PrefillRead:
    """The loan application the person opens afterwards, filled from the bank's file and their
    simulation, every field with its source."""
    with unit_of_work(engine) as session:
        return forms.prefill(
            session,
            gate=gate,
            actor=SELF,
            person_id=person_id,
            data=PrefillCreate(form="loan-application", simulation_id=simulation_id),
            staff=False,
            today=day,
        )

"""Simulations and sales processes (activity 9): the public face of the domain.

The person (a client or a prospect, through the app, the website or the assistant) starts a
simulation, records its steps, and finishes or abandons it; staff of the simulation's entity read
it. Every use passes the gate under `interrupted-simulation-support`, recorded in the ledger.
The follow-up job is in `followups`, pre-filling an application form in `prefill`. Functions
take the session and keyword-only arguments and never commit.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from lawful.core.db import utcnow
from lawful.core.errors import Conflict, InvalidInput, NotFound
from lawful.core.gate import Gate
from lawful.core.policy.types import Actor, Reason
from lawful.core.register.models import ActorKind
from lawful.customers import service as customers
from lawful.simulations import repository
from lawful.simulations.models import FollowUp, Simulation, SimulationBuilding, SimulationStep
from lawful.simulations.schemas import (
    MAX_STEPS,
    BuildingRead,
    Closure,
    FollowUpRead,
    Product,
    SimulationCreate,
    SimulationRead,
    Status,
    StepCreate,
    StepRead,
    TaskRead,
)

PURPOSE = "interrupted-simulation-support"
SIMULATION = "user.behavior.simulation"
CONTACT = "user.contact"
PROPERTY = "user.location.property"  # a home-insurance quote's building
# The entities that offer each product; the first is the default.
ENTITIES: Mapping[Product, tuple[str, ...]] = {
    Product.LOAN: ("kbc-bank",),
    Product.SAVINGS_PLAN: ("kbc-bank",),
    Product.HOME_INSURANCE: ("kbc-insurance", "cbc-insurance"),
}


class Event(StrEnum):
    START = "simulations.simulation.start"
    STEP = "simulations.simulation.step"
    CLOSE = "simulations.simulation.close"
    READ = "simulations.simulation.read"
    LIST = "simulations.simulation.list"
    FOLLOW_UP = "simulations.follow_up.decide"
    TASKS = "simulations.follow_up_task.list"
    EXPORT = "simulations.simulation.export"


def is_staff(gate: Gate, actor: Actor) -> bool:
    return any(r.id == actor.role and r.kind is ActorKind.STAFF for r in gate.register.roles)


def retention(gate: Gate) -> dt.timedelta:
    """How long a simulation is kept, counted from its start (the register's)."""
    return dt.timedelta(days=gate.register.purpose(PURPOSE).retention.duration.total_days())


def _categories(row: Simulation | SimulationCreate, *, building: bool = False) -> list[str]:
    contact = row.contact_email is not None or row.contact_phone is not None
    return [SIMULATION] + ([CONTACT] if contact else []) + ([PROPERTY] if building else [])


def _ask(
    session: Session,
    gate: Gate,
    actor: Actor,
    person_id: str,
    event: Event,
    *,
    categories: Sequence[str],
    details: Mapping[str, Any] | None,
    today: dt.date,
) -> None:
    gate.open(session, actor=actor, purpose=PURPOSE).access(
        person_id,
        categories=categories,
        event=event.value,
        details=details,
        as_of=today,
        on_file=True,
    )


def start(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    data: SimulationCreate,
    now: dt.datetime | None = None,
) -> SimulationRead:
    """The person starts a simulation with the entity offering the product."""
    at = now or utcnow()
    offered = ENTITIES[data.product]
    entity = data.entity or offered[0]
    if entity not in offered:
        raise InvalidInput(f"{data.product} is offered by {', '.join(offered)}", field="entity")
    # The person deals with the entity they simulate with: recorded as that entity's processing.
    toward = Actor(actor.role, entity, actor.ref)
    state = gate.states.load(session, [person_id], as_of=at.date()).get(person_id)
    client = state is not None and "client" in {
        s.value for s in state.relationships_by_entity.get(entity, frozenset())
    }
    if data.contact_me and not client and data.contact_email is None and data.contact_phone is None:
        raise InvalidInput(
            "to be contacted about this simulation, give an e-mail address or a phone number",
            field="contact_me",
        )
    building = data.building
    if building is not None and data.product is not Product.HOME_INSURANCE:
        raise InvalidInput("a building is given for a home-insurance quote only", field="building")
    if building is not None and building.year is None:
        raise InvalidInput(
            "give the building's construction year, or the day it was finished",
            field="building.construction_year",
        )
    details: dict[str, Any] = {
        "product": data.product.value,
        "entity": entity,
        "contact_me": data.contact_me,
        "building": building is not None,
    }
    if building is not None:
        # Asking the insurer to price a building is a pre-contractual step with it: the person
        # is its prospect for as long as the quote is kept, so that underwriting may assess it.
        prospect = customers.prospect_while(
            session, person_id, entity, at.date(), (at + retention(gate)).date()
        )
        if prospect is not None:
            details["prospect_until"] = prospect.isoformat()
    _ask(
        session,
        gate,
        toward,
        person_id,
        Event.START,
        categories=_categories(data, building=building is not None),
        details=details,
        today=at.date(),
    )
    row = repository.add(
        session,
        Simulation(
            person_id=person_id,
            entity=entity,
            product=data.product.value,
            channel=data.channel.value,
            language=data.language.value,
            status=Status.IN_PROGRESS.value,
            contact_me=data.contact_me,
            contact_email=data.contact_email,
            contact_phone=data.contact_phone,
            started_at=at,
            last_activity_at=at,
        ),
    )
    kept = None
    if building is not None:
        kept = repository.add_building(
            session,
            SimulationBuilding(
                simulation_id=row.id,
                street=building.street,
                house_number=building.number,
                postcode=building.postcode,
                municipality=building.municipality,
                latitude=building.latitude,
                longitude=building.longitude,
                construction_year=building.year,
                construction_date=building.construction_date,
            ),
        )
    return _read(gate, row, [], None, kept)


def _own(
    session: Session, gate: Gate, actor: Actor, person_id: str, simulation_id: int
) -> Simulation:
    """The simulation if it is the person's, and (for staff) of the staff member's entity; any
    other answers as an unknown number does."""
    row = repository.simulation(session, simulation_id)
    if row is None or row.person_id != person_id:
        raise NotFound(f"no simulation {simulation_id}")
    if is_staff(gate, actor) and row.entity != actor.entity:
        raise NotFound(f"no simulation {simulation_id}")
    return row


def record_step(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    simulation_id: int,
    step: StepCreate,
    now: dt.datetime | None = None,
) -> SimulationRead:
    at = now or utcnow()
    row = _own(session, gate, actor, person_id, simulation_id)
    if row.status != Status.IN_PROGRESS.value:
        raise Conflict(f"simulation {simulation_id} is {row.status}")
    position = repository.count_steps(session, row.id) + 1
    if position > MAX_STEPS:
        raise InvalidInput(f"a simulation has at most {MAX_STEPS} steps", field="name")
    _ask(
        session,
        gate,
        Actor(actor.role, row.entity, actor.ref),
        person_id,
        Event.STEP,
        categories=[SIMULATION],
        details={"simulation": row.id, "step": step.name, "fields": sorted(step.answers)},
        today=at.date(),
    )
    repository.add_step(
        session,
        SimulationStep(
            simulation_id=row.id,
            position=position,
            name=step.name,
            answers=json.dumps(step.answers, ensure_ascii=False),
            recorded_at=at,
        ),
    )
    row.last_activity_at = at
    repository.flush(session)
    return _view(session, gate, row)


def close(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    simulation_id: int,
    closure: Closure,
    now: dt.datetime | None = None,
) -> SimulationRead:
    """The person finishes the simulation (no follow-up then) or abandons it."""
    at = now or utcnow()
    row = _own(session, gate, actor, person_id, simulation_id)
    if row.status != Status.IN_PROGRESS.value:
        raise Conflict(f"simulation {simulation_id} is {row.status}")
    _ask(
        session,
        gate,
        Actor(actor.role, row.entity, actor.ref),
        person_id,
        Event.CLOSE,
        categories=[SIMULATION],
        details={"simulation": row.id, "outcome": closure.outcome.value},
        today=at.date(),
    )
    row.status, row.last_activity_at, row.ended_at = closure.outcome.value, at, at
    repository.flush(session)
    return _view(session, gate, row)


def get(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, simulation_id: int
) -> SimulationRead:
    row = _own(session, gate, actor, person_id, simulation_id)
    building = repository.buildings_of(session, [row.id]).get(row.id)
    _ask(
        session,
        gate,
        Actor(actor.role, row.entity, actor.ref),
        person_id,
        Event.READ,
        categories=_categories(row, building=building is not None),
        details={"simulation": row.id},
        today=dt.date.today(),
    )
    return _view(session, gate, row)


def list_simulations(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, limit: int = 50
) -> list[SimulationRead]:
    """The person's simulations, newest first; an entity's staff see their entity's only, and a
    person with none there answers as an unknown one (the refusal is recorded)."""
    staff = is_staff(gate, actor)
    rows = repository.simulations_of(
        session, person_id, entity=actor.entity if staff else None, limit=limit
    )
    if staff and not rows:
        gate.open(session, actor=actor, purpose=PURPOSE).refuse(
            person_id,
            categories=[SIMULATION],
            event=Event.LIST.value,
            reasons=(Reason.NO_RELATIONSHIP.value,),
            error=NotFound(f"no person {person_id}"),
        )
    by_entity = sorted({r.entity for r in rows}) or [actor.entity]
    buildings = repository.buildings_of(session, [r.id for r in rows])
    for entity in by_entity:
        theirs = [r.id for r in rows if r.entity == entity]
        _ask(
            session,
            gate,
            Actor(actor.role, entity, actor.ref),
            person_id,
            Event.LIST,
            categories=[SIMULATION, CONTACT]
            + ([PROPERTY] if any(i in buildings for i in theirs) else []),
            details={"simulations": theirs},
            today=dt.date.today(),
        )
    steps = repository.steps_of(session, [r.id for r in rows])
    follow = repository.follow_ups_of(session, [r.id for r in rows])
    return [
        _read(gate, r, steps.get(r.id, []), follow.get(r.id), buildings.get(r.id)) for r in rows
    ]


def tasks(session: Session, *, gate: Gate, actor: Actor, limit: int = 100) -> list[TaskRead]:
    """The entity's open follow-up tasks: people who asked to be contacted about a simulation
    they left. Each person shown is asked of the gate, in one batch; the refused are left out."""
    rows = repository.open_tasks(session, entity=actor.entity, limit=limit)
    persons = list(dict.fromkeys(r.person_id for r in rows))
    if not persons:
        return []
    ctx = gate.open(session, actor=actor, purpose=PURPOSE)
    details = {
        p: {"simulations": [r.simulation_id for r in rows if r.person_id == p]} for p in persons
    }
    decided = ctx.access_many(
        persons, categories=[SIMULATION, CONTACT], event=Event.TASKS.value, details=details
    )
    allowed = set(decided.allowed)
    return [
        TaskRead.model_validate(r, from_attributes=True) for r in rows if r.person_id in allowed
    ]


def _view(session: Session, gate: Gate, row: Simulation) -> SimulationRead:
    steps = repository.steps_of(session, [row.id]).get(row.id, [])
    building = repository.buildings_of(session, [row.id]).get(row.id)
    return _read(gate, row, steps, repository.follow_up(session, row.id), building)


def _building(row: SimulationBuilding | None) -> BuildingRead | None:
    if row is None:
        return None
    return BuildingRead(
        street=row.street,
        number=row.house_number,
        postcode=row.postcode,
        municipality=row.municipality,
        latitude=row.latitude,
        longitude=row.longitude,
        construction_year=row.construction_year,
        construction_date=row.construction_date,
    )


def _read(
    gate: Gate,
    row: Simulation,
    steps: Sequence[SimulationStep],
    follow: FollowUp | None,
    building: SimulationBuilding | None = None,
) -> SimulationRead:
    expires = (row.started_at + retention(gate)).date()
    return SimulationRead(
        id=row.id,
        person_id=row.person_id,
        entity=row.entity,
        product=Product(row.product),
        channel=row.channel,
        language=row.language,
        status=Status(row.status),
        contact_me=row.contact_me,
        contact_email=row.contact_email,
        contact_phone=row.contact_phone,
        started_at=row.started_at,
        last_activity_at=row.last_activity_at,
        ended_at=row.ended_at,
        expires_on=expires,
        building=_building(building),
        steps=[
            StepRead(
                position=s.position,
                name=s.name,
                answers=json.loads(s.answers),
                recorded_at=s.recorded_at,
            )
            for s in steps
        ],
        follow_up=None
        if follow is None or follow.kind == "deciding"
        else FollowUpRead(
            kind=follow.kind,
            reason=follow.reason,
            task_status=follow.task_status,
            decided_at=follow.decided_at,
        ),
    )


def steps_for_prefill(
    session: Session, *, person_id: str, simulation_id: int
) -> tuple[Simulation, list[SimulationStep]]:
    """The person's simulation and its steps, for a form pre-filled from it. No gate: the pre-fill
    use case asks it, under its own purpose, before any value is shown."""
    row = repository.simulation(session, simulation_id)
    if row is None or row.person_id != person_id:
        raise NotFound(f"no simulation {simulation_id}")
    return row, repository.steps_of(session, [row.id]).get(row.id, [])


def export_person(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, purpose: str, today: dt.date
) -> dict[str, Any]:
    """The person's simulations, JSON-ready, for the access report and portability."""
    gate.open(session, actor=actor, purpose=purpose).access(
        person_id,
        categories=[SIMULATION, CONTACT, PROPERTY],
        event=Event.EXPORT.value,
        as_of=today,
    )
    rows = repository.simulations_of(session, person_id, entity=None, limit=10_000)
    ids = [r.id for r in rows]
    steps = repository.steps_of(session, ids)
    follow = repository.follow_ups_of(session, ids)
    buildings = repository.buildings_of(session, ids)
    return {
        "simulations": [
            _export(gate, r, steps.get(r.id, []), follow.get(r.id), buildings.get(r.id))
            for r in rows
        ]
    }


def _export(
    gate: Gate,
    row: Simulation,
    steps: Sequence[SimulationStep],
    follow: FollowUp | None,
    building: SimulationBuilding | None = None,
) -> dict[str, Any]:
    """One simulation under field names of its own (the access report words every field and
    code in the reader's language); the answers of a step as one line of text."""
    decided = follow.kind if follow is not None and follow.kind != "deciding" else None
    return {
        "product": row.product,
        "entity": row.entity,
        "simulation_channel": row.channel,
        "language": row.language,
        "simulation_status": row.status,
        "contact_me": row.contact_me,
        "contact_email": row.contact_email,
        "contact_phone": row.contact_phone,
        "started_at": row.started_at.isoformat(),
        "last_activity_at": row.last_activity_at.isoformat(),
        "ended_at": row.ended_at.isoformat() if row.ended_at else None,
        "expires_on": (row.started_at + retention(gate)).date().isoformat(),
        "follow_up": decided,
        "building": None
        if building is None
        else (
            f"{building.street} {building.house_number}, {building.postcode} "
            f"{building.municipality} ({building.latitude:.6f}, {building.longitude:.6f}), "
            f"{building.construction_date or building.construction_year}"
        ),
        "steps": [
            {
                "step": s.name,
                "answers": "; ".join(f"{k}: {v}" for k, v in json.loads(s.answers).items()),
                "recorded_at": s.recorded_at.isoformat(),
            }
            for s in steps
        ],
    }


class QuotedBuilding(NamedTuple):
    simulation_id: int
    person_id: str
    entity: str
    latitude: float
    longitude: float
    construction_year: int
    construction_date: dt.date | None


def quoted_buildings(
    session: Session, *, gate: Gate, now: dt.datetime, entity: str | None = None
) -> list[QuotedBuilding]:
    """The buildings of the home-insurance quotes still kept (within the retention) and not
    abandoned, whose person is not erased: where each stands and when it was built, for flood
    underwriting, which records its own processing. Ordered by simulation id; one statement."""
    rows = repository.quoted_buildings(
        session,
        product=Product.HOME_INSURANCE.value,
        started_since=now - retention(gate),
        left=Status.ABANDONED.value,
        entity=entity,
    )
    return [QuotedBuilding._make(r) for r in rows]


def owner_of(session: Session, *, simulation_id: int) -> tuple[str, str] | None:
    """The simulation's person and entity, or None: for a use case that asks the gate itself."""
    row = repository.simulation(session, simulation_id)
    return None if row is None else (row.person_id, row.entity)


def erase(session: Session, *, person_ids: Sequence[str]) -> int:
    """Erase the persons' simulations with their file (Art. 17); the erasure use case asked the
    gate. How many simulations went."""
    return repository.delete_for(session, person_ids)


def purge(session: Session, *, gate: Gate, now: dt.datetime) -> int:
    """Erase every simulation whose retention (the register's, from its start) is over, with its
    steps and follow-up: one set-based statement per table. How many went."""
    return repository.delete_started_before(session, before=now - retention(gate))


def bulk_insert(
    session: Session,
    *,
    simulations: Sequence[Mapping[str, Any]],
    steps: Sequence[Mapping[str, Any]] = (),
) -> None:
    """Load many simulations at once (the demo world); the generator records the ledger events."""
    repository.bulk_insert(session, simulations=simulations, steps=steps)

"""Simulations and pre-filled application forms over HTTP.

The person makes their own simulations (a customer token: client or prospect); staff of the
simulation's entity read them and their follow-up tasks, any other id or number answering 404 as
an unknown one does."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Query, status

from lawful.core.errors import NotPermitted
from lawful.customers import service as customers
from lawful.simulations import prefill as forms
from lawful.simulations import service
from lawful.simulations.schemas import (
    Closure,
    PrefillCreate,
    PrefillRead,
    SimulationCreate,
    SimulationRead,
    StepCreate,
    TaskRead,
)
from lawful.web.deps import (
    PersonId,
    PrincipalDep,
    RowId,
    RuntimeDep,
    SessionDep,
    actor_of,
    is_staff,
    reach,
    staff_acting_for,
)
from lawful.web.routing import UnitOfWorkRouter

router = UnitOfWorkRouter(tags=["simulations"])
PURPOSE = service.PURPOSE
_OWN = "The person themselves (a client or a prospect, with their own token)."
_READ = (
    "The person, or staff of the simulation's entity; another entity's staff get the answer an "
    "unknown id gets."
)


def _the_person(who: PrincipalDep) -> None:
    if is_staff(who):
        raise NotPermitted("a simulation is made by the person themselves")


@router.post(
    "/persons/{person_id}/simulations",
    status_code=status.HTTP_201_CREATED,
    summary="Start a simulation (loan, home-insurance quote, savings plan)",
    description=_OWN
    + " With `contact_me`, an adviser of the entity may contact the person if they leave it "
    "unfinished; a prospect then gives the e-mail address or phone number to use.",
)
def start(
    person_id: PersonId,
    body: SimulationCreate,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
) -> SimulationRead:
    reach(rt, session, who, person_id)
    _the_person(who)
    return service.start(session, gate=rt.gate, actor=actor_of(who), person_id=person_id, data=body)


@router.get(
    "/persons/{person_id}/simulations",
    summary="The person's simulations, newest first, with their steps and follow-up",
    description=_READ,
)
def list_simulations(
    person_id: PersonId,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[SimulationRead]:
    reach(rt, session, who, person_id, purpose=PURPOSE)
    return service.list_simulations(
        session, gate=rt.gate, actor=actor_of(who), person_id=person_id, limit=limit
    )


@router.get(
    "/persons/{person_id}/simulations/{simulation_id}",
    summary="One simulation with its steps and follow-up",
    description=_READ,
)
def get_simulation(
    person_id: PersonId,
    simulation_id: RowId,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
) -> SimulationRead:
    reach(rt, session, who, person_id, purpose=PURPOSE)
    return service.get(
        session, gate=rt.gate, actor=actor_of(who), person_id=person_id, simulation_id=simulation_id
    )


@router.post(
    "/persons/{person_id}/simulations/{simulation_id}/steps",
    summary="Record a step of a simulation in progress",
    description=_OWN,
)
def record_step(
    person_id: PersonId,
    simulation_id: RowId,
    body: StepCreate,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
) -> SimulationRead:
    reach(rt, session, who, person_id)
    _the_person(who)
    return service.record_step(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        person_id=person_id,
        simulation_id=simulation_id,
        step=body,
    )


@router.post(
    "/persons/{person_id}/simulations/{simulation_id}/closure",
    summary="Finish or abandon a simulation",
    description=_OWN + " A finished simulation is never followed up.",
)
def close(
    person_id: PersonId,
    simulation_id: RowId,
    body: Closure,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
) -> SimulationRead:
    reach(rt, session, who, person_id)
    _the_person(who)
    return service.close(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        person_id=person_id,
        simulation_id=simulation_id,
        closure=body,
    )


@router.get(
    "/simulation-follow-up-tasks",
    summary="Open follow-up tasks of the staff member's entity",
    description=(
        "People who asked, in a simulation they left unfinished, to be contacted by an adviser; "
        "with the contact details they gave for it."
    ),
)
def tasks(
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[TaskRead]:
    actor = staff_acting_for(rt, who, purpose=PURPOSE)
    return service.tasks(session, gate=rt.gate, actor=actor, limit=limit)


@router.post(
    "/persons/{person_id}/application-forms",
    summary="An application form pre-filled from the file, with the source of every field",
    description=(
        "The form's fields from the entity's own file (and from the simulation named), each with "
        "where its value comes from; a field without a source is for the person to fill in. "
        "The person, or staff of the form's entity."
    ),
)
def prefill(
    person_id: PersonId, body: PrefillCreate, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> PrefillRead:
    reach(rt, session, who, person_id, purpose=forms.PURPOSE)
    return _prefill(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        person_id=person_id,
        data=body,
        staff=is_staff(who),
        today=dt.date.today(),
    )


_prefill = customers.unseen_unless_related(forms.prefill)

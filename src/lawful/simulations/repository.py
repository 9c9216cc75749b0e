"""All SQL of simulations. Flushes, never commits; the follow-up job's paths are set-based."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lawful.simulations.models import FollowUp, Simulation, SimulationBuilding, SimulationStep

OPEN_STATUSES = ("in_progress", "abandoned")


def add(session: Session, row: Simulation) -> Simulation:
    session.add(row)
    session.flush()
    return row


def simulation(session: Session, simulation_id: int) -> Simulation | None:
    return session.get(Simulation, simulation_id)


def simulations_of(
    session: Session, person_id: str, *, entity: str | None, limit: int
) -> list[Simulation]:
    query = sa.select(Simulation).where(Simulation.person_id == person_id)
    if entity is not None:
        query = query.where(Simulation.entity == entity)
    query = query.order_by(Simulation.started_at.desc(), Simulation.id.desc()).limit(limit)
    return list(session.scalars(query))


def add_building(session: Session, row: SimulationBuilding) -> SimulationBuilding:
    session.add(row)
    session.flush()
    return row


def buildings_of(session: Session, ids: Sequence[int]) -> dict[int, SimulationBuilding]:
    if not ids:
        return {}
    query = sa.select(SimulationBuilding).where(SimulationBuilding.simulation_id.in_(list(ids)))
    return {b.simulation_id: b for b in session.scalars(query)}


def quoted_buildings(
    session: Session,
    *,
    product: str,
    started_since: dt.datetime,
    left: str,
    entity: str | None,
) -> list[sa.Row[Any]]:
    """The buildings of `product` simulations started since `started_since`, not in status
    `left`, whose person is not erased: one statement, ordered by simulation id."""
    s, b = Simulation.__table__.c, SimulationBuilding.__table__.c
    person = sa.table("person", sa.column("id", sa.String), sa.column("erased_at"))
    query = (
        sa.select(
            b.simulation_id,
            s.person_id,
            s.entity,
            b.latitude,
            b.longitude,
            b.construction_year,
            b.construction_date,
        )
        .join(Simulation.__table__, s.id == b.simulation_id)
        .join(person, person.c.id == s.person_id)
        .where(
            s.product == product,
            s.started_at >= started_since,
            s.status != left,
            person.c.erased_at.is_(None),
        )
        .order_by(b.simulation_id)
    )
    if entity is not None:
        query = query.where(s.entity == entity)
    return list(session.execute(query))


def steps_of(session: Session, ids: Sequence[int]) -> dict[int, list[SimulationStep]]:
    found: dict[int, list[SimulationStep]] = defaultdict(list)
    if not ids:
        return found
    query = (
        sa.select(SimulationStep)
        .where(SimulationStep.simulation_id.in_(list(ids)))
        .order_by(SimulationStep.simulation_id, SimulationStep.position)
    )
    for step in session.scalars(query):
        found[step.simulation_id].append(step)
    return found


def follow_ups_of(session: Session, ids: Sequence[int]) -> dict[int, FollowUp]:
    if not ids:
        return {}
    query = sa.select(FollowUp).where(FollowUp.simulation_id.in_(list(ids)))
    return {f.simulation_id: f for f in session.scalars(query)}


def count_steps(session: Session, simulation_id: int) -> int:
    query = sa.select(sa.func.count()).where(SimulationStep.simulation_id == simulation_id)
    return int(session.scalar(query) or 0)


def add_step(session: Session, step: SimulationStep) -> None:
    session.add(step)
    session.flush()


def flush(session: Session) -> None:
    session.flush()


# --- the follow-up job ----------------------------------------------------------------------


def due_in_batches(
    session: Session, *, idle_before: dt.datetime, size: int
) -> Iterator[Sequence[sa.Row[Any]]]:
    """Every simulation left unfinished (in progress or abandoned) with no activity since
    `idle_before` and no follow-up decided yet, with its last step's name: one statement, its rows
    fetched `size` at a time."""
    s, f, st = Simulation.__table__.c, FollowUp.__table__.c, SimulationStep.__table__.c
    last_step = (
        sa.select(st.name)
        .where(st.simulation_id == s.id)
        .order_by(st.position.desc())
        .limit(1)
        .scalar_subquery()
    )
    query: sa.Select[Any] = (
        sa.select(
            s.id,
            s.person_id,
            s.entity,
            s.product,
            s.language,
            s.contact_me,
            s.contact_email,
            s.contact_phone,
            s.started_at,
            s.last_activity_at,
            last_step.label("last_step"),
        )
        .where(s.status.in_(OPEN_STATUSES), s.last_activity_at <= idle_before)
        .where(~sa.exists().where(f.simulation_id == s.id))
        .order_by(s.id)
        .execution_options(yield_per=size)
    )
    yield from session.execute(query).partitions(size)


def claim(session: Session, rows: Sequence[Mapping[str, Any]]) -> set[int]:
    """Insert a follow-up row per simulation not decided yet, in one statement; the simulations
    this run owns. What another run claimed first (or is claiming: the insert waits) is left."""
    if not rows:
        return set()
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(sa.Table, FollowUp.__table__)
    statement = (
        insert(table)
        .on_conflict_do_nothing(index_elements=["simulation_id"])
        .returning(table.c.simulation_id)
    )
    return set(session.connection().execute(statement, list(rows)).scalars())


_SETTLED = ("kind", "reason", "notification_key", "task_status")


def settle(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Write each claimed follow-up's outcome: one UPDATE executed for the whole batch."""
    if not rows:
        return
    f = cast(sa.Table, FollowUp.__table__)
    statement = (
        sa.update(f)
        .where(f.c.simulation_id == sa.bindparam("key"))
        .values({name: sa.bindparam(f"new_{name}") for name in _SETTLED})
    )
    params = [
        {"key": r["simulation_id"], **{f"new_{name}": r.get(name) for name in _SETTLED}}
        for r in rows
    ]
    session.connection().execute(statement, params)


def open_tasks(session: Session, *, entity: str, limit: int) -> list[sa.Row[Any]]:
    s, f, st = Simulation.__table__.c, FollowUp.__table__.c, SimulationStep.__table__.c
    last_step = (
        sa.select(st.name)
        .where(st.simulation_id == s.id)
        .order_by(st.position.desc())
        .limit(1)
        .scalar_subquery()
    )
    query = (
        sa.select(
            f.simulation_id,
            f.person_id,
            f.entity,
            s.product,
            last_step.label("last_step"),
            s.last_activity_at.label("left_at"),
            s.contact_email,
            s.contact_phone,
            f.task_status,
            f.decided_at,
        )
        .join(Simulation, s.id == f.simulation_id)
        .where(f.entity == entity, f.kind == "task", f.task_status == "open")
        .order_by(f.decided_at, f.simulation_id)
        .limit(limit)
    )
    return list(session.execute(query))


def follow_up(session: Session, simulation_id: int) -> FollowUp | None:
    return session.get(FollowUp, simulation_id)


# --- retention and erasure ------------------------------------------------------------------


def delete_started_before(session: Session, *, before: dt.datetime) -> int:
    """Every simulation started before `before`, with its steps and follow-up: set-based."""
    s = Simulation.__table__.c
    expired = sa.select(s.id).where(s.started_at < before)
    for model in (SimulationStep, FollowUp, SimulationBuilding):
        session.execute(sa.delete(model).where(model.simulation_id.in_(expired)))
    result = session.execute(sa.delete(Simulation).where(s.started_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


def delete_for(session: Session, person_ids: Sequence[str]) -> int:
    deleted = 0
    s = Simulation.__table__.c
    for start in range(0, len(person_ids), 900):
        chunk = list(person_ids[start : start + 900])
        theirs = sa.select(s.id).where(s.person_id.in_(chunk))
        for model in (SimulationStep, FollowUp, SimulationBuilding):
            session.execute(sa.delete(model).where(model.simulation_id.in_(theirs)))
        result = session.execute(sa.delete(Simulation).where(s.person_id.in_(chunk)))
        deleted += int(getattr(result, "rowcount", 0) or 0)
    return deleted


def bulk_insert(
    session: Session,
    *,
    simulations: Sequence[Mapping[str, Any]],
    steps: Sequence[Mapping[str, Any]],
) -> None:
    for model, rows in ((Simulation, simulations), (SimulationStep, steps)):
        if rows:
            session.execute(sa.insert(model), list(rows))

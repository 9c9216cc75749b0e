"""The flood tables' SQL: set-based, flushes, never commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.core.db import UTCDateTime
from lawful.flood.models import FloodAssessment, FloodBuilding, FloodImport, FloodZone

CHUNK = 5_000


def replace_data(
    session: Session,
    *,
    zones: Sequence[Mapping[str, Any]],
    buildings: Sequence[Mapping[str, Any]],
    record: Mapping[str, Any],
) -> int:
    """The partner's data set replaced whole by a new one, in the caller's transaction."""
    session.execute(sa.delete(FloodZone))
    session.execute(sa.delete(FloodBuilding))
    for i in range(0, len(zones), CHUNK):
        session.execute(sa.insert(FloodZone), list(zones[i : i + CHUNK]))
    for i in range(0, len(buildings), CHUNK):
        session.execute(sa.insert(FloodBuilding), list(buildings[i : i + CHUNK]))
    made = session.execute(sa.insert(FloodImport).returning(FloodImport.id), [dict(record)])
    return int(made.scalar_one())


def last_import(session: Session) -> FloodImport | None:
    return session.scalars(sa.select(FloodImport).order_by(FloodImport.id.desc()).limit(1)).first()


def zones(session: Session) -> list[tuple[str, str | None, dt.date, bytes]]:
    z = FloodZone.__table__.c
    query = sa.select(z.ref, z.region, z.decree_published_on, z.geometry).order_by(z.id)
    return [tuple(r) for r in session.execute(query)]


def buildings(session: Session) -> list[tuple[float, float, str]]:
    b = FloodBuilding.__table__.c
    return [tuple(r) for r in session.execute(sa.select(b.x, b.y, b.flood_class).order_by(b.id))]


KEYS = ("policy_id", "simulation_id")  # an assessment is of a home policy or of a quote


def current(
    session: Session, ids: Collection[int], *, key: str = "policy_id"
) -> dict[int, tuple[Any, ...]]:
    """Per policy (or per quote, `key="simulation_id"`), what its assessment rests on and
    proposes (to keep an unchanged one)."""
    a = FloodAssessment.__table__.c
    column = a[key]
    wanted = sorted(ids)
    found: dict[int, tuple[Any, ...]] = {}
    for i in range(0, len(wanted), CHUNK):
        query = sa.select(column, a.zone_ref, a.flood_class, a.construction_year, a.proposed).where(
            column.in_(wanted[i : i + CHUNK])
        )
        found.update({r[0]: tuple(r[1:]) for r in session.execute(query)})
    return found


def replace_assessments(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """New proposals for these policies and quotes, any earlier one for them removed first.
    Every row names both keys, one of them None."""
    a = FloodAssessment.__table__.c
    for key in KEYS:
        ids = [r[key] for r in rows if r.get(key) is not None]
        for i in range(0, len(ids), CHUNK):
            session.execute(sa.delete(FloodAssessment).where(a[key].in_(ids[i : i + CHUNK])))
    for i in range(0, len(rows), CHUNK):
        session.execute(sa.insert(FloodAssessment), list(rows[i : i + CHUNK]))


def of_quote(session: Session, simulation_id: int) -> FloodAssessment | None:
    query = sa.select(FloodAssessment).where(FloodAssessment.simulation_id == simulation_id)
    return session.scalars(query).first()


def assessment(session: Session, assessment_id: int) -> FloodAssessment | None:
    return session.get(FloodAssessment, assessment_id)


def of_person(session: Session, person_id: str, entity: str | None = None) -> list[FloodAssessment]:
    query = sa.select(FloodAssessment).where(FloodAssessment.person_id == person_id)
    if entity is not None:
        query = query.where(FloodAssessment.entity == entity)
    return list(session.scalars(query.order_by(FloodAssessment.id)))


def queue(
    session: Session, entity: str, statuses: Collection[str], limit: int
) -> list[FloodAssessment]:
    query = (
        sa.select(FloodAssessment)
        .where(FloodAssessment.entity == entity, FloodAssessment.status.in_(sorted(statuses)))
        .order_by(FloodAssessment.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def classes(session: Session, policy_ids: Collection[int]) -> dict[int, str]:
    """The partner's class of each policy's building, where the data placed it."""
    a = FloodAssessment.__table__.c
    ids = sorted(policy_ids)
    found: dict[int, str] = {}
    for i in range(0, len(ids), CHUNK):
        query = sa.select(a.policy_id, a.flood_class).where(
            a.policy_id.in_(ids[i : i + CHUNK]), a.flood_class.is_not(None)
        )
        found.update({p: c for p, c in session.execute(query)})
    return found


def delete_for_policies_ended_before(session: Session, *, before: dt.date) -> int:
    """Every assessment of a home policy that ended before `before`: one set-based statement."""
    policy = sa.table("home_policy", sa.column("id", sa.Integer), sa.column("end_on", sa.Date))
    ended = sa.select(policy.c.id).where(policy.c.end_on.is_not(None), policy.c.end_on < before)
    result = session.execute(sa.delete(FloodAssessment).where(FloodAssessment.policy_id.in_(ended)))
    return int(getattr(result, "rowcount", 0) or 0)


def delete_for_quotes_started_before(session: Session, *, before: dt.datetime) -> int:
    """Every assessment of a quote (a simulation) started before `before`, the day its own
    retention ended: one set-based statement."""
    simulation = sa.table(
        "simulation", sa.column("id", sa.Integer), sa.column("started_at", UTCDateTime())
    )
    expired = sa.select(simulation.c.id).where(simulation.c.started_at < before)
    result = session.execute(
        sa.delete(FloodAssessment).where(FloodAssessment.simulation_id.in_(expired))
    )
    return int(getattr(result, "rowcount", 0) or 0)

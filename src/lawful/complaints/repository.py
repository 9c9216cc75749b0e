"""All SQL of the complaints domain; flushes, never commits."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.complaints.models import Complaint, ComplaintStep
from lawful.complaints.schemas import OPEN, Status

CHUNK = 900  # ids per IN list


def add(session: Session, row: Complaint | ComplaintStep) -> None:
    session.add(row)
    session.flush()


def get(session: Session, complaint_id: int) -> Complaint | None:
    return session.get(Complaint, complaint_id)


def steps_of(session: Session, complaint_ids: Sequence[int]) -> dict[int, list[ComplaintStep]]:
    out: dict[int, list[ComplaintStep]] = defaultdict(list)
    if not complaint_ids:
        return out
    query = (
        sa.select(ComplaintStep)
        .where(ComplaintStep.complaint_id.in_(complaint_ids))
        .order_by(ComplaintStep.id)
    )
    for step in session.scalars(query):
        out[step.complaint_id].append(step)
    return out


def of_person(session: Session, person_id: str, *, entity: str | None) -> list[Complaint]:
    query = sa.select(Complaint).where(Complaint.person_id == person_id)
    if entity is not None:
        query = query.where(Complaint.entity == entity)
    return list(session.scalars(query.order_by(Complaint.id)))


def _open() -> sa.ColumnElement[bool]:
    return Complaint.status.in_([s.value for s in OPEN])


def overdue_clause(today: dt.date) -> sa.ColumnElement[bool]:
    """Past the answer's deadline unanswered, or past the acknowledgement's unacknowledged."""
    unanswered = Complaint.status.in_(
        [Status.RECEIVED.value, Status.ACKNOWLEDGED.value, Status.INVESTIGATING.value]
    )
    return sa.or_(
        sa.and_(unanswered, Complaint.answer_due < today),
        sa.and_(Complaint.status == Status.RECEIVED.value, Complaint.acknowledge_due < today),
    )


def queue(
    session: Session, *, entity: str, overdue_on: dt.date | None, after: int, limit: int
) -> list[Complaint]:
    """An entity's complaints by number after `after`, open ones only when `overdue_on` asks
    for those late on that day."""
    query = sa.select(Complaint).where(Complaint.entity == entity, Complaint.id > after)
    if overdue_on is not None:
        query = query.where(overdue_clause(overdue_on))
    return list(session.scalars(query.order_by(Complaint.id).limit(limit)))


def has_other_open(session: Session, person_id: str, complaint_id: int) -> bool:
    query = sa.select(Complaint.id).where(
        Complaint.person_id == person_id, Complaint.id != complaint_id, _open()
    )
    return session.execute(query.limit(1)).first() is not None


class HeldRow(NamedTuple):
    person_id: str
    product_kind: str
    status: str
    closed_on: dt.date | None


def held(session: Session, person_ids: Sequence[str], *, closed_since: dt.date) -> list[HeldRow]:
    """The persons' complaints still open, or closed on or after `closed_since`: a bulk path."""
    c = Complaint
    out: list[HeldRow] = []
    for start in range(0, len(person_ids), CHUNK):
        chunk = person_ids[start : start + CHUNK]
        query = sa.select(c.person_id, c.product_kind, c.status, c.closed_on).where(
            c.person_id.in_(chunk), sa.or_(_open(), c.closed_on >= closed_since)
        )
        out += [HeldRow(*row) for row in session.execute(query)]
    return out


def statistics(session: Session, *, k: int) -> tuple[list[Any], int, int]:
    """Cells (product kind, entity, root cause, count) of at least `k` complaints; the number of
    cells below and the complaints in them. Counted by the database, whatever the volume."""
    c = Complaint
    cells = (
        sa.select(c.product_kind, c.entity, c.root_cause, sa.func.count().label("n"))
        .group_by(c.product_kind, c.entity, c.root_cause)
        .subquery()
    )
    shown = session.execute(
        sa.select(cells.c.product_kind, cells.c.entity, cells.c.root_cause, cells.c.n)
        .where(cells.c.n >= k)
        .order_by(cells.c.product_kind, cells.c.entity, cells.c.root_cause)
    ).all()
    hidden = session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(cells.c.n), 0)).where(cells.c.n < k)
    ).one()
    return list(shown), int(hidden[0]), int(hidden[1])


def closed_on(session: Session, complaint_ids: Sequence[int]) -> dict[int, dt.date | None]:
    """Each complaint's closing day, None while it is open."""
    out: dict[int, dt.date | None] = {}
    for start in range(0, len(complaint_ids), CHUNK):
        chunk = complaint_ids[start : start + CHUNK]
        query = sa.select(Complaint.id, Complaint.closed_on).where(Complaint.id.in_(chunk))
        out.update({int(i): c for i, c in session.execute(query)})
    return out

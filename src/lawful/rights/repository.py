"""All SQL of the rights domain. Flushes, never commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.customers import service as customers
from lawful.rights.models import LegalHold, Objection, RightsRequest
from lawful.rights.schemas import ObjectionState, RequestStatus, RequestType

# Below SQLite's historical limit of 999 bound parameters per statement.
CHUNK = 900
T = TypeVar("T")
Row = TypeVar("Row", RightsRequest, Objection, LegalHold)


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def add(session: Session, row: Row) -> Row:
    session.add(row)
    session.flush()
    return row


# --- Requests ---------------------------------------------------------------------------------


def request(session: Session, request_id: int, *, lock: bool = False) -> RightsRequest | None:
    query = sa.select(RightsRequest).where(RightsRequest.id == request_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def requests(
    session: Session,
    *,
    person_id: str,
    statuses: Sequence[str] | None,
    overdue_on: dt.date | None,
    entity: str | None = None,
) -> list[RightsRequest]:
    query = sa.select(RightsRequest).where(RightsRequest.person_id == person_id)
    if entity is not None:
        query = query.where(sa.or_(RightsRequest.entity == entity, RightsRequest.entity.is_(None)))
    query = _filtered(query, statuses, overdue_on)
    return list(session.scalars(query.order_by(RightsRequest.deadline, RightsRequest.id)))


def has_request(session: Session, *, person_id: str, entity: str) -> bool:
    query = sa.select(RightsRequest.id).where(
        RightsRequest.person_id == person_id, RightsRequest.entity == entity
    )
    return session.execute(query.limit(1)).first() is not None


def request_page(
    session: Session,
    *,
    entity: str,
    statuses: Sequence[str] | None,
    overdue_on: dt.date | None,
    after: tuple[dt.date, int] | None,
    limit: int,
) -> list[RightsRequest]:
    """Up to `limit` requests made to `entity`, by (deadline, id), after `after` (keyset)."""
    r = RightsRequest
    query = _filtered(sa.select(r).where(r.entity == entity), statuses, overdue_on)
    if after is not None:
        deadline, last = after
        query = query.where(
            sa.or_(r.deadline > deadline, sa.and_(r.deadline == deadline, r.id > last))
        )
    return list(session.scalars(query.order_by(r.deadline, r.id).limit(limit)))


def _filtered(
    query: sa.Select[Any],
    statuses: Sequence[str] | None,
    overdue_on: dt.date | None,
) -> sa.Select[Any]:
    if statuses is not None:
        query = query.where(RightsRequest.status.in_(statuses))
    if overdue_on is not None:
        query = query.where(RightsRequest.deadline < overdue_on)
    return query


def request_to_answer_again(
    session: Session,
    *,
    person_id: str,
    type: str,
    statuses: Sequence[str],
    answered_since: dt.date,
) -> int | None:
    """The person's request of this type still open, or else completed on `answered_since` or
    later: the latest."""
    r = RightsRequest
    since = dt.datetime.combine(answered_since, dt.time(), tzinfo=dt.UTC)
    query = (
        sa.select(r.id)
        .where(
            r.person_id == person_id,
            r.type == type,
            sa.or_(
                r.status.in_(statuses), sa.and_(r.status == "completed", r.completed_at >= since)
            ),
        )
        .order_by(r.id.desc())
        .limit(1)
    )
    return session.execute(query).scalar_one_or_none()


# --- Objections -------------------------------------------------------------------------------


def objection(session: Session, objection_id: int, *, lock: bool = False) -> Objection | None:
    query = sa.select(Objection).where(Objection.id == objection_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def objections_of_person(session: Session, person_id: str) -> list[Objection]:
    query = sa.select(Objection).where(Objection.person_id == person_id).order_by(Objection.id)
    return list(session.scalars(query))


def pending_objections(
    session: Session, *, entity: str, pending: str, limit: int
) -> list[tuple[Objection, dt.date]]:
    """The objections awaiting a decision made to `entity` (or before entities were recorded),
    each with its request's deadline, the nearest first."""
    query = (
        sa.select(Objection, RightsRequest.deadline)
        .join(RightsRequest, RightsRequest.id == Objection.request_id)
        .where(
            Objection.status == pending,
            sa.or_(RightsRequest.entity == entity, RightsRequest.entity.is_(None)),
        )
        .order_by(RightsRequest.deadline, Objection.id)
        .limit(limit)
    )
    return [(row, deadline) for row, deadline in session.execute(query).all()]


def standing_objection(
    session: Session, person_id: str, *, kind: str, purpose: str | None, standing: Sequence[str]
) -> Objection | None:
    query = sa.select(Objection).where(
        Objection.person_id == person_id,
        Objection.kind == kind,
        Objection.status.in_(standing),
        Objection.purpose.is_(None) if purpose is None else Objection.purpose == purpose,
    )
    return session.scalars(query.limit(1)).first()


# --- Legal holds ------------------------------------------------------------------------------


OBJECTION, HOLD, RESTRICTION = "objection", "hold", "restriction"


def restriction_selects() -> list[sa.Select[Any]]:
    """Objections not withdrawn and holds not released, for the ids bound to `ids` (expanding),
    in the customer file's fact shape (`customers.FactRow`, read by name): an objection's key is
    its kind, value its purpose, status its status; a hold's key is the hold, until its last day.
    """
    o, h, r = Objection.__table__.c, LegalHold.__table__.c, RightsRequest.__table__.c
    ids: sa.BindParameter[list[str]] = sa.bindparam("ids", expanding=True)
    no_text, no_date = sa.cast(sa.null(), sa.String), sa.cast(sa.null(), sa.Date)
    withdrawn = sa.literal_column(f"'{ObjectionState.WITHDRAWN.value}'", sa.String)

    def kind(name: str) -> sa.ColumnElement[str]:
        return sa.literal_column(f"'{name}'", sa.String)

    return [
        customers.fact_select(
            kind(OBJECTION), o.person_id, o.kind, o.purpose, o.status, no_date, no_date
        ).where(o.person_id.in_(ids), o.status != withdrawn),
        customers.fact_select(
            kind(HOLD), h.person_id, h.hold, no_text, no_text, no_date, h.until
        ).where(h.person_id.in_(ids), h.released_at.is_(None)),
        # Art. 18: an approved restriction is in progress until the request is closed.
        customers.fact_select(
            kind(RESTRICTION), r.person_id, no_text, no_text, no_text, no_date, no_date
        ).where(
            r.person_id.in_(ids),
            r.type == sa.literal_column(f"'{RequestType.RESTRICTION.value}'", sa.String),
            r.status == sa.literal_column(f"'{RequestStatus.IN_PROGRESS.value}'", sa.String),
        ),
    ]


def holds_of_person(session: Session, person_id: str, *, active_only: bool) -> list[LegalHold]:
    query = sa.select(LegalHold).where(LegalHold.person_id == person_id)
    if active_only:
        query = query.where(LegalHold.released_at.is_(None))
    return list(session.scalars(query.order_by(LegalHold.until, LegalHold.id)))


class HeldRow(NamedTuple):
    person_id: str
    id: int
    hold: str
    until: dt.date
    ends_on: dt.date | None


def unreleased_holds_of(session: Session, person_ids: Sequence[str]) -> list[HeldRow]:
    """Every unreleased hold of these persons, as plain rows: a bulk path."""
    out: list[HeldRow] = []
    h = LegalHold.__table__.c
    for chunk in chunks(person_ids):
        query = (
            sa.select(h.person_id, h.id, h.hold, h.until, h.ends_on)
            .where(h.person_id.in_(chunk), h.released_at.is_(None))
            .order_by(h.id)
        )
        out.extend(HeldRow(*row) for row in session.execute(query))
    return out


def insert_holds(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(sa.insert(LegalHold), list(rows))


def expired_holds(
    session: Session, *, today: dt.date, after_id: int, limit: int
) -> list[tuple[int, str, str]]:
    """(id, person, hold) of holds whose last day is past and that are not released, by id."""
    query = (
        sa.select(LegalHold.id, LegalHold.person_id, LegalHold.hold)
        .where(
            LegalHold.until < today,
            LegalHold.released_at.is_(None),
            LegalHold.id > after_id,
        )
        .order_by(LegalHold.id)
        .limit(limit)
    )
    return [(i, p, h) for i, p, h in session.execute(query)]


def release_holds(session: Session, hold_ids: Sequence[int], *, now: dt.datetime) -> None:
    for chunk in chunks(hold_ids):
        session.execute(
            sa.update(LegalHold)
            .where(LegalHold.id.in_(chunk), LegalHold.released_at.is_(None))
            .values(released_at=now)
        )


def end_open_holds(session: Session, person_id: str, hold: str, ends_on: dt.date) -> int:
    """Set the end of the person's unreleased holds of this kind whose end was not known."""
    h = LegalHold
    result = session.execute(
        sa.update(h)
        .where(
            h.person_id == person_id, h.hold == hold, h.released_at.is_(None), h.ends_on.is_(None)
        )
        .values(ends_on=ends_on, until=ends_on)
    )
    return int(getattr(result, "rowcount", 0) or 0)

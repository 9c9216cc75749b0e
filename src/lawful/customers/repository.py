"""All SQL of the customer file. Flushes, never commits; many people at once, never row by row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lawful.core.db import Base
from lawful.core.errors import Conflict
from lawful.customers.models import (
    Account,
    Card,
    CardStatement,
    Consent,
    KycRecord,
    Person,
    Preference,
    Rectification,
    Relationship,
)

# SQLite refused more than 999 bound parameters before 3.32; 900 leaves room for the others.
CHUNK = 900

M = TypeVar("M", bound=Base)
K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class Presence:
    """That a person exists, and whether erased: all that may be read before the gate is asked."""

    erased_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class KycSummary:
    """An identification without its content (no document number): enough to judge its reuse."""

    id: int
    entity: str
    level: int
    expires_on: dt.date
    reused_from: int | None


def chunks(ids: Collection[str]) -> Iterator[list[str]]:
    ordered = list(dict.fromkeys(ids))
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


@contextmanager
def unique(session: Session, *, conflict: str) -> Iterator[None]:
    """Changes made inside are flushed in a savepoint: a unique value already on file raises
    `Conflict`, and the caller's transaction lives on (PostgreSQL would otherwise abort it)."""
    try:
        with session.begin_nested():
            yield
    except IntegrityError as exc:
        raise Conflict(conflict) from exc


def add(session: Session, row: M, *, conflict: str) -> M:
    with unique(session, conflict=conflict):
        session.add(row)
    return row


# --- persons --------------------------------------------------------------------------------


def presence(session: Session, person_id: str) -> Presence | None:
    row = session.execute(sa.select(Person.erased_at).where(Person.id == person_id)).first()
    return None if row is None else Presence(row.erased_at)


def person(session: Session, person_id: str) -> Person | None:
    return session.get(Person, person_id)


def clear_person(session: Session, person_id: str, values: Mapping[str, Any]) -> None:
    session.execute(sa.update(Person).where(Person.id == person_id).values(**values))


def insert_rectifications(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        session.execute(sa.insert(Rectification), list(rows))


def rectifications(session: Session, person_id: str) -> list[Rectification]:
    query = sa.select(Rectification).where(Rectification.person_id == person_id)
    return list(session.scalars(query.order_by(Rectification.changed_at, Rectification.id)))


# --- relationships --------------------------------------------------------------------------


def relationships(
    session: Session, person_id: str, *, entity: str | None = None, open_only: bool = False
) -> list[Relationship]:
    query = sa.select(Relationship).where(Relationship.person_id == person_id)
    if entity is not None:
        query = query.where(Relationship.entity == entity)
    if open_only:
        query = query.where(Relationship.until.is_(None))
    order = (Relationship.entity, Relationship.since, Relationship.id)
    return list(session.scalars(query.order_by(*order)))


PeriodRow = sa.Row[str, str, str, dt.date, dt.date | None]  # person, entity, state, since, until


def relationships_for(
    session: Session, person_ids: Collection[str], *, as_of: dt.date
) -> list[PeriodRow]:
    rows: list[PeriodRow] = []
    r = Relationship
    for chunk in chunks(person_ids):
        query = sa.select(r.person_id, r.entity, r.state, r.since, r.until).where(
            r.person_id.in_(chunk), r.since <= as_of
        )
        rows.extend(session.execute(query.order_by(r.person_id, r.entity, r.since)).all())
    return rows


# --- products and identifications -----------------------------------------------------------


def rows_of(
    session: Session, model: type[M], person_id: str, *, entity: str | None = None
) -> list[M]:
    table: Any = model
    query = sa.select(model).where(table.person_id == person_id)
    if entity is not None:
        query = query.where(table.entity == entity)
    return list(session.scalars(query.order_by(table.id)))


def statements(
    session: Session, person_id: str, *, entity: str | None = None
) -> list[CardStatement]:
    query = sa.select(CardStatement).where(CardStatement.person_id == person_id)
    if entity is not None:
        query = query.join(Card, Card.id == CardStatement.card_id).where(Card.entity == entity)
    order = (CardStatement.card_id, CardStatement.period_end, CardStatement.id)
    return list(session.scalars(query.order_by(*order)))


def holds(
    session: Session, model: type[Account | Card], person_id: str, row_id: int, *, entity: str
) -> bool:
    """Whether the account or card `row_id` is the person's, with `entity`."""
    query = sa.select(model.id).where(
        model.id == row_id, model.person_id == person_id, model.entity == entity
    )
    return session.execute(query).first() is not None


def kyc_summaries(session: Session, person_id: str) -> list[KycSummary]:
    k = KycRecord
    query = sa.select(k.id, k.entity, k.level, k.expires_on, k.reused_from).where(
        k.person_id == person_id
    )
    return [KycSummary(*row) for row in session.execute(query.order_by(k.id))]


def kyc_record(session: Session, record_id: int) -> KycRecord:
    return session.get_one(KycRecord, record_id)


# --- preferences and consents ---------------------------------------------------------------


def preferences(session: Session, person_id: str) -> list[Preference]:
    query = sa.select(Preference).where(Preference.person_id == person_id)
    return list(session.scalars(query.order_by(Preference.key)))


def set_preference(
    session: Session, person_id: str, key: str, *, enabled: bool, at: dt.datetime
) -> Preference:
    current = session.get(Preference, (person_id, key))
    if current is None:
        current = Preference(person_id=person_id, key=key, enabled=enabled, changed_at=at)
        session.add(current)
    elif current.enabled != enabled:
        current.enabled, current.changed_at = enabled, at
    session.flush()
    return current


def consents(session: Session, person_id: str) -> list[Consent]:
    query = sa.select(Consent).where(Consent.person_id == person_id)
    return list(session.scalars(query.order_by(Consent.given_at, Consent.id)))


def active_consent(session: Session, person_id: str, purpose: str) -> Consent | None:
    query = sa.select(Consent).where(
        Consent.person_id == person_id, Consent.purpose == purpose, Consent.withdrawn_at.is_(None)
    )
    return session.scalars(query.order_by(Consent.id.desc())).first()


# --- the policy's view of many people -------------------------------------------------------


def erased_for(session: Session, person_ids: Collection[str]) -> dict[str, bool]:
    found: dict[str, bool] = {}
    for chunk in chunks(person_ids):
        query = sa.select(Person.id, Person.erased_at).where(Person.id.in_(chunk))
        found.update((pid, erased_at is not None) for pid, erased_at in session.execute(query))
    return found


def preferences_off_for(session: Session, person_ids: Collection[str]) -> list[sa.Row[str, str]]:
    rows: list[sa.Row[str, str]] = []
    for chunk in chunks(person_ids):
        query = sa.select(Preference.person_id, Preference.key).where(
            Preference.person_id.in_(chunk), Preference.enabled.is_(False)
        )
        rows.extend(session.execute(query).all())
    return rows


def consents_for(
    session: Session, person_ids: Collection[str], *, before: dt.datetime
) -> list[sa.Row[str, str]]:
    """(person, purpose) of the consents given before `before` and not withdrawn by then."""
    rows: list[sa.Row[str, str]] = []
    for chunk in chunks(person_ids):
        query = sa.select(Consent.person_id, Consent.purpose).where(
            Consent.person_id.in_(chunk),
            Consent.given_at < before,
            sa.or_(Consent.withdrawn_at.is_(None), Consent.withdrawn_at >= before),
        )
        rows.extend(session.execute(query).all())
    return rows


# --- erasure and bulk loading ---------------------------------------------------------------


def holding(
    session: Session,
    person_id: str,
    parts: Mapping[K, tuple[Sequence[type[Base]], Sequence[str]]],
) -> list[K]:
    """The parts (tables with a row of the person, or person columns filled) that hold something,
    in one query of EXISTS tests."""
    tests: dict[K, sa.ColumnElement[bool]] = {}
    for key, (models, columns) in parts.items():
        found: list[sa.ColumnElement[bool]] = []
        for model in models:
            table: Any = model
            found.append(sa.exists().where(table.person_id == person_id))
        if columns:
            filled = sa.or_(*(getattr(Person, col).is_not(None) for col in columns))
            found.append(sa.exists().where(Person.id == person_id, filled))
        if found:
            tests[key] = sa.or_(*found)
    if not tests:
        return []
    row = session.execute(sa.select(*(t.label(f"p{i}") for i, t in enumerate(tests.values()))))
    return [key for key, there in zip(tests, row.one(), strict=True) if there]


def delete_rows(session: Session, models: Sequence[type[Base]], person_id: str) -> None:
    """Delete the person's rows from each table, in the order given (children first)."""
    for model in models:
        table: Any = model
        session.execute(sa.delete(model).where(table.person_id == person_id))


def bulk_insert(session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]]) -> None:
    """One multi-row INSERT per table (SQLAlchemy batches it), no ORM object per row."""
    if not rows:
        return
    session.execute(sa.insert(model), list(rows))
    serial = isinstance(model.__table__.c.get("id", sa.Column(sa.Text)).type, sa.Integer)
    if serial and "id" in rows[0] and session.get_bind().dialect.name == "postgresql":
        _advance_sequence(session, model)


def _advance_sequence(session: Session, model: type[Base]) -> None:
    # Rows inserted with their own ids leave PostgreSQL's sequence behind: the next single insert
    # would collide with them.
    table: Any = model
    top = sa.func.max(table.id)
    sequence = sa.func.pg_get_serial_sequence(model.__tablename__, "id")
    session.execute(sa.select(sa.func.setval(sequence, sa.func.coalesce(top, 1), top.is_not(None))))


def count_persons(session: Session) -> int:
    return int(session.execute(sa.select(sa.func.count()).select_from(Person)).scalar_one())

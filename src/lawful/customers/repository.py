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

from lawful.core.db import Base, Prepared
from lawful.core.errors import Conflict
from lawful.customers.models import (
    Account,
    Application,
    Card,
    CardStatement,
    Consent,
    HomePolicy,
    IdentityChange,
    KycRecord,
    Loan,
    Person,
    Preference,
    Rectification,
    Relationship,
)

# Ids per IN list. Statements that repeat a chunk in several IN lists (the policy's facts, what a
# person still holds) bind up to ~12,000 values: SQLite 3.32 or later is required for that (see
# `lawful.core.db.create_engine`), PostgreSQL accepts 65,535.
CHUNK = 900

M = TypeVar("M", bound=Base)


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


_PRESENCE = sa.select(Person.__table__.c.erased_at).where(
    Person.__table__.c.id == sa.bindparam("person_id")
)


def presence(session: Session, person_id: str) -> Presence | None:
    row = session.execute(_PRESENCE, {"person_id": person_id}).first()
    return None if row is None else Presence(row.erased_at)


def person(session: Session, person_id: str) -> Person | None:
    return session.get(Person, person_id)


_PERSON_ROW = Prepared(
    sa.select(Person.__table__).where(Person.__table__.c.id == sa.bindparam("person_id"))
)


def person_row(session: Session, person_id: str) -> sa.Row[Any] | None:
    """The person's columns as a plain row: for reads that change nothing (no ORM object)."""
    return _PERSON_ROW.first(session, {"person_id": person_id})  # type: ignore[no-any-return]


def insert_rectifications(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        session.execute(sa.insert(Rectification), list(rows))


def rectifications(
    session: Session, person_id: str, *, entity: str | None = None
) -> list[Rectification]:
    query = sa.select(Rectification).where(Rectification.person_id == person_id)
    if entity is not None:
        query = query.where(Rectification.entity == entity)
    return list(session.scalars(query.order_by(Rectification.changed_at, Rectification.id)))


def add_all(session: Session, rows: Sequence[Base]) -> None:
    session.add_all(rows)
    session.flush()


def identity_changes(session: Session, request_id: int) -> list[IdentityChange]:
    query = sa.select(IdentityChange).where(IdentityChange.request_id == request_id)
    return list(session.scalars(query.order_by(IdentityChange.id)))


def delete_identity_changes(session: Session, request_id: int) -> None:
    session.execute(sa.delete(IdentityChange).where(IdentityChange.request_id == request_id))


# --- applications ---------------------------------------------------------------------------


def open_application(
    session: Session, person_id: str, entity: str, *, filed_since: dt.datetime
) -> Application | None:
    query = sa.select(Application).where(
        Application.person_id == person_id,
        Application.entity == entity,
        Application.status == "open",
        Application.filed_at >= filed_since,
    )
    return session.scalars(query.order_by(Application.id.desc()).limit(1)).first()


def applications(
    session: Session, person_id: str, *, entity: str | None = None
) -> list[Application]:
    query = sa.select(Application).where(Application.person_id == person_id)
    if entity is not None:
        query = query.where(Application.entity == entity)
    return list(session.scalars(query.order_by(Application.id)))


def application(session: Session, application_id: int) -> Application | None:
    return session.get(Application, application_id)


def national_number_is(session: Session, person_id: str, number: str) -> bool:
    """Whether the person's national number is `number`: a comparison, the number is not read."""
    query = sa.select(Person.id).where(Person.id == person_id, Person.national_number == number)
    return session.execute(query).first() is not None


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


def product_ids(
    session: Session, model: type[Account | Card | Loan | HomePolicy], person_id: str, entity: str
) -> dict[int, str | None]:
    """The person's products of this kind with the entity: id -> a card's last digits (None for
    other kinds)."""
    last = model.last_digits if model is Card else sa.null()
    query = sa.select(model.id, last).where(model.person_id == person_id, model.entity == entity)
    return {int(i): d for i, d in session.execute(query.order_by(model.id))}


def product_entity(
    session: Session, model: type[Account | Card | Loan | HomePolicy], person_id: str, row_id: int
) -> str | None:
    """The entity holding the person's product `row_id`, or None when it is not theirs."""
    query = sa.select(model.entity).where(model.id == row_id, model.person_id == person_id)
    return session.execute(query).scalar_one_or_none()


def contact_points(
    session: Session, person_ids: Sequence[str]
) -> dict[str, tuple[str | None, str | None]]:
    p = Person.__table__.c
    found: dict[str, tuple[str | None, str | None]] = {}
    for start in range(0, len(person_ids), 900):
        chunk = list(person_ids[start : start + 900])
        query = sa.select(p.id, p.email, p.phone).where(p.id.in_(chunk), p.erased_at.is_(None))
        found.update({row.id: (row.email, row.phone) for row in session.execute(query)})
    return found

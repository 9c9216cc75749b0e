"""All set-based SQL of the customer file: many people per statement, never row by row.

The policy's view of many subjects, erasure and bulk loading, and the frame (relationship
periods, products' ends, last statements) that legal holds and retention count from. Flushes,
never commits. What reads or writes one person's file is in `repository`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.core.db import Base, among, bound
from lawful.customers.models import (
    Account,
    Card,
    CardStatement,
    Consent,
    HomePolicy,
    Loan,
    Person,
    Preference,
    Relationship,
)
from lawful.customers.repository import chunks

K = TypeVar("K")

# --- the policy's view of many people -------------------------------------------------------


class FactRow(NamedTuple):
    """One row shape for every fact the policy needs, so that the facts of several tables (and of
    other domains, see `rights.state`) come back from one UNION ALL, read by name:
    person (key 'erased' when erased), period (key entity, value state, since, until), off (key
    the notification), consent (key the purpose); `rights.state` adds its own kinds."""

    kind: str
    person_id: str
    key: str | None
    value: str | None
    status: str | None
    since: dt.date | None
    until: dt.date | None


FACT_COLUMNS = FactRow._fields
FACT_PERSON, FACT_PERIOD, FACT_OFF, FACT_CONSENT = "person", "period", "off", "consent"
FACT_KINDS = frozenset({FACT_PERSON, FACT_PERIOD, FACT_OFF, FACT_CONSENT})
NO_TEXT, NO_DATE = sa.cast(sa.null(), sa.String), sa.cast(sa.null(), sa.Date)


def fact_select(*columns: sa.ColumnElement[Any]) -> sa.Select[Any]:
    """A SELECT of one fact kind, its columns labelled as `FactRow`'s."""
    return sa.select(*(c.label(name) for c, name in zip(columns, FACT_COLUMNS, strict=True)))


def fact_kind(name: str) -> sa.ColumnElement[str]:
    return sa.literal_column(f"'{name}'", sa.String)


def policy_fact_selects() -> list[sa.Select[Any]]:
    """Persons (erased or not), relationships begun by `as_of`, switched-off notifications and
    consents standing at `before`, for the ids bound to `ids` (expanding), as `FactRow`s."""
    p, r = Person.__table__.c, Relationship.__table__.c
    pref, con = Preference.__table__.c, Consent.__table__.c
    ids: sa.BindParameter[list[str]] = sa.bindparam("ids", expanding=True)
    as_of = sa.bindparam("as_of", type_=sa.Date())
    before = sa.bindparam("before", type_=con.given_at.type)
    erased = sa.case((p.erased_at.is_(None), NO_TEXT), else_=sa.literal_column("'erased'"))
    blank = (NO_TEXT, NO_DATE, NO_DATE)
    return [
        fact_select(fact_kind(FACT_PERSON), p.id, erased, NO_TEXT, *blank).where(p.id.in_(ids)),
        fact_select(
            fact_kind(FACT_PERIOD), r.person_id, r.entity, r.state, NO_TEXT, r.since, r.until
        ).where(r.person_id.in_(ids), r.since <= as_of),
        fact_select(fact_kind(FACT_OFF), pref.person_id, pref.key, NO_TEXT, *blank).where(
            pref.person_id.in_(ids), pref.enabled.is_(False)
        ),
        fact_select(fact_kind(FACT_CONSENT), con.person_id, con.purpose, NO_TEXT, *blank).where(
            con.person_id.in_(ids),
            con.given_at < before,
            sa.or_(con.withdrawn_at.is_(None), con.withdrawn_at >= before),
        ),
    ]


def statements_due_select(due_from: dt.date, due_to: dt.date) -> sa.Select[Any]:
    """Unpaid card statements with a balance, due between the two days, on open cards of persons
    not erased: statement id, person, card entity and last digits, balance, minimum, due date and
    the language of the file. For other domains to build on in one statement, never row by row."""
    s, c, p = CardStatement.__table__.c, Card.__table__.c, Person.__table__.c
    return (
        sa.select(
            s.id.label("statement_id"),
            s.person_id,
            c.entity,
            c.last_digits,
            s.balance_cents,
            s.minimum_due_cents,
            s.due_date,
            p.language,
        )
        .join_from(CardStatement, Card, c.id == s.card_id)
        .join(Person, p.id == s.person_id)
        .where(
            s.paid_on.is_(None),
            s.balance_cents > 0,
            s.due_date >= due_from,
            s.due_date <= due_to,
            c.closed_on.is_(None),
            p.erased_at.is_(None),
        )
    )


def related_select(entities: Collection[str], today: dt.date) -> sa.Select[Any]:
    """Every relationship period running on `today` with one of `entities`, of persons not
    erased: person, entity, state, the file's language and brand; by person. For other domains
    to build on in one statement (who a change of the statement concerns), never row by row."""
    r, p = Relationship.__table__.c, Person.__table__.c
    return (
        sa.select(r.person_id, r.entity, r.state, p.language, p.brand)
        .join_from(Relationship, Person, p.id == r.person_id)
        .where(
            r.entity.in_(sorted(entities)),
            r.since <= today,
            sa.or_(r.until.is_(None), r.until >= today),
            p.erased_at.is_(None),
        )
        .order_by(r.person_id, r.entity)
    )


_FACTS = sa.union_all(*policy_fact_selects())
# Each IN list repeats the chunk's ids: six lists (four here, two more where `rights.state` adds
# objections and holds) make 12,000 bound values, well below what SQLite (3.32 and later: 32,766)
# and PostgreSQL (65,535) accept.
FACTS_CHUNK = 2_000


def policy_fact_rows(
    session: Session, person_ids: Collection[str], *, as_of: dt.date, before: dt.datetime
) -> list[FactRow]:
    """Every fact row of these persons, in one statement per chunk of ids; unknown ids give none."""
    rows: list[FactRow] = []
    ordered = list(dict.fromkeys(person_ids))
    for start in range(0, len(ordered), FACTS_CHUNK):
        params = {"ids": ordered[start : start + FACTS_CHUNK], "as_of": as_of, "before": before}
        rows.extend(FactRow(*row) for row in session.execute(_FACTS, params))
    return rows


# --- erasure and bulk loading ---------------------------------------------------------------


def on_file(session: Session, person_ids: Collection[str]) -> set[str]:
    """Which of these ids are persons in the file (erased or not)."""
    found: set[str] = set()
    for chunk in chunks(person_ids):
        found.update(session.scalars(sa.select(Person.id).where(Person.id.in_(chunk))))
    return found


def holding_many(
    session: Session,
    person_ids: Collection[str],
    parts: Mapping[K, tuple[Sequence[type[Base]], Sequence[str]]],
) -> dict[str, set[K]]:
    """`holding` for many persons: per person, the parts that hold something. One UNION ALL of
    (part, person) pairs per chunk of ids."""
    keys = list(parts)
    found: dict[str, set[K]] = {}
    for chunk in chunks(person_ids):
        selects: list[sa.Select[int, str]] = []
        for index, key in enumerate(keys):
            tag = sa.literal_column(str(index), sa.Integer).label("part")
            models, columns = parts[key]
            for model in models:
                table: Any = model
                selects.append(sa.select(tag, table.person_id).where(table.person_id.in_(chunk)))
            if columns:
                filled = sa.or_(*(getattr(Person, col).is_not(None) for col in columns))
                selects.append(sa.select(tag, Person.id).where(Person.id.in_(chunk), filled))
        if not selects:
            return {}
        for part, person in session.execute(sa.union(*selects)):
            found.setdefault(person, set()).add(keys[part])
    return found


def delete_rows_of(session: Session, model: type[Base], person_ids: Collection[str]) -> None:
    """Delete the rows of these persons from one table."""
    table: Any = model
    for chunk in chunks(person_ids):
        session.execute(sa.delete(model).where(table.person_id.in_(chunk)))


def clear_persons(
    session: Session, person_ids: Collection[str], columns: Collection[str], *, now: dt.datetime
) -> None:
    """Empty these columns and mark the persons erased (a first erasure's date is kept)."""
    values: dict[str, Any] = dict.fromkeys(columns)
    # Bound with the column's own type, so that SQLite stores the canonical UTC text.
    stamp = sa.literal(now, Person.__table__.c.erased_at.type)
    values["erased_at"] = sa.func.coalesce(Person.erased_at, stamp)
    for chunk in chunks(person_ids):
        session.execute(sa.update(Person).where(Person.id.in_(chunk)).values(**values))


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


# --- the file's frame for legal holds and retention -------------------------------------------

# (person, entity, state, since, until) of every relationship period.
PeriodRow = tuple[str, str, str, dt.date, dt.date | None]
# (product table, person, entity, last day or None while open-ended, card id or None).
ProductEndRow = tuple[str, str, str, dt.date | None, int | None]


def periods_many(session: Session, person_ids: Sequence[str]) -> list[PeriodRow]:
    r = Relationship.__table__.c
    out: list[PeriodRow] = []
    for chunk in chunks(person_ids):
        query = sa.select(r.person_id, r.entity, r.state, r.since, r.until).where(
            r.person_id.in_(chunk)
        )
        out.extend((p, e, s, b, u) for p, e, s, b, u in session.execute(query))
    return out


def product_ends_many(session: Session, person_ids: Sequence[str]) -> list[ProductEndRow]:
    """When each product of these persons ended (closing, end date), as plain rows."""
    tables: tuple[tuple[str, Any, str], ...] = (
        ("account", Account.__table__, "closed_on"),
        ("card", Card.__table__, "closed_on"),
        ("loan", Loan.__table__, "end_on"),
        ("home_policy", HomePolicy.__table__, "end_on"),
    )
    no_id = sa.cast(sa.null(), sa.Integer)
    out: list[ProductEndRow] = []
    for chunk in chunks(person_ids):
        selects = [
            sa.select(
                sa.literal_column(f"'{name}'", sa.String).label("kind"),
                t.c.person_id,
                t.c.entity,
                t.c[column].label("last_day"),
                t.c.id if name == "card" else no_id,
            ).where(t.c.person_id.in_(chunk))
            for name, t, column in tables
        ]
        out.extend((k, p, e, d, i) for k, p, e, d, i in session.execute(sa.union_all(*selects)))
    return out


def last_statement_days(session: Session, person_ids: Sequence[str]) -> dict[int, dt.date]:
    """Per card, the last day one of its statements names (period end, due date, payment)."""
    s = CardStatement.__table__.c
    out: dict[int, dt.date] = {}
    for chunk in chunks(person_ids):
        query = (
            sa.select(
                s.card_id,
                sa.func.max(s.period_end),
                sa.func.max(s.due_date),
                sa.func.max(s.paid_on),
            )
            .where(s.person_id.in_(chunk))
            .group_by(s.card_id)
        )
        for card, *days in session.execute(query):
            out[card] = max(d for d in days if d is not None)
    return out


def locales_many(session: Session, person_ids: Sequence[str]) -> dict[str, tuple[str | None, str]]:
    """(language, brand) per person: kept on an erased person's row, to answer in their words."""
    p = Person.__table__.c
    out: dict[str, tuple[str | None, str]] = {}
    for chunk in chunks(person_ids):
        query = sa.select(p.id, p.language, p.brand).where(p.id.in_(chunk))
        out.update({i: (lang, brand) for i, lang, brand in session.execute(query)})
    return out


def former_clients(
    session: Session, *, ended_before: dt.date, today: dt.date, after: str, limit: int
) -> list[str]:
    """Persons on file, not erased, whose last day as a client of any entity is before
    `ended_before` and who have no prospect or client period running on `today`; by id, after
    `after` (keyset pagination, so that a batch erased meanwhile shifts nothing)."""
    r, p = Relationship.__table__.c, Person.__table__.c
    live = sa.and_(
        r.state.in_(("prospect", "client")),
        r.since <= today,
        sa.or_(r.until.is_(None), r.until >= today),
    )
    client_end = sa.case((r.state == "client", sa.func.coalesce(r.until, today)))
    query = (
        sa.select(r.person_id)
        .join(Person.__table__, p.id == r.person_id)
        .where(p.erased_at.is_(None), r.person_id > after)
        .group_by(r.person_id)
        .having(
            sa.func.sum(sa.case((live, 1), else_=0)) == 0,
            sa.func.max(client_end) < ended_before,
        )
        .order_by(r.person_id)
        .limit(limit)
    )
    return list(session.scalars(query))


def ids_not_erased(session: Session, *, after: str, limit: int) -> list[str]:
    """Ids of persons not marked erased, in id order after `after` (keyset paging)."""
    table = Person.__table__.c
    return list(
        session.scalars(
            sa.select(table.id)
            .where(table.erased_at.is_(None), table.id > after)
            .order_by(table.id)
            .limit(limit)
        )
    )


_ID_CHUNK = 50_000


def erased_flags(session: Session, person_ids: Collection[str]) -> dict[str, bool]:
    """Whether each person on file is erased; absent: not on file. One statement per many
    thousand ids, bound as one value (`db.among`)."""
    wanted = sorted(person_ids)
    statement = sa.text(
        "SELECT id, erased_at IS NOT NULL AS erased FROM person WHERE "
        + among(session, "id", "ids")
    )
    found: dict[str, bool] = {}
    for start in range(0, len(wanted), _ID_CHUNK):
        chunk = wanted[start : start + _ID_CHUNK]
        rows = session.execute(statement, {"ids": bound(session, chunk)})
        found.update((row.id, bool(row.erased)) for row in rows)
    return found

"""What each customer holds, one statement per table, aggregated per person in the database.

For the offers and profiles computed over every customer at once: a caller reads each select
once (set-based, a frame per table) after the gate has been asked for the purpose. Holdings and
card behaviour only — how many products of each kind, since when, whether card statements were
paid by their due date — never the content of an account or card transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from lawful.customers.models import (
    Account,
    Card,
    CardStatement,
    HomePolicy,
    Loan,
    Person,
    Relationship,
)

# How far back card behaviour is looked at.
CARD_MONTHS = 6


def _count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.sum(sa.case((condition, 1), else_=0))


def _running(start: Any, end: Any, today: dt.date) -> sa.ColumnElement[bool]:
    return sa.and_(start <= today, sa.or_(end.is_(None), end >= today))


def _iso(column: Any) -> sa.ColumnElement[str]:
    # Dates as ISO text, parsed by the caller column-wise: a million rows are not turned into a
    # million Python dates one by one.
    return sa.cast(column, sa.String)


def holding_selects(today: dt.date) -> dict[str, sa.Select[Any]]:
    """Per table, one SELECT of one row per person (products running on `today`), in no
    particular order; dates as ISO text. Persons erased are left out of `person`: a caller keeps
    only the persons that table gives."""
    p, r = Person.__table__.c, Relationship.__table__.c
    a, c = Account.__table__.c, Card.__table__.c
    s, lo, h = CardStatement.__table__.c, Loan.__table__.c, HomePolicy.__table__.c
    since = today - dt.timedelta(days=CARD_MONTHS * 31)
    late = sa.or_(s.paid_on > s.due_date, sa.and_(s.paid_on.is_(None), s.due_date < today))
    return {
        "person": sa.select(
            p.id.label("person_id"), _iso(p.birth_date).label("birth_date"), p.brand, p.language
        ).where(p.erased_at.is_(None)),
        "relationship": sa.select(r.person_id, r.entity)
        .where(r.state == "client", _running(r.since, r.until, today))
        .group_by(r.person_id, r.entity),
        "account": sa.select(
            a.person_id,
            _count(a.kind == "current").label("current_accounts"),
            _count(a.kind == "savings").label("savings_accounts"),
            _iso(sa.func.min(a.opened_on)).label("client_since"),
        )
        .where(_running(a.opened_on, a.closed_on, today))
        .group_by(a.person_id),
        "card": sa.select(c.person_id, sa.func.count().label("cards"))
        .where(_running(c.opened_on, c.closed_on, today))
        .group_by(c.person_id),
        "card_statement": sa.select(
            s.person_id,
            sa.func.count().label("statements"),
            _count(late).label("late_statements"),
        )
        .where(s.period_end >= since, s.period_end <= today)
        .group_by(s.person_id),
        "loan": sa.select(
            lo.person_id,
            _count(lo.kind == "mortgage").label("mortgages"),
            _count(lo.kind != "mortgage").label("other_loans"),
        )
        .where(_running(lo.start_on, lo.end_on, today))
        .group_by(lo.person_id),
        "home_policy": sa.select(
            h.person_id,
            sa.func.count().label("home_policies"),
            sa.func.min(h.construction_year).label("oldest_home_built"),
            sa.func.min(h.entity).label("insurer"),
        )
        .where(_running(h.start_on, h.end_on, today))
        .group_by(h.person_id),
    }

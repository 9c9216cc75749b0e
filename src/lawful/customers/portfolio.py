"""The home-insurance portfolio as a reinsurer sees it: one set-based read of the policies in
force over a period, reduced to the figures a cession needs. The street, the city, the
coordinates and everything about the person stay here: only the postcode leaves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.customers.models import HomePolicy, Person


class HomeRisk(NamedTuple):
    policy_id: int
    person_id: str
    postcode: str
    sum_insured_cents: int | None
    premium_cents: int | None


def home_risks(
    session: Session,
    *,
    entity: str,
    start: dt.date,
    end: dt.date,
    min_sum_insured_cents: int | None = None,
    policy_ids: Collection[int] | None = None,
) -> list[HomeRisk]:
    """The entity's home policies in force on some day of [start, end] whose holder is not
    erased, optionally above a sum insured or among given policies, ordered by policy id."""
    h, p = HomePolicy.__table__.c, Person.__table__.c
    query = (
        sa.select(h.id, h.person_id, h.postcode, h.sum_insured_cents, h.premium_cents)
        .join(Person.__table__, p.id == h.person_id)
        .where(
            h.entity == entity,
            h.start_on <= end,
            sa.or_(h.end_on.is_(None), h.end_on >= start),
            p.erased_at.is_(None),
        )
        .order_by(h.id)
    )
    if min_sum_insured_cents is not None:
        query = query.where(h.sum_insured_cents > min_sum_insured_cents)
    if policy_ids is not None:
        if not policy_ids:
            return []
        query = query.where(h.id.in_(sorted(policy_ids)))
    return [HomeRisk(*row) for row in session.execute(query)]


class InsuredProperty(NamedTuple):
    policy_id: int
    person_id: str
    entity: str
    latitude: float
    longitude: float
    construction_year: int


def insured_properties(
    session: Session, *, as_of: dt.date, entity: str | None = None
) -> list[InsuredProperty]:
    """The home policies in force on `as_of` whose holder is not erased: where the building
    stands and when it was built, for flood underwriting. Ordered by policy id."""
    h, p = HomePolicy.__table__.c, Person.__table__.c
    query = (
        sa.select(h.id, h.person_id, h.entity, h.latitude, h.longitude, h.construction_year)
        .join(Person.__table__, p.id == h.person_id)
        .where(
            h.start_on <= as_of,
            sa.or_(h.end_on.is_(None), h.end_on >= as_of),
            p.erased_at.is_(None),
        )
        .order_by(h.id)
    )
    if entity is not None:
        query = query.where(h.entity == entity)
    return [InsuredProperty(*row) for row in session.execute(query)]

"""All SQL of offers and profiles. Flushes, never commits; the bulk paths are set-based."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

import polars as pl
import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.customers import service as customers
from lawful.offers.models import Offer, Segment

TABLE_SCHEMAS: dict[str, dict[str, Any]] = {
    "person": {
        "person_id": pl.String,
        "birth_date": pl.Date,
        "brand": pl.String,
        "language": pl.String,
    },
    "relationship": {"person_id": pl.String, "entity": pl.String},
    "account": {
        "person_id": pl.String,
        "current_accounts": pl.Int64,
        "savings_accounts": pl.Int64,
        "client_since": pl.Date,
    },
    "card": {"person_id": pl.String, "cards": pl.Int64},
    "card_statement": {"person_id": pl.String, "statements": pl.Int64, "late_statements": pl.Int64},
    "loan": {"person_id": pl.String, "mortgages": pl.Int64, "other_loans": pl.Int64},
    "home_policy": {
        "person_id": pl.String,
        "home_policies": pl.Int64,
        "oldest_home_built": pl.Int64,
        "insurer": pl.String,
    },
}
_CHUNK = 900


def read_tables(session: Session, *, today: dt.date) -> dict[str, pl.DataFrame]:
    """Every holding table, one statement each, as a frame of one row per person; dates come as
    ISO text and are parsed column-wise."""
    selects = customers.holding_selects(today)
    frames: dict[str, pl.DataFrame] = {}
    for name, schema in TABLE_SCHEMAS.items():
        text = {c: (pl.String if t == pl.Date else t) for c, t in schema.items()}
        frame = pl.DataFrame(_fetch(session, selects[name]), schema=text, orient="row")
        dates = [c for c, t in schema.items() if t == pl.Date]
        frames[name] = frame.with_columns(
            pl.col(c).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False) for c in dates
        )
    return frames


def _fetch(session: Session, query: sa.Select[Any]) -> list[tuple[Any, ...]]:
    """The rows as the driver gives them, plain tuples: a million rows are not wrapped one by one
    in result rows. The statement's only values are the job's own dates and literals, rendered
    inline; it runs on the session's connection, in its transaction."""
    connection = session.connection()
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _chunks(ids: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def decided_products(session: Session, person_ids: Sequence[str]) -> set[tuple[str, str]]:
    """(person, product) of the offers these persons accepted or declined: never made again."""
    o = Offer.__table__.c
    found: set[tuple[str, str]] = set()
    for chunk in _chunks(person_ids):
        query = sa.select(o.person_id, o.product).where(o.person_id.in_(chunk), o.status != "open")
        found.update((p, q) for p, q in session.execute(query))
    return found


def replace_open_offers(
    session: Session, person_ids: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Drop these persons' open offers and insert `rows` (one multi-row INSERT)."""
    o = Offer.__table__.c
    for chunk in _chunks(person_ids):
        session.execute(sa.delete(Offer).where(o.person_id.in_(chunk), o.status == "open"))
    if rows:
        session.execute(sa.insert(Offer), list(rows))


def replace_segments(
    session: Session, person_ids: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> None:
    for chunk in _chunks(person_ids):
        session.execute(sa.delete(Segment).where(Segment.person_id.in_(chunk)))
    if rows:
        session.execute(sa.insert(Segment), list(rows))


def delete_for(session: Session, person_ids: Collection[str], *, open_only: bool = False) -> int:
    """These persons' profiles and offers (only the open ones if asked); how many offers."""
    deleted = 0
    ordered = sorted(person_ids)
    o = Offer.__table__.c
    for chunk in _chunks(ordered):
        session.execute(sa.delete(Segment).where(Segment.person_id.in_(chunk)))
        query = sa.delete(Offer).where(o.person_id.in_(chunk))
        if open_only:
            query = query.where(o.status == "open")
        result = session.execute(query)
        deleted += int(getattr(result, "rowcount", 0) or 0)
    return deleted


def purge(session: Session, *, offers_before: dt.date, segments_before: dt.date) -> int:
    """Offers made and profiles computed before these days, one DELETE each; offers deleted."""
    result = session.execute(sa.delete(Offer).where(Offer.made_on < offers_before))
    session.execute(sa.delete(Segment).where(Segment.computed_on < segments_before))
    return int(getattr(result, "rowcount", 0) or 0)


def offers_of(session: Session, person_id: str, *, statuses: Collection[str]) -> list[Offer]:
    query = (
        sa.select(Offer)
        .where(Offer.person_id == person_id, Offer.status.in_(sorted(statuses)))
        .order_by(Offer.made_on.desc(), Offer.id)
    )
    return list(session.scalars(query))


def offer(session: Session, person_id: str, offer_id: int) -> Offer | None:
    found = session.get(Offer, offer_id)
    return found if found is not None and found.person_id == person_id else None


def segment_of(session: Session, person_id: str) -> Segment | None:
    return session.get(Segment, person_id)


def report(session: Session, *, entity: str | None) -> list[tuple[str, str, str, int]]:
    """Customers per (entity, segment, age band): counts only."""
    s = Segment.__table__.c
    query = sa.select(s.entity, s.segment, s.age_band, sa.func.count()).group_by(
        s.entity, s.segment, s.age_band
    )
    if entity is not None:
        query = query.where(s.entity == entity)
    return [(e, g, a, n) for e, g, a, n in session.execute(query.order_by(s.entity, s.segment))]


def offer_counts(session: Session, *, entity: str | None) -> list[tuple[str, str, str, int]]:
    """Open and decided offers per (entity, product, status): counts only."""
    o = Offer.__table__.c
    query = sa.select(o.entity, o.product, o.status, sa.func.count()).group_by(
        o.entity, o.product, o.status
    )
    if entity is not None:
        query = query.where(o.entity == entity)
    return [(e, p, st, n) for e, p, st, n in session.execute(query.order_by(o.entity, o.product))]


def with_open_partner_offers(session: Session, *, limit: int) -> list[str]:
    o = Offer.__table__.c
    query = (
        sa.select(o.person_id)
        .where(o.status == "open", o.partner.is_not(None))
        .group_by(o.person_id)
        .order_by(o.person_id)
        .limit(limit)
    )
    return list(session.scalars(query))

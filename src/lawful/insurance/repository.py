"""The reinsurance tables' SQL: set-based, flushes, never commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.insurance.models import Claim, Placement, Treaty


def add_treaty(session: Session, values: Mapping[str, Any]) -> None:
    session.execute(sa.insert(Treaty), [dict(values)])


def treaty(session: Session, code: str) -> Treaty | None:
    return session.get(Treaty, code)


def treaties(session: Session) -> Sequence[Treaty]:
    return session.scalars(sa.select(Treaty).order_by(Treaty.code)).all()


def place(session: Session, treaty_code: str, policy_ids: Collection[int], on: dt.date) -> None:
    rows = [{"treaty_code": treaty_code, "policy_id": p, "placed_on": on} for p in policy_ids]
    if rows:
        session.execute(sa.insert(Placement), rows)


def placed(session: Session, treaty_code: str) -> set[int]:
    query = sa.select(Placement.policy_id).where(Placement.treaty_code == treaty_code)
    return set(session.scalars(query))


def add_claims(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    if rows:
        session.execute(sa.insert(Claim), [dict(r) for r in rows])


def claim_counts(
    session: Session, policy_ids: Collection[int], start: dt.date, end: dt.date
) -> dict[int, int]:
    """Claims that occurred in [start, end], per policy, in chunks of ids."""
    counts: dict[int, int] = {}
    ids = sorted(policy_ids)
    for i in range(0, len(ids), 5000):
        query = (
            sa.select(Claim.policy_id, sa.func.count())
            .where(Claim.policy_id.in_(ids[i : i + 5000]))
            .where(Claim.occurred_on.between(start, end))
            .group_by(Claim.policy_id)
        )
        counts.update({p: n for p, n in session.execute(query)})
    return counts

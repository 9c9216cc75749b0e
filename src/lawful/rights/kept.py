"""Legal holds as stored: what the erasure and retention flows write, read back and release."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from lawful.core.db import utcnow
from lawful.rights import repository
from lawful.rights.holds import Keep, hold_rows, standing_keeps


def store_holds(session: Session, *, kept: Mapping[str, Sequence[Keep]], today: dt.date) -> int:
    """Store, per person, one hold per basis that keeps something; return how many."""
    now = utcnow()
    rows = [row for person, keeps in kept.items() for row in hold_rows(person, keeps, today, now)]
    repository.insert_holds(session, rows)
    return len(rows)


def expired_hold_persons(
    session: Session, *, today: dt.date, after_id: int, limit: int
) -> tuple[list[str], int]:
    """Persons with a hold whose last day is past and that is not released, by hold id after
    `after_id`; and the last hold id seen (the next batch's `after_id`)."""
    rows = repository.expired_holds(session, today=today, after_id=after_id, limit=limit)
    if not rows:
        return [], after_id
    return sorted({person for _, person, _ in rows}), rows[-1][0]


def standing_holds(
    session: Session, *, person_ids: Sequence[str], today: dt.date
) -> dict[str, list[Keep]]:
    """Per person, what the stored holds not yet ended keep."""
    rows: dict[str, list[tuple[str, dt.date | None]]] = defaultdict(list)
    for row in repository.unreleased_holds_of(session, person_ids):
        rows[row.person_id].append((row.hold, row.ends_on))
    return {person: standing_keeps(held, today) for person, held in rows.items()}


def release_all_holds(session: Session, *, person_ids: Sequence[str]) -> int:
    """Release every stored hold of these persons (the flow stores what still stands anew)."""
    ids = [row.id for row in repository.unreleased_holds_of(session, person_ids)]
    repository.release_holds(session, ids, now=utcnow())
    return len(ids)


def end_holds(session: Session, *, person_id: str, hold: str, ends_on: dt.date) -> int:
    """The end, now known, of the person's stored holds of this kind that had none (a complaint
    closed: its hold runs five years on); return how many."""
    return repository.end_open_holds(session, person_id, hold, ends_on)

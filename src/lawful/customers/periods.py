"""Relationship periods: a person is in one state with one entity at a time.

A period's `until` is its last day. Opening a period ends the open one the day before; a period
that would end before it began (it started that same day) is turned into the new one instead, so
that a prospect who becomes a client on the day they were entered leaves no empty period behind.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from lawful.core.errors import InvalidInput, NotFound
from lawful.core.register.models import RelationshipState
from lawful.customers import repository
from lawful.customers.models import Relationship

ONE_DAY = dt.timedelta(days=1)


def state_of(value: str, *, field: str) -> RelationshipState:
    try:
        return RelationshipState(value)
    except ValueError:
        allowed = ", ".join(s.value for s in RelationshipState)
        raise InvalidInput(f"one of {allowed}", field=field) from None


def prospect_while(
    session: Session, person_id: str, entity: str, since: dt.date, until: dt.date
) -> dt.date | None:
    """A person asking `entity` for a quote takes pre-contractual steps with it (GDPR Art.
    6(1)(b)): they are its prospect from `since` to `until` (the end of what the quote keeps),
    unless a period with the entity already covers `since` (they are its client, its former client
    or an open-ended prospect; a prospect period a former quote opened is lengthened). The last
    day of the prospect period opened or lengthened, None when nothing changed."""
    covering = [
        p
        for p in repository.relationships(session, person_id, entity=entity)
        if p.since <= since and (p.until is None or p.until >= since)
    ]
    if not covering:
        row = Relationship(
            person_id=person_id,
            entity=entity,
            state=RelationshipState.PROSPECT.value,
            since=since,
            until=until,
        )
        repository.add(session, row, conflict="the relationship could not be recorded")
        return until
    (period,) = covering[-1:]
    if period.state != RelationshipState.PROSPECT.value or period.until is None:
        return None
    if period.until >= until:
        return None
    period.until = until
    session.flush()
    return until


def open_period(
    session: Session, person_id: str, entity: str, state: RelationshipState, since: dt.date
) -> Relationship:
    current = repository.relationships(session, person_id, entity=entity, open_only=True)
    for period in current:
        if period.state == state and period.since <= since:
            return period
    replaced = None
    for period in current:
        if period.since < since:
            period.until = since - ONE_DAY
        elif replaced is None:
            replaced = period
    if replaced is not None:
        replaced.state, replaced.since = state.value, since
        session.flush()
        return replaced
    row = Relationship(person_id=person_id, entity=entity, state=state.value, since=since)
    return repository.add(session, row, conflict="the relationship could not be recorded")


def end_periods(session: Session, person_id: str, entity: str, until: dt.date) -> Relationship:
    """End the prospect or client period with `entity` on `until`.

    A client becomes a former client from the next day (the customer file is kept for a while
    after the relationship, and AML retention runs from its end); a prospect simply stops being
    one. Returns the period that follows, or the ended one when none follows.
    """
    current = [
        p
        for p in repository.relationships(session, person_id, entity=entity, open_only=True)
        if p.state != RelationshipState.FORMER_CLIENT
    ]
    if not current:
        raise NotFound(f"no open relationship with {entity}")
    if any(until < p.since for p in current):
        raise InvalidInput("falls before the relationship began", field="until")
    for period in current:
        period.until = until
    session.flush()
    if all(p.state != RelationshipState.CLIENT for p in current):
        return current[-1]
    return open_period(session, person_id, entity, RelationshipState.FORMER_CLIENT, until + ONE_DAY)

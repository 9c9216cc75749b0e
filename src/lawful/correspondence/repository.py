"""All SQL of the correspondence domain; flushes, never commits."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.correspondence.models import Draft, Message


def add(session: Session, row: Message | Draft) -> None:
    session.add(row)
    session.flush()


def get(session: Session, message_id: int) -> Message | None:
    return session.get(Message, message_id)


def get_draft(session: Session, draft_id: int) -> Draft | None:
    return session.get(Draft, draft_id)


def of_person(session: Session, person_id: str, *, entity: str, limit: int) -> list[Message]:
    query = (
        sa.select(Message)
        .where(Message.person_id == person_id, Message.entity == entity)
        .order_by(Message.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def all_of_person(session: Session, person_id: str) -> list[Message]:
    query = sa.select(Message).where(Message.person_id == person_id).order_by(Message.id)
    return list(session.scalars(query))


def received_before(
    session: Session, *, before: dt.datetime, after: int, limit: int
) -> list[tuple[int, int | None]]:
    """A page of messages received before `before`, by number after `after`: (id, complaint)."""
    query = (
        sa.select(Message.id, Message.complaint_id)
        .where(Message.received_at < before, Message.id > after)
        .order_by(Message.id)
        .limit(limit)
    )
    return [(int(i), c) for i, c in session.execute(query)]


def delete(session: Session, message_ids: list[int]) -> int:
    """The messages and their drafts, in two statements."""
    if not message_ids:
        return 0
    session.execute(sa.delete(Draft).where(Draft.message_id.in_(message_ids)))
    result = session.execute(
        sa.delete(Message).where(Message.id.in_(message_ids)),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0) or 0)

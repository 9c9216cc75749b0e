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


def expire(session: Session, *, received_before: dt.datetime, keep: list[str]) -> int:
    """Delete the messages received before the date, and their drafts, except those of the persons
    in `keep` (a legal hold stands): two statements, whatever the volume."""
    old = sa.select(Message.id).where(Message.received_at < received_before)
    if keep:
        old = old.where(Message.person_id.not_in(keep))
    session.execute(sa.delete(Draft).where(Draft.message_id.in_(old)))
    result = session.execute(
        sa.delete(Message).where(Message.id.in_(old)),
        execution_options={"synchronize_session": False},
    )
    return int(getattr(result, "rowcount", 0) or 0)

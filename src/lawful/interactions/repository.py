"""All SQL of the conversations domain; flushes, never commits."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.interactions.models import Conversation, ConversationCopy, ConversationNote

CHUNK = 900  # ids per IN list


def add(session: Session, row: Conversation | ConversationCopy | ConversationNote) -> None:
    session.add(row)
    session.flush()


def get(session: Session, conversation_id: int) -> Conversation | None:
    return session.get(Conversation, conversation_id)


def of_person(session: Session, person_id: str, *, entity: str | None) -> list[Conversation]:
    query = sa.select(Conversation).where(Conversation.person_id == person_id)
    if entity is not None:
        query = query.where(Conversation.entity == entity)
    return list(session.scalars(query.order_by(Conversation.id)))


def copies_of(session: Session, ids: Sequence[int]) -> dict[int, list[ConversationCopy]]:
    out: dict[int, list[ConversationCopy]] = defaultdict(list)
    if ids:
        query = (
            sa.select(ConversationCopy)
            .where(ConversationCopy.conversation_id.in_(ids))
            .order_by(ConversationCopy.id)
        )
        for row in session.scalars(query):
            out[row.conversation_id].append(row)
    return out


def copy(session: Session, conversation_id: int, use: str) -> ConversationCopy | None:
    query = sa.select(ConversationCopy).where(
        ConversationCopy.conversation_id == conversation_id, ConversationCopy.use == use
    )
    return session.scalars(query).first()


def notes_of(session: Session, ids: Sequence[int]) -> dict[int, list[ConversationNote]]:
    out: dict[int, list[ConversationNote]] = defaultdict(list)
    if ids:
        query = (
            sa.select(ConversationNote)
            .where(ConversationNote.conversation_id.in_(ids))
            .order_by(ConversationNote.id)
        )
        for row in session.scalars(query):
            out[row.conversation_id].append(row)
    return out


def note(session: Session, note_id: int) -> ConversationNote | None:
    return session.get(ConversationNote, note_id)


def reminders(
    session: Session, *, advisor: str, entity: str, due_by: dt.date, limit: int
) -> list[ConversationNote]:
    """The advisor's open tasks due by `due_by`, soonest first."""
    n = ConversationNote
    query = (
        sa.select(n)
        .where(
            n.advisor == advisor,
            n.entity == entity,
            n.status == "open",
            n.due_on.is_not(None),
            n.due_on <= due_by,
        )
        .order_by(n.due_on, n.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def quality_sample(
    session: Session, *, entity: str, today: dt.date, size: int
) -> list[ConversationCopy]:
    """A random sample of the entity's quality copies still kept: the database draws it."""
    c, v = ConversationCopy, Conversation
    query = (
        sa.select(c)
        .join(v, v.id == c.conversation_id)
        .where(v.entity == entity, c.use == "quality", c.expires_on >= today)
        .order_by(sa.func.random())
        .limit(size)
    )
    return list(session.scalars(query))


class Expired(NamedTuple):
    id: int
    person_id: str
    conversation_id: int
    use: str
    purpose: str
    expires_on: dt.date


def expired(session: Session, *, today: dt.date, after: int, limit: int) -> list[Expired]:
    """Copies whose last day is past, by id after `after`: a bulk path, no ORM object per row."""
    c = ConversationCopy
    query = (
        sa.select(c.id, c.person_id, c.conversation_id, c.use, c.purpose, c.expires_on)
        .where(c.expires_on < today, c.id > after)
        .order_by(c.id)
        .limit(limit)
    )
    return [Expired(*row) for row in session.execute(query)]


def delete_copies(session: Session, ids: Sequence[int]) -> int:
    deleted = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        result = session.execute(sa.delete(ConversationCopy).where(ConversationCopy.id.in_(chunk)))
        deleted += int(getattr(result, "rowcount", 0) or 0)
    return deleted


def delete_for(session: Session, person_ids: Sequence[str], *, keep: Sequence[str]) -> int:
    """Erase the persons' conversations but the copies kept for a purpose in `keep` (a legal
    obligation): their notes and other copies go; a conversation row stays while a copy does."""
    deleted = 0
    for start in range(0, len(person_ids), CHUNK):
        chunk = person_ids[start : start + CHUNK]
        n, c, v = ConversationNote, ConversationCopy, Conversation
        session.execute(sa.delete(n).where(n.person_id.in_(chunk)))
        result = session.execute(
            sa.delete(c).where(c.person_id.in_(chunk), c.purpose.not_in(list(keep)))
        )
        deleted += int(getattr(result, "rowcount", 0) or 0)
        still = sa.select(c.conversation_id).where(c.person_id.in_(chunk))
        session.execute(sa.delete(v).where(v.person_id.in_(chunk), v.id.not_in(still)))
    return deleted

"""Conversations, the copies each purpose keeps of their recording, and their minutes and tasks.

A recording is stored once per purpose it serves, each copy sealed with the person's vault key and
carrying its own expiry: the training copy and the evidence copy of one call age out separately,
and the retention job deletes a copy on its day without touching the others. Erasure destroys the
key, leaving every copy, minute and task unreadable.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lawful.core.db import Base, UTCDateTime
from lawful.customers.models import PersonId


class Conversation(Base):
    __tablename__ = "conversation"
    __table_args__ = (
        sa.Index("ix_conversation_person", "person_id", "id"),
        sa.Index("ix_conversation_entity", "entity", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(PersonId, sa.ForeignKey("person.id"))
    entity: Mapped[str] = mapped_column(sa.String(64))
    channel: Mapped[str] = mapped_column(sa.String(16))  # branch, phone, chat, kate
    language: Mapped[str] = mapped_column(sa.String(8))
    investment: Mapped[bool] = mapped_column(sa.Boolean, default=False)  # MiFID II art. 16(7)
    participants: Mapped[list[Any]] = mapped_column(sa.JSON)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    notice_given_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    recording_kind: Mapped[str | None] = mapped_column(sa.String(16))  # audio, transcript
    # The assistant's dialogue state between turns: a confirmation it awaits, a handover.
    pending: Mapped[str | None] = mapped_column(sa.String(32))
    by: Mapped[str] = mapped_column(sa.String(64))


class ConversationCopy(Base):
    """What one purpose keeps of a conversation's recording, until `expires_on`."""

    __tablename__ = "conversation_copy"
    __table_args__ = (
        sa.Index("ix_conversation_copy_expiry", "expires_on", "id"),
        sa.Index("ix_conversation_copy_conversation", "conversation_id", "use"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id"))
    person_id: Mapped[str] = mapped_column(PersonId)
    use: Mapped[str] = mapped_column(sa.String(16))  # history, quality, training, evidence, answers
    purpose: Mapped[str] = mapped_column(sa.String(64))  # the register's purpose
    kind: Mapped[str] = mapped_column(sa.String(16))  # audio, transcript, minutes
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    kept_from: Mapped[dt.date] = mapped_column(sa.Date)
    expires_on: Mapped[dt.date] = mapped_column(sa.Date)
    extended_by: Mapped[str | None] = mapped_column(sa.String(64))  # the regulator's request


class ConversationNote(Base):
    """Minutes or a task, written by staff or proposed from the transcript. A proposal counts
    for nothing until a staff member confirms it; a confirmed task with a due date is a reminder
    for its advisor."""

    __tablename__ = "conversation_note"
    __table_args__ = (
        sa.Index("ix_conversation_note_reminder", "advisor", "status", "due_on"),
        sa.Index("ix_conversation_note_conversation", "conversation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[int] = mapped_column(sa.ForeignKey("conversation.id"))
    person_id: Mapped[str] = mapped_column(PersonId)
    entity: Mapped[str] = mapped_column(sa.String(64))
    kind: Mapped[str] = mapped_column(sa.String(16))  # minutes, task
    origin: Mapped[str] = mapped_column(sa.String(16))  # staff, proposed
    status: Mapped[str] = mapped_column(sa.String(16))  # proposed, open, done
    text: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    due_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    advisor: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

"""Messages exchanged with customers through staff mailboxes, and the answers drafted to them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lawful.core.db import Base, UTCDateTime
from lawful.customers.models import PersonId


class Message(Base):
    """One letter, fax or e-mail. Its subject and body are sealed with the person's vault key, so
    an erasure leaves them unreadable; what the analysis concluded (language, topic, intent,
    urgency, the kinds of personal data found, never their values) stays readable for routing and
    for the complaint it may have opened."""

    __tablename__ = "correspondence_message"
    __table_args__ = (
        # A mailbox's or an entity's messages, newest first; and the retention sweep by date.
        sa.Index("ix_correspondence_message_entity_received", "entity", "received_at", "id"),
        sa.Index("ix_correspondence_message_person", "person_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(PersonId, sa.ForeignKey("person.id"))
    entity: Mapped[str] = mapped_column(sa.String(64))
    channel: Mapped[str] = mapped_column(sa.String(8))  # email, letter, fax
    direction: Mapped[str] = mapped_column(sa.String(8))  # incoming, outgoing
    mailbox: Mapped[str] = mapped_column(sa.String(64))  # the staff member's business mailbox
    private: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    subject: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    body: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    language: Mapped[str | None] = mapped_column(sa.String(2))
    topic: Mapped[str] = mapped_column(sa.String(16))
    intent: Mapped[str] = mapped_column(sa.String(32))
    confidence: Mapped[float] = mapped_column(sa.Float)
    urgency: Mapped[str] = mapped_column(sa.String(8))
    found: Mapped[dict[str, Any]] = mapped_column(sa.JSON)  # kind -> count
    complaint_id: Mapped[int | None] = mapped_column(sa.Integer)
    registered_by: Mapped[str] = mapped_column(sa.String(64))


class Draft(Base):
    """An answer drafted from a template, waiting for a staff member's approval: nothing is sent
    on its own. The text is sealed as the message is."""

    __tablename__ = "correspondence_draft"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("correspondence_message.id"), index=True)
    language: Mapped[str] = mapped_column(sa.String(2))
    template: Mapped[str] = mapped_column(sa.String(32))
    body: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    status: Mapped[str] = mapped_column(sa.String(16))  # proposed, approved, rejected
    drafted_by: Mapped[str] = mapped_column(sa.String(64))
    drafted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(sa.String(64))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

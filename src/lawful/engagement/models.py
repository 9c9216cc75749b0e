"""Notification preferences and the outbox of messages to customers (activity 7).

Preferences are stored only where the person departs from the register's defaults: no row means
the defaults of `notification_topics`. The outbox keeps every message decided for a person; its
idempotency key (one per statement and kind of message) is unique, so that a job killed and rerun
sends nothing twice.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lawful.core.db import Base, UTCDateTime

PersonId = sa.String(32)


def _person_fk() -> sa.ForeignKey:
    return sa.ForeignKey("person.id", ondelete="CASCADE")


class NotificationSettings(Base):
    """What applies to every topic: language, quiet hours, how early card reminders come."""

    __tablename__ = "notification_settings"

    person_id: Mapped[str] = mapped_column(PersonId, _person_fk(), primary_key=True)
    language: Mapped[str | None] = mapped_column(sa.String(2))  # None: the file's language
    quiet_start: Mapped[dt.time | None] = mapped_column(sa.Time)  # local time, Europe/Brussels
    quiet_end: Mapped[dt.time | None] = mapped_column(sa.Time)
    reminder_days: Mapped[int | None] = mapped_column(sa.Integer)  # None: the default
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class NotificationChoice(Base):
    """The channels a person chose for one topic, in order of preference; empty means off."""

    __tablename__ = "notification_choice"

    person_id: Mapped[str] = mapped_column(PersonId, _person_fk(), primary_key=True)
    topic: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    channels: Mapped[str] = mapped_column(sa.String(64))  # comma-separated, "" when off
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Notification(Base):
    """A message decided for a person: sent, kept in the app, or suppressed (and why)."""

    __tablename__ = "notification"
    __table_args__ = (
        sa.UniqueConstraint("idempotency_key"),
        sa.Index("ix_notification_status", "status", "id"),
        sa.Index("ix_notification_person", "person_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(PersonId, _person_fk())
    topic: Mapped[str] = mapped_column(sa.String(64))
    # e.g. "card-balance-reminder:statement:42": one message per statement and kind, ever.
    idempotency_key: Mapped[str] = mapped_column(sa.String(128))
    channel: Mapped[str | None] = mapped_column(sa.String(16))  # None when suppressed
    language: Mapped[str] = mapped_column(sa.String(2))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    # pending (to dispatch), sent (through the channel), kept (in the app only), failed,
    # suppressed (not sent: `reason`)
    status: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str | None] = mapped_column(sa.String(64))
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

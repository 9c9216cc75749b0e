"""Engagement (activity 7): notification preferences, card-balance reminders, the outbox.

The domain's public face: adapters and other domains call only what this module holds or
re-exports. Preferences are in `preferences`, reminders in `reminders`, the outbox dispatcher in
`delivery`. Every function takes the session and keyword-only arguments and never commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.engagement import repository
from lawful.engagement.delivery import AppriseSender as AppriseSender
from lawful.engagement.delivery import Dispatched as Dispatched
from lawful.engagement.delivery import Sender as Sender
from lawful.engagement.delivery import dispatch as dispatch
from lawful.engagement.marketing import OFF as PREFERENCE_OFF
from lawful.engagement.marketing import Audience as Audience
from lawful.engagement.marketing import audience as marketing_audience
from lawful.engagement.marketing import channel_for as marketing_channel
from lawful.engagement.marketing import queue as queue_marketing
from lawful.engagement.notices import NoticeOutcome as NoticeOutcome
from lawful.engagement.notices import Plan as StatementPlan
from lawful.engagement.notices import concerned_in_batches as statement_concerned_in_batches
from lawful.engagement.notices import notify as notify_statement_changes
from lawful.engagement.notices import plan as plan_statement_notices
from lawful.engagement.preferences import Event, ask
from lawful.engagement.preferences import get_preferences as get_preferences
from lawful.engagement.preferences import set_preferences as set_preferences
from lawful.engagement.reminders import LOCAL as LOCAL_TIME
from lawful.engagement.reminders import Outcome as Outcome
from lawful.engagement.reminders import due as reminders_due
from lawful.engagement.reminders import due_in_batches as reminders_due_in_batches
from lawful.engagement.reminders import purge as purge_reminders
from lawful.engagement.reminders import quiet_between as quiet_between
from lawful.engagement.reminders import remind as remind
from lawful.engagement.schemas import NotificationRead
from lawful.engagement.texts import language_of as language_of

__all__ = [
    "LOCAL_TIME",
    "PREFERENCE_OFF",
    "AppriseSender",
    "Audience",
    "DeliverySettings",
    "Dispatched",
    "NoticeOutcome",
    "Outcome",
    "Sender",
    "StatementPlan",
    "bulk_insert",
    "delivery_settings",
    "dispatch",
    "erase",
    "export_person",
    "get_preferences",
    "language_of",
    "marketing_audience",
    "marketing_channel",
    "notifications",
    "notify_statement_changes",
    "outbox_counts",
    "plan_statement_notices",
    "purge_reminders",
    "queue_marketing",
    "queue_messages",
    "quiet_between",
    "remind",
    "reminders_due",
    "reminders_due_in_batches",
    "set_preferences",
    "statement_concerned_in_batches",
]

MESSAGE_DATA = (
    "user.privacy_preferences.notification_settings",
    "user.financial.credit_card",
    "user.financial.card_statement",
)


@customers.unseen_unless_related
def notifications(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    today: dt.date,
    limit: int = 50,
) -> list[NotificationRead]:
    """The messages sent or kept for the person, newest first (the app's inbox)."""
    ask(
        session,
        gate,
        actor,
        person_id,
        Event.NOTIFICATIONS_READ,
        categories=MESSAGE_DATA,
        today=today,
    )
    rows = repository.notifications_of(session, person_id, limit=limit)
    return [NotificationRead.model_validate(r) for r in rows]


def bulk_insert(
    session: Session,
    *,
    settings: Sequence[Mapping[str, Any]] = (),
    choices: Sequence[Mapping[str, Any]] = (),
) -> None:
    """Load many people's preferences at once (the demo world), one INSERT per table.

    No gate here: the generator records the matching ledger events itself, in bulk."""
    repository.bulk_insert(session, settings=settings, choices=choices)


def erase(session: Session, *, person_ids: Sequence[str]) -> int:
    """Erase the persons' messages and preferences, with their file (Art. 17); no legal hold
    keeps them. No gate of its own: the erasure use case asked it and records what was erased.
    The number of messages erased."""
    return repository.delete_for(session, person_ids)


def export_person(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, purpose: str, today: dt.date
) -> dict[str, Any]:
    """Everything engagement holds on the person, JSON-ready, for the access report (Art. 15),
    under field names of its own (the report names every field and code in the reader's words):
    their notification settings, their choices per topic, and every message decided for them
    (suppressed ones too: that they were not sent is theirs to know)."""
    ask(
        session,
        gate,
        actor,
        person_id,
        Event.DATA_EXPORT,
        categories=MESSAGE_DATA,
        today=today,
        purpose=purpose,
    )
    settings = repository.settings(session, person_id)
    kept = []
    if settings is not None:
        kept.append(
            {
                "language": settings.language,
                "quiet_start": _clock(settings.quiet_start),
                "quiet_end": _clock(settings.quiet_end),
                "reminder_days": settings.reminder_days,
                "changed_at": settings.changed_at.isoformat(),
            }
        )
    return {
        "notification_settings": kept,
        "notification_choices": [
            {"message_topic": topic, "message_channels": channels}
            for topic, channels in sorted(repository.choices(session, person_id).items())
        ],
        "notifications": [
            {
                "created_at": n.created_at.isoformat(),
                "message_topic": n.topic,
                "message_channel": n.channel,
                "delivery": n.status,
                "title": n.title or None,
                "body": n.body or None,
            }
            for n in repository.notifications_of(
                session, person_id, limit=10_000, suppressed_too=True
            )
        ],
    }


def _clock(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    """What decides how a message reaches a person: their chosen language (None: the one the
    caller knows), quiet hours, and their channels for the topic (None: never chosen, so the
    register's defaults; empty: switched off)."""

    language: str | None = None
    quiet_start: dt.time | None = None
    quiet_end: dt.time | None = None
    channels: list[str] | None = None


def delivery_settings(
    session: Session, *, person_ids: Sequence[str], topic: str
) -> dict[str, DeliverySettings]:
    """Every person's settings for a message of `topic`, set-based; a person absent from the
    answer keeps every default. No gate: settings are the frame a job decides in, and the job asks
    the gate for each person before anything is written or sent (as `remind` does)."""
    rows = repository.delivery_settings(session, list(person_ids), topic=topic)
    return {
        p: DeliverySettings(
            r.chosen_language,
            r.quiet_start,
            r.quiet_end,
            None if r.channels is None else repository.split(r.channels),
        )
        for p, r in rows.items()
    }


def queue_messages(session: Session, *, rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Put messages another domain decided (already asked of the gate) in the outbox, in one
    statement; the idempotency keys inserted. A key already there keeps its first message."""
    return repository.insert_notifications(session, rows)


def outbox_counts(session: Session) -> dict[str, int]:
    """Messages per status: figures, no personal data, so no gate."""
    return repository.count_by_status(session)

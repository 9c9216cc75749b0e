"""Engagement (activity 7): notification preferences, card-balance reminders, the outbox.

The domain's public face: adapters and other domains call only what this module holds or
re-exports. Preferences are in `preferences`, reminders in `reminders`, the outbox dispatcher in
`delivery`. Every function takes the session and keyword-only arguments and never commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
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
from lawful.engagement.preferences import Event, ask
from lawful.engagement.preferences import get_preferences as get_preferences
from lawful.engagement.preferences import set_preferences as set_preferences
from lawful.engagement.reminders import LOCAL as LOCAL_TIME
from lawful.engagement.reminders import Outcome as Outcome
from lawful.engagement.reminders import due as reminders_due
from lawful.engagement.reminders import purge as purge_reminders
from lawful.engagement.reminders import remind as remind
from lawful.engagement.schemas import NotificationRead

__all__ = [
    "LOCAL_TIME",
    "AppriseSender",
    "Dispatched",
    "Outcome",
    "Sender",
    "bulk_insert",
    "dispatch",
    "erase",
    "get_preferences",
    "notifications",
    "outbox_counts",
    "purge_reminders",
    "remind",
    "reminders_due",
    "set_preferences",
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


def outbox_counts(session: Session) -> dict[str, int]:
    """Messages per status: figures, no personal data, so no gate."""
    return repository.count_by_status(session)

"""Marketing messages through the outbox: which channel the rules leave, for many people at once.

The Code of Economic Law (XII.13) and the person's own choices decide together: a topic switched
off sends nothing; e-mail and SMS go to a person who chose them for the topic (their opt-in), or,
under the soft opt-in, to the group's own client for an own product analogous to one they hold;
otherwise the next channel they keep (the app, a push message, a letter) is used, or none; and
nothing but the app's inbox is used during their quiet hours (a later run sends it). A
direct-marketing objection is the caller's to honour before anything reaches here: the job asks
nothing and sends nothing for an objector.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from lawful.core.register.models import NotificationChannel, NotificationTopic, ProductScope
from lawful.engagement import repository

LOCAL = ZoneInfo("Europe/Brussels")
ELECTRONIC = frozenset({NotificationChannel.EMAIL.value, NotificationChannel.SMS.value})
OFF = "preference_off"
OPT_IN_REQUIRED = "opt_in_required"


@dataclass(frozen=True)
class Audience:
    """Per person, the language they chose for messages and their channels per topic."""

    languages: dict[str, str | None]
    chosen: dict[tuple[str, str], list[str]]
    quiet: dict[str, tuple[dt.time, dt.time]]

    def channels(self, person_id: str, topic: str) -> list[str] | None:
        return self.chosen.get((person_id, topic))

    def disturbs(self, person_id: str, channel: str, now: dt.datetime) -> bool:
        """Whether a message on `channel` now would fall in the person's quiet hours (local
        time; they may span midnight). The app's inbox disturbs no one."""
        hours = self.quiet.get(person_id)
        if hours is None or channel == NotificationChannel.IN_APP.value:
            return False
        start, end = hours
        local = now.astimezone(LOCAL).time().replace(tzinfo=None)
        return start <= local < end if start < end else (local >= start or local < end)


def audience(session: Session, *, person_ids: Sequence[str], topics: Sequence[str]) -> Audience:
    languages, chosen, quiet = repository.audience(session, person_ids, topics)
    return Audience(languages, chosen, quiet)


def channel_for(
    topic: NotificationTopic, chosen: list[str] | None, *, own_client: bool, analogous: bool
) -> tuple[str | None, str | None]:
    """The first channel the rules leave for this message, or None and why."""
    channels = chosen if chosen is not None else [c.value for c in topic.default_channels]
    if not channels:
        return None, OFF
    explicit = set(chosen or ())
    soft_opt_in = topic.products is ProductScope.OWN and own_client and analogous
    for channel in channels:
        if channel in ELECTRONIC and channel not in explicit and not soft_opt_in:
            continue
        return channel, None
    return None, OPT_IN_REQUIRED


def queue(session: Session, rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Put messages in the outbox, each once ever (by its idempotency key); the keys queued now."""
    return repository.insert_notifications(session, rows)

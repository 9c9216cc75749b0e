"""Profile > Notifications: which topics reach the person, on which channels, when, in which
language.

The register declares the topics and their defaults; a person's choices are stored only where
they depart from them. What is shown as `effective_channels` is what would really be used today:
- a direct-marketing objection (Art. 21(2)-(3)) stops every marketing topic, whatever was chosen;
- e-mail and SMS marketing (Code of Economic Law XII.13) goes only to the group's own clients for
  the group's own products (soft opt-in: on until refused), otherwise only on the person's own
  opt-in — their choice of that channel, recorded in the ledger with its date;
- a purpose resting on consent needs the consent; a standing objection to a purpose stops it.
Mandatory notices (security, a change of the statement) cannot be switched off: the person only
chooses their channels. A topic whose purpose has a policy switch (`preference`, e.g. the card
reminders' `card_reminders`) keeps that switch in step, so that the policy refuses what is off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from lawful.core.db import utcnow
from lawful.core.errors import InvalidInput
from lawful.core.gate import Gate
from lawful.core.policy.types import Actor, SubjectState
from lawful.core.register.models import (
    NotificationChannel,
    NotificationKind,
    NotificationTopic,
    ProductScope,
    RelationshipState,
)
from lawful.customers import service as customers
from lawful.engagement import repository
from lawful.engagement.schemas import (
    DEFAULT_REMINDER_DAYS,
    PreferencesRead,
    PreferencesUpdate,
    QuietHours,
    TopicRead,
)

NOTIFICATION_SETTINGS = "user.privacy_preferences.notification_settings"
ELECTRONIC = frozenset({NotificationChannel.EMAIL, NotificationChannel.SMS})
MANDATORY_NOTE = "a mandatory notice: it cannot be switched off, only its channels chosen"


class Event(StrEnum):
    PREFERENCES_READ = "engagement.notification_preferences.read"
    PREFERENCES_CHANGE = "engagement.notification_preferences.change"
    NOTIFICATIONS_READ = "engagement.notification.list"
    DATA_EXPORT = "engagement.notification_data.export"
    CARD_REMINDER_SEND = "engagement.card_reminder.send"
    STATEMENT_NOTICE_SEND = "engagement.statement_notice.send"


def ask(
    session: Session,
    gate: Gate,
    actor: Actor,
    person_id: str,
    event: Event,
    *,
    categories: Sequence[str] = (NOTIFICATION_SETTINGS,),
    details: dict[str, Any] | None = None,
    today: dt.date,
    purpose: str | None = None,
) -> None:
    """Ask the gate under `purpose`, else the one the file is reached for (contract, the person's
    rights, or the file kept up to date), for the categories that purpose declares; an unknown or
    erased person is NotFound, nothing recorded."""
    # The person's rights are answered even once erased (what is left is then nothing here):
    # the gate judges that purpose itself; every other use needs the person on file.
    on_file = purpose is None
    purpose = purpose or customers.file_purpose(session, gate, actor, person_id, today=today)
    declared = gate.register.purpose(purpose).data_categories
    asked = [c for c in categories if any(c == d or c.startswith(d + ".") for d in declared)]
    gate.open(session, actor=actor, purpose=purpose).access(
        person_id,
        categories=asked or [NOTIFICATION_SETTINGS],
        event=event.value,
        details=details,
        as_of=today,
        on_file=on_file,
    )


@customers.unseen_unless_related
def get_preferences(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, today: dt.date
) -> PreferencesRead:
    ask(session, gate, actor, person_id, Event.PREFERENCES_READ, today=today)
    return _view(session, gate, person_id, today)


@customers.unseen_unless_related
def set_preferences(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    changes: PreferencesUpdate,
    today: dt.date,
) -> PreferencesRead:
    """Apply the changes given, all or none; the ledger keeps what changed, encrypted."""
    given = changes.model_fields_set
    topics = {t.id: t for t in gate.register.notification_topics}
    for topic_id, channels in changes.topics.items():
        _check(topics, topic_id, channels)
    details = changes.model_dump(mode="json", include=given)
    ask(session, gate, actor, person_id, Event.PREFERENCES_CHANGE, details=details, today=today)
    now = utcnow()
    values: dict[str, Any] = {}
    if "language" in given:
        values["language"] = changes.language
    if "quiet_hours" in given:
        quiet = changes.quiet_hours
        values["quiet_start"] = quiet.start if quiet else None
        values["quiet_end"] = quiet.end if quiet else None
    if "card_reminder_days" in given:
        values["reminder_days"] = changes.card_reminder_days
    if values:
        repository.save_settings(session, person_id, {**values, "changed_at": now})
    state = _state(session, gate, person_id, today)
    for topic_id, channels in changes.topics.items():
        chosen = list(dict.fromkeys(channels))
        repository.save_choice(session, person_id, topic_id, chosen, at=now)
        _in_step(session, gate, actor, person_id, topics[topic_id], bool(chosen), state)
    return _view(session, gate, person_id, today)


def _in_step(
    session: Session,
    gate: Gate,
    actor: Actor,
    person_id: str,
    topic: NotificationTopic,
    on: bool,
    state: SubjectState,
) -> None:
    """Keep the policy's own facts in step with the topic: its purpose's switch, and the consent
    a consent-based purpose rests on (choosing partners' offers is giving that consent; switching
    them off withdraws it)."""
    purpose = gate.register.purpose(topic.purpose)
    kw: dict[str, Any] = {"gate": gate, "actor": actor, "person_id": person_id}
    switch = purpose.preference
    if switch is not None and (switch not in state.preferences_off) != on:
        customers.set_preference(session, **kw, key=switch, enabled=on)
    if purpose.requires_consent and (purpose.id in state.consents) != on:
        if on:
            customers.give_consent(session, **kw, purpose=purpose.id)
        else:
            customers.withdraw_consent(session, **kw, purpose=purpose.id)


def _check(topics: dict[str, NotificationTopic], topic_id: str, channels: list[Any]) -> None:
    where = f"topics.{topic_id}"
    topic = topics.get(topic_id)
    if topic is None:
        raise InvalidInput(f"no such topic; one of {', '.join(sorted(topics))}", field=where)
    if len(set(channels)) != len(channels):
        raise InvalidInput("a channel is named twice", field=where)
    unknown = [c.value for c in channels if c not in topic.channels]
    if unknown:
        allowed = ", ".join(c.value for c in topic.channels)
        raise InvalidInput(
            f"{', '.join(unknown)}: not a channel of this topic (one of {allowed})", field=where
        )
    if topic.mandatory and not channels:
        allowed = ", ".join(c.value for c in topic.channels)
        raise InvalidInput(f"{MANDATORY_NOTE}; keep at least one of {allowed}", field=where)


def _state(session: Session, gate: Gate, person_id: str, today: dt.date) -> SubjectState:
    # The policy's own view of the person (relationships, objections, consents, switches): the
    # same facts the gate decides on, read once.
    found = gate.states.load(session, [person_id], as_of=today).get(person_id)
    return found or SubjectState(as_of=today)


def _view(session: Session, gate: Gate, person_id: str, today: dt.date) -> PreferencesRead:
    settings = repository.settings(session, person_id)
    chosen = repository.choices(session, person_id)
    state = _state(session, gate, person_id, today)
    quiet = None
    if settings and settings.quiet_start is not None and settings.quiet_end is not None:
        quiet = QuietHours(start=settings.quiet_start, end=settings.quiet_end)
    language = settings.language if settings else None
    days = settings.reminder_days if settings else None
    topics = [
        _topic(gate, topic, chosen.get(topic.id), state, language)
        for topic in gate.register.notification_topics
    ]
    return PreferencesRead(
        person_id=person_id,
        language=language,
        quiet_hours=quiet,
        card_reminder_days=DEFAULT_REMINDER_DAYS if days is None else days,
        topics=topics,
    )


def _topic(
    gate: Gate,
    topic: NotificationTopic,
    chosen: list[str] | None,
    state: SubjectState,
    language: str | None,
) -> TopicRead:
    purpose = gate.register.purpose(topic.purpose)
    explicit = set(chosen or ())
    channels = [NotificationChannel(c) for c in chosen] if chosen is not None else []
    if chosen is None:
        channels = list(topic.default_channels)
    if purpose.preference is not None and purpose.preference in state.preferences_off:
        channels = []  # switched off, here or through the older per-switch route
    needs_consent = purpose.requires_consent and purpose.id not in state.consents
    withheld = {
        c.value: why
        for c in channels
        if (
            why := _withheld(topic, c, state, explicit)
            or ("consent_missing" if needs_consent else None)
        )
    }
    lang = language if language in topic.title else gate.register.languages[-1]
    return TopicRead(
        topic=topic.id,
        title=topic.title.get(lang or "en") or next(iter(topic.title.values())),
        kind=topic.kind,
        mandatory=topic.mandatory,
        available_channels=list(topic.channels),
        channels=channels,
        default=chosen is None,
        effective_channels=[c for c in channels if c.value not in withheld],
        withheld=withheld,
        note=MANDATORY_NOTE if topic.mandatory else None,
    )


def _withheld(
    topic: NotificationTopic, channel: NotificationChannel, state: SubjectState, explicit: set[str]
) -> str | None:
    """Why this chosen channel is not used today, or None."""
    marketing = topic.kind is NotificationKind.MARKETING
    if marketing and state.dm_objection:
        return "dm_objection"  # Art. 21(3): overrides every choice
    if topic.purpose in state.restricted:
        return "objection"
    if marketing and channel in ELECTRONIC and channel.value not in explicit:
        own_client = RelationshipState.CLIENT in state.relationship_states
        if not (topic.products is ProductScope.OWN and own_client):
            return "opt_in_required"
    return None

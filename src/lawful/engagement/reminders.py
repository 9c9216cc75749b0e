"""Card-balance reminders (activity 7): one message per unpaid statement, days before it is due.

`due` finds, in one statement, every statement that needs a reminder on a day; `remind` decides a
batch of them in one transaction: quiet hours first (deferred: nothing is recorded, a later run
sends it); then one INSERT claims each remaining statement under its key
`card-balance-reminder:statement:<id>`, unique in the outbox, so that what another run claimed
(or is claiming: the insert waits for it) is left to it; then the gate for every person claimed,
at once (the switch under Profile > Notifications, an objection, the relationship); then one
UPDATE, executed for the batch, writes each outcome — the message, or why it was suppressed. A
job killed and rerun, or two jobs at once, decide each statement exactly once, and the ledger
holds one decision for it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row
from sqlalchemy.orm import Session

from lawful.core.gate import Gate
from lawful.core.policy.types import Actor, Reason
from lawful.engagement import repository, texts
from lawful.engagement.preferences import Event
from lawful.engagement.schemas import DEFAULT_REMINDER_DAYS, MAX_REMINDER_DAYS

TOPIC = "card-balance-reminder"
PURPOSE = "customer-notifications"
ROLE = "reminder-service"
KEY_PREFIX = f"{TOPIC}:statement:"
CATEGORIES = (
    "user.financial.credit_card",
    "user.financial.card_statement",
    "user.privacy_preferences.notification_settings",
)
LOCAL = ZoneInfo("Europe/Brussels")
# The gate's reasons, as the job's summary counts them.
_PREFERENCE = {Reason.PREFERENCE_OFF.value}
_OBJECTION = {
    Reason.DM_OBJECTION.value,
    Reason.OBJECTION_PENDING.value,
    Reason.OBJECTION_UPHELD.value,
}


@dataclass
class Outcome:
    eligible: int = 0
    sent: int = 0  # decided and put in the outbox
    by_preference: int = 0
    by_objection: int = 0
    by_quiet_hours: int = 0  # deferred to a later run
    refused: int = 0  # refused by the policy for another reason (no relationship, erased…)
    already: int = 0  # decided meanwhile by another run
    purged: int = 0  # older than the purpose's retention, deleted
    channels: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, other: Outcome) -> None:
        for name in ("eligible", "sent", "by_preference", "by_objection", "by_quiet_hours"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.refused += other.refused
        self.already += other.already
        self.purged += other.purged
        for channel, count in other.channels.items():
            self.channels[channel] += count


def due(
    session: Session, *, day: dt.date, statements: tuple[int, int] | None = None
) -> list[Row[Any]]:
    """Statements a reminder is due for on `day` and not decided yet (one SQL statement); with
    `statements`, only those with an id in that range (a batch of the job queue).

    No gate here: which statements fall due is the job's own work list, like the policy's facts;
    `remind` asks the gate for every person before anything is written or sent."""
    return repository.reminders_due(
        session,
        day=day,
        statements=statements,
        topic=TOPIC,
        key_prefix=KEY_PREFIX,
        default_days=DEFAULT_REMINDER_DAYS,
        max_days=MAX_REMINDER_DAYS,
    )


def due_in_batches(session: Session, *, day: dt.date, size: int) -> Iterator[Sequence[Row[Any]]]:
    """`due`, its rows handed over `size` at a time from one statement."""
    return repository.reminders_due_in_batches(
        session,
        size=size,
        day=day,
        topic=TOPIC,
        key_prefix=KEY_PREFIX,
        default_days=DEFAULT_REMINDER_DAYS,
        max_days=MAX_REMINDER_DAYS,
    )


def purge(session: Session, *, gate: Gate, now: dt.datetime) -> int:
    """Delete the reminders older than the purpose's retention (the register's, counted from the
    message); how many. Set-based: one DELETE."""
    kept = gate.register.purpose(PURPOSE).retention.duration.total_days()
    return repository.delete_older(session, topic=TOPIC, before=now - dt.timedelta(days=kept))


def quiet(row: Row[Any], now: dt.datetime) -> bool:
    """Whether `now` falls in the person's quiet hours (local time; they may span midnight)."""
    return quiet_between(row.quiet_start, row.quiet_end, now)


def quiet_between(start: dt.time | None, end: dt.time | None, now: dt.datetime) -> bool:
    """Whether `now` falls between `start` and `end`, local time (the span may cross midnight)."""
    if start is None or end is None:
        return False
    local = now.astimezone(LOCAL).time().replace(tzinfo=None)
    inside: bool = start <= local < end if start < end else (local >= start or local < end)
    return inside


def remind(
    session: Session, *, gate: Gate, rows: Sequence[Row[Any]], now: dt.datetime, day: dt.date
) -> Outcome:
    """Decide one batch of due statements; the caller commits (or the batch is undone whole)."""
    outcome = Outcome(eligible=len(rows))
    ready = [r for r in rows if not quiet(r, now)]
    outcome.by_quiet_hours = len(rows) - len(ready)
    # Claim the batch's statements first: a placeholder per statement under its unique key.
    # A run that claimed a statement already (or is claiming it now: the insert waits for it)
    # keeps it, and this run asks nothing and writes nothing for it.
    owned = set(repository.insert_notifications(session, [_claim(r, now) for r in ready]))
    mine = [r for r in ready if _key(r) in owned]
    outcome.already = len(ready) - len(mine)
    by_entity: dict[str, list[Row[Any]]] = defaultdict(list)
    for row in mine:
        by_entity[row.entity].append(row)
    settled: list[dict[str, Any]] = []
    defaults = gate.register.topic(TOPIC).default_channels
    first = defaults[0].value if defaults else None
    for entity, batch in by_entity.items():
        persons = list(dict.fromkeys(r.person_id for r in batch))
        details: dict[str, dict[str, Any]] = defaultdict(lambda: {"statements": []})
        for r in batch:
            details[r.person_id]["statements"].append(r.statement_id)
            details[r.person_id]["channel"] = _channel(r, first)
        ctx = gate.open(session, actor=Actor(ROLE, entity), purpose=PURPOSE)
        decided = ctx.access_many(
            persons,
            categories=CATEGORIES,
            event=Event.CARD_REMINDER_SEND.value,
            details=details,
            as_of=day,
        )
        for r in batch:
            refused = decided.denied.get(r.person_id)
            settled.append(_row(r, _channel(r, first), refused, now))
    repository.settle_notifications(session, settled)
    for item in settled:
        if item["status"] != "suppressed":
            outcome.sent += 1
            outcome.channels[item["channel"]] += 1
        elif item["reason"] in _PREFERENCE:
            outcome.by_preference += 1
        elif set(item["reason"].split(",")) & _OBJECTION:
            outcome.by_objection += 1
        else:
            outcome.refused += 1
    return outcome


def _key(row: Row[Any]) -> str:
    return f"{KEY_PREFIX}{row.statement_id}"


def _claim(row: Row[Any], now: dt.datetime) -> dict[str, Any]:
    """The statement's row before anything is decided: no text, nothing to send."""
    return {
        "person_id": row.person_id,
        "topic": TOPIC,
        "idempotency_key": _key(row),
        "channel": None,
        "language": texts.language_of(row.chosen_language, row.file_language),
        "title": "",
        "body": "",
        "status": "deciding",
        "reason": None,
        "attempts": 0,
        "created_at": now,
        "delivered_at": None,
    }


def _channel(row: Row[Any], default: str | None) -> str | None:
    """The first channel the person keeps on for the topic (the register's defaults if they never
    chose); None when they switched the topic off."""
    if row.channels is None:
        return default
    chosen = repository.split(row.channels)
    return chosen[0] if chosen else None


def _row(
    row: Row[Any], channel: str | None, refused: tuple[str, ...] | None, now: dt.datetime
) -> dict[str, Any]:
    language = texts.language_of(row.chosen_language, row.file_language)
    base = {"idempotency_key": _key(row), "language": language}
    if refused is None and channel is None:
        refused = (Reason.PREFERENCE_OFF.value,)  # the topic has no channel left
    if refused is not None:
        # Nothing was read for the message: no text is kept for what was never sent.
        return {
            **base,
            "channel": None,
            "title": "",
            "body": "",
            "status": "suppressed",
            "reason": ",".join(refused),
            "delivered_at": None,
        }
    message = texts.card_reminder(
        language, last_digits=row.last_digits, balance_cents=row.balance_cents, due=row.due_date
    )
    in_app = channel == "in_app"
    return {
        **base,
        "channel": channel,
        "title": message.title,
        "body": message.body,
        # In the app's inbox at once; other channels wait for the dispatcher.
        "status": "kept" if in_app else "pending",
        "reason": None,
        "delivered_at": now if in_app else None,
    }

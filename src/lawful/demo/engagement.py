"""The demo world's notification life: statements falling due, and people's choices about them.

Every card gets a statement of the current cycle, most of them unpaid and due within days of the
world's day, so that `lawful jobs run card-reminders --date <the world's day>` has work; some
people switched card reminders off, keep quiet hours, want them earlier, in another language or by
SMS. A separate random stream keeps every other row of the world as it was.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from lawful.core.policy.types import Actor

if TYPE_CHECKING:
    from lawful.demo.world import Rows

TOPIC = "card-balance-reminder"
SWITCH = "card_reminders"
CHANGE = "engagement.notification_preferences.change"
SETTINGS_DATA = ("user.privacy_preferences.notification_settings",)


def add(rows: Rows, *, today: dt.date, seed: int, now: dt.datetime) -> None:
    rng = random.Random(seed + 7)
    showcase = set(rows.reuse_candidates)
    for card in rows.cards:
        person = card["person_id"]
        # The customers whose tokens the demo prints all have a reminder waiting.
        soon = person in showcase or rng.random() < 0.6
        due = today + dt.timedelta(days=rng.choice((1, 2, 3)) if soon else rng.choice((5, 9)))
        balance = rng.randrange(2_000, card["credit_limit_cents"])
        rows.statements.append(
            {
                "card_id": card["id"],
                "person_id": person,
                "period_end": due - dt.timedelta(days=20),
                "balance_cents": balance,
                "minimum_due_cents": balance // 20,
                "due_date": due,
                "paid_on": None if soon or rng.random() < 0.5 else today,
            }
        )
        if person in showcase:
            continue
        _choose(rows, person, rng, now)


def _choose(rows: Rows, person: str, rng: random.Random, now: dt.datetime) -> None:
    roll = rng.random()
    settings: dict[str, Any] = {}
    if roll < 0.10:  # switched card reminders off in the app
        rows.notification_choices.append(_choice(person, "", now))
        rows.preferences.append(
            {"person_id": person, "key": SWITCH, "enabled": False, "changed_at": now}
        )
    elif roll < 0.20:
        settings = {"quiet_start": dt.time(22, 0), "quiet_end": dt.time(7, 0)}
    elif roll < 0.28:
        settings = {"reminder_days": 5}
    elif roll < 0.33:
        settings = {"language": "en"}
    elif roll < 0.40:
        rows.notification_choices.append(_choice(person, "sms,in_app", now))
    else:
        return
    if settings:
        rows.notification_settings.append(
            {
                "person_id": person,
                "language": None,
                "quiet_start": None,
                "quiet_end": None,
                "reminder_days": None,
                **settings,
                "changed_at": now,
            }
        )
    rows.activity[
        (Actor("self-service", "kbc-bank"), "customer-contract", SETTINGS_DATA, CHANGE, None)
    ].append(person)


def _choice(person: str, channels: str, now: dt.datetime) -> dict[str, Any]:
    return {"person_id": person, "topic": TOPIC, "channels": channels, "changed_at": now}

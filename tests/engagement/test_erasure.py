"""Erasing a person (Art. 17) erases their messages and notification preferences with the file."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.engagement import service as engagement
from lawful.engagement.schemas import PreferencesUpdate
from lawful.flows import erasure
from lawful.rights import service as rights

from .conftest import SELF, TODAY, card_holder

DPO = Actor("dpo", "kbc-bank")
NOW = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=dt.UTC)


def _left(session: Session, person_id: str) -> dict[str, int]:
    return {
        table: session.execute(
            sa.text(f"SELECT count(*) FROM {table} WHERE person_id = :p"), {"p": person_id}
        ).scalar_one()
        for table in ("notification", "notification_choice", "notification_settings")
    }


def test_erasure_takes_the_messages_and_the_preferences_along(session: Session, gate: Gate) -> None:
    person, _ = card_holder(session, gate, due=TODAY + dt.timedelta(days=1))
    other, _ = card_holder(session, gate, due=TODAY + dt.timedelta(days=1))
    engagement.set_preferences(
        session,
        gate=gate,
        actor=SELF,
        person_id=person,
        changes=PreferencesUpdate.model_validate(
            {"language": "en", "topics": {"card-balance-reminder": ["in_app"]}}
        ),
        today=TODAY,
    )
    due = [
        r for r in engagement.reminders_due(session, day=TODAY) if r.person_id in (person, other)
    ]
    engagement.remind(session, gate=gate, rows=due, now=NOW, day=TODAY)
    assert _left(session, person) == {
        "notification": 1,
        "notification_choice": 1,
        "notification_settings": 1,
    }
    request = rights.submit_request(
        session,
        gate=gate,
        actor=DPO,
        person_id=person,
        type="erasure",
        channel="staff",
        registered_by="dpo-1",
        today=TODAY,
    )
    erasure.erase(
        session, gate=gate, actor=DPO, person_id=person, today=TODAY, request_id=request.id
    )
    assert set(_left(session, person).values()) == {0}
    assert _left(session, other)["notification"] == 1  # nobody else's

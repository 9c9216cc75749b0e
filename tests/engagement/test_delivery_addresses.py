"""An e-mail or SMS goes to the person's own address, read through the gate when the outbox hands
the message over: recorded in the ledger under the message's purpose, refused for a person who
objects, and never guessed for one without an address."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.core.errors import ConfigurationError
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.customers import service as customers
from lawful.customers.schemas import PersonUpdate
from lawful.engagement import service as engagement
from lawful.engagement.delivery import DELIVER
from lawful.engagement.schemas import PreferencesUpdate
from lawful.rights import service as rights

from .conftest import ADVISOR, SELF, TODAY, card_holder

NOW = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=dt.UTC)


@dataclass
class Recorder:
    """A channel service that takes every message and remembers where it was told to send it."""

    channels: tuple[str, ...] = ("email", "sms")
    sent: list[tuple[str, str | None, str]] = field(default_factory=list)

    def handles(self, channel: str) -> bool:
        return channel in self.channels

    def send(self, channel: str, *, title: str, body: str, to: str | None = None) -> bool:
        self.sent.append((channel, to, title))
        return True


def _pending(session: Session, gate: Gate, channel: str) -> str:
    person, _ = card_holder(session, gate, due=TODAY + dt.timedelta(days=2))
    engagement.set_preferences(
        session,
        gate=gate,
        actor=SELF,
        person_id=person,
        changes=PreferencesUpdate.model_validate({"topics": {"card-balance-reminder": [channel]}}),
        today=TODAY,
    )
    rows = [r for r in engagement.reminders_due(session, day=TODAY) if r.person_id == person]
    engagement.remind(session, gate=gate, rows=rows, now=NOW, day=TODAY)
    return person


def _outcome(session: Session, person: str) -> tuple[str, str | None]:
    row = session.execute(
        sa.text("SELECT status, reason FROM notification WHERE person_id = :p"), {"p": person}
    ).one()
    return row.status, row.reason


def test_the_address_is_read_through_the_gate_and_the_message_goes_there(
    session: Session, gate: Gate
) -> None:
    by_mail, by_sms = _pending(session, gate, "email"), _pending(session, gate, "sms")
    sender = Recorder()
    done = engagement.dispatch(session, sender=sender, gate=gate)
    assert done.sent >= 2
    mine = {to: channel for channel, to, _ in sender.sent}
    file = {
        p: customers.get_person(session, gate=gate, actor=ADVISOR, person_id=p, reason="check")
        for p in (by_mail, by_sms)
    }
    assert mine[file[by_mail].email] == "email"
    assert mine[file[by_sms].phone] == "sms"
    assert _outcome(session, by_mail) == ("sent", None)
    records = ledger.for_subject(session, keys=gate.keys, subject_id=by_mail)
    [read] = [r for r in records if r.event == DELIVER]
    assert (read.purpose, read.actor, read.decision) == (
        "customer-notifications",
        "mailing-platform",
        "allow",
    )
    assert read.data_categories == ("user.contact.email",)


def test_an_objecting_person_is_sent_nothing_and_one_without_address_is_not_reached(
    session: Session, gate: Gate
) -> None:
    objecting, no_mail = _pending(session, gate, "email"), _pending(session, gate, "email")
    rights.object(
        session,
        gate=gate,
        actor=SELF,
        person_id=objecting,
        purpose="customer-notifications",
        grounds="Please stop writing to my mailbox.",
        channel="api",
        registered_by="customer",
        today=TODAY,
    )
    customers.rectify(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=no_mail,
        changes=PersonUpdate(email=None),
        reason="the mailbox was closed",
        changed_by="advisor:1",
    )
    sender = Recorder()
    engagement.dispatch(session, sender=sender, gate=gate)
    assert _outcome(session, objecting) == ("suppressed", "objection_pending")
    assert _outcome(session, no_mail) == ("failed", "no_address")
    assert all(to is not None for _, to, _ in sender.sent)


def test_without_the_gate_no_address_is_read(session: Session, gate: Gate) -> None:
    _pending(session, gate, "email")
    with pytest.raises(ConfigurationError):
        engagement.dispatch(session, sender=Recorder())

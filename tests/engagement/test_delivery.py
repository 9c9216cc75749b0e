"""The outbox: without a channel service a message stays in the app; with one (any URL apprise
knows) it is handed over, and a service that fails is retried, then given up."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.core.gate import Gate
from lawful.engagement import service as engagement
from lawful.engagement.delivery import MAX_ATTEMPTS
from lawful.engagement.schemas import PreferencesUpdate

from .conftest import SELF, TODAY, card_holder

NOW = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=dt.UTC)


class Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []
    status = 200

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[Receiver]]]:
    handler = type("Handler", (Receiver,), {"received": [], "status": 200})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"json://127.0.0.1:{server.server_port}/push", handler
    finally:
        server.shutdown()
        server.server_close()


def _pending_reminder(session: Session, gate: Gate, channel: str) -> str:
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


def _status(session: Session, person: str) -> tuple[str, int]:
    row = session.execute(
        sa.text("SELECT status, attempts FROM notification WHERE person_id = :p"), {"p": person}
    ).one()
    return row.status, row.attempts


def test_without_a_channel_service_the_message_is_kept_in_the_app(
    session: Session, gate: Gate
) -> None:
    person = _pending_reminder(session, gate, "sms")
    assert _status(session, person) == ("pending", 0)
    done = engagement.dispatch(session, sender=None)
    assert done.kept >= 1
    assert _status(session, person)[0] == "kept"
    inbox = engagement.notifications(session, gate=gate, actor=SELF, person_id=person, today=TODAY)
    assert [m.channel for m in inbox] == ["sms"]
    assert inbox[0].title == "Herinnering: saldo van uw kredietkaart"


def test_a_configured_channel_receives_the_message_through_apprise(
    session: Session, gate: Gate, receiver: tuple[str, type[Receiver]]
) -> None:
    url, handler = receiver
    person = _pending_reminder(session, gate, "push")
    done = engagement.dispatch(session, sender=engagement.AppriseSender({"push": url}))
    assert done.sent >= 1
    assert _status(session, person) == ("sent", 1)
    assert any(
        m["title"] == "Herinnering: saldo van uw kredietkaart" and "4821" in m["message"]
        for m in handler.received
    ), handler.received


def test_a_failing_channel_is_retried_then_given_up(
    session: Session, gate: Gate, receiver: tuple[str, type[Receiver]]
) -> None:
    url, handler = receiver
    handler.status = 500
    person = _pending_reminder(session, gate, "push")
    sender = engagement.AppriseSender({"push": url})
    for attempt in range(1, MAX_ATTEMPTS):
        engagement.dispatch(session, sender=sender)
        assert _status(session, person) == ("pending", attempt)
    engagement.dispatch(session, sender=sender)
    assert _status(session, person) == ("failed", MAX_ATTEMPTS)

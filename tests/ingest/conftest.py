"""An installation of its own (ledger rows can never be deleted), with people on file made
through the customer service, as staff would open their files."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from tests.customers.factories import People

from lawful.config import Settings
from lawful.core.gate import unit_of_work
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.core.runtime import Runtime
from lawful.customers import service as customers
from lawful.entrypoints import bootstrap

SYSTEM = "card-processor"
ENTITY = "kbc-bank"
WHEN = "2026-11-30T09:15:00Z"
CARD = ["user.financial.card_statement"]


@dataclass
class Installation:
    url: str
    settings: Settings
    runtime: Runtime
    people: People = field(default_factory=People)

    def person(self) -> str:
        """A new client of the bank; its id."""
        with unit_of_work(self.runtime.engine) as session:
            person = customers.create_person(
                session,
                gate=self.runtime.gate,
                actor=Actor("advisor", ENTITY),
                data=self.people.person(),
                entity_state="client",
                today=dt.date.today(),
            )
        return person.id

    def pending(self) -> int:
        with unit_of_work(self.runtime.engine) as session:
            return ledger.counts(session).total


def event(key: str, subject: str, **fields: Any) -> dict[str, Any]:
    """A valid event of the card processor about `subject`."""
    return {
        "key": key,
        "event": "cards.statement.sent",
        "purpose": "customer-notifications",
        "categories": CARD,
        "subject": subject,
        "occurred_at": WHEN,
        "details": {"statement": key, "balance_cents": 12_500},
    } | fields


def jsonl(*events: dict[str, Any]) -> list[bytes]:
    return [json.dumps(e).encode() + b"\n" for e in events]


OwnDatabase = Callable[[str], AbstractContextManager[str]]


@pytest.fixture(scope="module")
def installation(database_of_its_own: OwnDatabase, lawful_home: Path) -> Iterator[Installation]:
    with database_of_its_own("ingest") as url:
        settings = Settings(database_url=url, home=lawful_home)
        bootstrap.init(settings)
        runtime = bootstrap.open_runtime(settings)
        try:
            yield Installation(url, settings, runtime)
        finally:
            runtime.engine.dispose()

"""`lawful jobs run card-reminders` killed with SIGKILL midway, then run twice at once: every
statement due gets exactly one message, and the ledger one decision per customer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from sqlalchemy.orm import Session
from tests.entrypoints.killing import PEOPLE, add_clients, job_database

from lawful.core.db import session_scope
from lawful.customers import service as customers

DAY = dt.date(2026, 11, 25)
JOB = [
    "jobs", "run", "card-reminders",
    "--date", DAY.isoformat(), "--time", "10:00", "--batch", "25", "--no-dispatch",
]  # fmt: skip


def card_holders(session: Session) -> None:
    """PEOPLE clients of KBC Bank, each with a card and an unpaid statement due in two days."""
    ids = add_clients(session)
    customers.bulk_insert(
        session,
        cards=[
            {
                "id": i,
                "person_id": p,
                "entity": "kbc-bank",
                "account_id": None,
                "last_digits": "4821",
                "credit_limit_cents": 250_000,
                "opened_on": dt.date(2020, 1, 1),
                "closed_on": None,
            }
            for i, p in enumerate(ids, start=1)
        ],
        statements=[
            {
                "card_id": i,
                "person_id": p,
                "period_end": DAY - dt.timedelta(days=18),
                "balance_cents": 10_000 + i,
                "minimum_due_cents": 500,
                "due_date": DAY + dt.timedelta(days=2),
                "paid_on": None,
            }
            for i, p in enumerate(ids, start=1)
        ],
    )


def test_killed_then_run_twice_at_once_every_statement_is_decided_once(
    database_of_its_own: Callable[[str], AbstractContextManager[str]], lawful_home: Path
) -> None:
    with job_database(database_of_its_own, lawful_home, "remind-kill") as run:
        with session_scope(run.engine) as session:
            card_holders(session)
        run.kill_midway_then_run_twice(
            JOB,
            decided="SELECT count(*) FROM notification",
        )
        per_key = run.messages_per_key()
        assert len(per_key) == PEOPLE and set(per_key) == {1}
        # The killed batch's decisions were undone with it: one on record per customer.
        sent = run.recorded("engagement.card_reminder.send")
        assert set(sent.values()) == {1}, sent

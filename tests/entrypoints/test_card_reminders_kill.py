"""`lawful jobs run card-reminders` killed with SIGKILL midway, then run twice at once: every
statement due gets exactly one message, and the ledger one decision per customer."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import sqlalchemy as sa

from lawful.config import Settings
from lawful.core.db import session_scope, utcnow
from lawful.core.ledger import service as ledger
from lawful.customers import service as customers
from lawful.entrypoints import bootstrap

PEOPLE = 600
DAY = dt.date(2026, 11, 25)
LAWFUL = [sys.executable, "-c", "from lawful.entrypoints.cli import main; main()"]


def _world(engine: sa.Engine) -> None:
    """Card holders with one unpaid statement each, due in two days (bulk: no service per row)."""
    now = utcnow()
    ids = [f"{i:032x}" for i in range(1, PEOPLE + 1)]
    with session_scope(engine) as session:
        customers.bulk_insert(
            session,
            persons=[
                {"id": p, "brand": "kbc", "language": "nl", "created_at": now, "erased_at": None}
                for p in ids
            ],
            relationships=[
                {
                    "person_id": p,
                    "entity": "kbc-bank",
                    "state": "client",
                    "since": dt.date(2020, 1, 1),
                    "until": None,
                }
                for p in ids
            ],
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


def _decided(engine: sa.Engine) -> int:
    with session_scope(engine, read_only=True) as session:
        return int(session.execute(sa.text("SELECT count(*) FROM notification")).scalar_one())


def test_killed_then_run_twice_at_once_every_statement_is_decided_once(
    database_of_its_own: Callable[[str], AbstractContextManager[str]], lawful_home: Path
) -> None:
    with database_of_its_own("remind-kill") as url:
        settings = Settings(database_url=url, home=lawful_home)
        bootstrap.init(settings)
        rt = bootstrap.open_runtime(settings)
        engine = rt.engine
        try:
            _world(engine)
            env = {**os.environ, "LAWFUL_DATABASE_URL": url, "LAWFUL_HOME": str(lawful_home)}
            run = [
                *LAWFUL,
                "jobs", "run", "card-reminders",
                "--date", DAY.isoformat(), "--time", "10:00", "--batch", "25", "--no-dispatch",
            ]  # fmt: skip
            worker = subprocess.Popen(run, env=env, stderr=subprocess.PIPE)
            deadline = time.monotonic() + 120
            while _decided(engine) < PEOPLE // 4 and time.monotonic() < deadline:
                assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
                time.sleep(0.01)
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
            left_behind = _decided(engine)
            assert 0 < left_behind < PEOPLE, "killed midway"
            # The rest, by two runs at once.
            both = [subprocess.Popen(run, env=env, stdout=subprocess.PIPE) for _ in range(2)]
            for process in both:
                out, _ = process.communicate(timeout=300)
                assert process.returncode == 0, out
            with session_scope(engine, read_only=True) as session:
                keys = session.execute(
                    sa.text(
                        "SELECT idempotency_key, count(*) FROM notification "
                        "GROUP BY idempotency_key"
                    )
                ).all()
                # The killed batch's decisions were undone with it: one on record per customer.
                for person in (f"{i:032x}" for i in range(1, PEOPLE + 1, 7)):
                    events = ledger.for_subject(session, keys=rt.keys, subject_id=person)
                    sent = [e for e in events if e.event == "engagement.card_reminder.send"]
                    assert len(sent) == 1, person
            assert len(keys) == PEOPLE and {n for _, n in keys} == {1}
        finally:
            engine.dispose()

"""`lawful jobs run simulation-follow-ups` killed with SIGKILL midway, then run twice at once:
every abandoned simulation gets exactly one follow-up, and the ledger one decision per person."""

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
from lawful.simulations import service as simulations

PEOPLE = 600
AT = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
LAWFUL = [sys.executable, "-c", "from lawful.entrypoints.cli import main; main()"]


def _world(engine: sa.Engine) -> None:
    """Bank clients, each with a loan simulation abandoned two days before (bulk)."""
    now = utcnow()
    left = AT - dt.timedelta(days=2)
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
        )
        simulations.bulk_insert(
            session,
            simulations=[
                {
                    "id": i,
                    "person_id": p,
                    "entity": "kbc-bank",
                    "product": "loan",
                    "channel": "app",
                    "language": "nl",
                    "status": "abandoned",
                    "contact_me": i % 10 == 0,
                    "contact_email": None,
                    "contact_phone": None,
                    "started_at": left,
                    "last_activity_at": left,
                    "ended_at": left,
                }
                for i, p in enumerate(ids, start=1)
            ],
        )


def _decided(engine: sa.Engine) -> int:
    with session_scope(engine, read_only=True) as session:
        query = sa.text("SELECT count(*) FROM simulation_follow_up WHERE kind <> 'deciding'")
        return int(session.execute(query).scalar_one())


def test_killed_then_run_twice_at_once_every_simulation_is_followed_up_once(
    database_of_its_own: Callable[[str], AbstractContextManager[str]], lawful_home: Path
) -> None:
    with database_of_its_own("follow-up-kill") as url:
        settings = Settings(database_url=url, home=lawful_home)
        bootstrap.init(settings)
        rt = bootstrap.open_runtime(settings)
        engine = rt.engine
        try:
            _world(engine)
            env = {**os.environ, "LAWFUL_DATABASE_URL": url, "LAWFUL_HOME": str(lawful_home)}
            run = [
                *LAWFUL,
                "jobs", "run", "simulation-follow-ups",
                "--at", AT.isoformat(), "--batch", "25", "--no-dispatch",
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
            both = [subprocess.Popen(run, env=env, stdout=subprocess.PIPE) for _ in range(2)]
            for process in both:
                out, _ = process.communicate(timeout=300)
                assert process.returncode == 0, out
            with session_scope(engine, read_only=True) as session:
                kinds = dict(
                    session.execute(
                        sa.text("SELECT kind, count(*) FROM simulation_follow_up GROUP BY kind")
                    ).all()
                )
                keys = session.execute(
                    sa.text(
                        "SELECT idempotency_key, count(*) FROM notification "
                        "GROUP BY idempotency_key"
                    )
                ).all()
                for person in (f"{i:032x}" for i in range(1, PEOPLE + 1, 7)):
                    events = ledger.for_subject(session, keys=rt.keys, subject_id=person)
                    decided = [e for e in events if e.event == simulations.Event.FOLLOW_UP.value]
                    assert len(decided) == 1, person
            assert kinds == {"message": PEOPLE - PEOPLE // 10, "task": PEOPLE // 10}
            assert len(keys) == PEOPLE - PEOPLE // 10 and {n for _, n in keys} == {1}
        finally:
            engine.dispose()

"""`lawful jobs run simulation-follow-ups` killed with SIGKILL midway, then run twice at once:
every abandoned simulation gets exactly one follow-up, and the ledger one decision per person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from tests.entrypoints.killing import PEOPLE, add_clients, job_database

from lawful.core.db import session_scope
from lawful.simulations import service as simulations

AT = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
JOB = [
    "jobs", "run", "simulation-follow-ups",
    "--at", AT.isoformat(), "--batch", "25", "--no-dispatch",
]  # fmt: skip


def test_killed_then_run_twice_at_once_every_simulation_is_followed_up_once(
    database_of_its_own: Callable[[str], AbstractContextManager[str]], lawful_home: Path
) -> None:
    with job_database(database_of_its_own, lawful_home, "follow-up-kill") as run:
        left = AT - dt.timedelta(days=2)
        with session_scope(run.engine) as session:
            ids = add_clients(session)
            # A loan simulation each, abandoned two days before; one in ten asked to be called.
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
        run.kill_midway_then_run_twice(
            JOB,
            decided="SELECT count(*) FROM simulation_follow_up WHERE kind <> 'deciding'",
        )
        assert run.count("SELECT count(*) FROM simulation_follow_up WHERE kind = 'message'") == (
            PEOPLE - PEOPLE // 10
        )
        assert run.count("SELECT count(*) FROM simulation_follow_up WHERE kind = 'task'") == (
            PEOPLE // 10
        )
        assert run.count("SELECT count(*) FROM simulation_follow_up") == PEOPLE
        per_key = run.messages_per_key()
        assert len(per_key) == PEOPLE - PEOPLE // 10 and set(per_key) == {1}
        decided = run.recorded(simulations.Event.FOLLOW_UP.value)
        assert set(decided.values()) == {1}, decided

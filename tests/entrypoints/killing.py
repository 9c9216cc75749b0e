"""What the SIGKILL tests of the batch jobs share: a database with bank clients of their own, a
job killed with SIGKILL once it has decided part of the work, then run twice at once."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.config import Settings
from lawful.core.db import session_scope, utcnow
from lawful.core.ledger import service as ledger
from lawful.core.runtime import Runtime
from lawful.customers import service as customers
from lawful.entrypoints import bootstrap

PEOPLE = 600
LAWFUL = [sys.executable, "-c", "from lawful.entrypoints.cli import main; main()"]


def people() -> list[str]:
    return [f"{i:032x}" for i in range(1, PEOPLE + 1)]


def add_clients(session: Session) -> list[str]:
    """PEOPLE clients of KBC Bank (bulk: no service per row); their ids, in order."""
    now = utcnow()
    ids = people()
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
    return ids


@dataclass
class Run:
    """A database of its own, initialised, with the environment the job's command line needs."""

    rt: Runtime
    env: dict[str, str]

    @property
    def engine(self) -> sa.Engine:
        return self.rt.engine

    def count(self, sql: str) -> int:
        with session_scope(self.engine, read_only=True) as session:
            return int(session.execute(sa.text(sql)).scalar_one())

    def kill_midway_then_run_twice(self, command: list[str], decided: str) -> None:
        """Start `lawful <command>`, SIGKILL it once `decided` (a count query) has reached a
        quarter of PEOPLE, check it stopped midway, then run it twice at once to the end."""
        run = [*LAWFUL, *command]
        worker = subprocess.Popen(run, env=self.env, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while self.count(decided) < PEOPLE // 4 and time.monotonic() < deadline:
            assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
            time.sleep(0.01)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        assert 0 < self.count(decided) < PEOPLE, "killed midway"
        both = [subprocess.Popen(run, env=self.env, stdout=subprocess.PIPE) for _ in range(2)]
        for process in both:
            out, _ = process.communicate(timeout=300)
            assert process.returncode == 0, out

    def messages_per_key(self) -> list[int]:
        """How many notifications each idempotency key has."""
        with session_scope(self.engine, read_only=True) as session:
            query = sa.text("SELECT count(*) FROM notification GROUP BY idempotency_key")
            return [int(n) for n in session.execute(query).scalars()]

    def recorded(self, event: str, every: int = 7) -> dict[str, int]:
        """For every `every`-th person, how many `event`s their ledger holds."""
        with session_scope(self.engine, read_only=True) as session:
            return {
                person: sum(
                    1
                    for e in ledger.for_subject(session, keys=self.rt.keys, subject_id=person)
                    if e.event == event
                )
                for person in people()[::every]
            }


@contextmanager
def job_database(
    database_of_its_own: Callable[[str], AbstractContextManager[str]],
    lawful_home: Path,
    name: str,
) -> Iterator[Run]:
    with database_of_its_own(name) as url:
        settings = Settings(database_url=url, home=lawful_home)
        bootstrap.init(settings)
        rt = bootstrap.open_runtime(settings)
        try:
            env = {**os.environ, "LAWFUL_DATABASE_URL": url, "LAWFUL_HOME": str(lawful_home)}
            yield Run(rt, env)
        finally:
            rt.engine.dispose()

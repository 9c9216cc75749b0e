"""The job queue on PostgreSQL (procrastinate): `lawful jobs run card-reminders --queue` queues a
job per batch, two `lawful jobs worker` share them, a worker killed mid-job has its job run again
by the next one — and every statement due gets exactly one message, the ledger one decision per
customer. On SQLite the queue is refused with a clear message."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from tests.entrypoints.killing import LAWFUL, PEOPLE
from tests.entrypoints.test_card_reminders_kill import DAY, card_holders

from lawful.config import Settings
from lawful.core.db import session_scope
from lawful.core.ledger import service as ledger
from lawful.core.runtime import Runtime
from lawful.entrypoints import bootstrap, jobqueue

REMIND = [*LAWFUL, "jobs", "run", "card-reminders", "--date", DAY.isoformat(), "--time", "10:00"]
WORKER = [*LAWFUL, "jobs", "worker", "--no-wait"]


@dataclass
class Queue:
    rt: Runtime
    url: str
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args), env=self.env, capture_output=True, text=True, timeout=timeout
        )


@pytest.fixture
def queue(
    database_url: str,
    database_of_its_own: Callable[[str], AbstractContextManager[str]],
    lawful_home: Path,
) -> Iterator[Queue]:
    if not jobqueue.is_postgresql(database_url):
        pytest.skip("the job queue needs PostgreSQL")
    with database_of_its_own("queue") as url:
        settings = Settings(database_url=url, home=lawful_home)
        bootstrap.init(settings)  # applies procrastinate's schema too, in the run's schema
        rt = bootstrap.open_runtime(settings)
        try:
            with session_scope(rt.engine) as session:
                card_holders(session)
            env = {**os.environ, "LAWFUL_DATABASE_URL": url, "LAWFUL_HOME": str(lawful_home)}
            yield Queue(rt, url, env)
        finally:
            rt.engine.dispose()


def _each_statement_once(q: Queue) -> None:
    with session_scope(q.rt.engine, read_only=True) as session:
        keys = session.execute(
            sa.text("SELECT idempotency_key, count(*) FROM notification GROUP BY idempotency_key")
        ).all()
        assert len(keys) == PEOPLE and {n for _, n in keys} == {1}
        for person in (f"{i:032x}" for i in range(1, PEOPLE + 1, 7)):
            events = ledger.for_subject(session, keys=q.rt.keys, subject_id=person)
            sent = [e for e in events if e.event == "engagement.card_reminder.send"]
            assert len(sent) == 1, person


def test_the_schema_lives_in_lawfuls_own_schema(queue: Queue) -> None:
    with session_scope(queue.rt.engine, read_only=True) as session:
        here = session.execute(sa.text("SELECT current_schema()")).scalar_one()
        found = session.execute(
            sa.text("SELECT table_schema FROM information_schema.tables WHERE table_name = :t"),
            {"t": "procrastinate_jobs"},
        ).scalar_one()
    assert found == here != "public"
    assert jobqueue.apply_schema(queue.url) is False  # already there: nothing done twice


def test_two_workers_share_the_batches_and_each_statement_is_decided_once(queue: Queue) -> None:
    queued = queue.run(*REMIND, "--batch", "25", "--queue")
    assert queued.returncode == 0, queued.stderr
    assert f"{PEOPLE} statements due queued in {PEOPLE // 25} jobs" in queued.stdout
    again = queue.run(*REMIND, "--batch", "25", "--queue")
    assert again.returncode == 0, again.stderr
    assert f"0 jobs for `lawful jobs worker` ({PEOPLE // 25} batches still" in again.stdout
    assert jobqueue.waiting_jobs(queue.url) == {"todo": PEOPLE // 25}
    workers = [
        subprocess.Popen(
            [*WORKER, "--concurrency", "2"],
            env=queue.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    done = 0
    for process in workers:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        # The first to stop may still see the other's last job in progress: the queue is
        # checked empty once both have stopped.
        assert "queue: " in out
        done += int(re.search(r"worker stopped: (\d+) jobs done", out)[1])  # type: ignore[index]
    # Every batch once, and the outbox job each batch queued for its push messages, once.
    assert done == 2 * PEOPLE // 25
    _each_statement_once(queue)
    assert jobqueue.waiting_jobs(queue.url) == {}
    # Each batch queued its push messages for the outbox, which the workers dispatched too (no
    # push service is configured here: they are kept in the app's inbox).
    assert _statuses(queue) == {"kept": PEOPLE}


def _statuses(q: Queue) -> dict[str, int]:
    with session_scope(q.rt.engine, read_only=True) as session:
        rows = session.execute(sa.text("SELECT status, count(*) FROM notification GROUP BY 1"))
        return {status: int(n) for status, n in rows}


def _doing(url: str) -> int:
    return jobqueue.waiting_jobs(url).get("doing", 0)


def test_a_worker_killed_mid_job_has_its_job_run_again_without_sending_twice(
    queue: Queue,
) -> None:
    queued = queue.run(*REMIND, "--batch", "100", "--no-dispatch", "--queue")
    assert queued.returncode == 0, queued.stderr
    # The ledger is held: the worker claims its batch's statements, then waits to record the
    # gate's decisions — mid-job, with half its work written and nothing committed.
    with psycopg.connect(jobqueue.conninfo(queue.url)) as holder:
        holder.execute("LOCK TABLE ledger_pending IN SHARE MODE")
        worker = subprocess.Popen(WORKER, env=queue.env, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while _doing(queue.url) == 0 and time.monotonic() < deadline:
            assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
            time.sleep(0.05)
        time.sleep(0.5)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        holder.rollback()
    assert _doing(queue.url) == 1  # the dead worker's job, still marked as running
    time.sleep(2)  # its heartbeat is older than the next worker's --stalled-after
    rerun = queue.run(*WORKER, "--stalled-after", "1")
    assert rerun.returncode == 0, rerun.stderr
    assert "1 jobs of stopped workers run again" in rerun.stdout
    assert "queue: empty" in rerun.stdout
    _each_statement_once(queue)
    # The outbox's batches, queued alone and dispatched by a worker.
    assert _statuses(queue) == {"pending": PEOPLE}
    outbox = queue.run(*LAWFUL, "jobs", "run", "outbox", "--queue")
    assert outbox.returncode == 0, outbox.stderr
    assert f"{PEOPLE} waiting messages queued in 2 jobs" in outbox.stdout
    dispatched = queue.run(*WORKER)
    assert dispatched.returncode == 0, dispatched.stderr
    assert _statuses(queue) == {"kept": PEOPLE}


def test_on_sqlite_the_queue_is_refused_clearly(tmp_path: Path, lawful_home: Path) -> None:
    env = {
        **os.environ,
        "LAWFUL_DATABASE_URL": f"sqlite:///{tmp_path / 'lawful.db'}",
        "LAWFUL_HOME": str(lawful_home),
    }
    for command in (
        [*REMIND, "--queue"],
        [*LAWFUL, "jobs", "run", "outbox", "--queue"],
        [*LAWFUL, "jobs", "worker"],
    ):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 2, done.stderr
        assert done.stderr.strip() == "error: the job queue needs PostgreSQL"
        assert "Traceback" not in done.stderr

"""The job queue on PostgreSQL: batches of the scheduled jobs as procrastinate jobs, shared by any
number of workers (`lawful jobs run card-reminders --queue`, `lawful jobs worker`).

procrastinate keeps its jobs in tables of its own beside lawful's, in the same schema (the
connection's search_path): each worker takes a job with a row lock, records its heartbeat, and a
job whose worker died (killed, machine lost) is put back in the queue by the next worker that
starts. What a batch does is exactly what the in-process job does for it, in one transaction: a
worker killed midway leaves nothing of its batch, and the batch run again decides each statement
once, by its unique idempotency key — the queue spreads the work, the key is the guarantee.

SQLite has one writer at a time: there the jobs run in one process, as before, and the queue is
refused.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import procrastinate
import psycopg
from procrastinate.exceptions import AlreadyEnqueued, ProcrastinateException
from procrastinate.schema import SchemaManager
from sqlalchemy.engine import make_url

from lawful.core.db import session_scope
from lawful.core.errors import ConfigurationError
from lawful.core.gate import unit_of_work
from lawful.core.runtime import Runtime
from lawful.engagement import service as engagement

NEEDS_POSTGRESQL = "the job queue needs PostgreSQL"
QUEUE = "lawful"
NAMESPACE = "lawful"
REMINDERS = f"{NAMESPACE}:card-reminders"
OUTBOX = f"{NAMESPACE}:outbox"
# Held while procrastinate's schema is applied: two workers starting at once apply it once.
_SCHEMA_LOCK = 0x6C61_7766_756C
log = logging.getLogger(__name__)

tasks = procrastinate.Blueprint()
# A batch that fails (a lost connection, a deadlock) is tried again a little later; one whose
# worker died is put back by the next worker that starts (`run_worker`).
_RETRY = procrastinate.RetryStrategy(max_attempts=5, wait=5, exponential_wait=2)


def is_postgresql(database_url: str) -> bool:
    return make_url(database_url).get_backend_name() == "postgresql"


def require_postgresql(database_url: str) -> None:
    if not is_postgresql(database_url):
        raise ConfigurationError(NEEDS_POSTGRESQL)


@contextmanager
def queue_errors() -> Iterator[None]:
    """The queue's database errors as one clear line (the command line exits 2)."""
    try:
        yield
    except (psycopg.Error, ProcrastinateException) as exc:
        cause = exc.__cause__ or exc
        raise ConfigurationError(f"job queue: {cause}".strip()) from None


def conninfo(database_url: str) -> str:
    """lawful's SQLAlchemy URL as libpq's: the same server, database, user and options, so that
    the search_path (hence the schema) is lawful's."""
    require_postgresql(database_url)
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def apply_schema(database_url: str) -> bool:
    """procrastinate's tables, types and functions in lawful's schema, if not there yet; whether
    they were created. Idempotent, and safe when several processes start at once."""
    with psycopg.connect(conninfo(database_url)) as connection:
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        found = connection.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
        if found is not None and found[0] is not None:
            return False
        connection.execute(cast(Any, SchemaManager.get_schema()))
    return True


def queue_app(database_url: str) -> procrastinate.App:
    """A procrastinate app on lawful's database, knowing lawful's tasks (not opened)."""
    connector = procrastinate.PsycopgConnector(conninfo=conninfo(database_url))
    app = procrastinate.App(connector=connector)
    app.add_tasks_from(tasks, namespace=NAMESPACE)
    return app


# --- the tasks ------------------------------------------------------------------------------


def _runtime(context: procrastinate.JobContext) -> Runtime:
    runtime: Runtime = context.additional_context["runtime"]
    return runtime


class _Tally:
    """Jobs a worker finished, counted across its threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.jobs = 0

    def add(self) -> None:
        with self._lock:
            self.jobs += 1


def _done(context: procrastinate.JobContext) -> None:
    tally: _Tally | None = context.additional_context.get("tally")
    if tally is not None:
        tally.add()


@tasks.task(name="card-reminders", queue=QUEUE, pass_context=True, retry=_RETRY)
def card_reminders_batch(
    context: procrastinate.JobContext,
    *,
    day: str,
    first: int,
    last: int,
    at: str | None = None,
    dispatch: bool = True,
) -> dict[str, int]:
    """Decide the reminders due on `day` for the statements `first`..`last`, in one transaction:
    the gate asked for the batch's persons at once, each statement claimed under its key. With
    `dispatch`, the batch's messages waiting for a channel go to the outbox queue."""
    rt = _runtime(context)
    when = dt.date.fromisoformat(day)
    # The moment the run was asked for (`--time`), else the worker's own clock: quiet hours are
    # those of the moment the message is decided.
    now = dt.datetime.fromisoformat(at) if at else dt.datetime.now(dt.UTC)
    with unit_of_work(rt.engine) as session:
        rows = engagement.reminders_due(session, day=when, statements=(first, last))
        done = engagement.remind(session, gate=rt.gate, rows=rows, now=now, day=when)
    waiting = done.sent - done.channels.get("in_app", 0)
    if dispatch and waiting:
        context.app.configure_task(OUTBOX).defer(limit=waiting)
    _done(context)
    return {"eligible": done.eligible, "sent": done.sent, "already": done.already}


@tasks.task(name="outbox", queue=QUEUE, pass_context=True, retry=_RETRY)
def outbox_batch(context: procrastinate.JobContext, *, limit: int) -> dict[str, int]:
    """Hand one batch of waiting messages to their channels (rows another worker holds are left
    to it)."""
    rt = _runtime(context)
    sender: engagement.Sender | None = context.additional_context.get("sender")
    with unit_of_work(rt.engine) as session:
        done = engagement.dispatch(session, sender=sender, limit=limit, gate=rt.gate)
    _done(context)
    return {"sent": done.sent, "kept": done.kept, "retry": done.retry, "failed": done.failed}


# --- deferring ------------------------------------------------------------------------------


@dataclass
class Deferred:
    jobs: int = 0  # batches queued by this run
    items: int = 0  # statements (or messages) in them
    queued_already: int = 0  # batches still waiting in the queue from an earlier run


def defer_card_reminders(
    rt: Runtime,
    database_url: str,
    *,
    day: dt.date,
    at: dt.datetime | None,
    batch: int,
    dispatch: bool,
    on_batch: Callable[[int], None] = lambda _: None,
) -> Deferred:
    """One job per batch of statements due on `day` (consecutive ids, `batch` at a time). A batch
    still waiting in the queue is not queued twice (procrastinate's queueing lock)."""
    apply_schema(database_url)
    deferred = Deferred()
    with queue_app(database_url).open() as app, session_scope(rt.engine, read_only=True) as reader:
        for chunk in engagement.reminders_due_in_batches(reader, day=day, size=batch):
            first, last = chunk[0].statement_id, chunk[-1].statement_id
            job = app.configure_task(
                REMINDERS, queueing_lock=f"card-reminders:{day.isoformat()}:{first}-{last}"
            )
            try:
                job.defer(
                    day=day.isoformat(),
                    first=first,
                    last=last,
                    at=at.isoformat() if at else None,
                    dispatch=dispatch,
                )
            except AlreadyEnqueued:
                deferred.queued_already += 1
                continue
            deferred.jobs += 1
            deferred.items += len(chunk)
            on_batch(deferred.items)
    return deferred


def defer_outbox(rt: Runtime, database_url: str, *, batch: int) -> Deferred:
    """One job per `batch` messages waiting for their channel."""
    apply_schema(database_url)
    with session_scope(rt.engine, read_only=True) as session:
        waiting = engagement.outbox_counts(session).get("pending", 0)
    deferred = Deferred(items=waiting)
    with queue_app(database_url).open() as app:
        for start in range(0, waiting, batch):
            app.configure_task(OUTBOX).defer(limit=min(batch, waiting - start))
            deferred.jobs += 1
    return deferred


# --- the worker -----------------------------------------------------------------------------


@dataclass
class WorkerRun:
    jobs: int  # jobs this worker finished
    put_back: int  # jobs of workers that stopped answering, queued again at its start


def run_worker(
    rt: Runtime,
    database_url: str,
    *,
    concurrency: int = 1,
    wait: bool = True,
    stalled_after: float = 30.0,
    sender: engagement.Sender | None = None,
) -> WorkerRun:
    """Run the queue's jobs until stopped (SIGINT, SIGTERM), or, without `wait`, until none is
    left. Jobs of a worker silent for `stalled_after` seconds are put back in the queue first."""
    apply_schema(database_url)
    app = queue_app(database_url)
    tally = _Tally()

    async def work() -> int:
        async with app.open_async():
            stalled = list(
                await app.job_manager.get_stalled_jobs(
                    queue=QUEUE, seconds_since_heartbeat=stalled_after
                )
            )
            for job in stalled:
                log.warning("job %s of a worker that stopped answering is run again", job.id)
                await app.job_manager.retry_job(job)
            await app.run_worker_async(
                queues=[QUEUE],
                concurrency=concurrency,
                wait=wait,
                additional_context={"runtime": rt, "sender": sender, "tally": tally},
                update_heartbeat_interval=min(10.0, stalled_after / 3),
                stalled_worker_timeout=stalled_after,
                fetch_job_polling_interval=1.0,
                delete_jobs="successful",
            )
        return len(stalled)

    put_back = asyncio.run(work())
    return WorkerRun(jobs=tally.jobs, put_back=put_back)


def waiting_jobs(database_url: str) -> dict[str, int]:
    """Jobs of lawful's queue by status (todo, doing, failed…)."""
    with psycopg.connect(conninfo(database_url)) as connection:
        rows = connection.execute(
            "SELECT status::text, count(*) FROM procrastinate_jobs WHERE queue_name = %s "
            "GROUP BY status",
            (QUEUE,),
        ).fetchall()
    return {status: int(count) for status, count in rows}

"""`lawful jobs run …`: engagement's scheduled work — card reminders and the outbox dispatcher.

Each batch is its own transaction, committed before the next: a run killed midway keeps what it
finished, and a rerun finds only what is left (each statement's reminder is decided once, by its
idempotency key). On PostgreSQL, `--queue` queues the batches as jobs instead, which any number of
`lawful jobs worker` run (`jobqueue`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lawful.config import get_settings
from lawful.core.db import session_scope
from lawful.core.errors import InvalidInput
from lawful.core.gate import unit_of_work
from lawful.core.register.load import check_file, reference_register_path
from lawful.core.register.models import Register
from lawful.core.runtime import Runtime
from lawful.engagement import service as engagement
from lawful.entrypoints import cli_offers, jobqueue
from lawful.entrypoints.bootstrap import open_runtime
from lawful.entrypoints.progress import progress_bar
from lawful.simulations import followups
from lawful.simulations import service as simulations

app = typer.Typer(
    name="jobs",
    help=(
        "Scheduled jobs: card reminders, simulation follow-ups, offers, statement changes, "
        "the outbox."
    ),
)
run_app = typer.Typer(name="run", help="Run one job now.")
app.add_typer(run_app, name="run")
out = Console(soft_wrap=True)
BATCH = 1_000
OnBatch = Callable[[int, int], None]  # (done, 0), called inside each batch's transaction


def card_reminders_job(
    rt: Runtime,
    *,
    day: dt.date,
    now: dt.datetime,
    batch: int = BATCH,
    on_batch: OnBatch = lambda *_: None,
    sender: engagement.Sender | None = None,
    dispatch: bool = True,
) -> tuple[engagement.Outcome, engagement.Dispatched]:
    """Delete the reminders past their retention, decide every reminder due on `day`, a batch
    per transaction, then dispatch the outbox."""
    total = engagement.Outcome()
    with unit_of_work(rt.engine) as session:
        total.purged = engagement.purge_reminders(session, gate=rt.gate, now=now)
    # One statement read as the batches go, on a connection of its own: its snapshot is the day's
    # work list, while each batch is decided and committed in a transaction of its own.
    with session_scope(rt.engine, read_only=True) as reader:
        done_so_far = 0
        for chunk in engagement.reminders_due_in_batches(reader, day=day, size=batch):
            with unit_of_work(rt.engine) as session:
                done = engagement.remind(session, gate=rt.gate, rows=chunk, now=now, day=day)
                done_so_far += len(chunk)
                on_batch(done_so_far, 0)
            total.add(done)
    dispatched = outbox_job(rt, sender=sender) if dispatch else engagement.Dispatched()
    return total, dispatched


def outbox_job(
    rt: Runtime, *, sender: engagement.Sender | None, batch: int = 500
) -> engagement.Dispatched:
    """Dispatch until nothing is waiting (messages to retry wait for the next run)."""
    total = engagement.Dispatched()
    while True:
        with unit_of_work(rt.engine) as session:
            done = engagement.dispatch(session, sender=sender, limit=batch, gate=rt.gate)
        for name in ("sent", "kept", "retry", "failed", "suppressed"):
            setattr(total, name, getattr(total, name) + getattr(done, name))
        if done.total < batch or done.retry == done.total:
            return total


def sender_from_settings() -> engagement.Sender | None:
    urls = get_settings().notify_urls
    return engagement.AppriseSender(urls) if urls else None


def _moment(day: dt.datetime | None, at: str | None) -> tuple[dt.date, dt.datetime]:
    now = dt.datetime.now(dt.UTC)
    if at is not None:
        try:
            clock = dt.time.fromisoformat(at)
        except ValueError:
            raise InvalidInput("a local time such as 09:30", field="--time") from None
        local = dt.datetime.combine((day or now).date(), clock, tzinfo=engagement.LOCAL_TIME)
        return local.date(), local.astimezone(dt.UTC)
    if day is not None:
        return day.date(), now
    return now.astimezone(engagement.LOCAL_TIME).date(), now


@run_app.command("card-reminders")
def card_reminders(
    day: Annotated[
        dt.datetime | None,
        typer.Option("--date", formats=["%Y-%m-%d"], help="The day to run as (default: today)."),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--time", help="The local time to run as, for quiet hours (default: now)."),
    ] = None,
    batch: Annotated[int, typer.Option(min=1, max=50_000, help="Statements per batch.")] = BATCH,
    dispatch: Annotated[
        bool, typer.Option("--dispatch/--no-dispatch", help="Dispatch the outbox afterwards.")
    ] = True,
    queue: Annotated[
        bool,
        typer.Option(
            "--queue",
            help="PostgreSQL: queue one job per batch for `lawful jobs worker` instead of "
            "running them here.",
        ),
    ] = False,
) -> None:
    """Remind card holders of an unpaid balance N days before it is due (N per customer, 3 by
    default), once per statement, on the channel they prefer and in their language."""
    when, now = _moment(day, at)
    if queue:
        _defer_card_reminders(when, now if at is not None else None, batch, dispatch)
        return
    rt = open_runtime()
    try:
        sender = sender_from_settings() if dispatch else None
        with progress_bar("card reminders") as bar:

            def advance(done: int, _: int) -> None:
                bar(done)

            outcome, dispatched = card_reminders_job(
                rt,
                day=when,
                now=now,
                batch=batch,
                on_batch=advance,
                sender=sender,
                dispatch=dispatch,
            )
    finally:
        rt.engine.dispose()
    table = Table(title=f"card reminders for {when.isoformat()}", show_header=False)
    for label, value in (
        ("eligible", outcome.eligible),
        ("sent", outcome.sent),
        ("suppressed by preference", outcome.by_preference),
        ("suppressed by objection", outcome.by_objection),
        ("deferred by quiet hours", outcome.by_quiet_hours),
        ("refused by the policy otherwise", outcome.refused),
        ("already decided by another run", outcome.already),
        ("deleted past their retention", outcome.purged),
    ):
        table.add_row(label, str(value))
    if outcome.channels:
        table.add_row(
            "by channel", ", ".join(f"{c} {n}" for c, n in sorted(outcome.channels.items()))
        )
    table.add_row(
        "outbox",
        f"{dispatched.sent} sent through their channel, {dispatched.kept} kept in the app, "
        f"{dispatched.retry} to retry, {dispatched.failed} failed",
    )
    out.print(table)


def _queue_url() -> str:
    url = get_settings().database_url
    jobqueue.require_postgresql(url)  # before anything is opened: a clear refusal on SQLite
    return url


def _defer_card_reminders(day: dt.date, at: dt.datetime | None, batch: int, dispatch: bool) -> None:
    url = _queue_url()
    rt = open_runtime()
    try:
        with unit_of_work(rt.engine) as session:
            purged = engagement.purge_reminders(session, gate=rt.gate, now=dt.datetime.now(dt.UTC))
        with progress_bar("card reminders queued") as bar, jobqueue.queue_errors():
            deferred = jobqueue.defer_card_reminders(
                rt,
                url,
                day=day,
                at=at,
                batch=batch,
                dispatch=dispatch,
                on_batch=lambda done: bar(done),
            )
    finally:
        rt.engine.dispose()
    out.print(
        f"card reminders for {day.isoformat()}: {deferred.items} statements due queued in "
        f"{deferred.jobs} jobs for `lawful jobs worker` ({deferred.queued_already} batches "
        f"still queued from an earlier run); {purged} deleted past their retention"
    )


@run_app.command("outbox")
def outbox(
    queue: Annotated[
        bool,
        typer.Option(
            "--queue",
            help="PostgreSQL: queue one job per batch of waiting messages for "
            "`lawful jobs worker` instead of dispatching them here.",
        ),
    ] = False,
) -> None:
    """Hand waiting messages to their channels (configured by LAWFUL_NOTIFY_URL_*), in batches;
    without a URL for a channel, its messages are kept in the app."""
    if queue:
        url = _queue_url()
        rt = open_runtime()
        try:
            with jobqueue.queue_errors():
                deferred = jobqueue.defer_outbox(rt, url, batch=500)
        finally:
            rt.engine.dispose()
        out.print(f"outbox: {deferred.items} waiting messages queued in {deferred.jobs} jobs")
        return
    rt = open_runtime()
    try:
        done = outbox_job(rt, sender=sender_from_settings())
    finally:
        rt.engine.dispose()
    out.print(
        f"outbox: {done.sent} sent, {done.kept} kept in the app, {done.retry} to retry, "
        f"{done.failed} failed"
    )


def simulation_follow_ups_job(
    rt: Runtime,
    *,
    now: dt.datetime,
    batch: int = BATCH,
    on_batch: OnBatch = lambda *_: None,
    sender: engagement.Sender | None = None,
    dispatch: bool = True,
) -> tuple[followups.FollowUpOutcome, engagement.Dispatched]:
    """Erase the simulations past their retention, decide the follow-up of every simulation left
    unfinished, a batch per transaction, then dispatch the outbox."""
    total = followups.FollowUpOutcome()
    with unit_of_work(rt.engine) as session:
        total.purged = simulations.purge(session, gate=rt.gate, now=now)
    with session_scope(rt.engine, read_only=True) as reader:
        done_so_far = 0
        for chunk in followups.due_in_batches(reader, now=now, size=batch):
            with unit_of_work(rt.engine) as session:
                done = followups.follow_up(session, gate=rt.gate, rows=chunk, now=now)
                done_so_far += len(chunk)
                on_batch(done_so_far, 0)
            total.add(done)
    dispatched = outbox_job(rt, sender=sender) if dispatch else engagement.Dispatched()
    return total, dispatched


def _timestamp(at: str | None) -> dt.datetime:
    """`--at` as an aware moment: ISO 8601, local time (Europe/Brussels) when no offset is given."""
    if at is None:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(at)
    except ValueError:
        raise InvalidInput("a timestamp such as 2026-12-07T09:30", field="--at") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=engagement.LOCAL_TIME)
    return moment.astimezone(dt.UTC)


@run_app.command("simulation-follow-ups")
def simulation_follow_ups(
    at: Annotated[
        str | None,
        typer.Option(
            "--at", help="The moment to run as, ISO 8601, local time unless an offset is given."
        ),
    ] = None,
    batch: Annotated[int, typer.Option(min=1, max=50_000, help="Simulations per batch.")] = BATCH,
    dispatch: Annotated[
        bool, typer.Option("--dispatch/--no-dispatch", help="Dispatch the outbox afterwards.")
    ] = True,
) -> None:
    """Offer help once for every simulation left unfinished for a day (never after 14 days): a
    message in the app to a client, or a task for an adviser when the person asked to be
    contacted; simulations past their retention are erased first."""
    now = _timestamp(at)
    rt = open_runtime()
    try:
        sender = sender_from_settings() if dispatch else None
        with progress_bar("simulation follow-ups") as bar:

            def advance(done: int, _: int) -> None:
                bar(done)

            outcome, dispatched = simulation_follow_ups_job(
                rt, now=now, batch=batch, on_batch=advance, sender=sender, dispatch=dispatch
            )
    finally:
        rt.engine.dispose()
    table = Table(title=f"simulation follow-ups at {now.isoformat()}", show_header=False)
    for label, value in (
        ("eligible", outcome.eligible),
        ("sent (offers of help in the outbox)", outcome.messages),
        ("tasks created for an adviser", outcome.tasks),
        ("suppressed by preference", outcome.by_preference),
        ("suppressed by objection", outcome.by_objection),
        ("suppressed by window (too late)", outcome.by_window),
        ("prospects who did not ask to be contacted", outcome.not_asked),
        ("deferred by quiet hours", outcome.by_quiet_hours),
        ("refused by the policy otherwise", outcome.refused),
        ("already decided by another run", outcome.already),
        ("simulations erased past their retention", outcome.purged),
    ):
        table.add_row(label, str(value))
    table.add_row(
        "outbox",
        f"{dispatched.sent} sent through their channel, {dispatched.kept} kept in the app, "
        f"{dispatched.retry} to retry, {dispatched.failed} failed",
    )
    out.print(table)


def statement_changes_job(
    rt: Runtime,
    *,
    old: Register,
    new: Register,
    today: dt.date,
    now: dt.datetime,
    batch: int = BATCH,
    on_batch: OnBatch = lambda *_: None,
) -> engagement.NoticeOutcome:
    """Tell every person a change between `old` and `new` concerns, a batch per transaction."""
    plan = engagement.plan_statement_notices(old, new)
    total = engagement.NoticeOutcome(changes=len(plan.changes))
    with session_scope(rt.engine, read_only=True) as reader:
        for rows in engagement.statement_concerned_in_batches(
            reader, plan=plan, today=today, size=batch
        ):
            with unit_of_work(rt.engine) as session:
                done = engagement.notify_statement_changes(
                    session, gate=rt.gate, plan=plan, rows=rows, now=now, today=today
                )
                on_batch(done.concerned, 0)
            for name in ("concerned", "queued", "already", "refused"):
                setattr(total, name, getattr(total, name) + getattr(done, name))
    return total


def _register_or_exit(path: Path) -> Register:
    register, problems = check_file(path)
    if register is None:
        err = Console(stderr=True, soft_wrap=True)
        for problem in problems:
            err.print(f"{path}: {problem}", markup=False, highlight=False)
        raise typer.Exit(1)
    return register


@run_app.command("statement-changes")
def statement_changes(
    old: Annotated[Path, typer.Option("--old", help="The register before the change.")],
    new: Annotated[
        Path | None,
        typer.Option("--new", help="The register after it (default: the configured one)."),
    ] = None,
    batch: Annotated[int, typer.Option(min=1, max=50_000, help="Relationships per batch.")] = BATCH,
) -> None:
    """Tell the customers a change of the privacy statement concerns what changed for them: one
    mandatory notice per person and register, in their language, through the outbox."""
    before = _register_or_exit(old)
    after = _register_or_exit(new or get_settings().register_path or reference_register_path())
    rt = open_runtime(register_path=new)
    now = dt.datetime.now(dt.UTC)
    try:
        outcome = statement_changes_job(
            rt,
            old=before,
            new=after,
            today=now.astimezone(engagement.LOCAL_TIME).date(),
            now=now,
            batch=batch,
        )
    finally:
        rt.engine.dispose()
    table = Table(title="statement changes", show_header=False)
    for label, value in (
        ("changes found", outcome.changes),
        ("people concerned", outcome.concerned),
        ("notices queued", outcome.queued),
        ("already sent by an earlier run", outcome.already),
        ("refused by the policy", outcome.refused),
    ):
        table.add_row(label, str(value))
    out.print(table)


@run_app.command("offers")
def offers(
    day: cli_offers.DayOption = None, batch: cli_offers.BatchOption = cli_offers.BATCH
) -> None:
    """Profile every client and choose their offers (objectors left out), then queue the new
    offers' messages in the outbox (`lawful offers compute`)."""
    cli_offers.run_offers(day, batch)


@app.command("worker")
def worker(
    concurrency: Annotated[
        int, typer.Option(min=1, max=64, help="Jobs run at once by this worker (threads).")
    ] = 1,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait/--no-wait",
            help="Wait for new jobs until stopped (SIGINT, SIGTERM), or stop once the queue is "
            "empty.",
        ),
    ] = True,
    stalled_after: Annotated[
        float,
        typer.Option(
            "--stalled-after",
            min=1.0,
            help="Seconds without a heartbeat after which another worker's jobs are run again.",
        ),
    ] = 30.0,
) -> None:
    """PostgreSQL: run the jobs queued by `lawful jobs run … --queue` (card-reminder and outbox
    batches); start as many workers as the work needs, on any machine reaching the database."""
    url = _queue_url()
    rt = open_runtime()
    try:
        with jobqueue.queue_errors():
            run = jobqueue.run_worker(
                rt,
                url,
                concurrency=concurrency,
                wait=wait,
                stalled_after=stalled_after,
                sender=sender_from_settings(),
            )
            left = jobqueue.waiting_jobs(url)
    finally:
        rt.engine.dispose()
    out.print(
        f"worker stopped: {run.jobs} jobs done, {run.put_back} jobs of stopped workers run "
        "again; queue: "
        + (", ".join(f"{n} {status}" for status, n in sorted(left.items())) or "empty")
    )

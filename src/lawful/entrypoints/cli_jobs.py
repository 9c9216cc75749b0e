"""`lawful jobs run …`: engagement's scheduled work — card reminders and the outbox dispatcher.

Each batch is its own transaction, committed before the next: a run killed midway keeps what it
finished, and a rerun finds only what is left (each statement's reminder is decided once, by its
idempotency key).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lawful.config import get_settings
from lawful.core.errors import InvalidInput
from lawful.core.gate import unit_of_work
from lawful.core.runtime import Runtime
from lawful.engagement import service as engagement
from lawful.entrypoints.bootstrap import open_runtime

app = typer.Typer(name="jobs", help="Scheduled jobs: card reminders, the notification outbox.")
run_app = typer.Typer(name="run", help="Run one job now.")
app.add_typer(run_app, name="run")
out = Console(soft_wrap=True)
BATCH = 1_000
OnBatch = Callable[[int, int], None]  # (done, total), called inside each batch's transaction


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
    with unit_of_work(rt.engine) as session:
        rows = engagement.reminders_due(session, day=day)
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        with unit_of_work(rt.engine) as session:
            done = engagement.remind(session, gate=rt.gate, rows=chunk, now=now, day=day)
            on_batch(start + len(chunk), len(rows))
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
            done = engagement.dispatch(session, sender=sender, limit=batch)
        for name in ("sent", "kept", "retry", "failed"):
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
) -> None:
    """Remind card holders of an unpaid balance N days before it is due (N per customer, 3 by
    default), once per statement, on the channel they prefer and in their language."""
    when, now = _moment(day, at)
    rt = open_runtime()
    try:
        sender = sender_from_settings() if dispatch else None
        with Progress(
            TextColumn("card reminders"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        ) as progress:
            task = progress.add_task("reminders", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

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


@run_app.command("outbox")
def outbox() -> None:
    """Hand waiting messages to their channels (configured by LAWFUL_NOTIFY_URL_*), in batches;
    without a URL for a channel, its messages are kept in the app."""
    rt = open_runtime()
    try:
        done = outbox_job(rt, sender=sender_from_settings())
    finally:
        rt.engine.dispose()
    out.print(
        f"outbox: {done.sent} sent, {done.kept} kept in the app, {done.retry} to retry, "
        f"{done.failed} failed"
    )

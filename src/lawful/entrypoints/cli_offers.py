"""`lawful offers compute | report` (and `lawful jobs run offers`): profiles, next-best offers and
the commercial-strategy figures.

The holdings of every client are read once, one statement per table, on a connection of its own;
each batch of customers is then decided and committed in a transaction of its own, so that a run
killed midway keeps what it finished and a rerun replaces each customer's open offers again
(their messages go out once ever, by their idempotency key).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from typing import Annotated

import polars as pl
import typer
from rich.console import Console
from rich.table import Table

from lawful.core.db import session_scope
from lawful.core.gate import unit_of_work
from lawful.core.runtime import Runtime
from lawful.entrypoints.bootstrap import open_runtime
from lawful.entrypoints.progress import progress_bar
from lawful.offers import service as offers

app = typer.Typer(name="offers", help="Personalised offers and commercial-strategy profiles.")
out = Console(soft_wrap=True)
BATCH = 2_000
OnBatch = Callable[[int, int], None]  # (done, total)


def offers_job(
    rt: Runtime,
    *,
    today: dt.date,
    now: dt.datetime,
    batch: int = BATCH,
    on_batch: OnBatch = lambda *_: None,
    only: Collection[str] | None = None,
) -> offers.Outcome:
    """Delete what is past its retention, then profile and offer, a batch per transaction.
    `only`: these persons alone (the others are not looked at)."""
    total = offers.Outcome()
    with unit_of_work(rt.engine) as session:
        total.purged = offers.purge(session, gate=rt.gate, today=today)
    with session_scope(rt.engine, read_only=True) as reader:
        tables = offers.read_tables(reader, today=today)
    clients = offers.clients_frame(tables, today=today)
    if only is not None:
        clients = clients.filter(pl.col("person_id").is_in(sorted(only)))
    size = clients.height
    on_batch(0, size)
    for start in range(0, size, batch):
        with unit_of_work(rt.engine) as session:
            done = offers.decide(
                session, gate=rt.gate, clients=clients.slice(start, batch), today=today, now=now
            )
        total.add(done)
        on_batch(min(size, start + batch), size)
    return total


def run_offers(day: dt.datetime | None, batch: int) -> None:
    """Run the job with a progress bar, then print its summary."""
    now = dt.datetime.now(dt.UTC)
    today = day.date() if day else dt.date.today()
    rt = open_runtime()
    try:
        with progress_bar("offers") as bar:

            def advance(done: int, size: int) -> None:
                bar(done, size)

            outcome = offers_job(rt, today=today, now=now, batch=batch, on_batch=advance)
    finally:
        rt.engine.dispose()
    table = Table(title=f"offers for {today.isoformat()}", show_header=False)
    for label, value in (
        ("customers considered", outcome.considered),
        ("customers profiled", outcome.profiled),
        ("offers made", outcome.offers_made),
        ("messages queued in the outbox", outcome.queued),
        ("customers left out by objection", outcome.by_objection),
        ("customers not asked about partners' offers (no consent)", outcome.without_consent),
        ("messages suppressed by preference (topic off)", outcome.by_preference),
        ("messages withheld (e-mail/SMS needs an opt-in)", outcome.opt_in_required),
        ("messages deferred by quiet hours", outcome.by_quiet_hours),
        ("refused by the policy otherwise", outcome.refused),
        ("offers deleted past their retention", outcome.purged),
    ):
        table.add_row(label, str(value))
    if outcome.offers:
        table.add_row(
            "by product", ", ".join(f"{p} {n}" for p, n in sorted(outcome.offers.items()))
        )
    out.print(table)


DayOption = Annotated[
    dt.datetime | None,
    typer.Option("--date", formats=["%Y-%m-%d"], help="The day to run as (default: today)."),
]
BatchOption = Annotated[int, typer.Option(min=1, max=50_000, help="Customers per batch.")]


@app.command()
def compute(day: DayOption = None, batch: BatchOption = BATCH) -> None:
    """Profile every client and choose their offers (objectors left out), then queue the new
    offers' messages in the outbox on the channels the marketing rules leave."""
    run_offers(day, batch)


@app.command()
def report(
    entity: Annotated[
        str | None, typer.Option(help="One entity's figures (default: every entity).")
    ] = None,
) -> None:
    """Customers per profile and offers per product; no cell under 10 is shown."""
    rt = open_runtime()
    try:
        known = sorted(e.id for e in rt.register.entities)
        if entity is not None and entity not in known:
            raise typer.BadParameter(f"not an entity of the register ({', '.join(known)})")
        with unit_of_work(rt.engine) as session:
            figures = offers.report(session, entity=entity)
    finally:
        rt.engine.dispose()
    segments = Table("entity", "segment", "age band", "customers", title="profiles")
    for cell in figures.segments:
        shown = f"suppressed (< {figures.k})" if cell.suppressed else str(cell.customers)
        segments.add_row(cell.entity, cell.segment, cell.age_band, shown)
    made = Table("entity", "product", "status", "offers", title="offers")
    for o in figures.offers:
        shown = f"suppressed (< {figures.k})" if o.suppressed else str(o.offers)
        made.add_row(o.entity, o.product, o.status, shown)
    out.print(segments)
    out.print(made)
    out.print(f"{figures.suppressed_cells} cell(s) suppressed: {figures.note}")

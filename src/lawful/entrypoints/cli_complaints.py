"""`lawful complaints ...`: the complaints function's daily look at deadlines and root causes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from lawful.complaints import service
from lawful.core.gate import unit_of_work
from lawful.core.policy.types import Actor
from lawful.entrypoints.bootstrap import open_runtime

app = typer.Typer(name="complaints", help="Complaints: overdue cases and root-cause statistics.")

# The command runs for the complaints function of one entity; the ledger names it so.
CLI_REF = "complaints-cli"


@app.command()
def overdue(
    entity: Annotated[str, typer.Option(help="The entity whose complaints to look at.")],
    today: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="The day to count from (default: today)."),
    ] = None,
) -> None:
    """The entity's complaints past their acknowledgement or answer deadline, one per line;
    exit 1 if there is any. Each person listed is recorded as seen by the complaints function."""
    day = today.date() if today else dt.date.today()
    runtime = open_runtime()
    actor = Actor("complaint-handler", entity, CLI_REF)
    late = []
    try:
        known = sorted(e.id for e in runtime.register.entities)
        if entity not in known:
            raise typer.BadParameter(f"not an entity of the register ({', '.join(known)})")
        with unit_of_work(runtime.engine) as session:
            after: int | None = 0
            while after is not None:
                page = service.queue(
                    session,
                    gate=runtime.gate,
                    actor=actor,
                    today=day,
                    overdue=True,
                    after=after,
                    limit=service.PAGE_MAX,
                )
                late += page.items
                after = page.next_after
    finally:
        runtime.engine.dispose()
    for c in late:
        typer.echo(
            f"#{c.id}\t{c.product_kind}\t{c.regime}\t{c.status}\t"
            f"acknowledge by {c.acknowledge_due}\tanswer by {c.answer_due}"
        )
    typer.echo(f"{len(late)} overdue complaint(s) of {entity} on {day.isoformat()}")
    if late:
        raise typer.Exit(1)


@app.command()
def statistics() -> None:
    """Complaints per product kind, entity and root cause; no cell under 10 is shown."""
    runtime = open_runtime()
    try:
        with unit_of_work(runtime.engine) as session:
            stats = service.statistics(session)
    finally:
        runtime.engine.dispose()
    for cell in stats.cells:
        typer.echo(f"{cell.product_kind}\t{cell.entity}\t{cell.root_cause}\t{cell.complaints}")
    typer.echo(
        f"{stats.suppressed_complaints} complaint(s) in {stats.suppressed_cells} cell(s) under "
        f"{stats.k} not shown"
    )

"""`lawful rights ...`: the data-subject-rights work that runs on a schedule, not on request."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from lawful.core.gate import unit_of_work
from lawful.entrypoints.bootstrap import open_runtime
from lawful.flows import restore
from lawful.flows import retention as retention_flow

app = typer.Typer(name="rights", help="Data-subject rights: the jobs that run on a schedule.")


@app.command()
def retention(
    today: Annotated[
        dt.datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="The day to run as (default: today). Holds whose last day is before it end.",
        ),
    ] = None,
    register_file: Annotated[
        Path | None,
        typer.Option("--register", help="The processing register (default: the reference one)."),
    ] = None,
) -> None:
    """Apply the register's retention periods; run it daily.

    Former clients whose file has outlived its period are erased, except what a legal hold still
    keeps; copies of conversations past their purpose's day (training, quality, history,
    evidence, MiFID) are deleted; what an ended hold kept is erased unless something still keeps
    it, and a client's holds are renewed. Each batch is committed on its own and every step is
    recorded: a run stopped midway and started again finishes the job, and a second run does
    nothing.
    """
    day = today.date() if today else dt.date.today()
    runtime = open_runtime(register_path=register_file)
    run = retention_flow.RetentionRun()
    try:
        while not run.done:
            before = run.batches
            with unit_of_work(runtime.engine) as session:
                retention_flow.retention_batch(session, gate=runtime.gate, today=day, run=run)
            if run.batches > before:
                typer.echo(_progress(run), err=True)
    finally:
        runtime.engine.dispose()
    typer.echo(
        f"retention as of {day.isoformat()}: {run.former_clients_erased} former client(s) erased"
        f" past their file's retention; {run.reviewed} person(s) with ended holds reviewed,"
        f" held data of {run.held_data_erased} erased; {run.holds_released} hold(s) released,"
        f" {run.holds_stored} stored"
        + (
            f"; {run.simulations_erased} simulation(s) erased past their retention"
            if run.simulations_erased
            else ""
        )
        + (
            f"; {run.flood_assessments_erased} flood assessment(s) of policies ended past their"
            " retention erased"
            if run.flood_assessments_erased
            else ""
        )
        + (f"; {run.refused} person(s) refused by the policy, kept for now" if run.refused else "")
        + (
            f"; {run.copies_expired} conversation copy(ies) past their purpose's day deleted"
            if run.copies_expired
            else ""
        )
        + (f", {run.copies_held} kept for an open complaint" if run.copies_held else "")
    )


def _progress(run: retention_flow.RetentionRun) -> str:
    return (
        f"  batch {run.batches} ({run.phase}): {run.former_clients_erased} former client(s)"
        f" erased, {run.reviewed} reviewed"
    )


@app.command("replay-erasures")
def replay_erasures() -> None:
    """After restoring a database backup: erase again everyone erased since it was taken.

    Every erasure lists the person outside the database (in the keys folder); whoever the
    restored database brought back is erased again, with today's legal holds. `lawful serve`
    does this at start-up too. Nothing to do costs one query."""
    runtime = open_runtime()
    try:
        with unit_of_work(runtime.engine) as session:
            replayed = restore.replay_erasures(session, gate=runtime.gate, today=dt.date.today())
    finally:
        runtime.engine.dispose()
    typer.echo(
        f"{len(replayed.persons)} person(s) erased again, {replayed.keys} key(s) destroyed again"
        if replayed.keys
        else "nothing to replay: every listed erasure holds in this database"
    )

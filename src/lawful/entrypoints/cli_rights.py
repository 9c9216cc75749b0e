"""`lawful rights ...`: the data-subject-rights work that runs on a schedule, not on request."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from lawful.core.gate import unit_of_work
from lawful.entrypoints.bootstrap import open_runtime
from lawful.rights import service as rights

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
    """Erase what a legal hold kept once the hold has ended; run it daily.

    A client's ended holds are renewed instead. Each step is recorded; a rerun does nothing.
    """
    day = today.date() if today else dt.date.today()
    runtime = open_runtime(register_path=register_file)
    try:
        with unit_of_work(runtime.engine) as session:
            run = rights.run_retention(session, gate=runtime.gate, today=day)
    finally:
        runtime.engine.dispose()
    typer.echo(
        f"retention as of {day.isoformat()}: {run.released} hold(s) ended — {run.renewed} "
        f"renewed or extended, held data of {run.erased} person(s) erased"
        + (f"; {run.refused} person(s) refused by the policy, kept for now" if run.refused else "")
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
            replayed = rights.replay_erasures(session, gate=runtime.gate, today=dt.date.today())
    finally:
        runtime.engine.dispose()
    typer.echo(
        f"{len(replayed.persons)} person(s) erased again, {replayed.keys} key(s) destroyed again"
        if replayed.keys
        else "nothing to replay: every listed erasure holds in this database"
    )

"""`lawful rights ...`: the data-subject-rights work that runs on a schedule, not on request."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from lawful.config import get_settings
from lawful.core.db import create_engine, upgrade
from lawful.core.gate import Gate, unit_of_work
from lawful.core.register.load import load_register
from lawful.rights import service as rights
from lawful.rights.state import DbSubjectStates

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
    register = load_register(register_file)
    engine = create_engine(get_settings().database_url)
    try:
        upgrade(engine)
        gate = Gate.build(register, DbSubjectStates())
        with unit_of_work(engine) as session:
            run = rights.run_retention(session, gate=gate, today=day)
    finally:
        engine.dispose()
    typer.echo(
        f"retention as of {day.isoformat()}: {run.released} hold(s) ended — {run.renewed} "
        f"renewed or extended, held data of {run.erased} person(s) erased"
        + (f"; {run.refused} person(s) refused by the policy, kept for now" if run.refused else "")
    )

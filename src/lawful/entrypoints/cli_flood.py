"""`lawful insurance flood ...`: the flood partner's data in, proposals for every insured home.

Underwriters review proposals through the API (`POST /api/v1/flood/assessments/{id}/review`),
where their name comes from their token, not from a flag anyone could set."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lawful.core.gate import unit_of_work
from lawful.entrypoints.bootstrap import open_runtime
from lawful.entrypoints.cli_insurance import _one_line
from lawful.entrypoints.progress import progress_bar
from lawful.flood import service

app = typer.Typer(name="flood", help="Flood underwriting: the partner's data and the proposals.")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="GeoPackage (.gpkg), GeoJSON or GeoParquet file.")],
) -> None:
    """Replace the partner's risk zones and building classes with the file's: all of it, or, if
    anything in it is wrong, nothing (the previous data stay)."""
    with _one_line():
        runtime = open_runtime()
        try:
            with unit_of_work(runtime.engine) as session:
                made = service.import_file(session, path=file, now=dt.datetime.now(dt.UTC))
        finally:
            runtime.engine.dispose()
    typer.echo(
        f"import {made.import_id}: {made.zones} risk zone(s), {made.buildings} building(s) "
        f"from {made.file_name}"
    )


@app.command()
def assign(
    entity: Annotated[
        str | None, typer.Option(help="Only this insurer's policies and quotes (default: all).")
    ] = None,
) -> None:
    """Place every home policy in force, and every home-insurance quote's building, in its risk
    zone and on the partner's building, and propose its flood cover; refusals and surcharges
    wait for an underwriter's review."""
    with _one_line():
        runtime = open_runtime()
        try:
            with progress_bar("flood") as bar, unit_of_work(runtime.engine) as session:

                def advance(step: str, done: int, total: int) -> None:
                    bar(done, total, step)

                summary = service.assign(
                    session,
                    gate=runtime.gate,
                    today=dt.date.today(),
                    entity=entity,
                    progress=advance,
                )
        finally:
            runtime.engine.dispose()
    table = Table(title="flood assignment", show_header=False)
    for label, value in (
        ("home policies in force", summary.properties - summary.quotes),
        ("home-insurance quotes", summary.quotes),
        ("in a risk zone", summary.in_zone),
        ("with the partner's class", summary.classed),
        ("proposed: cover", summary.proposed["cover"]),
        ("proposed: loading", summary.proposed["loading"]),
        ("proposed: refusal", summary.proposed["refuse"]),
        ("waiting for an underwriter", summary.pending_review),
        ("unchanged since the last run", summary.unchanged),
        ("refused by the policy", summary.refused_by_gate),
    ):
        table.add_row(label, str(value))
    Console().print(table)

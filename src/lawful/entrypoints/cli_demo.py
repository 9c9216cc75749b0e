"""`lawful demo`: build the demonstration, print where everything is, then serve it."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lawful.config import get_settings
from lawful.core.db import create_engine, upgrade
from lawful.core.register.load import load_register, reference_register_path
from lawful.core.register.statement import render_all
from lawful.demo import site, spine

out = Console(soft_wrap=True)


def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Where statements and pages go.")] = Path(
        "out"
    ),
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the result when built.")
    ] = True,
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
) -> None:
    """Check the reference register, render every statement, run processing through the gate."""
    settings = get_settings()
    started = time.perf_counter()

    with out.status("checking the reference register…"):
        register = load_register()
    out.print(
        f"[green]✓[/green] register {reference_register_path()}: {len(register.purposes)} "
        f"purposes, {len(register.brands)} brands, languages {', '.join(register.languages)}"
    )

    statements_dir = out_dir / "statements"
    count = len(register.brands) * len(register.languages) * 2
    with out.status(f"rendering {count} statements (HTML and PDF)…"):
        statements = render_all(register, statements_dir, workers=min(4, os.cpu_count() or 1))
    out.print(f"[green]✓[/green] {len(statements)} statements in {statements_dir}/")

    engine = create_engine(settings.database_url)
    try:
        with out.status("migrating the database…"):
            upgrade(engine)
        out.print(f"[green]✓[/green] database {engine.url.render_as_string(hide_password=True)}")
        with out.status("processing through the gate…") as status:
            summary = spine.run(engine, register, step=lambda text: status.update(text + "…"))
    finally:
        engine.dispose()

    table = Table(title="processing through the gate, each decision recorded in the ledger")
    for column in ("what happened", "decision", "reasons / obligations"):
        table.add_column(column)
    for o in summary.outcomes:
        verdict = "[green]allowed[/green]" if o.allowed else "[red]refused[/red]"
        table.add_row(o.title, verdict, ", ".join(o.reasons or o.obligations))
    out.print(table)
    denied = "; ".join(f"{s} ({', '.join(r)})" for s, r in summary.offers_denied.items())
    out.print(
        f"bulk offer selection: allowed {', '.join(summary.offers_allowed)}; refused {denied}"
    )
    out.print(f"[green]✓[/green] {summary.verified}")

    index = site.write_index(out_dir, statements, summary)
    out.print(
        f"\n[bold]Built in {time.perf_counter() - started:.1f} s.[/bold] Where everything is:\n"
        f"  statements   {statements_dir}/\n"
        f"  front page   {index}\n"
        f"  database     {engine.url.render_as_string(hide_password=True)}\n"
        f"  keys         {settings.keys_dir}/ (generated here, never committed)\n"
        f"  check again  lawful ledger verify · lawful ledger show · lawful register check"
    )
    if not serve:
        return
    out.print(f"\nserving {out_dir}/ on [bold]http://{host}:{port}/[/bold] — Ctrl-C to stop")
    try:
        site.serve(out_dir, host=host, port=port)
    except OSError as exc:
        out.print(f"[red]cannot serve on {host}:{port}: {exc.strerror}[/red] (try --port)")
        raise typer.Exit(1) from exc
    except KeyboardInterrupt:
        out.print("stopped")

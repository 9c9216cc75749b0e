"""`lawful demo`: build the demo world on the configured database, then serve it."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy import Engine

from lawful.config import get_settings
from lawful.core.db import create_engine, upgrade
from lawful.core.gate import Gate, unit_of_work
from lawful.core.ledger import copies as head_copies
from lawful.core.ledger import service as ledger
from lawful.core.register.load import load_register, reference_register_path
from lawful.core.register.models import Register
from lawful.core.register.statement import render_all
from lawful.customers import service as customers
from lawful.demo import tokens, world
from lawful.entrypoints.sequencer import Sequencer
from lawful.rights.state import DbSubjectStates

out = Console(soft_wrap=True)


def _statements(out_dir: Path, register_file: Path, expected: int) -> list[Path]:
    existing = sorted(out_dir.glob("statement-*.*"))
    fresh = len(existing) == expected and all(
        p.stat().st_mtime >= register_file.stat().st_mtime for p in existing
    )
    return existing if fresh else []


def demo(
    customers_count: Annotated[
        int, typer.Option("--customers", min=10, help="How many synthetic customers.")
    ] = world.DEFAULT_CUSTOMERS,
    seed: Annotated[
        int, typer.Option(help="The same seed builds the same world.")
    ] = world.DEFAULT_SEED,
    out_dir: Annotated[Path, typer.Option("--out", help="Where the statements go.")] = Path("out"),
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the API when built.")
    ] = True,
    host: Annotated[str, typer.Option(help="Address to serve on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
) -> None:
    """Build the demo world (statements, customers, ledger), print tokens, serve the API."""
    settings = get_settings()
    started = time.perf_counter()
    register_file = reference_register_path()
    register = load_register(register_file)
    out.print(
        f"[green]✓[/green] register: {len(register.purposes)} purposes, brands "
        f"{', '.join(b.id for b in register.brands)}, languages {', '.join(register.languages)}"
    )

    statements_dir = out_dir / "statements"
    expected = len(register.brands) * len(register.languages) * 2
    statements = _statements(statements_dir, register_file, expected)
    if not statements:
        with out.status(f"rendering {expected} statements (HTML and tagged PDF)…"):
            statements = render_all(register, statements_dir, workers=min(4, os.cpu_count() or 1))
    out.print(f"[green]✓[/green] {len(statements)} statements in {statements_dir}/")

    engine = create_engine(settings.database_url)
    url = engine.url.render_as_string(hide_password=True)
    meta = settings.home / "demo.json"
    copies = settings.checkpoint_copies or settings.home / "checkpoint-copies.jsonl"
    try:
        upgrade(engine)
        gate = Gate.build(register, DbSubjectStates())
        with unit_of_work(engine) as session:
            existing = customers.count_persons(session)
        if existing:
            params = json.loads(meta.read_text()) if meta.exists() else {}
            customers_count = int(params.get("customers", customers_count))
            seed = int(params.get("seed", seed))
            out.print(
                f"[green]✓[/green] demo world already in {url}: {existing} customers "
                f"(delete the database to rebuild it)"
            )
            showcase = world.showcase(register, customers_count=customers_count, seed=seed)
        else:
            summary = _build(engine, register, gate, customers_count, seed)
            settings.home.mkdir(parents=True, exist_ok=True)
            meta.write_text(json.dumps({"customers": customers_count, "seed": seed}))
            showcase = summary.showcase
            # Keep a copy of the signed tree head outside the database; a new world starts a
            # new file (the copies of a deleted world's heads would not match it).
            copies.unlink(missing_ok=True)
            Sequencer(engine, copies=copies).copy_latest()
        held = head_copies.read(copies).heads if copies.exists() else []
        with unit_of_work(engine) as session:
            verified = ledger.verify(session, copies=held)
        out.print(f"[green]✓[/green] {verified.summary()}")
        issued = tokens.issue(engine, register, showcase)
    finally:
        engine.dispose()

    _print_tokens(issued, host, port, time.perf_counter() - started, statements_dir, url, copies)
    if not serve:
        return
    import uvicorn

    from lawful.entrypoints.app import create_app

    out.print(f"\nserving on [bold]http://{host}:{port}/docs[/bold] — Ctrl-C to stop")
    try:
        uvicorn.run(create_app(files=out_dir), host=host, port=port, log_level="warning")
    except OSError as exc:
        out.print(f"[red]cannot serve on {host}:{port}: {exc.strerror}[/red] (try --port)")
        raise typer.Exit(1) from exc


def _build(
    engine: Engine, register: Register, gate: Gate, customers_count: int, seed: int
) -> world.WorldSummary:
    columns = (
        TextColumn("{task.description:<42}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    tasks: dict[str, TaskID] = {}
    with Progress(*columns, console=out) as progress:

        def step(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=max(total, 1))
            progress.update(tasks[stage], completed=done, total=max(total, 1))

        began = time.perf_counter()
        summary = world.build(
            engine, register, gate, customers_count=customers_count, seed=seed, progress=step
        )
    rate = summary.customers / (time.perf_counter() - began)
    out.print(
        f"[green]✓[/green] demo world: {summary.customers} customers ({rate:.0f}/s), "
        + ", ".join(f"{n} {table}" for table, n in summary.rows.items())
        + f"; {summary.objections} objections, {summary.requests} access requests"
    )
    return summary


def _print_tokens(
    issued: list[tokens.DemoToken],
    host: str,
    port: int,
    elapsed: float,
    statements_dir: Path,
    url: str,
    copies: Path,
) -> None:
    base = f"http://{host}:{port}/api/v1"
    out.print(
        f"\n[bold]Ready in {elapsed:.0f} s.[/bold] Tokens (role, id, brand or entity, token):"
    )
    for t in issued:
        out.print(f"  {t.role:<9} {t.who:<33} {t.detail:<13} {t.token}", highlight=False)
    customer = next(t for t in issued if t.role == "customer")
    other = next((t for t in issued if t.role == "customer" and t.who != customer.who), customer)
    bearer = '-H "Authorization: Bearer $T"'
    me = f"{base}/persons/{customer.who}"
    json_body = '-H "Content-Type: application/json" -d "{}"'
    out.print(
        "\nTry, as the first customer:\n"
        f"  export T={customer.token}\n"
        f"  curl {bearer} {me}/access-report\n"
        f'  curl {bearer} "{me}/access-report?format=pdf" -o access-report.pdf\n'
        f"  curl -X POST {bearer} {json_body} {me}/objections   # no more direct marketing\n"
        f"  curl -X POST {bearer} {me}/erasure\n"
        f"  curl {bearer} {base}/persons/{other.who}   # another customer's file: 403\n"
        f"\nStatements: {statements_dir}/ (served at http://{host}:{port}/files/statements/)\n"
        f"Database: {url} · check the ledger: lawful ledger verify --copies {copies}",
        highlight=False,
    )

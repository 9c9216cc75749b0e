"""`lawful demo`: build the demo world on the configured database, then serve it."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from dataclasses import replace
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
from sqlalchemy.engine import make_url

from lawful.config import Settings, get_settings
from lawful.core import installation
from lawful.core.db import sqlite_checkpoint
from lawful.core.errors import ConfigurationError
from lawful.core.gate import unit_of_work
from lawful.core.ledger import copies as head_copies
from lawful.core.ledger import service as ledger
from lawful.core.register.load import load_register, reference_register_path
from lawful.core.register.statement import languages, render_all
from lawful.core.runtime import Runtime
from lawful.correspondence import intent
from lawful.customers import service as customers
from lawful.demo import simulations as demo_simulations
from lawful.demo import tokens, world
from lawful.engagement import service as engagement
from lawful.entrypoints import bootstrap
from lawful.entrypoints.cli_jobs import card_reminders_job, simulation_follow_ups_job
from lawful.entrypoints.cli_tokens import parse_duration
from lawful.entrypoints.sequencer import Sequencer

out = Console(soft_wrap=True)
# Written by the build's last transaction: a database without it holds no finished world.
WORLD_MARKER = "demo-world"


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
    with_statements: Annotated[
        bool,
        typer.Option(
            "--statements/--no-statements",
            help="Render the privacy statements (HTML and PDF) too.",
        ),
    ] = True,
    token_validity: Annotated[
        str,
        typer.Option("--token-validity", help="How long the printed tokens work, e.g. 12h, 7d."),
    ] = "12h",
) -> None:
    """Build the demo world (statements, customers, ledger), print tokens, serve the API."""
    settings = get_settings()
    valid_for = parse_duration(token_validity)
    started = time.perf_counter()
    register_file = reference_register_path()
    register = load_register(register_file)
    out.print(
        f"[green]✓[/green] register: {len(register.purposes)} purposes, brands "
        f"{', '.join(b.id for b in register.brands)}, languages {', '.join(register.languages)}"
    )

    statements_dir = out_dir / "statements"
    if with_statements:
        expected = len(register.brands) * len(languages(register)) * 2
        statements = _statements(statements_dir, register_file, expected)
        if not statements:
            with out.status(f"rendering {expected} statements (HTML and tagged PDF)…"):
                statements = render_all(
                    register, statements_dir, workers=min(4, os.cpu_count() or 1)
                )
        out.print(f"[green]✓[/green] {len(statements)} statements in {statements_dir}/")

    bootstrap.init(settings)
    url = make_url(settings.database_url).render_as_string(hide_password=True)
    meta = settings.home / "demo.json"
    copies = settings.checkpoint_copies or settings.home / "checkpoint-copies.jsonl"
    runtime = bootstrap.open_runtime(settings)
    try:
        with unit_of_work(runtime.engine) as session:
            built = installation.marker(session, WORLD_MARKER)
            existing = customers.count_persons(session)
            if existing and built is None and meta.exists():
                # A world built before the marker existed: its parameters file was written
                # once the build had finished.
                built = meta.read_text()
                installation.set_marker(session, WORLD_MARKER, built)
        if existing and built is None:
            raise ConfigurationError(
                f"{url} holds {existing} customers but no finished demo world (an interrupted "
                "build, or a database that is not a demo's): use an empty database, or delete "
                "this one to build the demo again"
            )
        if existing:
            params = json.loads(built or "{}")
            customers_count = int(params.get("customers", customers_count))
            seed = int(params.get("seed", seed))
            out.print(
                f"[green]✓[/green] demo world already in {url}: {existing} customers "
                f"(delete the database to rebuild it)"
            )
            showcase = world.showcase(runtime.register, customers_count=customers_count, seed=seed)
        else:
            runtime.engine.dispose()
            runtime = _build_world(settings, customers_count, seed)
            showcase = world.showcase(runtime.register, customers_count=customers_count, seed=seed)
            meta.unlink(missing_ok=True)
            # Sequence and sign what was built, and keep a copy of the signed tree head outside
            # the database; a new world starts a new file (the copies of a deleted world's heads
            # would not match it).
            copies.unlink(missing_ok=True)
            _remind(runtime)
            _simulate(runtime, showcase)
            sequencer = Sequencer(runtime.engine, runtime.keys, copies=copies)
            sequencer.drain()
            sequencer.copy_latest()
        held = head_copies.read(copies).heads if copies.exists() else []
        with unit_of_work(runtime.engine) as session:
            verified = ledger.verify(session, keys=runtime.keys, copies=held)
        out.print(f"[green]✓[/green] {verified.summary()}")
        issued = tokens.issue(runtime.engine, runtime.gate, showcase, valid_for=valid_for)
    finally:
        runtime.engine.dispose()

    _print_tokens(
        issued,
        host,
        port,
        time.perf_counter() - started,
        statements_dir if with_statements else None,
        url,
        copies,
    )
    if not serve:
        return
    import uvicorn

    from lawful.entrypoints.app import create_app

    out.print(
        f"\nserving on [bold]http://{host}:{port}/docs[/bold] and the privacy centre on "
        f"[bold]http://{host}:{port}/privacy/login[/bold] — Ctrl-C to stop"
    )
    try:
        uvicorn.run(
            create_app(settings=settings, files=out_dir if with_statements else None),
            host=host,
            port=port,
            log_level="warning",
            server_header=False,
        )
    except OSError as exc:
        out.print(f"[red]cannot serve on {host}:{port}: {exc.strerror}[/red] (try --port)")
        raise typer.Exit(1) from exc


def _build_world(settings: Settings, customers_count: int, seed: int) -> Runtime:
    """Build the world so that an interrupted build is never taken for a world.

    SQLite: built in a file of its own, renamed over the configured one only when complete, so
    that `kill -9` leaves the configured database as it was. PostgreSQL: built in place; the
    marker written by the last transaction says it is complete, and a database with customers
    but no marker is refused (above)."""
    target = bootstrap.sqlite_path(settings.database_url)
    if target is None:
        runtime = bootstrap.open_runtime(settings)
        _build(runtime, customers_count, seed)
        return runtime
    building = target.with_name(f"{target.name}.building")
    for leftover in (building, *_sidecars(building)):
        leftover.unlink(missing_ok=True)
    scratch = replace(settings, database_url=f"sqlite:///{building}")
    bootstrap.init(scratch)
    runtime = bootstrap.open_runtime(scratch)
    try:
        _build(runtime, customers_count, seed)
        # Everything into the main file before it moves: the -wal file does not follow.
        if not sqlite_checkpoint(runtime.engine):
            raise ConfigurationError(f"{building}: its write-ahead log could not be emptied")
    finally:
        runtime.engine.dispose()
    for stale in _sidecars(target):
        stale.unlink(missing_ok=True)
    os.replace(building, target)
    for leftover in _sidecars(building):
        leftover.unlink(missing_ok=True)
    return bootstrap.open_runtime(settings)


def _sidecars(path: Path) -> tuple[Path, Path]:
    return path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")


def _build(runtime: Runtime, customers_count: int, seed: int) -> world.WorldSummary:
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

        # Trained on first use: not part of building the world.
        classifier = intent.load(None if runtime.home is None else runtime.home / "models")
        began = time.perf_counter()
        summary = world.build(
            runtime.engine,
            runtime.register,
            runtime.gate,
            customers_count=customers_count,
            seed=seed,
            progress=step,
            classifier=classifier,
        )
    rate = summary.customers / (time.perf_counter() - began)
    out.print(
        f"[green]✓[/green] demo world: {summary.customers} customers ({rate:.0f}/s), "
        + ", ".join(f"{n} {table}" for table, n in summary.rows.items())
        + f"; {summary.objections} objections, {summary.requests} access requests"
        + f"; {summary.complaints} complaints"
        + (f" (Ombudsfin's card case: #{summary.complaint})" if summary.complaint else "")
        + (f"; reinsurance treaties {', '.join(summary.treaties)}" if summary.treaties else "")
        + f"; {summary.offers.offers} offers ({summary.offers.left_out} customers left out by "
        "objection"
        + (
            f", {summary.offers.referral} put in touch with the sustainability partner)"
            if summary.offers.referral
            else ")"
        )
    )
    if summary.flood is not None and summary.flood.summary is not None:
        f = summary.flood.summary
        out.print(
            f"[green]✓[/green] flood underwriting: {f.properties - f.quotes} insured homes and "
            f"{f.quotes} quoted, {f.in_zone} in a "
            f"risk zone; proposed {f.proposed['cover']} cover, {f.proposed['loading']} loading, "
            f"{f.proposed['refuse']} refusal; {f.pending_review} for underwriters to review "
            f"(policy {summary.flood.refused_policy}, built 2021 in a zone decreed in 2019: "
            f"refused after review; policy {summary.flood.covered_policy}, built 1985: "
            "covered with a 25% loading)"
        )
        if summary.flood.quote is not None:
            out.print(
                f"  home-insurance quote #{summary.flood.quote} (a prospect's house built 2022 in "
                "the same zone) assessed with them: refusal proposed, waiting for an underwriter "
                f"— GET /api/v1/persons/{summary.flood.quote_person}/simulations/"
                f"{summary.flood.quote}/flood-assessment"
            )
    talked = summary.conversations
    if talked.mifid_call is not None and talked.training_until is not None:
        out.print(
            f"[green]✓[/green] conversations: {talked.recorded} recorded; the MiFID call "
            f"#{talked.mifid_call} keeps its training copy until {talked.training_until} and its "
            f"evidence until {talked.evidence_until} — see `lawful rights retention --today "
            f"{talked.training_until + dt.timedelta(days=1)}`"
        )
    for lang, answer in sorted(talked.answers.items()):
        out.print(f"  the assistant ({lang}), asked whom the data was shared with: {answer}")
    if summary.mail is not None:
        mail = summary.mail
        out.print(
            f"[green]✓[/green] correspondence: letter #{mail.letter} examined without a ground: "
            f"{'refused and recorded' if mail.refused else 'NOT refused'}; examined for "
            f"process control: recorded; complaint e-mail #{mail.complaint_email} → "
            + (f"complaint #{mail.complaint}" if mail.complaint else "left for staff to register")
            + f"; draft answer #{mail.draft} awaiting approval"
        )
    with unit_of_work(runtime.engine) as session:
        installation.set_marker(
            session, WORLD_MARKER, json.dumps({"customers": customers_count, "seed": seed})
        )
    return summary


def _remind(runtime: Runtime) -> None:
    """The card reminders of the world's day, run early in the morning: those who keep quiet hours
    until seven get theirs when the job runs again later that day."""
    local = dt.datetime.combine(world.TODAY, dt.time(6, 30), tzinfo=engagement.LOCAL_TIME)
    outcome, dispatched = card_reminders_job(runtime, day=world.TODAY, now=local)
    out.print(
        f"[green]✓[/green] card reminders for {world.TODAY}: {outcome.eligible} due, "
        f"{outcome.sent} sent ({dispatched.kept} kept in the app), suppressed "
        f"{outcome.by_preference} by preference and {outcome.by_objection} by objection, "
        f"{outcome.by_quiet_hours} deferred by quiet hours"
    )


def _simulate(runtime: Runtime, showcase: dict[str, str]) -> None:
    """The first customer abandons a loan simulation the day before; the follow-up job, run
    twice, offers help once; the loan application is then pre-filled, each field with its source."""
    person = sorted(showcase.items())[0][1]
    simulation = demo_simulations.abandon_a_loan_simulation(
        runtime.engine, runtime.gate, person_id=person, day=world.TODAY
    )
    local = dt.datetime.combine(world.TODAY, dt.time(10, 0), tzinfo=engagement.LOCAL_TIME)
    first, _ = simulation_follow_ups_job(runtime, now=local)
    again, _ = simulation_follow_ups_job(runtime, now=local)
    out.print(
        f"[green]✓[/green] simulation {simulation}, abandoned the day before: "
        f"{first.messages} offer of help in the app, {first.tasks} adviser task; "
        f"run again: {again.messages + again.tasks} more"
    )
    form = demo_simulations.prefilled_application(
        runtime.engine, runtime.gate, person_id=person, simulation_id=simulation, day=world.TODAY
    )
    out.print(f"[green]✓[/green] {form.form} pre-filled for {person}, each field with its source:")
    for field in form.fields:
        source = field.source.record if field.source else "to fill in"
        shown = "" if field.value is None else str(field.value)
        out.print(f"    {field.name:<16} {shown:<28} ← {source}", highlight=False, markup=False)


def _print_tokens(
    issued: list[tokens.DemoToken],
    host: str,
    port: int,
    elapsed: float,
    statements_dir: Path | None,
    url: str,
    copies: Path,
) -> None:
    base = f"http://{host}:{port}/api/v1"
    out.print(
        f"\n[bold]Ready in {elapsed:.0f} s.[/bold] Tokens (role, id, brand or entity, token), "
        "valid until "
        f"{min(t.expires_at for t in issued):%Y-%m-%d %H:%M} UTC:"
    )
    role_w, who_w, detail_w = (
        max(len(getattr(t, f)) for t in issued) for f in ("role", "who", "detail")
    )
    for t in issued:
        out.print(
            f"  {t.role:<{role_w}} {t.who:<{who_w}} {t.detail:<{detail_w}} {t.token}",
            highlight=False,
        )
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
        f"  curl {bearer} {me}/notifications   # the card reminder in the app's inbox\n"
        f"  curl {bearer} {me}/notification-preferences\n"
        f'  curl {bearer} "{me}/flood-assessments?lang=fr"   # flood cover refused, and why\n'
        "  # as an underwriter (T=the insurer's uw- token): the proposals waiting for review\n"
        f"  curl {bearer} {base}/flood/assessments\n"
        f"  curl {bearer} {me}/simulations   # the loan simulation left yesterday, followed up\n"
        f'  curl -X POST {bearer} -H "Content-Type: application/json" '
        f'-d \'{{"form": "loan-application"}}\' {me}/application-forms'
        "   # each field with its source\n"
        f'  curl -X POST {bearer} -H "Content-Type: application/json" '
        f'-d \'{{"text": "Who did you share my data with?"}}\' {base}/assistant/messages'
        "   # the assistant, from the ledger, in the customer's language\n"
        f"  curl {bearer} {me}/offers   # each offer says why: the rule and the facts it read\n"
        f"  lawful jobs run card-reminders --date {world.TODAY} --time 10:00"
        "   # after the quiet hours; nothing sent twice\n"
        + (
            f"\nStatements: {statements_dir}/ (served at http://{host}:{port}/files/statements/)"
            if statements_dir
            else ""
        )
        + f"\nPrivacy centre: http://{host}:{port}/privacy/login (paste a customer's token)"
        + f"\nStaff console: http://{host}:{port}/privacy/console/login (paste a staff token)"
        + f"\nDatabase: {url} · check the ledger: lawful ledger verify --copies {copies}",
        highlight=False,
    )

"""`lawful ledger ...`: sequence, verify, sign and show the ledger from the command line."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session

from lawful.config import COPIES_VARIABLE, get_settings
from lawful.core.db import session_scope
from lawful.core.errors import ConfigurationError, LawfulError
from lawful.core.ledger import checks
from lawful.core.ledger import copies as head_copies
from lawful.core.ledger import service as ledger
from lawful.core.vault import keys
from lawful.core.vault.keys import Keyring
from lawful.entrypoints import cli_ingest
from lawful.entrypoints.bootstrap import open_runtime
from lawful.entrypoints.sequencer import INTERVAL, Sequencer

app = typer.Typer(
    name="ledger",
    help="The ledger, a transparency log: sequence, verify, checkpoint, rotate the key, show.",
)

EXIT_TAMPERED = 1
EXIT_UNAVAILABLE = 2
LONG_VERIFY = 200_000  # events: from here on, verify says what it is doing before it starts


@contextmanager
def _unit_of_work(*, read_only: bool = False) -> Iterator[tuple[Session, Keyring]]:
    """Open the installation (database migrated to head) and map failures to one clear line:
    exit 2 when the ledger cannot be checked at all (keys or database unavailable), 1 otherwise."""
    engine = None
    try:
        runtime = open_runtime()
        engine = runtime.engine
        with session_scope(engine, read_only=read_only) as session:
            yield session, runtime.keys
    except ConfigurationError as exc:  # keys or database missing or damaged: nothing said
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_UNAVAILABLE) from exc
    except LawfulError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_TAMPERED) from exc
    except OperationalError as exc:
        typer.echo(f"error: database unavailable: {exc.orig}", err=True)
        raise typer.Exit(EXIT_UNAVAILABLE) from exc
    except ArgumentError as exc:  # a malformed URL: say so instead of printing a traceback
        typer.echo(f"error: cannot use database URL: {exc}", err=True)
        raise typer.Exit(EXIT_UNAVAILABLE) from exc
    finally:
        if engine is not None:
            engine.dispose()


COPIES_HELP = (
    "A file of signed tree head copies kept outside the database (on other storage: a write-once "
    "volume, another host). Default: $LAWFUL_CHECKPOINT_COPIES."
)
CopiesOption = Annotated[
    Path | None,
    typer.Option("--copies", envvar=COPIES_VARIABLE, help=COPIES_HELP),
]


@app.command()
def verify(copies: CopiesOption = None) -> None:
    """Recompute the Merkle tree and check it against every signed tree head.

    With --copies, also against the heads kept outside the database, each still in it. Every
    run is kept with its result (see the console's ledger page); run it nightly."""
    held = head_copies.Copies([])
    if copies is not None and copies.exists():
        try:
            held = head_copies.read(copies)
        except LawfulError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(EXIT_UNAVAILABLE) from exc
        if held.torn:
            typer.echo(
                f"warning: {held.torn} line(s) of {copies} were cut short by an interrupted "
                "write and are ignored",
                err=True,
            )
    with _unit_of_work(read_only=True) as (session, keyring):
        events = ledger.counts(session).sequenced
        if events >= LONG_VERIFY:
            # A line, not a live bar: a display thread would keep verify from using worker
            # processes.
            typer.echo(f"checking {events:,} events and their signed tree heads…", err=True)
        run = checks.timed(lambda: ledger.verify(session, keys=keyring, copies=held.heads))
    # Kept, intact or not, for the console's ledger page and whoever checks the checks.
    with _unit_of_work() as (session, _):
        checks.keep(session, run, run_by=checks.CLI)
    result = run.result
    if not result.ok:
        typer.echo(result.summary(), err=True)
        raise typer.Exit(EXIT_TAMPERED)
    if copies is not None and not held.heads and result.heads:
        typer.echo(
            f"error: no tree head copies in {copies}, yet the database holds "
            f"{result.heads} signed tree head(s): the copies cannot be checked",
            err=True,
        )
        raise typer.Exit(EXIT_UNAVAILABLE)
    typer.echo(result.summary())


def _sequencer(copies: Path | None, batch: int = 5_000, interval: float = INTERVAL) -> Sequencer:
    try:
        runtime = open_runtime()
    except ConfigurationError as exc:  # keys or database missing or damaged
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_UNAVAILABLE) from exc
    except Exception as exc:  # a malformed URL or an unreachable database: one line
        typer.echo(f"error: database unavailable: {getattr(exc, 'orig', None) or exc}", err=True)
        raise typer.Exit(EXIT_UNAVAILABLE) from exc
    return Sequencer(runtime.engine, runtime.keys, batch=batch, interval=interval, copies=copies)


@app.command()
def sequence(
    follow: Annotated[
        bool, typer.Option("--follow/--once", help="Keep sequencing until stopped.")
    ] = False,
    batch: Annotated[int, typer.Option(min=1, help="Entries per batch (one signed head each).")] = (
        5_000
    ),
    interval: Annotated[
        float, typer.Option(min=0.01, help="Seconds between rounds when nothing is pending.")
    ] = INTERVAL,
    copies: CopiesOption = None,
) -> None:
    """Give pending entries their place in the log, and sign the new tree heads.

    --once (the default) sequences what is pending and exits; --follow keeps going until
    interrupted. Several may run at once, on several hosts: one works, the others wait."""
    runner = _sequencer(copies, batch, interval)
    try:
        if not follow:
            with _errors():
                done, head = runner.drain()
                if copies is not None and head is not None:
                    runner.copy_latest()
            size = f"; tree head signed at size {head.tree_size}" if head else ""
            typer.echo(f"sequenced {done} entries{size}")
            return
        stop = threading.Event()
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda *_: stop.set())
        runner.follow(stop, lambda exc: typer.echo(f"error: {exc}", err=True))
    finally:
        runner.engine.dispose()


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except ConfigurationError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_UNAVAILABLE) from exc
    except LawfulError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_TAMPERED) from exc
    except OperationalError as exc:
        typer.echo(f"error: database unavailable: {exc.orig}", err=True)
        raise typer.Exit(EXIT_UNAVAILABLE) from exc


@app.command()
def checkpoint(copies: CopiesOption = None) -> None:
    """Sequence what is pending, so that everything appended so far is under a signed tree head.

    With --copies, that head is then appended to the file."""
    runner = _sequencer(None)
    try:
        with _errors():
            runner.drain()
            with session_scope(runner.engine, read_only=True) as session:
                head = ledger.latest_head(session)
        if head is None:
            typer.echo("error: the ledger is empty: nothing to sign", err=True)
            raise typer.Exit(EXIT_TAMPERED)
        typer.echo(f"tree head signed at size {head.tree_size} (root {head.root_hash.hex()[:16]}…)")
        if copies is None:
            return
        try:
            head_copies.append(copies, head)
        except OSError as exc:
            typer.echo(
                f"error: the tree head is signed but not copied to {copies}: {exc}", err=True
            )
            raise typer.Exit(EXIT_UNAVAILABLE) from exc
        typer.echo(f"copied to {copies}")
    finally:
        runner.engine.dispose()


@app.command("rotate-key")
def rotate_key() -> None:
    """Retire the tree head signing key and make a new one.

    Heads signed with the retired key still verify (its public half is kept); nothing can be
    signed with it any more. Restart running services and sequencers so that they sign with the
    new key."""
    try:
        retired, new = keys.rotate_signing_key(get_settings().keys_dir)
    except (OSError, LawfulError) as exc:
        typer.echo(f"error: the signing key was not rotated: {exc}", err=True)
        raise typer.Exit(EXIT_UNAVAILABLE) from exc
    typer.echo(f"signing key {retired} retired; tree heads are now signed with {new}")


@app.command("actor-ref")
def actor_ref(
    staff_ids: Annotated[list[str], typer.Argument(help="Staff member ids.", metavar="STAFF_ID")],
) -> None:
    """The pseudonym under which the ledger records each staff member as who acted."""
    try:
        keyring = keys.open_keyring(get_settings().keys_dir)
    except ConfigurationError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_UNAVAILABLE) from exc
    for staff_id, pseudonym in ledger.staff_pseudonyms(keyring, staff_ids).items():
        typer.echo(f"{staff_id}\t{pseudonym}")


@app.command()
def show(
    last: int = typer.Option(20, "--last", "-n", min=1, help="How many recent events."),
) -> None:
    """The most recent events, oldest first. Subjects and staff appear as pseudonyms only."""
    with _unit_of_work(read_only=True) as (session, _):
        records = ledger.recent(session, limit=last)
    table = Table(title=f"ledger: last {len(records)} event(s)")
    for column in ("leaf", "occurred (UTC)", "event", "actor", "entity", "purpose", "basis"):
        table.add_column(column, no_wrap=column in {"leaf", "occurred (UTC)"})
    for column in ("decision", "subject", "leaf hash"):
        table.add_column(column)
    for r in records:
        table.add_row(
            "pending" if r.leaf_index is None else str(r.leaf_index),
            f"{r.occurred_at:%Y-%m-%d %H:%M:%S}",
            r.event,
            f"{r.actor} ({r.actor_kind})",
            r.entity,
            r.purpose,
            r.legal_basis,
            r.decision.value if r.decision == "allow" else f"[red]{r.decision.value}[/red]",
            (r.subject_pseudonym or "—")[:12],
            r.leaf_hash.hex()[:12],
        )
    Console().print(table)


# Events of the group's other systems: a command of the ledger, kept in a module of its own.
app.command("ingest")(cli_ingest.ingest)

"""`lawful ledger ...`: verify, checkpoint and show the ledger from the command line."""

from __future__ import annotations

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
from lawful.core.ledger import copies as checkpoint_copies
from lawful.core.ledger import service as ledger
from lawful.core.vault import keys
from lawful.core.vault.keys import Keyring
from lawful.entrypoints.bootstrap import open_runtime

app = typer.Typer(
    name="ledger", help="The append-only ledger: verify, checkpoint, rotate the key, show."
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
    "A file of checkpoint copies kept outside the database (on other storage: a write-once "
    "volume, another host). Default: $LAWFUL_CHECKPOINT_COPIES."
)
CopiesOption = Annotated[
    Path | None,
    typer.Option("--copies", envvar=COPIES_VARIABLE, help=COPIES_HELP),
]


@app.command()
def verify(copies: CopiesOption = None) -> None:
    """Recompute the hash chain and check it against every signed checkpoint.

    With --copies, also against the copies kept outside the database, each still in it."""
    held = checkpoint_copies.Copies([])
    if copies is not None and copies.exists():
        try:
            held = checkpoint_copies.read(copies)
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
        events = ledger.head(session)[0]
        if events >= LONG_VERIFY:
            # A line, not a live bar: a display thread would keep verify from using a second
            # process on SQLite.
            typer.echo(f"checking {events:,} events and their checkpoints…", err=True)
        result = ledger.verify(session, keys=keyring, copies=held.checkpoints)
    if not result.ok:
        typer.echo(result.summary(), err=True)
        raise typer.Exit(EXIT_TAMPERED)
    if copies is not None and not held.checkpoints and result.checkpoints:
        typer.echo(
            f"error: no checkpoint copies in {copies}, yet the database holds "
            f"{result.checkpoints} checkpoint(s): the copies cannot be checked",
            err=True,
        )
        raise typer.Exit(EXIT_UNAVAILABLE)
    typer.echo(result.summary())


@app.command()
def checkpoint(copies: CopiesOption = None) -> None:
    """Sign the current head (sequence and hash) with the installation's Ed25519 key.

    With --copies, the signed checkpoint is then appended to that file."""
    with _unit_of_work() as (session, keyring):
        cp = ledger.checkpoint(session, keys=keyring)
    typer.echo(f"checkpoint #{cp.id} signed at seq {cp.sequence} (hash {cp.hash.hex()[:16]}…)")
    if copies is None:
        return
    try:
        checkpoint_copies.append(copies, cp)
    except OSError as exc:
        typer.echo(
            f"error: checkpoint #{cp.id} is signed but not copied to {copies}: {exc}", err=True
        )
        raise typer.Exit(EXIT_UNAVAILABLE) from exc
    typer.echo(f"copied to {copies}")


@app.command("rotate-key")
def rotate_key() -> None:
    """Retire the checkpoint signing key and make a new one.

    Checkpoints signed with the retired key still verify (its public half is kept); nothing can
    be signed with it any more. Restart running services so that they sign with the new key."""
    try:
        retired, new = keys.rotate_signing_key(get_settings().keys_dir)
    except (OSError, LawfulError) as exc:
        typer.echo(f"error: the signing key was not rotated: {exc}", err=True)
        raise typer.Exit(EXIT_UNAVAILABLE) from exc
    typer.echo(f"signing key {retired} retired; checkpoints are now signed with {new}")
    typer.echo("sign one now with: lawful ledger checkpoint")


@app.command()
def show(
    last: int = typer.Option(20, "--last", "-n", min=1, help="How many recent events."),
) -> None:
    """The most recent events, oldest first. Subjects appear as pseudonyms only."""
    with _unit_of_work(read_only=True) as (session, _):
        records = ledger.recent(session, limit=last)
    table = Table(title=f"ledger: last {len(records)} event(s)")
    for column in ("seq", "occurred (UTC)", "event", "actor", "entity", "purpose", "basis"):
        table.add_column(column, no_wrap=column in {"seq", "occurred (UTC)"})
    for column in ("decision", "subject", "hash"):
        table.add_column(column)
    for r in records:
        table.add_row(
            str(r.sequence),
            f"{r.occurred_at:%Y-%m-%d %H:%M:%S}",
            r.event,
            f"{r.actor} ({r.actor_kind})",
            r.entity,
            r.purpose,
            r.legal_basis,
            r.decision.value if r.decision == "allow" else f"[red]{r.decision.value}[/red]",
            (r.subject_pseudonym or "—")[:12],
            r.hash.hex()[:12],
        )
    Console().print(table)

"""`lawful init` and `lawful serve`: set an installation up once, then serve it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from lawful.config import get_settings
from lawful.core.db import upgrade
from lawful.core.gate import unit_of_work
from lawful.entrypoints import bootstrap
from lawful.flows import restore


def init() -> None:
    """Create the installation's keys and database (migrated to the latest schema).

    Run it once, then back up the keys folder apart from the database. Running it again changes
    nothing; it refuses to make new keys for a database whose ledger was made with other keys."""
    done = bootstrap.init()
    keys = (
        f"keys created in {done.keys_dir} (back them up apart from the database)"
        if done.keys_created
        else f"keys already in {done.keys_dir}"
    )
    database = f"database {'created' if done.database_created else 'ready'}: {done.database}"
    typer.echo(f"{keys}\n{database}")


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Worker processes sharing the port.")
    ] = 1,
) -> None:
    """Serve the API over the configured installation (LAWFUL_DATABASE_URL, LAWFUL_HOME).

    The schema is migrated once, before the workers start; keys and database must exist
    (`lawful init`)."""
    import uvicorn

    runtime = bootstrap.open_runtime(get_settings(), migrate=False)
    try:
        upgrade(runtime.engine, keys=runtime.keys)
        # A database restored from a backup must not serve people erased since it was taken.
        with unit_of_work(runtime.engine) as session:
            replayed = restore.replay_erasures(session, gate=runtime.gate, today=dt.date.today())
    finally:
        runtime.engine.dispose()
    if replayed.persons or replayed.keys:
        typer.echo(
            f"restored backup: {len(replayed.persons)} person(s) erased since it was taken were "
            f"erased again, {replayed.keys} key(s) destroyed again"
        )
    typer.echo(f"serving on http://{host}:{port} ({workers} worker(s)); docs at /docs")
    uvicorn.run(
        "lawful.entrypoints.app:serve_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=False,
        server_header=False,
    )

"""`lawful keys ...`: the vault master key's versions — rotate, destroy the old, status."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from lawful.config import get_settings
from lawful.core.db import session_scope
from lawful.core.errors import Conflict
from lawful.core.vault import keys as keyring
from lawful.core.vault import service as vault
from lawful.entrypoints.bootstrap import open_runtime

app = typer.Typer(
    name="keys",
    help="The vault master key: rotate it, destroy old versions once no backup needs them.",
    no_args_is_help=True,
)
out = Console(soft_wrap=True)
BATCH = 5_000


@app.command()
def status() -> None:
    """Master key versions on disk, and how many subject keys each older version still wraps."""
    runtime = open_runtime()
    try:
        keys = runtime.keys
        with session_scope(runtime.engine, read_only=True) as session:
            older = vault.keys_to_rewrap(session, keys=keys)
    finally:
        runtime.engine.dispose()
    versions = ", ".join(str(v) for v in sorted(keys.masters))
    out.print(f"master key versions on disk: {versions} (new keys use {keys.master_version})")
    out.print(f"subject keys still wrapped by an older version: {older}")
    erased = len(vault.erased_pseudonyms(keys))
    out.print(f"subjects listed as erased (replayed after a restore): {erased}")


@app.command()
def rotate() -> None:
    """Make a new master key version and rewrap every subject key with it.

    Resumable: run it again after an interruption and it finishes the rewrap (it makes no second
    new version while keys wait for the current one). The old versions stay on disk, because
    backups taken before need them; destroy them with `lawful keys destroy` once the oldest
    backup you keep was taken after this rotation."""
    settings = get_settings()
    runtime = open_runtime(settings)
    try:
        with session_scope(runtime.engine, read_only=True) as session:
            pending = vault.keys_to_rewrap(session, keys=runtime.keys)
        if pending == 0:
            version = keyring.add_master_version(settings.keys_dir)
            keys = keyring.open_keyring(settings.keys_dir)
            with session_scope(runtime.engine, read_only=True) as session:
                pending = vault.keys_to_rewrap(session, keys=keys)
            out.print(f"master key version {version} created")
        else:
            keys = runtime.keys
            out.print(
                f"resuming: {pending} subject key(s) still wait for version {keys.master_version}"
            )
        done, after = 0, ""
        columns = (
            TextColumn("rewrapping subject keys"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=out) as progress:
            task = progress.add_task("rewrap", total=max(pending, 1))
            while True:
                with session_scope(runtime.engine) as session:
                    count, last = vault.rewrap_all(session, keys=keys, batch=BATCH, after=after)
                if last is None:
                    break
                done, after = done + count, last
                progress.update(task, completed=done)
    finally:
        runtime.engine.dispose()
    older = sorted(v for v in keys.masters if v < keys.master_version)
    out.print(f"{done} subject key(s) now wrapped by version {keys.master_version}")
    if older:
        out.print(
            f"older version(s) {', '.join(map(str, older))} kept for backups taken before now: "
            f"`lawful keys destroy --below {keys.master_version}` once none of those is kept"
        )


@app.command()
def destroy(
    below: Annotated[int, typer.Option(min=2, help="Destroy every version lower than this.")],
) -> None:
    """Destroy old master key versions for good.

    What only they could open — subject keys in backups taken before the rotation, the keys of
    people erased since among them — can never be read again. Refused while the database still
    has a key wrapped by one of them (finish `lawful keys rotate` first)."""
    settings = get_settings()
    runtime = open_runtime(settings)
    try:
        keys = runtime.keys
        if below > keys.master_version:
            raise Conflict(
                f"version {keys.master_version} is the newest: nothing below {below} can go "
                "while it wraps the live keys"
            )
        with session_scope(runtime.engine, read_only=True) as session:
            still = vault.keys_wrapped_below(session, version=below)
        if still:
            raise Conflict(
                f"{still} subject key(s) are still wrapped by a version below {below}: run "
                "`lawful keys rotate` to finish rewrapping them first"
            )
    finally:
        runtime.engine.dispose()
    destroyed = keyring.destroy_master_versions(settings.keys_dir, below=below)
    if destroyed:
        out.print(f"destroyed master key version(s) {', '.join(map(str, destroyed))}")
    else:
        out.print(f"no master key version below {below} was on disk")

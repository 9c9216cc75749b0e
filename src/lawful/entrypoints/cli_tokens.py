"""`lawful tokens ...`: issue, list and revoke the API's bearer tokens.

A token is printed once, when issued; afterwards it is known by its id (the first characters of
its hash), which is what `list` shows and what `revoke` accepts besides the token itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from lawful.auth import service as auth
from lawful.core.errors import InvalidInput
from lawful.core.gate import Gate, unit_of_work
from lawful.entrypoints.bootstrap import open_runtime

app = typer.Typer(name="tokens", help="The API's bearer tokens: issue, list, revoke.")
out = Console(soft_wrap=True)

_DURATION = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}

RegisterOption = Annotated[
    Path | None,
    typer.Option("--register", help="The processing register (default: the reference one)."),
]


def parse_duration(text: str) -> dt.timedelta:
    """'90m', '8h', '7d' as a duration."""
    found = _DURATION.match(text)
    if found is None or int(found.group(1)) == 0:
        raise InvalidInput(f"'{text}' is not a duration such as 90m, 8h or 7d", field="valid-for")
    return dt.timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})


@contextmanager
def _session(register_file: Path | None = None) -> Iterator[tuple[Session, Gate]]:
    runtime = open_runtime(register_path=register_file)
    try:
        with unit_of_work(runtime.engine) as session:
            yield session, runtime.gate
    finally:
        runtime.engine.dispose()


@app.command()
def issue(
    staff: Annotated[str | None, typer.Option(help="A staff member's id.")] = None,
    role: Annotated[str | None, typer.Option(help="The staff member's register role.")] = None,
    entity: Annotated[
        str | None, typer.Option(help="The entity the staff member acts for.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="The staff member's name (first use).")] = None,
    person: Annotated[str | None, typer.Option(help="A customer's person id.")] = None,
    system: Annotated[
        str | None,
        typer.Option(help="One of the group's systems: a register role of kind system."),
    ] = None,
    valid_for: Annotated[
        str | None,
        typer.Option(help="e.g. 90m, 8h, 7d (default: 8h for staff, 1h for a customer)."),
    ] = None,
    register_file: RegisterOption = None,
) -> None:
    """Issue a token for a staff member (--staff --role --entity), a customer (--person) or one
    of the group's systems (--system --entity; default validity 30 days).

    The token is printed once; only its hash is kept."""
    validity = parse_duration(valid_for) if valid_for else None
    if sum(given is not None for given in (staff, person, system)) != 1:
        raise InvalidInput(
            "give one of --staff (with --role and --entity), --person, --system (with --entity)"
        )
    with _session(register_file) as (session, gate):
        if system is not None:
            if entity is None:
                raise InvalidInput("a system token needs --entity")
            issued = auth.issue_system_token(
                session, register=gate.register, system=system, entity=entity, valid_for=validity
            )
        elif person is not None:
            issued = auth.issue_customer_token(
                session, states=gate.states, person_id=person, valid_for=validity
            )
        elif staff is not None and role is not None and entity is not None:
            issued = auth.issue_staff_token(
                session,
                register=gate.register,
                staff_id=staff,
                display_name=name or staff,
                role=role,
                entity=entity,
                valid_for=validity,
            )
        else:
            raise InvalidInput("a staff token needs --role and --entity")
    who = issued.principal
    out.print(
        f"token {issued.id}: {who.kind.value} {who.staff_id or who.person_id or who.role} "
        f"({who.role} for "
        f"{who.entity}), valid until {issued.expires_at:%Y-%m-%d %H:%M} UTC",
        highlight=False,
    )
    typer.echo(issued.token)


def _when(value: dt.datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "-"


@app.command("list")
def list_tokens(
    active: Annotated[bool, typer.Option(help="Only tokens neither expired nor revoked.")] = False,
) -> None:
    """Every token by id, whose it is, when issued, until when, and whether revoked (UTC)."""
    with _session() as (session, _):
        tokens = auth.list_tokens(session)
    now = dt.datetime.now(dt.UTC)
    if active:
        tokens = [t for t in tokens if t.revoked_at is None and t.expires_at > now]
    table = Table("id", "kind", "who", "created", "expires", "revoked")
    for column in table.columns:
        column.no_wrap = True
    for t in tokens:
        table.add_row(
            t.id,
            t.kind.value,
            t.staff_id or t.person_id or t.system or "-",
            _when(t.created_at),
            _when(t.expires_at),
            _when(t.revoked_at),
        )
    out.print(table)


@app.command()
def revoke(
    token: Annotated[str, typer.Argument(help="The token, or its id as `list` shows it.")],
) -> None:
    """Revoke a token at once: the next request with it is answered 401."""
    with _session() as (session, _):
        info = auth.revoke(session, token_or_id=token)
    out.print(
        f"token {info.id} ({info.kind.value} {info.staff_id or info.person_id or info.system}) "
        "revoked at "
        f"{_when(info.revoked_at)} UTC",
        highlight=False,
    )

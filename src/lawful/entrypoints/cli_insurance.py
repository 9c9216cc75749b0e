"""`lawful insurance ...`: reinsurance treaties, facultative placements and bordereaux."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from lawful.core.errors import ConfigurationError, InvalidInput, LawfulError
from lawful.core.gate import unit_of_work
from lawful.entrypoints.bootstrap import open_runtime
from lawful.insurance import export, service
from lawful.insurance.schemas import TreatyRead

app = typer.Typer(name="insurance", help="Reinsurance: treaties, placements, bordereaux.")

Date = Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"])]
EXIT_FAILED, EXIT_UNAVAILABLE = 1, 2


@contextmanager
def _one_line() -> Iterator[None]:
    """A refused command is one line on stderr and an exit code, never a traceback; the unit
    of work was rolled back, so nothing of it is recorded."""
    try:
        yield
    except ConfigurationError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_UNAVAILABLE) from None
    except LawfulError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED) from None


@app.command()
def treaty(
    code: Annotated[str, typer.Option(help="The treaty's code, e.g. QS-2026-HOME.")],
    kind: Annotated[str, typer.Option(help="quota_share, excess_of_loss or facultative.")],
    entity: Annotated[str, typer.Option(help="The ceding insurer (kbc-insurance…).")],
    reinsurer: Annotated[str, typer.Option(help="A reinsurer the register declares.")],
    starts_on: Date,
    ends_on: Date,
    share_bp: Annotated[int | None, typer.Option(help="Quota share ceded, basis points.")] = None,
    retention_cents: Annotated[int | None, typer.Option(help="Excess of loss retention.")] = None,
) -> None:
    """Record a treaty with a reinsurer the register declares for reinsurance."""
    with _one_line():
        made = _treaty(code, kind, entity, reinsurer, starts_on, ends_on, share_bp, retention_cents)
    typer.echo(f"treaty {made.code}: {made.kind} of {made.entity} with {made.reinsurer}")


def _treaty(
    code: str,
    kind: str,
    entity: str,
    reinsurer: str,
    starts_on: dt.datetime,
    ends_on: dt.datetime,
    share_bp: int | None,
    retention_cents: int | None,
) -> TreatyRead:
    data = service.treaty_from(
        {
            "code": code,
            "kind": kind,
            "entity": entity,
            "reinsurer": reinsurer,
            "share_bp": share_bp,
            "retention_cents": retention_cents,
            "starts_on": starts_on.date(),
            "ends_on": ends_on.date(),
        }
    )
    runtime = open_runtime()
    try:
        with unit_of_work(runtime.engine) as session:
            return service.create_treaty(session, gate=runtime.gate, data=data)
    finally:
        runtime.engine.dispose()


@app.command()
def place(
    treaty: Annotated[str, typer.Option(help="A facultative treaty's code.")],
    policy: Annotated[list[int], typer.Option(help="A home policy id (repeatable).")],
) -> None:
    """Place home policies under a facultative treaty."""
    with _one_line():
        runtime = open_runtime()
        try:
            with unit_of_work(runtime.engine) as session:
                service.place_policies(
                    session, treaty_code=treaty, policy_ids=policy, on=dt.date.today()
                )
        finally:
            runtime.engine.dispose()
    typer.echo(f"{len(set(policy))} polic(ies) placed under {treaty}")


@app.command()
def bordereau(
    treaty: Annotated[str, typer.Option(help="The treaty's code.")],
    period: Annotated[str, typer.Option(help="A quarter, e.g. 2026-Q4.")],
    out: Annotated[Path, typer.Option(help="The file to write.")],
    format: Annotated[str, typer.Option(help="csv or parquet.")] = "csv",
) -> None:
    """Write the treaty's bordereau for the quarter: per home policy the holder's pseudonym for
    this reinsurer, postcode, sum insured, premium, flood class and claims; each policyholder
    recorded in the ledger as disclosed to the reinsurer. The file is written before the
    disclosures are committed (no disclosure recorded for a file that could not be written),
    and removed if they cannot be (no file without its disclosures)."""
    with _one_line():
        if format not in export.FORMATS:
            raise InvalidInput(f"format {format!r} is not one of {', '.join(export.FORMATS)}")
        runtime = open_runtime()
        written = False
        try:
            with unit_of_work(runtime.engine) as session:
                made = service.bordereau(
                    session, gate=runtime.gate, treaty_code=treaty, period=period
                )
                export.write(made, out, format)
                written = True
        except BaseException:
            # The disclosures were not committed: the file must not leave either.
            if written:
                out.unlink(missing_ok=True)
            raise
        finally:
            runtime.engine.dispose()
    typer.echo(
        f"{len(made.rows)} polic(ies) of {made.policyholders} policyholder(s) to "
        f"{made.treaty.reinsurer} for {made.period.label} in {out}"
        + (f"; {made.refused} refused by the gate" if made.refused else "")
    )

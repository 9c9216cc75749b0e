"""`lawful ledger ingest FILE.jsonl`: record the events of one of the group's other systems."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.console import Console

from lawful.core.gate import unit_of_work
from lawful.entrypoints.bootstrap import open_runtime
from lawful.ingest import service

out = Console(soft_wrap=True)


def ingest(
    file: Annotated[Path, typer.Argument(help="A JSONL file, one event per line ('-': stdin).")],
    system: Annotated[
        str, typer.Option(help="The system whose events these are: a register role of kind system.")
    ],
    entity: Annotated[str, typer.Option(help="The group entity the system acts for.")],
) -> None:
    """Record a system's events, each checked against the register, all or nothing.

    A bad line is reported as `line N: field: why` (every one of them), the command exits 1 and
    nothing is recorded. Events whose key the system already had recorded are skipped, so a
    retried file is not recorded twice. The events join the log when the sequencer runs."""
    runtime = open_runtime()
    began = time.perf_counter()
    try:
        with _open(file) as lines, unit_of_work(runtime.engine) as session:
            result = service.ingest_lines(
                session, gate=runtime.gate, system=system, entity=entity, lines=lines
            )
    finally:
        runtime.engine.dispose()
    spent = time.perf_counter() - began
    out.print(
        f"recorded {result.recorded} event(s), {result.already_recorded} already recorded "
        f"(keys seen before), in {spent:.2f} s",
        highlight=False,
    )


def _open(file: Path) -> BinaryIO:
    if str(file) == "-":
        return open(sys.stdin.fileno(), "rb", closefd=False)
    return file.open("rb")

"""`lawful register …`: check, diff and export the processing register."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.console import Console

from lawful.core.register.diff import diff
from lawful.core.register.export import fides_manifest
from lawful.core.register.load import check_file, reference_register_path
from lawful.core.register.models import Register

app = typer.Typer(help="Check, compare and export the processing register (GDPR Art. 30).")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

RegisterFile = Annotated[
    Path | None,
    typer.Argument(
        help="Register YAML file (default: the packaged reference register).", show_default=False
    ),
]


class ExportFormat(StrEnum):
    FIDES = "fides"


def _load_or_exit(path: Path) -> Register:
    register, problems = check_file(path)
    if register is None:
        for problem in problems:
            err.print(f"{path}: {problem}", markup=False, highlight=False)
        err.print(f"[red]{len(problems)} problem(s)[/red] in {path}", highlight=False)
        raise typer.Exit(1)
    return register


@app.command()
def check(file: RegisterFile = None) -> None:
    """Validate a register: structure, taxonomy, references, translations, placeholders."""
    path = file or reference_register_path()
    register = _load_or_exit(path)
    out.print(
        f"[green]register OK[/green]: {len(register.purposes)} purposes, "
        f"{len(register.entities)} entities, {len(register.brands)} brands, "
        f"{len(register.recipients)} recipients, languages {', '.join(register.languages)}",
        highlight=False,
    )


@app.command("diff")
def diff_cmd(
    old: Annotated[Path, typer.Argument(help="The register before the change.")],
    new: Annotated[Path, typer.Argument(help="The register after the change.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the changes as JSON.")] = False,
) -> None:
    """List what changed for customers between two registers."""
    changes = diff(_load_or_exit(old), _load_or_exit(new))
    if as_json:
        typer.echo(json.dumps([c.to_json() for c in changes], indent=2, ensure_ascii=False))
        return
    if not changes:
        out.print("no change that concerns customers")
    for change in changes:
        out.print(change.describe(), markup=False, highlight=False)


@app.command()
def export(
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="Export format.")
    ] = ExportFormat.FIDES,
    file: Annotated[Path | None, typer.Option("--register", help="Register YAML file.")] = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Export the register as fideslang manifests (systems with privacy declarations)."""
    register = _load_or_exit(file or reference_register_path())
    text = yaml.safe_dump(fides_manifest(register), sort_keys=False, allow_unicode=True)
    if out_file is None:
        typer.echo(text, nl=False)
        return
    tmp = out_file.with_name(out_file.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out_file)
    err.print(f"fides manifest written to {out_file}", highlight=False)

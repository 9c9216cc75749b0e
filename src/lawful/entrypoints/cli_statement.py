"""`lawful statement …`: render the customer-facing privacy statement from the register."""

from __future__ import annotations

import logging
import os
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from lawful.core.errors import LawfulError, RegisterInvalid
from lawful.core.register import statement
from lawful.core.register.load import load_register, reference_register_path
from lawful.core.register.models import Register

app = typer.Typer(
    help="Render the privacy statement, per brand and language, as HTML or PDF.",
    no_args_is_help=True,
)
out = Console()
err = Console(stderr=True, soft_wrap=True)


class Format(StrEnum):
    HTML = "html"
    PDF = "pdf"


@app.callback()
def _group() -> None:
    """Render the privacy statement from the processing register."""


def _fail(message: str) -> NoReturn:
    err.print(f"error: {message}", style="bold red", markup=False, highlight=False)
    raise typer.Exit(1)


def _load(path: Path | None) -> Register:
    try:
        return load_register(path)
    except RegisterInvalid as exc:
        count = len(exc.problems)
        more = f" (and {count - 1} more: run `lawful register check`)" if count > 1 else ""
        first = exc.problems[0] if exc.problems else "invalid register"
        where = path or reference_register_path()
        _fail(f"{first}{more}" if str(where) in first else f"{where}: {first}{more}")


def _check_choice(
    kind: str, value: str | None, valid: list[str], where: str = "the register declares"
) -> str:
    if value is None:
        _fail(f"--{kind} is required (one of: {', '.join(valid)}), or use --all")
    if value not in valid:
        _fail(f"unknown {kind} '{value}'; {where}: {', '.join(valid)}")
    return value


@app.command()
def render(
    out_path: Annotated[
        Path,
        typer.Option("--out", help="Output file, or the output folder with --all."),
    ],
    brand: Annotated[str | None, typer.Option(help="Brand id, e.g. kbc, cbc.")] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            help="Language, e.g. fr, nl, en; de gives a notice and the region's language."
        ),
    ] = None,
    fmt: Annotated[
        Format | None,
        typer.Option("--format", help="html or pdf (default: from the --out suffix)."),
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Every brand × language × format into --out DIR.")
    ] = False,
    register_file: Annotated[
        Path | None,
        typer.Option("--register", help="Register YAML (default: the packaged reference)."),
    ] = None,
) -> None:
    """Render one statement to --out FILE, or every statement to --out DIR with --all."""
    # WeasyPrint's warnings (e.g. its font-subsetting backend) are for developers, not for this
    # output; the tests check that WeasyPrint accepts every rule of the stylesheet.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    register = _load(register_file)
    started = time.perf_counter()
    try:
        if all_:
            if brand or lang or fmt:
                _fail(
                    "--all renders every brand, language and format: drop --brand/--lang/--format"
                )
            written = _render_all(register, out_path)
            done = f"{len(written)} files to {out_path}"
        else:
            chosen = _render_one(register, out_path, brand, lang, fmt)
            done = f"{out_path} ({chosen.value})"
    except LawfulError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot write {exc.filename or out_path}: {exc.strerror or exc}")
    out.print(f"wrote {done} in {time.perf_counter() - started:.1f} s", highlight=False)


def _render_all(register: Register, out_dir: Path) -> list[Path]:
    if out_dir.exists() and not out_dir.is_dir():
        _fail(f"--out {out_dir} must be a folder with --all")
    return statement.render_all(register, out_dir, workers=os.cpu_count() or 1)


def _render_one(
    register: Register, out_path: Path, brand: str | None, lang: str | None, fmt: Format | None
) -> Format:
    brand_id = _check_choice("brand", brand, [b.id for b in register.brands])
    language = _check_choice("lang", lang, statement.languages(register), "statements exist in")
    chosen = fmt or (Format.PDF if out_path.suffix.lower() == ".pdf" else Format.HTML)
    if not out_path.parent.is_dir():
        _fail(f"folder {out_path.parent} does not exist")
    if chosen is Format.PDF:
        data = statement.render_pdf(register, brand=brand_id, lang=language)
    else:
        data = statement.render_html(register, brand=brand_id, lang=language).encode("utf-8")
    statement.write_atomic(out_path, data)
    return chosen

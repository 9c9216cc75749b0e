"""The `lawful` command: the only place that wires every domain's CLI together."""

from __future__ import annotations

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from lawful.core.errors import ConfigurationError, InvalidItems, LawfulError, RegisterInvalid
from lawful.entrypoints import (
    cli_complaints,
    cli_correspondence,
    cli_demo,
    cli_flood,
    cli_install,
    cli_insurance,
    cli_jobs,
    cli_keys,
    cli_ledger,
    cli_offers,
    cli_register,
    cli_rights,
    cli_statement,
    cli_tokens,
)

# Exit codes: 1 the command's own failure (a bad register, a tampered ledger, refused input);
# 2 the installation cannot be used (keys or database missing, damaged or unreachable).
EXIT_FAILED = 1
EXIT_UNAVAILABLE = 2

app = typer.Typer(
    help="lawful — the privacy statement is code.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(cli_register.app, name="register")
app.add_typer(cli_statement.app, name="statement")
app.add_typer(cli_ledger.app, name="ledger")
app.add_typer(cli_rights.app, name="rights")
app.add_typer(cli_complaints.app, name="complaints")
cli_insurance.app.add_typer(cli_flood.app, name="flood")
app.add_typer(cli_correspondence.app, name="correspondence")
app.add_typer(cli_insurance.app, name="insurance")
app.add_typer(cli_offers.app, name="offers")
app.add_typer(cli_keys.app, name="keys")
app.add_typer(cli_jobs.app, name="jobs")
app.command()(cli_install.init)
app.command()(cli_install.serve)
app.add_typer(cli_tokens.app, name="tokens")
app.command()(cli_demo.demo)


def main() -> None:
    """Run the CLI; errors become one clear line and an exit code, never a traceback."""
    err = Console(stderr=True, soft_wrap=True)
    try:
        app()
    except RegisterInvalid as exc:
        for problem in exc.problems:
            err.print(problem, markup=False, highlight=False)
        raise SystemExit(EXIT_FAILED) from None
    except InvalidItems as exc:
        for line in exc.lines():
            err.print(line, markup=False, highlight=False)
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise SystemExit(EXIT_FAILED) from None
    except ConfigurationError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise SystemExit(EXIT_UNAVAILABLE) from None
    except LawfulError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise SystemExit(EXIT_FAILED) from None
    except SQLAlchemyError as exc:  # a malformed URL or an unreachable database
        err.print(f"error: database: {getattr(exc, 'orig', None) or exc}", markup=False)
        raise SystemExit(EXIT_UNAVAILABLE) from None
    except OSError as exc:  # a file that cannot be written (statements, checkpoint copies, keys)
        err.print(f"error: {exc.strerror or exc}: {exc.filename or ''}", markup=False)
        raise SystemExit(EXIT_FAILED) from None

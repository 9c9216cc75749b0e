"""`lawful tokens issue | list | revoke` on a database file of its own."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lawful.auth import service as auth
from lawful.core.errors import InvalidInput, NotFound, Unauthenticated
from lawful.core.gate import unit_of_work
from lawful.entrypoints import bootstrap
from lawful.entrypoints.cli import app
from lawful.entrypoints.cli_tokens import parse_duration

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A database of the test's own, made by `lawful init` with the run's keys."""
    url = f"sqlite:///{tmp_path / 'tokens.db'}"
    monkeypatch.setenv("LAWFUL_DATABASE_URL", url)
    bootstrap.init()
    return url


def _authenticate(url: str, token: str) -> str:
    """Who the token is, as the API would see it; raises Unauthenticated otherwise."""
    runtime = bootstrap.open_runtime()
    try:
        with unit_of_work(runtime.engine) as session:
            who = auth.authenticate(session, states=runtime.gate.states, token=token)
    finally:
        runtime.engine.dispose()
    return f"{who.role}:{who.staff_id}"


def test_issue_list_and_revoke_a_staff_token(database: str) -> None:
    issued = runner.invoke(
        app,
        ["tokens", "issue", "--staff", "adv-7", "--role", "advisor", "--entity", "kbc-bank",
         "--valid-for", "2h"],
    )  # fmt: skip
    assert issued.exit_code == 0, issued.output
    token = issued.output.strip().splitlines()[-1]
    token_id = re.search(r"token ([0-9a-f]{12}):", issued.output)
    assert token.startswith("lwf_") and token_id is not None
    assert "valid until" in issued.output
    assert _authenticate(database, token) == "advisor:adv-7"

    listed = runner.invoke(app, ["tokens", "list"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0
    assert token_id.group(1) in listed.output and "adv-7" in listed.output
    assert token not in listed.output  # the token itself is never shown again

    revoked = runner.invoke(app, ["tokens", "revoke", token_id.group(1)])
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in revoked.output
    with pytest.raises(Unauthenticated):
        _authenticate(database, token)
    active = runner.invoke(app, ["tokens", "list", "--active"], env={"COLUMNS": "200"})
    assert token_id.group(1) not in active.output


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--person", "nobody"], NotFound),
        (["--staff", "s-1"], InvalidInput),
        (["--staff", "s-1", "--person", "p"], InvalidInput),
        (["--staff", "s-1", "--role", "advisor", "--entity", "kbc-bank", "--valid-for", "1y"],
         InvalidInput),
        (["--staff", "s-1", "--role", "advisor", "--entity", "kbc-bank", "--valid-for", "91d"],
         InvalidInput),
    ],
)  # fmt: skip
def test_issue_refuses_what_it_cannot_do(
    database: str, args: list[str], error: type[Exception]
) -> None:
    result = runner.invoke(app, ["tokens", "issue", *args])
    assert isinstance(result.exception, error), result.output


def test_revoke_needs_a_token_or_an_id(database: str) -> None:
    assert isinstance(runner.invoke(app, ["tokens", "revoke", "abc"]).exception, InvalidInput)
    missing = runner.invoke(app, ["tokens", "revoke", "0123456789ab"])
    assert isinstance(missing.exception, NotFound)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("90m", dt.timedelta(minutes=90)), ("8h", dt.timedelta(hours=8)), ("7d", dt.timedelta(7))],
)
def test_durations(text: str, expected: dt.timedelta) -> None:
    assert parse_duration(text) == expected

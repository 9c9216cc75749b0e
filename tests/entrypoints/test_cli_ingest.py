"""`lawful ledger ingest FILE.jsonl` and `lawful tokens issue --system`, as an operator runs them:
through the command's own entry point, its exit code and what it prints."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.ingest.conftest import ENTITY, SYSTEM, Installation, OwnDatabase, event
from typer.testing import CliRunner

from lawful.auth import service as auth
from lawful.config import Settings
from lawful.core.gate import unit_of_work
from lawful.entrypoints import bootstrap
from lawful.entrypoints.cli import app, main

runner = CliRunner()


@pytest.fixture
def installation(
    database_of_its_own: OwnDatabase, lawful_home: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Installation]:
    """A database of the test's own, made by `lawful init`, that the commands find through the
    environment."""
    with database_of_its_own("cli-ingest") as url:
        monkeypatch.setenv("LAWFUL_DATABASE_URL", url)
        settings = Settings(database_url=url, home=lawful_home)
        bootstrap.init(settings)
        runtime = bootstrap.open_runtime(settings)
        try:
            yield Installation(url, settings, runtime)
        finally:
            runtime.engine.dispose()


def lawful(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    """Run `lawful ARGS` through its entry point: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["lawful", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write(path: Path, *events: dict[str, object]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path


def test_ingest_records_then_skips_a_retried_file(
    installation: Installation,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    alice, bob = installation.person(), installation.person()
    file = write(
        tmp_path / "cards.jsonl", *(event(f"c-{i}", (alice, bob)[i % 2]) for i in range(6))
    )
    args = ("ledger", "ingest", str(file), "--system", SYSTEM, "--entity", ENTITY)
    code, out, err = lawful(monkeypatch, capsys, *args)
    assert code == 0, err
    assert re.match(r"recorded 6 event\(s\), 0 already recorded", out)
    before = installation.pending()
    code, out, _ = lawful(monkeypatch, capsys, *args)
    assert code == 0 and re.match(r"recorded 0 event\(s\), 6 already recorded", out)
    assert installation.pending() == before


def test_a_bad_line_is_reported_by_number_and_nothing_is_recorded(
    installation: Installation,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    alice = installation.person()
    file = write(
        tmp_path / "bad.jsonl",
        event("b-1", alice),
        event("b-2", alice),
        event("b-3", alice, recipient="fsma"),
        event("b-4", alice),
        event("b-5", "P-unknown"),
    )
    before = installation.pending()
    code, out, err = lawful(
        monkeypatch, capsys, "ledger", "ingest", str(file), "--system", SYSTEM, "--entity", ENTITY
    )
    assert code == 1
    assert err.splitlines() == [
        "line 3: recipient: 'fsma' is not declared for 'customer-notifications'",
        "line 5: subject: no person P-unknown on file",
        "error: 2 invalid line(s); nothing was recorded",
    ]
    assert "Traceback" not in out + err
    assert installation.pending() == before


def test_a_missing_file_is_one_line_and_exit_1(
    installation: Installation,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = lawful(
        monkeypatch, capsys, "ledger", "ingest", str(tmp_path / "none.jsonl"),
        "--system", SYSTEM, "--entity", ENTITY,
    )  # fmt: skip
    assert code == 1 and err.startswith("error: No such file") and len(err.splitlines()) == 1


def test_ingested_events_are_sequenced_and_verified_by_the_ledger_commands(
    installation: Installation,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    alice = installation.person()
    file = write(tmp_path / "many.jsonl", *(event(f"v-{i}", alice) for i in range(250)))
    args = ("ledger", "ingest", str(file), "--system", SYSTEM, "--entity", ENTITY)
    assert lawful(monkeypatch, capsys, *args)[0] == 0
    code, out, err = lawful(monkeypatch, capsys, "ledger", "sequence")
    assert code == 0, err
    code, out, err = lawful(monkeypatch, capsys, "ledger", "verify")
    assert code == 0, err
    total = installation.pending()
    assert out.startswith(f"ledger intact: {total} events"), out


def test_a_system_token_is_issued_for_a_system_of_the_register(
    installation: Installation,
) -> None:
    issued = runner.invoke(
        app, ["tokens", "issue", "--system", "telephony", "--entity", "kbc-insurance"]
    )
    assert issued.exit_code == 0, issued.output
    assert "system telephony (telephony for kbc-insurance)" in issued.output
    token = issued.output.strip().splitlines()[-1]
    rt = installation.runtime
    with unit_of_work(rt.engine) as session:
        who = auth.authenticate(session, states=rt.gate.states, token=token)
        expires = auth.list_tokens(session)[0]
    assert (who.kind.value, who.role, who.entity) == ("system", "telephony", "kbc-insurance")
    assert expires.expires_at - expires.created_at == auth.SYSTEM_VALIDITY

    for wrong in (["--system", "advisor", "--entity", ENTITY], ["--system", "telephony"]):
        refused = runner.invoke(app, ["tokens", "issue", *wrong])
        assert refused.exit_code != 0

"""`lawful ledger verify | checkpoint | show` on a database file of their own."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from lawful.core.db import create_engine, session_scope
from lawful.core.ledger import service as ledger
from lawful.entrypoints.cli_ledger import app

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("LAWFUL_DATABASE_URL", url)
    return url


def append(url: str, n: int) -> None:
    engine = create_engine(url)
    try:
        with session_scope(engine) as session:
            ledger.append(
                session,
                events=[
                    ledger.NewEvent(
                        event="complaints.case.read",
                        actor="complaint-handler",
                        actor_kind="staff",
                        entity="kbc-insurance",
                        purpose="complaint-handling",
                        legal_basis="legitimate_interests",
                        decision="allow" if i % 2 else "deny",
                        subject_id=f"customer-{i}",
                        details={"case": i},
                    )
                    for i in range(n)
                ],
            )
    finally:
        engine.dispose()


def tamper(url: str, sql: str) -> None:
    """Drop the append-only trigger, write, put the trigger back: the attacker's way in."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            trigger = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'ledger_event_no_update'"
            ).scalar_one()
            connection.exec_driver_sql("DROP TRIGGER ledger_event_no_update")
            connection.execute(sa.text(sql))
            connection.exec_driver_sql(trigger)
    finally:
        engine.dispose()


def test_verify_on_a_new_database_migrates_and_reports_intact(database: str) -> None:
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "ledger intact: 0 events, no checkpoint yet"


def test_checkpoint_then_verify(database: str) -> None:
    runner.invoke(app, ["verify"])
    append(database, 5)
    result = runner.invoke(app, ["checkpoint"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("checkpoint #1 signed at seq 5")
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "ledger intact: 5 events, last checkpoint at seq 5"


def test_verify_names_the_first_bad_sequence_in_one_line(database: str) -> None:
    runner.invoke(app, ["verify"])
    append(database, 5)
    tamper(database, "UPDATE ledger_event SET purpose = 'marketing' WHERE sequence = 3")
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert lines[0].startswith("ledger NOT intact at seq 3: event 3 was modified")


def test_errors_are_one_line_with_an_exit_code(database: str) -> None:
    result = runner.invoke(app, ["checkpoint"])
    assert result.exit_code == 1
    assert result.output.strip() == "error: the ledger is empty: nothing to checkpoint"


def test_an_unreachable_database_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAWFUL_DATABASE_URL", f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 2
    assert result.output.startswith("error: database unavailable")
    assert "Traceback" not in result.output


def test_show_lists_the_last_events(database: str) -> None:
    runner.invoke(app, ["verify"])
    append(database, 4)
    result = runner.invoke(app, ["show", "--last", "2"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "last 2 event(s)" in result.output
    assert "complaints.case.read" in result.output
    assert "customer-" not in result.output  # pseudonyms only
    rows = [line for line in result.output.splitlines() if "complaints.case.read" in line]
    assert [row.split()[1] for row in rows] == ["3", "4"]

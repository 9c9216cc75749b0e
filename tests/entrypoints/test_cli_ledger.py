"""`lawful ledger verify | checkpoint | show` on a database file of their own."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from lawful.config import get_settings
from lawful.core.db import create_engine, session_scope
from lawful.core.ledger import service as ledger
from lawful.core.vault import keys
from lawful.entrypoints import bootstrap
from lawful.entrypoints.cli_ledger import app

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A database of the test's own, made by `lawful init` with the run's keys."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("LAWFUL_DATABASE_URL", url)
    bootstrap.init()
    return url


def append(url: str, n: int) -> None:
    engine = create_engine(url)
    try:
        with session_scope(engine) as session:
            ledger.append(
                session,
                keys=keys.open_keyring(get_settings().keys_dir),
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


def tamper(url: str, sql: str, trigger: str = "ledger_event_no_update") -> None:
    """Drop an append-only trigger, write, put the trigger back: the attacker's way in."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            definition = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = ?", (trigger,)
            ).scalar_one()
            connection.exec_driver_sql(f"DROP TRIGGER {trigger}")
            connection.execute(sa.text(sql))
            connection.exec_driver_sql(definition)
    finally:
        engine.dispose()


def test_verify_on_a_new_database_reports_intact(database: str) -> None:
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "ledger intact: 0 events, no checkpoint yet"


def test_verify_without_a_database_creates_none_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mistyped path must not read as an intact, empty ledger."""
    missing = tmp_path / "typo.db"
    monkeypatch.setenv("LAWFUL_DATABASE_URL", f"sqlite:///{missing}")
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 2
    assert (
        result.output.strip()
        == f"error: no database at {missing}: run `lawful init` (or set LAWFUL_DATABASE_URL)"
    )
    assert not missing.exists()


def test_verify_without_keys_creates_none_and_exits_2(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    append(database, 2)
    monkeypatch.setenv("LAWFUL_HOME", str(tmp_path / "elsewhere"))
    for command in (["verify"], ["checkpoint"], ["show"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, (command, result.output)
        assert "run `lawful init` first" in result.output
    assert not (tmp_path / "elsewhere").exists()


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


def test_an_unreachable_database_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAWFUL_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none")
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


# --- checkpoint copies kept outside the database ----------------------------------------------


def drop_checkpoints(url: str) -> None:
    """The attacker's next move: the checkpoints that would give the rewrite away go too."""
    tamper(url, "DELETE FROM ledger_checkpoint", trigger="ledger_checkpoint_no_delete")


@pytest.fixture
def copies(tmp_path: Path) -> Path:
    return tmp_path / "elsewhere" / "checkpoints.jsonl"


def test_a_checkpoint_is_copied_and_the_copies_are_checked(database: str, copies: Path) -> None:
    runner.invoke(app, ["verify"])
    append(database, 3)
    assert runner.invoke(app, ["checkpoint", "--copies", str(copies)]).exit_code == 0
    append(database, 2)
    result = runner.invoke(app, ["checkpoint"], env={"LAWFUL_CHECKPOINT_COPIES": str(copies)})
    assert result.exit_code == 0 and f"copied to {copies}" in result.output
    assert len(copies.read_text().splitlines()) == 2
    result = runner.invoke(app, ["verify", "--copies", str(copies)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "ledger intact: 5 events, last checkpoint at seq 5, its 2 checkpoint copies agree"
    )


def test_deleted_checkpoints_are_named_by_their_copies(database: str, copies: Path) -> None:
    runner.invoke(app, ["verify"])
    append(database, 4)
    runner.invoke(app, ["checkpoint", "--copies", str(copies)])
    drop_checkpoints(database)
    assert runner.invoke(app, ["verify"]).exit_code == 0  # the database alone cannot tell
    result = runner.invoke(app, ["verify", "--copies", str(copies)])
    assert result.exit_code == 1
    assert "checkpoint #1 (seq 4" in result.output and "missing from it" in result.output


def test_a_rewritten_and_unsigned_ledger_is_caught_by_the_copies(
    database: str, copies: Path
) -> None:
    runner.invoke(app, ["verify"])
    append(database, 4)
    runner.invoke(app, ["checkpoint", "--copies", str(copies)])
    drop_checkpoints(database)
    tamper(
        database, "DELETE FROM ledger_event WHERE sequence = 4", trigger="ledger_event_no_delete"
    )
    assert runner.invoke(app, ["verify"]).exit_code == 0  # a shorter chain, still linked
    result = runner.invoke(app, ["verify", "--copies", str(copies)])
    assert result.exit_code == 1
    assert "ledger NOT intact at seq 4" in result.output and "removed" in result.output


@pytest.mark.parametrize(
    ("field", "edited", "expected"),
    [
        ('"sequence":3', '"sequence":2', "invalid signature"),
        ('"id":1,', '"id":7,', "the copy of checkpoint #1 (seq 3) differs from it in id"),
    ],
    ids=["signed part", "unsigned part"],
)
def test_an_edited_copy_is_named(
    database: str, copies: Path, field: str, edited: str, expected: str
) -> None:
    runner.invoke(app, ["verify"])
    append(database, 3)
    runner.invoke(app, ["checkpoint", "--copies", str(copies)])
    copies.write_text(copies.read_text().replace(field, edited))
    result = runner.invoke(app, ["verify", "--copies", str(copies)])
    assert result.exit_code == 1
    assert expected in result.output


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("not json\n", ":1: not a checkpoint copy"),
        ('{"id": 1}\n', ":1: not a checkpoint copy"),
        ("[" * 100_000 + "\n", ":1: not a checkpoint copy"),
        (
            '{"id":1,"sequence":1,"hash":1,"signed_at":"2026-01-01T00:00:00.000000Z",'
            '"key_id":"k","signature":"00"}\n',
            "hash must be a string",
        ),
        (
            '{"id":1,"sequence":1,"hash":"00","signed_at":"2026-01-01T01:00:00+01:00",'
            '"key_id":"k","signature":"00"}\n',
            "signed_at must be written as the ledger writes it",
        ),
    ],
    ids=["not json", "fields missing", "nested too deep", "number for hex", "not UTC text"],
)
def test_a_damaged_copies_file_is_one_line_naming_the_line(
    database: str, copies: Path, content: str, expected: str
) -> None:
    copies.parent.mkdir(parents=True)
    copies.write_text(content)
    result = runner.invoke(app, ["verify", "--copies", str(copies)])
    assert result.exit_code == 2
    assert expected in result.output and "Traceback" not in result.output


def test_a_write_cut_short_is_ignored_and_the_next_copy_starts_a_line(
    database: str, copies: Path
) -> None:
    runner.invoke(app, ["verify"])
    append(database, 3)
    runner.invoke(app, ["checkpoint", "--copies", str(copies)])
    whole = copies.read_text()
    with copies.open("a") as file:
        file.write(whole[:40])  # the power went out in the middle of the next copy
    result = runner.invoke(app, ["verify", "--copies", str(copies)])
    assert result.exit_code == 0, result.output
    assert "1 line(s)" in result.output and "cut short" in result.output
    append(database, 1)
    assert runner.invoke(app, ["checkpoint", "--copies", str(copies)]).exit_code == 0
    with copies.open("a") as file:
        file.write(whole)  # the same copy twice counts once
    result = runner.invoke(app, ["verify", "--copies", str(copies)])
    assert result.exit_code == 0, result.output
    assert "its 2 checkpoint copies agree" in result.output


def test_missing_copies_are_an_error_once_the_database_has_checkpoints(
    database: str, copies: Path
) -> None:
    runner.invoke(app, ["verify"])
    assert runner.invoke(app, ["verify", "--copies", str(copies)]).exit_code == 0  # nothing yet
    append(database, 2)
    runner.invoke(app, ["checkpoint"])
    result = runner.invoke(app, ["verify", "--copies", str(copies)])
    assert result.exit_code == 2
    assert "no checkpoint copies" in result.output
    copies.parent.mkdir(parents=True)
    copies.write_text("")  # emptied: no better than gone
    assert runner.invoke(app, ["verify", "--copies", str(copies)]).exit_code == 2


# --- signing-key rotation ---------------------------------------------------------------------


@pytest.fixture
def own_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Keys of this test's own: rotating them must not touch the other tests' keys."""
    home = tmp_path / "home"
    keys.init_keyring(home / "keys")
    monkeypatch.setenv("LAWFUL_HOME", str(home))
    yield home


def test_after_rotation_old_and_new_checkpoints_verify(database: str, own_home: Path) -> None:
    runner.invoke(app, ["verify"])
    append(database, 3)
    runner.invoke(app, ["checkpoint"])
    result = runner.invoke(app, ["rotate-key"])
    assert result.exit_code == 0, result.output
    rotated = re.match(
        r"signing key (\w+) retired; checkpoints are now signed with (\w+)", result.output
    )
    assert rotated is not None, result.output
    retired, new = rotated.groups()
    assert retired != new and len(new) == 32
    append(database, 2)
    runner.invoke(app, ["checkpoint"])
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "ledger intact: 5 events, last checkpoint at seq 5"
    # Without the retired public key, its checkpoint can no longer be trusted: it is named.
    (own_home / "keys" / keys.RETIRED_SIGNING_KEYS / f"{retired}.pub").unlink()
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 1
    assert f"signed with key {retired}, which is neither" in result.output


def test_two_rotations_keep_both_retired_keys_and_a_damaged_one_is_named(
    database: str, own_home: Path
) -> None:
    runner.invoke(app, ["verify"])
    for _ in range(3):
        append(database, 1)
        assert runner.invoke(app, ["checkpoint"]).exit_code == 0
        assert runner.invoke(app, ["rotate-key"]).exit_code == 0
    retired = sorted((own_home / "keys" / keys.RETIRED_SIGNING_KEYS).glob("*.pub"))
    assert len(retired) == 3
    assert runner.invoke(app, ["verify"]).exit_code == 0
    retired[0].write_bytes(b"short")
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 2  # the installation is damaged; nothing is said of the ledger
    assert "is damaged" in result.output and "Traceback" not in result.output

"""`lawful ledger sequence | verify | checkpoint | rotate-key | show | actor-ref` on a database
file of their own."""

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


def tamper(url: str, sql: str, trigger: str = "ledger_leaf_no_update") -> None:
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
    assert result.output.strip() == "ledger intact: 0 events, no signed head yet"


def test_verify_without_a_database_creates_none_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mistyped path must not read as an intact, empty ledger."""
    missing = tmp_path / "typo.db"
    monkeypatch.setenv("LAWFUL_DATABASE_URL", f"sqlite:///{missing}")
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"error: no database at {missing}: run `lawful init` (or set LAWFUL_DATABASE_URL)"
    )
    assert not missing.exists()


def test_without_keys_nothing_is_created_and_every_command_exits_2(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    append(database, 2)
    monkeypatch.setenv("LAWFUL_HOME", str(tmp_path / "elsewhere"))
    for command in (["verify"], ["checkpoint"], ["sequence"], ["show"], ["actor-ref", "u1"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, (command, result.output)
        assert "run `lawful init` first" in result.output
    assert not (tmp_path / "elsewhere").exists()


def test_sequence_then_verify(database: str) -> None:
    runner.invoke(app, ["verify"])
    append(database, 5)
    assert runner.invoke(app, ["verify"]).output.strip() == (
        "ledger intact: 0 events, no signed head yet, 5 pending"
    )
    result = runner.invoke(app, ["sequence", "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sequenced 5 entries; tree head signed at size 5"
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "ledger intact: 5 events, last signed head at size 5"


def test_checkpoint_sequences_what_is_pending_and_signs_it(database: str) -> None:
    runner.invoke(app, ["verify"])
    append(database, 3)
    result = runner.invoke(app, ["checkpoint"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("tree head signed at size 3 (root ")


def test_verify_names_the_first_bad_leaf_in_one_line(database: str) -> None:
    runner.invoke(app, ["verify"])
    append(database, 5)
    runner.invoke(app, ["sequence"])
    tamper(database, "UPDATE ledger_leaf SET entry = entry || x'00' WHERE leaf_index = 3")
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert lines[0].startswith("ledger NOT intact at leaf 3: leaf 3 was modified")


def stored(url: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [
                tuple(row)
                for row in connection.execute(
                    sa.text(
                        "SELECT intact, tree_size, events, first_bad, problem, run_by, "
                        "started_at <= finished_at, seconds >= 0 FROM ledger_verification "
                        "ORDER BY id"
                    )
                )
            ]
    finally:
        engine.dispose()


def test_every_verification_is_kept_with_its_result(database: str) -> None:
    """For the console's ledger page and a nightly schedule: intact or not, each run is kept."""
    assert stored(database) == []
    append(database, 5)
    runner.invoke(app, ["sequence"])
    assert runner.invoke(app, ["verify"]).exit_code == 0
    assert stored(database) == [(True, 5, 5, None, None, "cli", True, True)]
    tamper(database, "UPDATE ledger_leaf SET entry = entry || x'00' WHERE leaf_index = 3")
    assert runner.invoke(app, ["verify"]).exit_code == 1
    assert stored(database)[1] == (False, 5, 3, 3, "modified", "cli", True, True)


def test_a_tree_whose_hashes_were_rewritten_is_not_extended(database: str) -> None:
    runner.invoke(app, ["verify"])
    append(database, 5)
    runner.invoke(app, ["sequence"])
    tamper(database, "UPDATE ledger_leaf SET leaf_hash = zeroblob(32) WHERE leaf_index = 4")
    append(database, 1)
    result = runner.invoke(app, ["sequence"])
    assert result.exit_code == 1
    assert result.output.startswith("error: not sequencing: the stored tree no longer has")


def test_errors_are_one_line_with_an_exit_code(database: str) -> None:
    result = runner.invoke(app, ["checkpoint"])
    assert result.exit_code == 1
    assert result.output.strip() == "error: the ledger is empty: nothing to sign"


def test_an_unreachable_database_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAWFUL_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none")
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 2
    assert result.output.startswith("error: database unavailable")
    assert "Traceback" not in result.output


def test_show_lists_the_last_events(database: str) -> None:
    runner.invoke(app, ["verify"])
    append(database, 4)
    runner.invoke(app, ["sequence"])
    append(database, 1)
    result = runner.invoke(app, ["show", "--last", "3"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "last 3 event(s)" in result.output
    assert "complaints.case.read" in result.output
    assert "customer-" not in result.output  # pseudonyms only
    rows = [line for line in result.output.splitlines() if "complaints.case.read" in line]
    assert [row.split()[1] for row in rows] == ["2", "3", "pending"]


def test_actor_ref_tells_the_pseudonym_of_each_staff_member(database: str) -> None:
    result = runner.invoke(app, ["actor-ref", "u1", "u2"])
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.output.strip().splitlines()]
    assert [staff for staff, _ in lines] == ["u1", "u2"]
    assert [pseudonym for _, pseudonym in lines] == list(
        ledger.staff_pseudonyms(keys.open_keyring(get_settings().keys_dir), ["u1", "u2"]).values()
    )


# --- signed tree heads kept outside the database -----------------------------------------------


def drop_heads(url: str) -> None:
    """The attacker's next move: the signed heads that would give the rewrite away go too."""
    tamper(url, "DELETE FROM ledger_tree_head", trigger="ledger_tree_head_no_delete")


@pytest.fixture
def copies(tmp_path: Path) -> Path:
    return tmp_path / "elsewhere" / "tree-heads.jsonl"


def test_a_head_is_copied_and_the_copies_are_checked(database: str, copies: Path) -> None:
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
        "ledger intact: 5 events, last signed head at size 5, its 2 tree head copies agree"
    )


def test_sequence_copies_the_head_it_signs(database: str, copies: Path) -> None:
    runner.invoke(app, ["verify"])
    append(database, 3)
    assert runner.invoke(app, ["sequence", "--copies", str(copies)]).exit_code == 0
    assert '"tree_size":3' in copies.read_text()


def test_deleted_heads_are_named_by_their_copies(database: str, copies: Path) -> None:
    runner.invoke(app, ["verify"])
    append(database, 3)
    runner.invoke(app, ["checkpoint", "--copies", str(copies)])
    append(database, 1)
    runner.invoke(app, ["checkpoint", "--copies", str(copies)])
    drop_heads(database)
    result = runner.invoke(app, ["verify"])  # the database alone sees leaves no head signs
    assert result.exit_code == 1 and "covered by no signed tree head" in result.output
    result = runner.invoke(app, ["verify", "--copies", str(copies)])
    assert result.exit_code == 1
    assert "the tree head at size 3" in result.output and "missing from it" in result.output


def test_a_cut_tail_and_its_head_are_caught_by_the_copies(database: str, copies: Path) -> None:
    runner.invoke(app, ["verify"])
    append(database, 3)
    runner.invoke(app, ["checkpoint"])
    append(database, 1)
    runner.invoke(app, ["checkpoint", "--copies", str(copies)])
    tamper(
        database, "DELETE FROM ledger_tree_head WHERE tree_size = 4", "ledger_tree_head_no_delete"
    )
    tamper(database, "DELETE FROM ledger_leaf WHERE leaf_index = 3", "ledger_leaf_no_delete")
    assert runner.invoke(app, ["verify"]).exit_code == 0  # a shorter log, still signed
    result = runner.invoke(app, ["verify", "--copies", str(copies)])
    assert result.exit_code == 1
    assert "ledger NOT intact at leaf 3" in result.output and "removed" in result.output


@pytest.mark.parametrize(
    ("field", "edited", "expected"),
    [
        ('"tree_size":3', '"tree_size":2', "invalid signature"),
        ('"key_id":"', '"key_id":"0', "the copy of the tree head at size 3 differs from it"),
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
        ("not json\n", ":1: not a tree head copy"),
        ('{"tree_size": 1}\n', ":1: not a tree head copy"),
        ("[" * 100_000 + "\n", ":1: not a tree head copy"),
        (
            '{"tree_size":1,"root_hash":1,"signed_at":"2026-01-01T00:00:00.000000Z",'
            '"key_id":"k","signature":"00"}\n',
            "root_hash must be a string",
        ),
        (
            '{"tree_size":1,"root_hash":"00","signed_at":"2026-01-01T01:00:00+01:00",'
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
    assert "its 2 tree head copies agree" in result.output


def test_missing_copies_are_an_error_once_the_database_has_heads(
    database: str, copies: Path
) -> None:
    runner.invoke(app, ["verify"])
    assert runner.invoke(app, ["verify", "--copies", str(copies)]).exit_code == 0  # nothing yet
    append(database, 2)
    runner.invoke(app, ["checkpoint"])
    result = runner.invoke(app, ["verify", "--copies", str(copies)])
    assert result.exit_code == 2
    assert "no tree head copies" in result.output
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


def test_after_rotation_old_and_new_heads_verify(database: str, own_home: Path) -> None:
    runner.invoke(app, ["verify"])
    append(database, 3)
    runner.invoke(app, ["checkpoint"])
    result = runner.invoke(app, ["rotate-key"])
    assert result.exit_code == 0, result.output
    rotated = re.match(
        r"signing key (\w+) retired; tree heads are now signed with (\w+)", result.output
    )
    assert rotated is not None, result.output
    retired, new = rotated.groups()
    assert retired != new and len(new) == 32
    append(database, 2)
    runner.invoke(app, ["checkpoint"])
    result = runner.invoke(app, ["verify"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "ledger intact: 5 events, last signed head at size 5"
    # Without the retired public key, the heads it signed can no longer be trusted: named.
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

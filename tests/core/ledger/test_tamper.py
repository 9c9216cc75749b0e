"""The database refuses changes to the log, and `verify` names whatever a change got through:
modified, deleted, inserted and reordered events, rewritten hashes, forged, deleted and copied
heads, a truncated tail."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from lawful.core.errors import LedgerTampered
from lawful.core.ledger import copies, merkle
from lawful.core.ledger import service as ledger
from lawful.core.ledger.records import Problem
from lawful.core.vault.keys import Keyring

from .factories import append, run, run_keys, sequence_all, sequenced

Tamper = Callable[[], AbstractContextManager[None]]


def assert_broken(session: Session, position: int, problem: Problem) -> ledger.VerifyResult:
    result = ledger.verify(session, keys=run_keys(), segment_level=4)
    assert not result.ok
    assert (result.first_bad, result.problem) == (position, problem), result.message
    assert result.summary().startswith(f"ledger NOT intact at leaf {position}: ")
    return result


# --- the database refuses changes --------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_leaf SET entry = entry WHERE leaf_index = 1",
        "DELETE FROM ledger_leaf WHERE leaf_index = 1",
        "UPDATE ledger_node SET hash = hash",
        "DELETE FROM ledger_node",
        "UPDATE ledger_tree_head SET tree_size = 1",
        "DELETE FROM ledger_tree_head",
    ],
)
def test_the_triggers_refuse_update_and_delete(session: Session, sql: str) -> None:
    sequenced(session, 20)
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        run(session, sql)


@pytest.mark.parametrize(
    "sql", ["UPDATE ledger_pending SET entry = entry", "DELETE FROM ledger_pending"]
)
def test_a_pending_entry_can_only_leave_the_queue_sequenced(session: Session, sql: str) -> None:
    append(session, 2)
    with pytest.raises(DBAPIError, match="only once sequenced"), session.begin_nested():
        run(session, sql)


@pytest.mark.parametrize("table", ["ledger_leaf", "ledger_node", "ledger_tree_head", "partition"])
def test_postgresql_refuses_truncate(session: Session, table: str) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists on PostgreSQL only")
    sequenced(session, 20)
    if table == "partition":  # a month's partition, truncated on its own
        of = sa.text("SELECT tableoid::regclass::text FROM ledger_leaf LIMIT 1")
        table = session.execute(of).scalar_one()
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        run(session, f"TRUNCATE {table}")


# --- changed events ----------------------------------------------------------------------------


def test_a_modified_entry_is_named(session: Session, tamper: Tamper) -> None:
    sequenced(session, 6)
    with tamper():
        run(
            session,
            "UPDATE ledger_leaf SET entry = replace(entry, CAST('customer-file' AS BLOB), "
            "CAST('marketing-xx' AS BLOB)) WHERE leaf_index = 4"
            if session.get_bind().dialect.name == "sqlite"
            else "UPDATE ledger_leaf SET entry = overlay(entry placing 'X'::bytea from 130) "
            "WHERE leaf_index = 4",
        )
    result = assert_broken(session, 4, Problem.MODIFIED)
    assert "entry no longer hashes to its leaf hash" in result.message and result.events == 4


def test_an_entry_rewritten_with_its_leaf_hash_is_caught_by_the_subtree(
    session: Session, tamper: Tamper
) -> None:
    sequenced(session, 40)
    forged = ledger.recent(session, limit=40)[20].entry.replace(b"customer-file", b"marketing-xx")
    with tamper():
        run(
            session,
            "UPDATE ledger_leaf SET entry = :e, leaf_hash = :h WHERE leaf_index = 20",
            e=forged,
            h=merkle.leaf_hash(forged),
        )
    result = assert_broken(session, 16, Problem.SUBTREE_MISMATCH)  # the block of 16 holding it
    assert "leaves 16 to 31" in result.message


def test_a_rewrite_of_entries_hashes_and_subtrees_is_caught_by_the_signed_head(
    session: Session, tamper: Tamper
) -> None:
    append(session, 10)
    sequence_all(session)
    append(session, 5)
    sequence_all(session)
    forged = ledger.recent(session, limit=15)[12].entry.replace(b"customer-file", b"marketing-xx")
    with tamper():
        run(
            session,
            "UPDATE ledger_leaf SET entry = :e, leaf_hash = :h WHERE leaf_index = 12",
            e=forged,
            h=merkle.leaf_hash(forged),
        )
    result = assert_broken(session, 10, Problem.HEAD_MISMATCH)  # the head at 10 still holds
    assert "the tree head at size 15" in result.message and "leaves 10 to 14" in result.message


def test_a_modified_subtree_hash_is_named(session: Session, tamper: Tamper) -> None:
    sequenced(session, 40)
    with tamper():
        run(session, "UPDATE ledger_node SET hash = :h WHERE level = 4 AND idx = 1", h=bytes(32))
    result = assert_broken(session, 16, Problem.SUBTREE_MISMATCH)
    assert "differs from its leaves' hashes" in result.message


def test_a_deleted_event_is_named(session: Session, tamper: Tamper) -> None:
    sequenced(session, 6)
    with tamper():
        run(session, "DELETE FROM ledger_leaf WHERE leaf_index IN (3, 4)")
    result = assert_broken(session, 3, Problem.MISSING)
    assert "leaf 3 to 4 missing" in result.message


def test_an_inserted_event_is_found(session: Session, tamper: Tamper, keyring: Keyring) -> None:
    sequenced(session, 40)
    extra = ledger.recent(session, limit=40)[25].entry.replace(b"customer-file", b"marketing-xx")
    with tamper():
        run(session, "UPDATE ledger_leaf SET leaf_index = leaf_index + 1000 WHERE leaf_index >= 25")
        run(
            session, "UPDATE ledger_leaf SET leaf_index = leaf_index - 999 WHERE leaf_index >= 1000"
        )
        run(
            session,
            "INSERT INTO ledger_leaf (leaf_index, sequenced_at, entry_id, entry, leaf_hash) "
            "SELECT 25, sequenced_at, entry_id + 100000, :e, :h FROM ledger_leaf "
            "WHERE leaf_index = 24",
            e=extra,
            h=merkle.leaf_hash(extra),
        )
    result = ledger.verify(session, keys=keyring, segment_level=4)
    assert not result.ok and result.first_bad is not None and result.first_bad <= 25


def test_swapped_events_are_found(session: Session, tamper: Tamper) -> None:
    sequenced(session, 40)
    with tamper():
        run(session, "UPDATE ledger_leaf SET leaf_index = 1000 WHERE leaf_index = 3")
        run(session, "UPDATE ledger_leaf SET leaf_index = 3 WHERE leaf_index = 4")
        run(session, "UPDATE ledger_leaf SET leaf_index = 4 WHERE leaf_index = 1000")
    assert_broken(session, 0, Problem.SUBTREE_MISMATCH)  # the block of leaves 0 to 15


# --- heads -------------------------------------------------------------------------------------


def test_a_truncated_tail_is_caught_by_the_signed_head(session: Session, tamper: Tamper) -> None:
    append(session, 8)
    sequence_all(session)
    append(session, 2)
    sequence_all(session)
    with tamper():
        run(session, "DELETE FROM ledger_leaf WHERE leaf_index >= 5")
    result = assert_broken(session, 5, Problem.TRUNCATED)
    assert "ends at leaf 4" in result.message and "leaves 5 to 9 were removed" in result.message


def test_a_forged_head_is_named(session: Session, tamper: Tamper) -> None:
    sequenced(session, 4)
    with tamper():
        run(session, "UPDATE ledger_tree_head SET signature = :s", s=bytes(64))
    result = assert_broken(session, 3, Problem.HEAD_SIGNATURE)
    assert "invalid signature" in result.message


def test_a_deleted_last_head_leaves_its_leaves_unsigned(session: Session, tamper: Tamper) -> None:
    append(session, 3)
    sequence_all(session)
    append(session, 3)
    sequence_all(session)
    with tamper():
        run(session, "DELETE FROM ledger_tree_head WHERE tree_size = 6")
    result = assert_broken(session, 3, Problem.HEAD_MISSING)
    assert "leaves 3 to 5 are covered by no signed tree head" in result.message


def test_copies_outside_the_database_name_deleted_heads_and_the_rewrite_they_hid(
    session: Session, tamper: Tamper, tmp_path: Path, keyring: Keyring
) -> None:
    sequenced(session, 5)
    head = ledger.latest_head(session)
    assert head is not None
    kept = tmp_path / "copies.jsonl"
    copies.append(kept, head)
    assert copies.read(kept).heads == [head]
    assert ledger.verify(session, keys=keyring, copies=[head]).copies == 1
    with tamper():
        run(session, "DELETE FROM ledger_tree_head")
        run(session, "DELETE FROM ledger_leaf WHERE leaf_index = 4")
        run(session, "DELETE FROM ledger_node")
    # The database alone cannot tell a shorter, unsigned log from a young one... but for the
    # missing head: leaves that no head signs are named.
    assert ledger.verify(session, keys=keyring).problem is Problem.HEAD_MISSING
    result = ledger.verify(session, keys=keyring, copies=copies.read(kept).heads)
    assert (result.ok, result.first_bad, result.problem) == (False, 4, Problem.TRUNCATED)
    assert "leaves 4 to 4 were removed" in result.message


def test_the_sequencer_refuses_to_extend_a_tampered_tree(
    session: Session, tamper: Tamper, keyring: Keyring
) -> None:
    sequenced(session, 20)
    with tamper():
        run(session, "UPDATE ledger_node SET hash = :h", h=bytes(32))
    append(session, 1)
    with pytest.raises(LedgerTampered, match="no longer has the root"):
        ledger.sequence(session, keys=keyring)
    with tamper():
        run(session, "DELETE FROM ledger_tree_head")
    with pytest.raises(LedgerTampered, match="holds 20 leaves but its last signed head covers 0"):
        ledger.sequence(session, keys=keyring)

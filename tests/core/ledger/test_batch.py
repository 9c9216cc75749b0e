"""Batch disclosures: one entry for a transfer of many subjects' data, each subject able to prove
their membership and the batch's place in the signed log, and `verify` naming any member row
deleted, added or rewritten."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from types import ModuleType

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from lawful.core.errors import InvalidInput
from lawful.core.ledger import batch as batches
from lawful.core.ledger import merkle
from lawful.core.ledger import service as ledger
from lawful.core.ledger.records import Problem

from .factories import append, event, run, run_keys, sequence_all
from .test_tamper import assert_broken

Tamper = Callable[[], AbstractContextManager[None]]
ABOUT = {"treaty": "QS-2026-KBC-HOME", "period": "2026-Q4"}


def disclose(session: Session, subjects: list[str]) -> ledger.LedgerRecord:
    return ledger.append_batch(
        session,
        keys=run_keys(),
        event=event(
            subject=None,
            event="insurance.bordereau.transfer",
            purpose="reinsurance-transfer",
            recipient="reinsurers-treaty",
            data_categories=["user.location.property"],
        ),
        subject_ids=subjects,
        about=ABOUT,
    )


def people(n: int, tag: str = "holder") -> list[str]:
    return [f"{tag}-{i}" for i in range(n)]


def member_of(session: Session, subject: str) -> ledger.Proven:
    found = ledger.subject_ledger(session, keys=run_keys(), subject_id=subject)
    (proven,) = [p for p in found.events if p.record.batch is not None]
    return proven


def test_one_entry_records_the_transfer_of_every_member(session: Session) -> None:
    append(session, 3)
    record = disclose(session, people(100))
    sequence_all(session)
    assert ledger.counts(session).sequenced == 4  # three events and ONE for the whole transfer
    header = record.batch
    assert header is not None and header.members == 100 and header.about == ABOUT
    assert record.subject_pseudonym is None and record.details is None
    for subject in ("holder-0", "holder-57", "holder-99"):
        proven = member_of(session, subject)
        assert proven.record.entry == record.entry and proven.record.leaf_index == 3
        assert proven.record.recipient == "reinsurers-treaty"
        assert proven.record.purpose == "reinsurance-transfer"
    # Nobody else is a member.
    assert not [
        p
        for p in ledger.subject_ledger(session, keys=run_keys(), subject_id="customer-1").events
        if p.record.batch is not None
    ]


def test_a_batch_keeps_its_place_after_the_events_a_unit_of_work_gathered(
    session: Session,
) -> None:
    ledger.gather_appends(session)  # as a unit of work does: its events wait for one INSERT
    append(session, 3)
    record = disclose(session, people(10))
    ledger.flush_appends(session)
    sequence_all(session)
    assert member_of(session, "holder-3").record.leaf_index == 3  # after the three, as recorded
    assert record.batch is not None


def test_each_member_proves_membership_and_the_batch_place_from_the_readme_alone(
    session: Session, rfc9162: ModuleType
) -> None:
    append(session, 5)
    disclose(session, people(37))
    append(session, 2)
    sequence_all(session)
    head = ledger.latest_head(session)
    assert head is not None
    for i in (0, 16, 36):
        subject = f"holder-{i}"
        proven = member_of(session, subject)
        record, member = proven.record, proven.record.member
        assert member is not None and record.batch is not None and proven.inclusion is not None
        assert proven.member_path is not None
        pseudonym = run_keys().pseudonymise(subject)
        assert rfc9162.member_holds(
            record.entry,
            member.index,
            member.entry(record.batch),
            list(proven.member_path),
            pseudonym,
        )
        assert rfc9162.inclusion_holds(
            record.leaf_index, head.tree_size, record.entry, list(proven.inclusion), head.root_hash
        )
        # Another person's pseudonym does not pass for this member.
        assert not rfc9162.member_holds(
            record.entry,
            member.index,
            member.entry(record.batch),
            list(proven.member_path),
            run_keys().pseudonymise("someone-else"),
        )


def test_a_pending_batch_already_proves_membership(session: Session, rfc9162: ModuleType) -> None:
    disclose(session, people(20))
    proven = member_of(session, "holder-3")
    assert proven.record.pending and proven.inclusion is None
    record, member = proven.record, proven.record.member
    assert member is not None and record.batch is not None and proven.member_path is not None
    assert rfc9162.member_holds(
        record.entry,
        member.index,
        member.entry(record.batch),
        list(proven.member_path),
        run_keys().pseudonymise("holder-3"),
    )


def test_the_member_root_is_rfc9162_over_the_sorted_members() -> None:
    subjects = [bytes([i]) * 32 for i in (9, 3, 7, 1, 5)]
    tree = batches.tree("ab" * 16, subjects)
    assert tree.subjects == sorted(subjects)
    leaves = [merkle.leaf_hash(batches.member("ab" * 16, s)) for s in sorted(subjects)]
    assert tree.root == merkle.root(leaves)
    assert batches.member("ab" * 16, subjects[0]) == (
        b"lawful-member-v1\x1f" + b"ab" * 16 + b"\x1f" + subjects[0].hex().encode()
    )


def test_a_batch_names_its_members_once_and_says_nothing_personal(session: Session) -> None:
    record = disclose(session, ["a", "b", "a"])
    assert record.batch is not None and record.batch.members == 2
    with pytest.raises(InvalidInput):
        disclose(session, [])
    with pytest.raises(InvalidInput):
        ledger.append_batch(
            session, keys=run_keys(), event=event(), subject_ids=["a"], about=ABOUT
        )  # a subject and details: they belong to the members, not to the batch
    assert b"holder" not in record.entry and run_keys().pseudonymise("a").encode() not in (
        record.entry
    )
    # The member table holds the members' pseudonyms, as their own entries do, and nothing else:
    # erasing a member (destroying their key) leaves nothing more readable here than there.
    (held,) = session.execute(sa.text("SELECT subjects FROM ledger_member")).scalars()
    assert bytes(held) == b"".join(sorted(run_keys().pseudonym_digests(["a", "b"])))


# --- verification ------------------------------------------------------------------------------


def batch_of(session: Session, n: int) -> tuple[int, int]:
    """A batch of `n` members at leaf 2 of a sequenced log: (its entry id, leaf index)."""
    append(session, 2)
    disclose(session, people(n))
    append(session, 1)
    sequence_all(session)
    entry_id = session.execute(
        sa.text("SELECT entry_id FROM ledger_leaf WHERE leaf_index = 2")
    ).scalar_one()
    return entry_id, 2


def test_an_intact_batch_verifies(session: Session) -> None:
    batch_of(session, 50)
    result = ledger.verify(session, keys=run_keys(), segment_level=4)
    assert result.ok, result.message


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_member SET subjects = subjects",
        "DELETE FROM ledger_member",
        "UPDATE ledger_member_node SET hash = hash",
        "DELETE FROM ledger_member_node",
    ],
)
def test_the_triggers_refuse_changes_to_members(session: Session, sql: str) -> None:
    batch_of(session, 600)
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        run(session, sql)


def test_a_deleted_block_of_members_is_named_and_the_others_still_prove_theirs(
    session: Session, tamper: Tamper, rfc9162: ModuleType
) -> None:
    entry_id, position = batch_of(session, 600)  # blocks of 256, 256 and 88 members
    with tamper():
        run(session, "DELETE FROM ledger_member WHERE entry_id = :e AND block = 1", e=entry_id)
    result = assert_broken(session, position, Problem.MEMBER_MISSING)
    assert "members 256 to 511 of the batch disclosure at leaf 2 are missing" in result.message
    # The members of the other blocks still prove their membership from what is left.
    left = [
        p
        for s in people(600)
        for p in ledger.subject_ledger(session, keys=run_keys(), subject_id=s).events
        if p.record.member is not None
    ]
    assert len(left) == 344
    for proven in (left[0], left[-1]):
        record, member = proven.record, proven.record.member
        assert member is not None and record.batch is not None and proven.member_path is not None
        assert rfc9162.member_holds(
            record.entry,
            member.index,
            member.entry(record.batch),
            list(proven.member_path),
            member.subject.hex(),
        )


def test_a_member_deleted_from_its_block_is_named(session: Session, tamper: Tamper) -> None:
    entry_id, position = batch_of(session, 50)
    with tamper():
        run(
            session,
            "UPDATE ledger_member SET subjects = substr(subjects, 1, 1280) || "
            "substr(subjects, 1313) WHERE entry_id = :e",
            e=entry_id,
        )
    result = assert_broken(session, position, Problem.MEMBER_MISSING)
    assert "1 of members 0 to 49 of the batch disclosure at leaf 2 are missing" in result.message


def test_an_added_member_is_named(session: Session, tamper: Tamper) -> None:
    entry_id, position = batch_of(session, 20)
    with tamper():
        run(
            session,
            "UPDATE ledger_member SET subjects = subjects || :s WHERE entry_id = :e",
            e=entry_id,
            s=b"\xff" * 32,
        )
    result = assert_broken(session, position, Problem.MEMBER_ADDED)
    assert "has 20 members, yet the member table holds 21 from member 0" in result.message


def test_members_pinned_on_an_ordinary_event_are_named(session: Session) -> None:
    append(session, 3)
    sequence_all(session)
    entry_id = session.execute(
        sa.text("SELECT entry_id FROM ledger_leaf WHERE leaf_index = 1")
    ).scalar_one()
    run(
        session,
        "INSERT INTO ledger_member (entry_id, block, first_subject, subjects) "
        "VALUES (:e, 0, :s, :s)",
        e=entry_id,
        s=bytes(32),
    )
    result = assert_broken(session, 1, Problem.MEMBER_ADDED)
    assert "names leaf 1 as a batch disclosure" in result.message


@pytest.mark.parametrize(("index", "value"), [(0, b"\x00"), (17, b"\xff"), (39, b"\x00")])
def test_a_rewritten_member_is_named(
    session: Session, tamper: Tamper, index: int, value: bytes
) -> None:
    """A pseudonym moved out of its place in the order (nearly always, for a forged one)."""
    entry_id, position = batch_of(session, 40)
    with tamper():
        run(
            session,
            "UPDATE ledger_member SET subjects = substr(subjects, 1, :a) || :s || "
            "substr(subjects, :b) WHERE entry_id = :e",
            e=entry_id,
            a=32 * index,
            b=32 * index + 33,
            s=value * 32,
        )
    result = assert_broken(session, position, Problem.MEMBER_ALTERED)
    assert f"member {index} of the batch disclosure at leaf 2" in result.message


def test_a_rewritten_member_that_keeps_the_order_is_caught_by_the_root(
    session: Session, tamper: Tamper
) -> None:
    entry_id, position = batch_of(session, 3)
    second = session.execute(
        sa.text("SELECT subjects FROM ledger_member WHERE entry_id = :e"), {"e": entry_id}
    ).scalar_one()[32:64]
    with tamper():
        run(  # the second pseudonym with its last byte changed: still between its neighbours
            session,
            "UPDATE ledger_member SET subjects = substr(subjects, 1, 32) || :s || "
            "substr(subjects, 65) WHERE entry_id = :e",
            e=entry_id,
            s=second[:31] + bytes([second[31] ^ 1]),
        )
    result = assert_broken(session, position, Problem.MEMBER_ALTERED)
    assert "a member of the batch disclosure at leaf 2 no longer matches" in result.message


def test_a_rewritten_stored_member_hash_is_named(session: Session, tamper: Tamper) -> None:
    entry_id, position = batch_of(session, 600)
    with tamper():
        run(
            session,
            "UPDATE ledger_member_node SET hash = :h WHERE entry_id = :e AND level = 8 AND idx = 1",
            e=entry_id,
            h=bytes(32),
        )
    result = assert_broken(session, position, Problem.MEMBER_ALTERED)
    assert "members 256 to 511" in result.message

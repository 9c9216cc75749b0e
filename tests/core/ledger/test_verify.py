"""The ledger on a real database: appending, the append-only triggers, and every tampering kind."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from lawful.core.db import create_engine, session_scope, upgrade, utc_text
from lawful.core.errors import Conflict, InvalidInput, KeyDestroyed, LedgerTampered
from lawful.core.ledger import chain, copies
from lawful.core.ledger import service as ledger
from lawful.core.ledger.chain import Problem, StoredEvent
from lawful.core.ledger.models import LedgerEvent
from lawful.core.ledger.service import LedgerRecord, NewEvent
from lawful.core.vault import service as vault
from lawful.core.vault.keys import Keyring, open_keyring


def run_keys() -> Keyring:
    """The run's keyring (see the `lawful_home` fixture), for helpers called without fixtures."""
    return open_keyring(Path(os.environ["LAWFUL_HOME"]) / "keys")


Tamper = Callable[[], AbstractContextManager[None]]


def event(i: int = 0, *, subject: str | None = "customer-1", **changes: Any) -> NewEvent:
    fields: dict[str, Any] = {
        "event": "customers.person.read",
        "actor": "branch-advisor",
        "actor_kind": "staff",
        "entity": "kbc-bank",
        "purpose": "customer-file",
        "legal_basis": "legitimate_interests",
        "decision": "allow",
        "subject_id": subject,
        "data_categories": ["identity", "contact"],
        "reasons": ["purpose_declared"],
        "details": {"screen": "overview", "i": i} if subject else None,
    }
    return NewEvent(**(fields | changes))


def append(session: Session, n: int, **changes: Any) -> list[LedgerRecord]:
    return ledger.append(session, keys=run_keys(), events=[event(i, **changes) for i in range(n)])


def run(session: Session, sql: str, **params: Any) -> None:
    session.execute(sa.text(sql), params)


def stored(record: LedgerRecord, **changes: Any) -> StoredEvent:
    """A record back in its stored form, to forge rows with valid-looking hashes."""
    event = StoredEvent(
        occurred_at=utc_text(record.occurred_at),
        event=record.event,
        actor=record.actor,
        actor_kind=record.actor_kind,
        entity=record.entity,
        purpose=record.purpose,
        legal_basis=record.legal_basis,
        subject_pseudonym=record.subject_pseudonym,
        data_categories=chain.json_list(record.data_categories),
        recipient=record.recipient,
        decision=record.decision.value,
        reasons=chain.json_list(record.reasons),
        obligations=chain.json_list(record.obligations),
        details=record.details,
    )
    return dataclasses.replace(event, **changes)


def assert_broken(session: Session, sequence: int, problem: Problem) -> ledger.VerifyResult:
    result = ledger.verify(session, keys=run_keys(), chunk_size=4)
    assert not result.ok
    assert (result.first_bad_sequence, result.problem) == (sequence, problem), result.message
    assert str(sequence) in result.message
    return result


# --- appending -------------------------------------------------------------------------------


def test_an_empty_ledger_is_intact(session: Session, keyring: Keyring) -> None:
    result = ledger.verify(session, keys=keyring)
    assert result.ok
    assert (result.events, result.last_checkpoint) == (0, None)
    assert result.summary() == "ledger intact: 0 events, no checkpoint yet"


def test_batches_chain_gaplessly(session: Session, keyring: Keyring) -> None:
    first = append(session, 3)
    second = append(session, 4)
    records = first + second
    assert [r.sequence for r in records] == list(range(1, 8))
    assert records[0].prev_hash == chain.GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(records))
    assert ledger.recent(session, limit=7) == records
    result = ledger.verify(session, keys=keyring, chunk_size=3)
    assert result.ok and result.events == 7


def test_subjects_appear_only_as_pseudonyms(session: Session, keyring: Keyring) -> None:
    append(session, 2, subject="customer-1")
    append(session, 1, subject="customer-2")
    records = ledger.for_subject(session, keys=keyring, subject_id="customer-1")
    assert len(records) == 2
    assert records[0].subject_pseudonym == keyring.pseudonymise("customer-1")
    assert records[0].subject_pseudonym != "customer-1"
    assert ledger.details(session, keys=keyring, record=records[1]) == {
        "screen": "overview",
        "i": 1,
    }


def test_erasure_shreds_the_details_but_the_chain_still_verifies(
    session: Session, keyring: Keyring
) -> None:
    records = append(session, 3)
    assert vault.shred(session, keys=keyring, subject_id="customer-1")
    with pytest.raises(KeyDestroyed):
        ledger.details(session, keys=keyring, record=records[0])
    assert ledger.verify(session, keys=keyring).ok


def test_events_without_subject_or_details(session: Session, keyring: Keyring) -> None:
    record = ledger.record(session, keys=keyring, event=event(subject=None, recipient="ombudsfin"))
    assert (record.subject_pseudonym, record.details, record.recipient) == (None, None, "ombudsfin")
    assert ledger.verify(session, keys=keyring).ok


@pytest.mark.parametrize(
    "changes",
    [
        {"event": "read"},
        {"actor": "advisor\x1f"},
        {"purpose": ""},
        {"decision": "maybe"},
        {"occurred_at": dt.datetime(2024, 1, 1)},
        {"subject_id": None},  # details without a subject to encrypt them for
    ],
)
def test_malformed_events_are_refused(
    session: Session, changes: dict[str, Any], keyring: Keyring
) -> None:
    with pytest.raises(InvalidInput):
        ledger.append(session, keys=keyring, events=[event(**changes)])


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=10),
    st.lists(st.text(st.characters(blacklist_categories=["Cs"]), max_size=6), max_size=3),
    st.datetimes(timezones=st.timezones()),
)
def test_the_database_reads_back_exactly_what_was_hashed(
    session: Session, keyring: Keyring, actor: str, categories: list[str], when: dt.datetime
) -> None:
    # SQLite hashes the stored text, PostgreSQL re-renders timestamps and text in SQL: both must
    # give back the bytes the appender hashed, for any text and any instant.
    ledger.record(
        session,
        keys=keyring,
        event=event(actor=actor, data_categories=categories, occurred_at=when),
    )
    assert ledger.verify(session, keys=keyring).ok


# --- the database refuses changes --------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_event SET actor = 'someone-else' WHERE sequence = 1",
        "DELETE FROM ledger_event WHERE sequence = 1",
        "UPDATE ledger_checkpoint SET sequence = 1",
        "DELETE FROM ledger_checkpoint",
    ],
)
def test_the_triggers_refuse_update_and_delete(
    session: Session, sql: str, keyring: Keyring
) -> None:
    append(session, 2)
    ledger.checkpoint(session, keys=keyring)
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        run(session, sql)


def test_postgresql_refuses_truncate(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists on PostgreSQL only")
    append(session, 1)
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        run(session, "TRUNCATE ledger_event")


# --- tampering ---------------------------------------------------------------------------------


def test_a_modified_row_is_named(session: Session, tamper: Tamper) -> None:
    append(session, 6)
    with tamper():
        run(session, "UPDATE ledger_event SET purpose = 'marketing' WHERE sequence = 4")
    result = assert_broken(session, 4, Problem.MODIFIED)
    assert "modified" in result.message and result.events == 3


def test_moving_an_instant_to_its_year_bc_twin_is_named(session: Session, tamper: Tamper) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite stores the instant as the very text that was hashed")
    append(session, 6)
    with tamper():
        run(
            session,
            "UPDATE ledger_event SET occurred_at = (to_char(occurred_at AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD HH24:MI:SS.US') || ' BC')::timestamp AT TIME ZONE 'UTC' "
            "WHERE sequence = 4",
        )
    assert_broken(session, 4, Problem.MODIFIED)


def test_a_rewritten_row_with_a_recomputed_hash_breaks_the_next_link(
    session: Session, tamper: Tamper
) -> None:
    records = append(session, 6)
    forged = stored(records[2], purpose="marketing")
    forged_hash = chain.link_hash(records[2].prev_hash, 3, forged)
    with tamper():
        run(
            session,
            "UPDATE ledger_event SET purpose = 'marketing', hash = :h WHERE sequence = 3",
            h=forged_hash,
        )
    result = assert_broken(session, 4, Problem.BROKEN_LINK)
    assert "event 3 was rewritten" in result.message


def test_a_deleted_row_is_named(session: Session, tamper: Tamper) -> None:
    append(session, 6)
    with tamper():
        run(session, "DELETE FROM ledger_event WHERE sequence = 5")
    result = assert_broken(session, 5, Problem.MISSING)
    assert "deleted" in result.message


def test_a_gap_across_a_chunk_boundary_is_found(
    session: Session, tamper: Tamper, keyring: Keyring
) -> None:
    append(session, 10)
    with tamper():
        run(session, "DELETE FROM ledger_event WHERE sequence IN (4, 5)")
    result = ledger.verify(session, keys=keyring, chunk_size=3)
    assert (result.first_bad_sequence, result.problem) == (4, Problem.MISSING)
    assert "4 to 5" in result.message


def _shift(session: Session, start: int, by: int) -> None:
    # Two steps, so that the primary key never sees two rows with the same sequence.
    run(
        session,
        "UPDATE ledger_event SET sequence = sequence + 1000000 WHERE sequence >= :s",
        s=start,
    )
    run(
        session,
        "UPDATE ledger_event SET sequence = sequence - 1000000 + :by WHERE sequence >= 1000000",
        by=by,
    )


def test_an_inserted_row_is_found(session: Session, tamper: Tamper) -> None:
    records = append(session, 6)
    forged = stored(records[2], purpose="marketing")
    row = {name: getattr(forged, name) for name in chain.HASHED_COLUMNS if name != "sequence"} | {
        "sequence": 3,
        "prev_hash": records[1].hash,
    }
    row["hash"] = chain.link_hash(records[1].hash, 3, forged)
    row["occurred_at"] = records[2].occurred_at
    with tamper():
        _shift(session, 3, 1)
        session.execute(sa.insert(LedgerEvent), row)
    assert_broken(session, 4, Problem.BROKEN_LINK)


def test_swapped_rows_are_found(session: Session, tamper: Tamper) -> None:
    append(session, 6)
    with tamper():
        run(session, "UPDATE ledger_event SET sequence = 1000003 WHERE sequence = 3")
        run(session, "UPDATE ledger_event SET sequence = 3 WHERE sequence = 4")
        run(session, "UPDATE ledger_event SET sequence = 4 WHERE sequence = 1000003")
    assert_broken(session, 3, Problem.BROKEN_LINK)


def test_a_truncated_tail_is_caught_by_the_checkpoint(
    session: Session, tamper: Tamper, keyring: Keyring
) -> None:
    append(session, 8)
    ledger.checkpoint(session, keys=keyring)
    append(session, 2)
    with tamper():
        run(session, "DELETE FROM ledger_event WHERE sequence > 5")
    result = assert_broken(session, 6, Problem.TRUNCATED)
    assert "ends at event 5" in result.message and "up to 8" in result.message


def test_a_consistently_rewritten_chain_is_caught_by_the_checkpoint(
    session: Session, tamper: Tamper, keyring: Keyring
) -> None:
    records = append(session, 6)
    ledger.checkpoint(session, keys=keyring)
    # Rewrite event 2 and recompute every later hash: the chain alone is consistent again.
    events = [stored(r) for r in records]
    events[1] = dataclasses.replace(events[1], purpose="marketing")
    links = chain.chain(events[1:], head_sequence=1, head_hash=records[0].hash)
    with tamper():
        run(session, "UPDATE ledger_event SET purpose = 'marketing' WHERE sequence = 2")
        for link in links:
            run(
                session,
                "UPDATE ledger_event SET prev_hash = :p, hash = :h WHERE sequence = :s",
                p=link.prev_hash,
                h=link.hash,
                s=link.sequence,
            )
    assert_broken(session, 6, Problem.CHECKPOINT_MISMATCH)


def test_a_forged_checkpoint_signature_is_named(
    session: Session, tamper: Tamper, keyring: Keyring
) -> None:
    append(session, 4)
    cp = ledger.checkpoint(session, keys=keyring)
    with tamper():
        run(session, "UPDATE ledger_checkpoint SET signature = :s", s=bytes(64))
    result = assert_broken(session, cp.sequence, Problem.CHECKPOINT_SIGNATURE)
    assert f"checkpoint #{cp.id}" in result.message


def test_copies_outside_the_database_name_deleted_checkpoints_and_the_rewrite_they_hid(
    session: Session, tamper: Tamper, tmp_path: Path, keyring: Keyring
) -> None:
    append(session, 5)
    cp = ledger.checkpoint(session, keys=keyring)
    kept = tmp_path / "copies.jsonl"
    copies.append(kept, cp)
    assert copies.read(kept).checkpoints == [cp]
    assert ledger.verify(session, keys=keyring, copies=[cp]).copies == 1
    with tamper():
        run(session, "DELETE FROM ledger_checkpoint")
        run(session, "DELETE FROM ledger_event WHERE sequence = 5")
    assert ledger.verify(session, keys=keyring).ok  # the database alone cannot tell
    result = ledger.verify(session, keys=keyring, copies=copies.read(kept).checkpoints)
    assert (result.ok, result.first_bad_sequence, result.problem) == (False, 5, Problem.TRUNCATED)
    assert "events 5 to 5 were removed" in result.message


# --- checkpoints -------------------------------------------------------------------------------


def test_checkpoints_sign_the_head(session: Session, keyring: Keyring) -> None:
    with pytest.raises(Conflict):
        ledger.checkpoint(session, keys=keyring)
    records = append(session, 3)
    first = ledger.checkpoint(session, keys=keyring)
    assert (first.sequence, first.hash) == (3, records[-1].hash)
    append(session, 2)
    second = ledger.checkpoint(session, keys=keyring)
    assert second.sequence == 5 and ledger.last_checkpoint(session) == second
    result = ledger.verify(session, keys=keyring)
    assert result.ok and result.checkpoints == 2
    assert result.summary() == "ledger intact: 5 events, last checkpoint at seq 5"


def test_a_checkpoint_refuses_to_sign_a_broken_ledger(
    session: Session, tamper: Tamper, keyring: Keyring
) -> None:
    append(session, 3)
    ledger.checkpoint(session, keys=keyring)
    append(session, 3)
    with tamper():
        run(session, "UPDATE ledger_event SET actor = 'x' WHERE sequence = 5")
    with pytest.raises(LedgerTampered, match="seq 5"):
        ledger.checkpoint(session, keys=keyring)


# --- concurrency -------------------------------------------------------------------------------


@pytest.fixture
def own_database(
    database_of_its_own: Callable[[str], AbstractContextManager[str]],
) -> Iterator[str]:
    """A committed database of its own: concurrent writers cannot share a rolled-back test."""
    with database_of_its_own("concurrency") as url:
        yield url


def test_concurrent_appenders_never_fork_the_chain(own_database: Any, keyring: Keyring) -> None:
    upgrade(own_database)
    engine = create_engine(own_database)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for _ in range(10):
                with session_scope(engine) as session:
                    ledger.append(
                        session,
                        keys=keyring,
                        events=[event(subject=f"{name}-{i}") for i in range(20)],
                    )
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert not errors, errors
        with session_scope(engine, read_only=True) as session:
            result = ledger.verify(session, keys=keyring)
        assert result.ok and result.events == 600
    finally:
        engine.dispose()

"""Appenders and sequencers at the same time, on a committed database of their own."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from lawful.core.db import create_engine, session_scope, upgrade
from lawful.core.ledger import service as ledger
from lawful.core.vault.keys import Keyring

from .factories import event, sequence_all


@pytest.fixture
def engine(database_of_its_own: Callable[[str], AbstractContextManager[str]]) -> Iterator[Engine]:
    """Committed work of its own: concurrent writers cannot share a rolled-back test."""
    with database_of_its_own("sequencer") as url:
        upgrade(url)
        engine = create_engine(url)
        yield engine
        engine.dispose()


def test_appenders_never_wait_for_the_sequencer_and_nothing_is_lost(
    engine: Engine, keyring: Keyring
) -> None:
    errors: list[BaseException] = []
    done = threading.Event()

    def appender(name: str) -> None:
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

    def sequencer() -> None:
        try:
            while not done.is_set():
                with session_scope(engine) as session:
                    ledger.sequence(session, keys=keyring, limit=50)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=appender, args=(f"w{i}",)) for i in range(3)]
    threads += [threading.Thread(target=sequencer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads[:3]:
        thread.join()
    done.set()
    for thread in threads[3:]:
        thread.join()
    assert not errors, errors
    with session_scope(engine) as session:
        sequence_all(session, batch=50)
    with session_scope(engine, read_only=True) as session:
        result = ledger.verify(session, keys=keyring, segment_level=4)
        entry_ids = session.execute(sa.text("SELECT entry_id FROM ledger_leaf")).scalars().all()
    assert result.ok and result.events == 600 and result.pending == 0, result.summary()
    assert len(set(entry_ids)) == 600


def test_a_second_sequencer_finds_the_lock_taken(engine: Engine, keyring: Keyring) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's write lock queues the second writer instead")
    with session_scope(engine) as session:
        ledger.append(session, keys=keyring, events=[event(i) for i in range(3)])
    with session_scope(engine) as first, session_scope(engine) as second:
        assert ledger.sequence(first, keys=keyring).sequenced == 3
        assert ledger.sequence(second, keys=keyring).busy


def test_verification_in_worker_processes_names_what_one_process_does(
    engine: Engine, keyring: Keyring
) -> None:
    with session_scope(engine) as session:
        ledger.append(
            session, keys=keyring, events=[event(i, subject=f"c{i % 7}") for i in range(300)]
        )
        sequence_all(session, batch=37)
    with session_scope(engine, read_only=True) as session:
        alone = ledger.verify(session, keys=keyring, segment_level=4, workers=1)
        shared = ledger.verify(session, keys=keyring, segment_level=4, workers=2, parallel_from=0)
    assert alone == shared and shared.ok and shared.events == 300 and shared.heads == 9
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("ALTER TABLE ledger_leaf DISABLE TRIGGER USER")
        else:
            connection.exec_driver_sql("DROP TRIGGER ledger_leaf_no_delete")
        connection.exec_driver_sql("DELETE FROM ledger_leaf WHERE leaf_index = 211")
    with session_scope(engine, read_only=True) as session:
        alone = ledger.verify(session, keys=keyring, segment_level=4, workers=1)
        shared = ledger.verify(session, keys=keyring, segment_level=4, workers=2, parallel_from=0)
    assert alone == shared and (shared.first_bad, shared.problem) == (211, ledger.Problem.MISSING)


def test_postgresql_keeps_the_log_in_monthly_partitions_made_ahead(
    engine: Engine, keyring: Keyring
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps the log in one table")
    with session_scope(engine) as session:
        ledger.append(session, keys=keyring, events=[event(i) for i in range(3)])
        sequence_all(session)
    with engine.begin() as connection:
        partitions = (
            connection.exec_driver_sql(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'ledger_leaf'::regclass ORDER BY 1"
            )
            .scalars()
            .all()
        )
        # This month's, where the batch went, and the next one, made ahead by the sequencer.
        assert len(partitions) >= 2 and all(p.startswith("ledger_leaf_") for p in partitions)
        held = connection.exec_driver_sql(
            "SELECT tableoid::regclass::text, count(*) FROM ledger_leaf GROUP BY 1"
        ).all()
        assert [n for _, n in held] == [3] and held[0][0] in partitions
        made = connection.exec_driver_sql("SELECT lawful_ledger_partition('2031-05-17')").scalar()
        again = connection.exec_driver_sql("SELECT lawful_ledger_partition('2031-05-01')").scalar()
        assert made == again == "ledger_leaf_2031_05"
        bounds = connection.exec_driver_sql(
            "SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = %s", (made,)
        ).scalar_one()
        assert "2031-05-01" in bounds and "2031-06-01" in bounds
    # A partition refuses changes as the log does, TRUNCATE included.
    for statement in (f"DELETE FROM {held[0][0]}", "TRUNCATE ledger_leaf_2031_05"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as connection:
            connection.exec_driver_sql(statement)


def test_verification_while_the_sequencer_works_finds_nothing_wrong(
    engine: Engine, keyring: Keyring
) -> None:
    """Leaves, subtrees and heads committed meanwhile are neither missed nor taken for
    tampering: verify judges the log as it stood at its first read."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            while not stop.is_set():
                with session_scope(engine) as session:
                    ledger.append(session, keys=keyring, events=[event(i) for i in range(40)])
                with session_scope(engine) as session:
                    ledger.sequence(session, keys=keyring, limit=25)
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    try:
        results: list[ledger.VerifyResult] = []
        deadline = time.monotonic() + 60
        while (len(results) < 10 or results[-1].events < 300) and time.monotonic() < deadline:
            with session_scope(engine, read_only=True) as session:
                results.append(ledger.verify(session, keys=keyring, segment_level=4))
    finally:
        stop.set()
        worker.join()
    assert not errors, errors
    assert all(r.ok for r in results), [r.summary() for r in results if not r.ok]
    assert results[-1].events > results[0].events

"""The screen: the database builds each row's canonical bytes, and proves intact runs in bulk.

Its encoding must be `chain.canonical` byte for byte, on both backends, for any stored value; and
whatever it cannot prove must reach the row-by-row check, which names the break.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from lawful.core.db import create_engine, session_scope, upgrade, utc_text
from lawful.core.ledger import chain, integrity, repository
from lawful.core.ledger import service as ledger
from lawful.core.ledger.chain import Cursor, Problem, StoredEvent
from lawful.core.ledger.models import LedgerEvent
from lawful.core.vault.keys import Keyring, open_keyring


def run_keys() -> Keyring:
    """The run's keyring (see the `lawful_home` fixture), for helpers called without fixtures."""
    return open_keyring(Path(os.environ["LAWFUL_HOME"]) / "keys")


Tamper = Callable[[], AbstractContextManager[None]]

# Any text a column can store: accents, emoji, quotes, backslashes, separators, control
# characters; not 0x00, which PostgreSQL text cannot hold (SQLite's is tested on its own below).
text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)
names = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60
)
instants = st.datetimes(
    min_value=dt.datetime(2, 1, 1), max_value=dt.datetime(9998, 12, 31), timezones=st.timezones()
)
rows = st.lists(
    st.tuples(
        instants,
        st.builds(
            StoredEvent,
            occurred_at=st.just(""),  # replaced by the instant's canonical text
            event=text,
            actor=text,
            actor_kind=text,
            entity=text,
            purpose=text,
            legal_basis=text,
            subject_pseudonym=st.none() | names,
            data_categories=st.lists(text, max_size=3).map(chain.json_list),
            recipient=st.none() | text,
            decision=st.sampled_from(["allow", "deny"]),
            reasons=st.lists(text, max_size=2).map(chain.json_list),
            obligations=text,
            details=st.none() | st.binary(max_size=40),
        ),
    ),
    min_size=1,
    max_size=4,
)


def event(i: int = 0) -> ledger.NewEvent:
    return ledger.NewEvent(
        event="customers.person.read",
        actor="branch-advisor",
        actor_kind="staff",
        entity="kbc-bank",
        purpose="customer-file",
        legal_basis="legitimate_interests",
        decision="allow",
        subject_id=f"customer-{i % 3}",
        data_categories=["identity"],
        details={"i": i},
    )


def append(session: Session, n: int) -> list[ledger.LedgerRecord]:
    return ledger.append(session, keys=run_keys(), events=[event(i) for i in range(n)])


def run(session: Session, sql: str) -> None:
    session.execute(sa.text(sql))


def insert(session: Session, drafted: list[tuple[dt.datetime, StoredEvent]]) -> list[chain.Link]:
    """Rows written as they are stored, whatever their content, chained after the head."""
    head_sequence, head_hash = repository.head(session)
    events = [
        StoredEvent(**{**_fields(stored), "occurred_at": utc_text(when)})
        for when, stored in drafted
    ]
    links = chain.chain(events, head_sequence=head_sequence, head_hash=head_hash)
    session.execute(
        sa.insert(LedgerEvent),
        [
            _fields(stored)
            | {
                "occurred_at": when,
                "sequence": link.sequence,
                "prev_hash": link.prev_hash,
                "hash": link.hash,
            }
            for (when, _), stored, link in zip(drafted, events, links, strict=True)
        ],
    )
    return links


def _fields(stored: StoredEvent) -> dict[str, Any]:
    return {name: getattr(stored, name) for name in StoredEvent.__slots__}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows)
def test_the_database_builds_the_canonical_bytes_byte_for_byte(
    session: Session, drafted: list[tuple[dt.datetime, StoredEvent]]
) -> None:
    after, after_hash = repository.head(session)
    links = insert(session, drafted)
    built = repository.database_canonical(session, after=after, limit=len(links))
    assert [row[0] for row in built] == [link.sequence for link in links]
    for (when, stored), row, link in zip(drafted, built, links, strict=True):
        expected = chain.canonical(
            link.sequence, StoredEvent(**{**_fields(stored), "occurred_at": utc_text(when)})
        )
        assert bytes(row[1]) == expected
        if len(row) > 2:  # SQLite: the length its guard expects
            assert row[2] == len(expected)
    cursor = Cursor(expected=after + 1, last_hash=after_hash)
    repository.screen(session, cursor, until=None, chunk_size=3)
    assert (cursor.verified, cursor.last_hash) == (links[-1].sequence, links[-1].hash)


def test_the_screen_stops_before_the_first_doubt(session: Session, tamper: Tamper) -> None:
    records = append(session, 9)
    with tamper():
        run(session, "UPDATE ledger_event SET purpose = 'marketing' WHERE sequence = 7")
    cursor = Cursor()
    repository.screen(session, cursor, until=None, chunk_size=2)
    # SQLite proves whole chunks (rows 1-6), PostgreSQL the run up to the row itself.
    assert cursor.verified == 6 and cursor.last_hash == records[5].hash
    cursor = Cursor()
    repository.screen(session, cursor, until=4, chunk_size=50)
    assert cursor.verified == 4


def test_text_cut_short_by_a_zero_byte_is_not_proven(
    session: Session, tamper: Tamper, keyring: Keyring
) -> None:
    # SQLite's printf stops a text at 0x00: "advisor\0x" would otherwise encode as "advisor".
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL text cannot hold 0x00")
    append(session, 5)
    with tamper():
        run(session, "UPDATE ledger_event SET actor = actor || char(0) || 'x' WHERE sequence = 3")
    cursor = Cursor()
    repository.screen(session, cursor, until=None, chunk_size=1)
    assert cursor.verified == 2
    result = ledger.verify(session, keys=keyring, chunk_size=2)
    assert (result.first_bad_sequence, result.problem) == (3, Problem.MODIFIED)


def test_the_guard_counts_bytes_whatever_the_type(
    session: Session, tamper: Tamper, keyring: Keyring
) -> None:
    # Details retyped as text count fewer characters than bytes: as many hidden bytes after a
    # 0x00 in a text column would then balance a guard counting characters.
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL text cannot hold 0x00")
    append(session, 8)
    gaps = session.execute(
        sa.text(
            "SELECT sequence, length(CAST(details AS BLOB)) - length(CAST(details AS TEXT)) "
            "FROM ledger_event ORDER BY 2 DESC LIMIT 1"
        )
    ).one()
    assert gaps[1] >= 1
    with tamper():
        session.execute(
            sa.text(
                "UPDATE ledger_event SET details = CAST(details AS TEXT), "
                "actor = actor || char(0) || substr(:pad, 1, :n) WHERE sequence = :s"
            ),
            {"pad": "x" * 200, "n": gaps[1] - 1, "s": gaps[0]},
        )
    result = ledger.verify(session, keys=keyring, chunk_size=3)
    assert (result.first_bad_sequence, result.problem) == (gaps[0], Problem.MODIFIED)


def test_a_value_of_the_wrong_type_is_named(
    session: Session, tamper: Tamper, keyring: Keyring
) -> None:
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL columns are typed")
    append(session, 4)
    with tamper():
        run(session, "UPDATE ledger_event SET details = 42 WHERE sequence = 2")
    result = ledger.verify(session, keys=keyring)
    assert (result.first_bad_sequence, result.problem) == (2, Problem.MODIFIED)


# --- the SQLite worker process -----------------------------------------------------------------


@pytest.fixture
def committed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A committed SQLite ledger of 40 events, and a marker the forked worker leaves behind."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    upgrade(url)
    engine = create_engine(url)
    with session_scope(engine) as session:
        append(session, 40)
    marker = tmp_path / "worker-ran"
    screen_file = repository.screen_sqlite_file

    def spied(path: str, **kwargs: Any) -> Any:
        marker.touch()
        return screen_file(path, **kwargs)

    monkeypatch.setattr(repository, "screen_sqlite_file", spied)
    monkeypatch.setattr(integrity, "PARALLEL_MIN_EVENTS", 10)
    yield engine, marker
    engine.dispose()


def _tamper_committed(engine: sa.Engine, sql: str) -> None:
    with engine.begin() as connection:
        triggers = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'ledger_event'"
        ).all()
        for name, _ in triggers:
            connection.exec_driver_sql(f"DROP TRIGGER {name}")
        connection.exec_driver_sql(sql)
        for _, trigger in triggers:
            connection.exec_driver_sql(trigger)


def _verify(engine: sa.Engine) -> ledger.VerifyResult:
    with session_scope(engine, read_only=True) as session:
        return ledger.verify(session, keys=run_keys(), chunk_size=4)


def test_a_worker_process_screens_the_upper_half(committed: Any) -> None:
    engine, marker = committed
    result = _verify(engine)
    assert marker.exists()
    assert result.ok and result.events == 40


@pytest.mark.parametrize(
    ("sql", "sequence", "problem"),
    [
        ("UPDATE ledger_event SET purpose = 'marketing' WHERE sequence = 33", 33, "modified"),
        ("UPDATE ledger_event SET purpose = 'marketing' WHERE sequence = 7", 7, "modified"),
        ("DELETE FROM ledger_event WHERE sequence = 21", 21, "missing"),
        ("UPDATE ledger_event SET prev_hash = zeroblob(32) WHERE sequence = 21", 21, "broken_link"),
    ],
)
def test_breaks_in_either_half_are_named(
    committed: Any, sql: str, sequence: int, problem: str
) -> None:
    engine, marker = committed
    _tamper_committed(engine, sql)
    result = _verify(engine)
    # A break in the lower half is found without waiting for the worker (it is stopped).
    assert marker.exists() or sequence <= 20
    assert (result.first_bad_sequence, result.problem) == (sequence, Problem(problem))


def test_no_worker_while_the_session_holds_the_write_lock(committed: Any, keyring: Keyring) -> None:
    engine, marker = committed
    with session_scope(engine) as session:  # BEGIN IMMEDIATE: it could hold unseen writes
        ledger.record(session, keys=keyring, event=event())
        result = ledger.verify(session, keys=keyring)
    assert not marker.exists()
    assert result.ok and result.events == 41

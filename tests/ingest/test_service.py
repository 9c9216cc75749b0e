"""Recording another system's events: checked against the register, all or nothing, once per key,
encrypted per subject, later sequenced and verified like any other entry."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest

from lawful.core.errors import InvalidInput, InvalidItems
from lawful.core.gate import unit_of_work
from lawful.core.ledger import service as ledger
from lawful.core.vault import service as vault
from lawful.ingest import service
from lawful.ingest.schemas import IngestResult

from .conftest import ENTITY, SYSTEM, Installation, event, jsonl


def ingest(installation: Installation, lines: list[bytes], *, system: str = SYSTEM) -> IngestResult:
    rt = installation.runtime
    with unit_of_work(rt.engine) as session:
        return service.ingest_lines(
            session, gate=rt.gate, system=system, entity=ENTITY, lines=lines
        )


def refused(installation: Installation, lines: list[bytes]) -> list[tuple[int, str, str]]:
    """The problems reported, after checking that nothing at all was recorded."""
    before = installation.pending()
    with pytest.raises(InvalidItems) as caught:
        ingest(installation, lines)
    assert installation.pending() == before
    assert caught.value.unit == "line"
    return [tuple(p) for p in caught.value.problems]


def test_events_are_recorded_as_the_systems_with_details_under_the_subjects_key(
    installation: Installation,
) -> None:
    alice = installation.person()
    before = installation.pending()
    result = ingest(installation, jsonl(event("a-1", alice), event("a-2", alice, details=None)))
    assert result == IngestResult(recorded=2, already_recorded=0)
    assert installation.pending() == before + 2

    rt = installation.runtime
    with unit_of_work(rt.engine) as session:
        records = ledger.for_subject(session, keys=rt.keys, subject_id=alice)[-2:]
        details = [ledger.details(session, keys=rt.keys, record=r) for r in records]
    first, second = records
    assert (first.actor, first.actor_kind, first.entity) == (SYSTEM, "system", ENTITY)
    assert first.event == "cards.statement.sent" and first.purpose == "customer-notifications"
    assert first.legal_basis == "legitimate_interests"
    assert first.data_categories == ("user.financial.card_statement",)
    assert first.occurred_at == dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.UTC)
    assert first.pending  # until the sequencer places it in the log
    assert details == [{"statement": "a-1", "balance_cents": 12_500}, None]
    assert second.details is None
    # The details are stored encrypted: the plain text appears nowhere in the entry.
    assert b"balance_cents" not in first.entry


def test_a_retried_batch_is_not_recorded_twice(installation: Installation) -> None:
    alice = installation.person()
    lines = jsonl(*(event(f"retry-{i}", alice) for i in range(5)))
    assert ingest(installation, lines[:3]).recorded == 3
    before = installation.pending()
    assert ingest(installation, lines) == IngestResult(recorded=2, already_recorded=3)
    assert ingest(installation, lines) == IngestResult(recorded=0, already_recorded=5)
    assert installation.pending() == before + 2


def test_keys_belong_to_their_system(installation: Installation) -> None:
    alice = installation.person()
    line = event("shared-key", alice, purpose="customer-contract", categories=["user.name"])
    assert ingest(installation, jsonl(line)).recorded == 1
    assert ingest(installation, jsonl(line), system="mailing-platform").recorded == 1


def test_one_bad_line_and_nothing_is_recorded_with_its_line_number_and_field(
    installation: Installation,
) -> None:
    alice = installation.person()
    good = [event(f"bad-batch-{i}", alice) for i in range(4)]
    lines = jsonl(*good[:2], {**good[2], "purpose": "no-such-purpose"}, good[3])
    assert refused(installation, lines) == [
        (3, "purpose", "'no-such-purpose' is not a purpose of the register")
    ]
    # Nothing was kept of the good lines either: once mended, all four are new.
    assert ingest(installation, jsonl(*good)).recorded == 4


def test_every_bad_line_is_reported_in_line_order(installation: Installation) -> None:
    alice = installation.person()
    lines = [
        b'{"key": "x-1", "event": "cards.statement.sent"\n',  # cut short
        *jsonl(
            event("x-2", alice, categories=["user.health"]),
            event("x-3", alice, recipient="ombudsfin"),
            event("x-4", alice, purpose="reinsurance-transfer", categories=["user.name"]),
            event("x-5", "nobody-on-file"),
            event("x-6", alice, event="statement sent"),
            event("x-6", alice),
            event("x-8", alice, occurred_at="2026-11-30T09:15:00"),
            event("x-9", alice, occurred_at=(dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
                  .isoformat()),
            event("x-10", alice, categories="user.name"),
            event("x-11", alice, colour="blue"),
            {k: v for k, v in event("x-12", alice).items() if k != "purpose"},
            event("x-13", None),
            event("x-14", alice, pseudonym="ab" * 32),
            event("x-15", None, pseudonym="not-hex"),
        ),
        b"\n",  # blank: skipped, but counted
        b"[1, 2]\n",
        *jsonl(event("x-18", "P\u0000"), event("x-19", alice, details=[1])),
        b'{"key": "x-20", "subject": "\\ud800"}\n',
    ]  # fmt: skip
    problems = refused(installation, lines)
    assert [(at, field) for at, field, _ in problems] == [
        (1, "line"),
        (2, "categories"),
        (3, "recipient"),
        (4, "purpose"),
        (4, "categories"),
        (5, "subject"),
        (6, "event"),
        (7, "key"),
        (8, "occurred_at"),
        (9, "occurred_at"),
        (10, "categories"),
        (11, "colour"),
        (12, "purpose"),
        (13, "subject"),
        (14, "pseudonym"),
        (15, "pseudonym"),
        (17, "line"),
        (18, "subject"),
        (19, "details"),
        (20, "line"),
    ]
    messages = {at: message for at, _, message in reversed(problems)}  # a line's first
    assert messages[2] == "not declared for 'customer-notifications': user.health"
    assert messages[3] == "'ombudsfin' is not declared for 'customer-notifications'"
    assert "card-processor acting for kbc-bank may not pursue" in messages[4]
    assert messages[5] == "no person nobody-on-file on file"
    assert messages[7] == "the key of line 6 again"
    assert messages[12] == "required"


def test_a_subject_may_be_given_by_pseudonym_if_the_installation_knows_it(
    installation: Installation,
) -> None:
    alice = installation.person()
    pseudonym = installation.runtime.keys.pseudonymise(alice)
    line = {**event("pseudo-1", alice), "subject": None, "pseudonym": pseudonym}
    assert ingest(installation, jsonl(line)).recorded == 1
    unknown = {**line, "key": "pseudo-2", "pseudonym": "0" * 64}
    assert refused(installation, jsonl(unknown)) == [
        (1, "pseudonym", "no subject of this installation has it")
    ]


def test_an_erased_subject_gets_events_without_details_only(installation: Installation) -> None:
    alice = installation.person()
    rt = installation.runtime
    with unit_of_work(rt.engine) as session:
        vault.shred(session, keys=rt.keys, subject_id=alice)
    pseudonym = rt.keys.pseudonymise(alice)
    line: dict[str, Any] = {**event("erased-1", alice), "subject": None, "pseudonym": pseudonym}
    assert refused(installation, jsonl(line)) == [
        (1, "details", "the subject was erased: record the event without details")
    ]
    assert ingest(installation, jsonl({**line, "details": None})).recorded == 1


def test_only_a_system_of_the_register_records(installation: Installation) -> None:
    for who in ("advisor", "no-such-system"):
        with pytest.raises(InvalidInput) as caught:
            ingest(installation, [], system=who)
        assert caught.value.field == "system"
    rt = installation.runtime
    with pytest.raises(InvalidInput) as caught, unit_of_work(rt.engine) as session:
        service.ingest_lines(session, gate=rt.gate, system=SYSTEM, entity="kbc", lines=[])
    assert caught.value.field == "entity"


def test_recorded_events_are_sequenced_and_verify(installation: Installation) -> None:
    subjects = [installation.person() for _ in range(3)]
    lines = jsonl(*(event(f"seq-{i}", subjects[i % 3]) for i in range(300)))
    assert ingest(installation, lines).recorded == 300
    rt = installation.runtime
    # Another sequencer on the same PostgreSQL database (another run's) may hold the lock a
    # moment: each attempt is a transaction of its own, as the server's sequencer makes them.
    deadline = time.monotonic() + 60
    while True:
        with unit_of_work(rt.engine) as session:
            batch = ledger.sequence(session, keys=rt.keys)
        if not batch.busy and not batch.sequenced:
            break
        assert time.monotonic() < deadline, "the sequencer lock stayed taken"
        if batch.busy:
            time.sleep(0.05)
    with unit_of_work(rt.engine) as session:
        result = ledger.verify(session, keys=rt.keys)
        counts = ledger.counts(session)
        proven = ledger.subject_ledger(session, keys=rt.keys, subject_id=subjects[0])
    assert result.ok, result.summary()
    assert counts.pending == 0 and result.events == counts.sequenced
    mine = [p for p in proven.events if p.record.actor == SYSTEM]
    assert len(mine) == 100 and all(p.inclusion is not None for p in mine)


def test_a_file_of_any_length_is_read_in_chunks_in_one_transaction(
    installation: Installation, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = installation.person()
    monkeypatch.setattr(service, "CHUNK", 7)
    lines = jsonl(*(event(f"chunk-{i}", alice) for i in range(30)))
    assert ingest(installation, lines).recorded == 30
    bad = jsonl(*(event(f"chunk2-{i}", alice) for i in range(30)))
    bad[25] = json.dumps(event("chunk2-25", alice, purpose="nope")).encode()
    assert [at for at, _, _ in refused(installation, bad)] == [26]


def test_a_key_is_any_printable_text_and_is_found_again_as_it_was_given(
    installation: Installation,
) -> None:
    alice = installation.person()
    keys = ["cards\\2026\\11\\0001", "relevé n° 7 ✓", "N\\N", "a\\tb"]
    lines = jsonl(*(event(k, alice) for k in keys))
    assert ingest(installation, lines).recorded == 4
    assert ingest(installation, lines) == IngestResult(recorded=0, already_recorded=4)

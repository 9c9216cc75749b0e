"""Appending: insert-only, pseudonymised, encrypted, in the caller's transaction; the entry
encoding as the README documents it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from lawful.core.errors import InvalidInput, KeyDestroyed
from lawful.core.ledger import entry as encoding
from lawful.core.ledger import service as ledger
from lawful.core.vault import service as vault
from lawful.core.vault.keys import Keyring

from .factories import append, event, sequence_all, sequenced


def test_an_empty_ledger_is_intact(session: Session, keyring: Keyring) -> None:
    result = ledger.verify(session, keys=keyring)
    assert result.ok and (result.events, result.last_head) == (0, None)
    assert result.summary() == "ledger intact: 0 events, no signed head yet"


def test_appends_wait_pending_until_the_sequencer_places_them(
    session: Session, keyring: Keyring
) -> None:
    records = append(session, 3)
    assert all(r.pending for r in records)
    assert ledger.counts(session) == ledger.Counts(sequenced=0, pending=3)
    assert [
        r.leaf_index for r in ledger.for_subject(session, keys=keyring, subject_id="customer-1")
    ] == [None] * 3
    heads = sequence_all(session)
    assert [h.tree_size for h in heads] == [3]
    stored = ledger.for_subject(session, keys=keyring, subject_id="customer-1")
    assert [r.leaf_index for r in stored] == [0, 1, 2]
    assert [r.entry for r in stored] == [r.entry for r in records]
    assert ledger.counts(session) == ledger.Counts(sequenced=3, pending=0)
    result = ledger.verify(session, keys=keyring)
    assert result.ok and result.events == 3 and result.last_head == 3


def test_each_batch_is_signed_and_the_log_keeps_its_order(
    session: Session, keyring: Keyring
) -> None:
    first = append(session, 4)
    second = append(session, 3, subject="customer-2")
    heads = sequence_all(session, batch=3)
    assert [h.tree_size for h in heads] == [3, 6, 7]
    log = ledger.recent(session, limit=10)
    assert [r.leaf_index for r in log] == list(range(7))
    assert [r.entry for r in log] == [r.entry for r in first + second]
    assert ledger.verify(session, keys=keyring, segment_level=4).ok


def test_subjects_and_staff_appear_only_as_pseudonyms(session: Session, keyring: Keyring) -> None:
    append(session, 2, subject="customer-1", actor_ref="u123")
    append(session, 1, subject="customer-2")
    records = ledger.for_subject(session, keys=keyring, subject_id="customer-1")
    assert len(records) == 2
    assert records[0].subject_pseudonym == keyring.pseudonymise("customer-1")
    assert b"customer-1" not in records[0].entry and b"u123" not in records[0].entry
    (staff,) = ledger.staff_pseudonyms(keyring, ["u123"]).values()
    assert records[0].actor_ref == staff
    # Another domain: a staff id and a subject id alike never share a pseudonym.
    assert staff != keyring.pseudonymise("u123")
    assert ledger.details(session, keys=keyring, record=records[1]) == {
        "screen": "overview",
        "i": 1,
    }


def test_erasure_shreds_the_details_but_the_tree_still_verifies(
    session: Session, keyring: Keyring
) -> None:
    records = sequenced(session, 3)
    assert vault.shred(session, keys=keyring, subject_id="customer-1")
    with pytest.raises(KeyDestroyed):
        ledger.details(session, keys=keyring, record=records[0])
    assert ledger.verify(session, keys=keyring).ok


def test_events_without_subject_or_details(session: Session, keyring: Keyring) -> None:
    record = ledger.record(session, keys=keyring, event=event(subject=None, recipient="ombudsfin"))
    assert (record.subject_pseudonym, record.details, record.recipient) == (None, None, "ombudsfin")
    sequence_all(session)
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
        {"actor_ref": ""},
    ],
)
def test_malformed_events_are_refused(
    session: Session, changes: dict[str, Any], keyring: Keyring
) -> None:
    with pytest.raises(InvalidInput):
        ledger.append(session, keys=keyring, events=[event(**changes)])


def test_the_entry_follows_the_documented_encoding() -> None:
    fields = encoding.Entry(
        "2024-05-01T09:30:00.000000Z", "ab" * 32, "customers.person.read", "allow", "kbc-bank",
        "advisor", "staff", None, "customer-file", "legitimate_interests", '["identity"]', None,
        '["purpose_declared"]', "[]", b"\x01\x1f\x00",
    )  # fmt: skip
    expected = (
        b"lawful-entry-v1\x1f2024-05-01T09:30:00.000000Z\x1f" + b"ab" * 32 + b"\x1f"
        b"customers.person.read\x1fallow\x1fkbc-bank\x1fadvisor\x1fstaff\x1f\x00\x1f"
        b'customer-file\x1flegitimate_interests\x1f["identity"]\x1f\x00\x1f'
        b'["purpose_declared"]\x1f[]\x1f1\x1f\x01\x1f\x00'
    )
    assert encoding.encode(fields) == expected
    assert expected[encoding.SUBJECT_OFFSET :].startswith(b"ab" * 32 + b"\x1f")
    assert encoding.decode(expected) == fields
    leaf = hashlib.sha256(b"\x00" + expected).digest()
    assert ledger.LedgerRecord.of(expected, 0).leaf_hash == leaf


def test_fields_cannot_smuggle_a_separator() -> None:
    with pytest.raises(InvalidInput):
        encoding.check_text("actor", "advisor\x1fstaff")
    assert encoding.json_list(["a\x1fb"]) == '["a\\u001fb"]'


@pytest.mark.parametrize("name", ["customers.person.read", "rights.access_request.fulfil"])
def test_event_names_are_domain_entity_verb(name: str) -> None:
    encoding.check_event_name(name)


@pytest.mark.parametrize("name", ["read", "customers.read", "Customers.Person.Read", "a.b.c.d"])
def test_other_event_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidInput):
        encoding.check_event_name(name)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=10),
    st.lists(st.text(st.characters(blacklist_categories=["Cs"]), max_size=6), max_size=3),
    st.datetimes(timezones=st.timezones()),
    st.binary(max_size=30),
)
def test_the_database_gives_back_exactly_what_was_hashed(
    session: Session,
    keyring: Keyring,
    actor: str,
    categories: list[str],
    when: dt.datetime,
    raw: bytes,
) -> None:
    (record,) = append(
        session, 1, actor=actor, data_categories=categories, occurred_at=when, details=raw
    )
    sequence_all(session)
    stored = ledger.recent(session, limit=1)[0]
    assert stored.entry == record.entry
    assert (stored.actor, list(stored.data_categories)) == (actor, categories)
    assert stored.occurred_at == when.astimezone(dt.UTC)
    assert json.loads(encoding.decode(stored.entry).data_categories) == categories
    assert ledger.verify(session, keys=keyring).ok

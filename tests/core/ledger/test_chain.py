"""The hash chain without a database: any reordering or modification is detected."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lawful.core.errors import InvalidInput
from lawful.core.ledger import chain
from lawful.core.ledger.chain import GENESIS_HASH, Cursor, Problem, StoredEvent

# Any printable text: the encoding must hold for accents, quotes, backslashes, emoji.
text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\x7f"),
    min_size=1,
    max_size=12,
)
lists = st.lists(text, max_size=3).map(chain.json_list)
events = st.builds(
    StoredEvent,
    occurred_at=st.datetimes().map(lambda d: d.isoformat(timespec="microseconds") + "Z"),
    event=st.just("customers.person.read"),
    actor=text,
    actor_kind=text,
    entity=text,
    purpose=text,
    legal_basis=text,
    subject_pseudonym=st.none() | st.text("0123456789abcdef", min_size=64, max_size=64),
    data_categories=lists,
    recipient=st.none() | text,
    decision=st.sampled_from(["allow", "deny"]),
    reasons=lists,
    obligations=lists,
    details=st.none() | st.binary(max_size=40),
)
ledgers = st.lists(events, min_size=1, max_size=6)
long_ledgers = st.lists(events, min_size=2, max_size=6)
fast = settings(max_examples=60, deadline=None)
TEXT_FIELDS = [f.name for f in dataclasses.fields(StoredEvent) if f.name != "details"]


def stored_rows(stored: list[StoredEvent]) -> list[tuple[Any, ...]]:
    """Rows as the verifier reads them: CHAIN_COLUMNS order, text as UTF-8 bytes."""
    links = chain.chain(stored, head_sequence=0, head_hash=GENESIS_HASH)
    rows = []
    for event, link in zip(stored, links, strict=True):
        values = {
            name: (value.encode() if isinstance(value, str) else value)
            for name, value in dataclasses.asdict(event).items()
        }
        values |= {"sequence": link.sequence, "prev_hash": link.prev_hash, "hash": link.hash}
        rows.append(tuple(values[name] for name in chain.CHAIN_COLUMNS))
    return rows


def check(rows: list[tuple[Any, ...]]) -> chain.ChainBreak | None:
    return chain.check_rows(rows, Cursor())


@fast
@given(ledgers)
def test_an_untouched_chain_verifies_and_both_encodings_agree(stored: list[StoredEvent]) -> None:
    cursor = Cursor()
    assert chain.check_rows(stored_rows(stored), cursor) is None
    assert cursor.verified == len(stored)


def test_the_hash_follows_the_documented_formula() -> None:
    event = StoredEvent(
        "2024-05-01T09:30:00.000000Z", "customers.person.read", "advisor", "staff", "kbc-bank",
        "customer-file", "legitimate_interests", None, '["identity"]', None, "allow", "[]", "[]",
        None,
    )  # fmt: skip
    expected_text = (
        "lawful-ledger-v1\x1f1\x1f2024-05-01T09:30:00.000000Z\x1fcustomers.person.read\x1f"
        "advisor\x1fstaff\x1fkbc-bank\x1fcustomer-file\x1flegitimate_interests\x1f\x00\x1f"
        '["identity"]\x1f\x00\x1fallow\x1f[]\x1f[]\x1f0\x1f'
    )
    assert chain.canonical(1, event) == expected_text.encode()
    digest = hashlib.sha256(GENESIS_HASH + expected_text.encode()).digest()
    assert chain.link_hash(GENESIS_HASH, 1, event) == digest


@fast
@given(ledgers, st.data())
def test_any_field_modification_is_detected(stored: list[StoredEvent], data: st.DataObject) -> None:
    rows = stored_rows(stored)
    index = data.draw(st.integers(0, len(rows) - 1))
    column = data.draw(st.sampled_from(chain.HASHED_COLUMNS[1:]))
    position = chain.CHAIN_COLUMNS.index(column)
    old = rows[index][position]
    new = data.draw(st.binary(max_size=20) if column == "details" else text.map(str.encode))
    assume(new != old)
    rows[index] = (*rows[index][:position], new, *rows[index][position + 1 :])
    broken = check(rows)
    assert broken is not None
    assert (broken.sequence, broken.problem) == (index + 1, Problem.MODIFIED)


@fast
@given(long_ledgers, st.data())
def test_a_rewritten_row_with_its_own_hash_breaks_the_next_link(
    stored: list[StoredEvent], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(stored) - 2))
    forged = dataclasses.replace(stored[index], actor=stored[index].actor + "x")
    rows = stored_rows(stored)
    prev_hash = rows[index][-2]
    forged_hash = chain.link_hash(prev_hash, index + 1, forged)
    rows[index] = (*stored_rows([forged])[0][:-2], prev_hash, forged_hash)
    rows[index] = (index + 1, *rows[index][1:])
    broken = check(rows)
    assert broken is not None
    assert (broken.sequence, broken.problem) == (index + 2, Problem.BROKEN_LINK)


@fast
@given(long_ledgers, st.data())
def test_any_reordering_is_detected(stored: list[StoredEvent], data: st.DataObject) -> None:
    rows = stored_rows(stored)
    order = data.draw(st.permutations(range(len(rows))))
    assume(list(order) != list(range(len(rows))))
    # Payloads move, sequence numbers stay in place: what a swap in the table looks like.
    moved = [(i + 1, *rows[j][1:]) for i, j in enumerate(order)]
    broken = check(moved)
    assert broken is not None
    first_moved = next(i for i, j in enumerate(order) if i != j)
    assert broken.sequence == first_moved + 1


@fast
@given(long_ledgers, st.data())
def test_a_deleted_row_is_named(stored: list[StoredEvent], data: st.DataObject) -> None:
    rows = stored_rows(stored)
    index = data.draw(st.integers(0, len(rows) - 2))
    del rows[index]
    broken = check(rows)
    assert broken is not None
    assert (broken.sequence, broken.problem) == (index + 1, Problem.MISSING)


def messages(stored: list[StoredEvent]) -> list[tuple[bytes, int]]:
    """Rows as the screen reads them: hash || prev_hash || canonical, and its expected length."""
    links = chain.chain(stored, head_sequence=0, head_hash=GENESIS_HASH)
    built = [
        link.hash + link.prev_hash + chain.canonical(link.sequence, event)
        for event, link in zip(stored, links, strict=True)
    ]
    return [(message, len(message)) for message in built]


@fast
@given(ledgers)
def test_the_screen_proves_an_untouched_chain(stored: list[StoredEvent]) -> None:
    rows = messages(stored)
    assert chain.screen(rows, GENESIS_HASH) == rows[-1][0][:32]
    assert chain.screen(rows, b"\x01" * 32) is None
    assert chain.screen(rows[1:], GENESIS_HASH) is None


@fast
@given(long_ledgers, st.data())
def test_the_screen_proves_nothing_else(stored: list[StoredEvent], data: st.DataObject) -> None:
    rows = messages(stored)
    index = data.draw(st.integers(0, len(rows) - 1))
    message, length = rows[index]
    change = data.draw(st.sampled_from(["flip", "cut", "length", "swap"]))
    if change == "flip":
        at = data.draw(st.integers(0, len(message) - 1))
        rows[index] = (message[:at] + bytes([message[at] ^ 1]) + message[at + 1 :], length)
    elif change == "cut":
        rows[index] = (message[:-1], length)
    elif change == "length":
        rows[index] = (message, length + 1)
    else:
        other = (index + 1) % len(rows)
        rows[index], rows[other] = rows[other], rows[index]
    assert chain.screen(rows, GENESIS_HASH) is None


def test_cutting_the_tail_is_invisible_to_the_chain_alone() -> None:
    # Why checkpoints exist: a shorter chain is still a valid chain.
    rows = stored_rows([_event(i) for i in range(5)])
    assert check(rows[:3]) is None


def test_an_inserted_row_breaks_the_link_after_it() -> None:
    stored = [_event(i) for i in range(5)]
    rows = stored_rows(stored)
    forged = _event(99)
    forged_row = (3, *stored_rows([forged])[0][1:-2], rows[1][-1], b"\x00" * 32)
    forged_row = (*forged_row[:-1], chain.link_hash(rows[1][-1], 3, forged))
    shifted = [(seq + 1, *rest) for seq, *rest in rows[2:]]
    broken = check([*rows[:2], forged_row, *shifted])
    assert broken is not None
    assert (broken.sequence, broken.problem) == (4, Problem.BROKEN_LINK)


def test_the_first_event_must_start_from_genesis() -> None:
    rows = stored_rows([_event(0)])
    rows[0] = (*rows[0][:-2], b"\x01" * 32, rows[0][-1])
    broken = check(rows)
    assert broken is not None
    assert (broken.sequence, broken.problem) == (1, Problem.BROKEN_LINK)


def test_fields_cannot_smuggle_a_separator() -> None:
    with pytest.raises(InvalidInput):
        chain.check_text("actor", "advisor\x1fstaff")
    with pytest.raises(InvalidInput):
        chain.check_text("actor", "")
    assert chain.json_list(["a\x1fb"]) == '["a\\u001fb"]'


@pytest.mark.parametrize("name", ["customers.person.read", "rights.access_request.fulfil"])
def test_event_names_are_domain_entity_verb(name: str) -> None:
    chain.check_event_name(name)


@pytest.mark.parametrize("name", ["read", "customers.read", "Customers.Person.Read", "a.b.c.d"])
def test_other_event_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidInput):
        chain.check_event_name(name)


def _event(i: int) -> StoredEvent:
    return StoredEvent(
        "2024-05-01T09:30:00.000000Z", "customers.person.read", f"actor-{i}", "staff",
        "kbc-bank", "customer-file", "legitimate_interests", None, "[]", None, "allow", "[]",
        "[]", f"details {i}".encode(),
    )  # fmt: skip

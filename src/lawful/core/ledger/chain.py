"""The hash chain, pure: canonical encoding of an event and the links between events.

    hash_n = SHA-256(hash_{n-1} || canonical(event_n)),   hash_0 = GENESIS_HASH

The canonical encoding is a fixed-order list of fields joined by the unit separator (0x1F), a field
that is None written as 0x00, and the encrypted details appended raw as the last field. It is
unambiguous because no text field may contain a control character (checked on append; JSON escapes
them in the list fields) and because the details are last. Every hashed value is the value as
stored (timestamps as canonical UTC text, lists as canonical JSON text), so a verifier can hash the
stored row without interpreting it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from operator import itemgetter, methodcaller
from typing import Any

from lawful.core.errors import InvalidInput

FORMAT = "lawful-ledger-v1"
SEP = "\x1f"
NULL = "\x00"
GENESIS_HASH = hashlib.sha256(b"lawful ledger genesis v1").digest()

# The order in which a stored row is hashed; the verifier selects the columns in this order,
# followed by prev_hash and hash.
HASHED_COLUMNS = (
    "sequence",
    "occurred_at",
    "event",
    "actor",
    "actor_kind",
    "entity",
    "purpose",
    "legal_basis",
    "subject_pseudonym",
    "data_categories",
    "recipient",
    "decision",
    "reasons",
    "obligations",
    "details",
)
CHAIN_COLUMNS = (*HASHED_COLUMNS, "prev_hash", "hash")

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EVENT_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


class Decision(StrEnum):
    ALLOW = "allow"
    DENY = "deny"


class Problem(StrEnum):
    MISSING = "missing"
    BROKEN_LINK = "broken_link"
    MODIFIED = "modified"
    TRUNCATED = "truncated"
    CHECKPOINT_MISMATCH = "checkpoint_mismatch"
    CHECKPOINT_SIGNATURE = "checkpoint_signature"
    CHECKPOINT_MISSING = "checkpoint_missing"


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event's fields in their stored form: exactly what the hash covers."""

    occurred_at: str
    event: str
    actor: str
    actor_kind: str
    entity: str
    purpose: str
    legal_basis: str
    subject_pseudonym: str | None
    data_categories: str
    recipient: str | None
    decision: str
    reasons: str
    obligations: str
    details: bytes | None


@dataclass(frozen=True, slots=True)
class Link:
    sequence: int
    prev_hash: bytes
    hash: bytes


@dataclass(frozen=True, slots=True)
class ChainBreak:
    sequence: int
    problem: Problem
    message: str


def json_list(values: Iterable[str]) -> str:
    """Canonical JSON text of a list of strings (order kept: it may carry meaning)."""
    return _json_list(tuple(values))


@lru_cache(maxsize=8192)
def _json_list(values: tuple[str, ...]) -> str:
    for value in values:
        if not isinstance(value, str):
            raise InvalidInput(f"list items must be strings, got {value!r}")
    return _JSON.encode(list(values))


@lru_cache(maxsize=4096)
def check_text(field: str, value: str) -> None:
    # Cached: roles, entities and purposes repeat across millions of events.
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{field} must be a non-empty string")
    if _CONTROL.search(value):
        raise InvalidInput(f"{field} must not contain control characters")


@lru_cache(maxsize=1024)
def check_event_name(value: str) -> None:
    if not _EVENT_NAME.match(value):
        raise InvalidInput(f"event name {value!r} is not of the form domain.entity.verb")


def canonical(sequence: int, event: StoredEvent) -> bytes:
    """The bytes hashed after the previous hash."""
    details = event.details
    text = SEP.join(
        (
            FORMAT,
            str(sequence),
            event.occurred_at,
            event.event,
            event.actor,
            event.actor_kind,
            event.entity,
            event.purpose,
            event.legal_basis,
            NULL if event.subject_pseudonym is None else event.subject_pseudonym,
            event.data_categories,
            NULL if event.recipient is None else event.recipient,
            event.decision,
            event.reasons,
            event.obligations,
            "0" if details is None else "1",
            "",
        )
    ).encode()
    return text if details is None else text + details


def link_hash(prev_hash: bytes, sequence: int, event: StoredEvent) -> bytes:
    return hashlib.sha256(prev_hash + canonical(sequence, event)).digest()


def chain(events: Sequence[StoredEvent], *, head_sequence: int, head_hash: bytes) -> list[Link]:
    """Links for `events` appended after the head (sequence, hash)."""
    links = []
    prev = head_hash
    sequence = head_sequence
    sha = hashlib.sha256
    for event in events:
        sequence += 1
        digest = sha(prev + canonical(sequence, event)).digest()
        links.append(Link(sequence, prev, digest))
        prev = digest
    return links


def checkpoint_message(sequence: int, head_hash: bytes, signed_at: str) -> bytes:
    """What a checkpoint signature covers."""
    return SEP.join(("lawful-checkpoint-v1", str(sequence), head_hash.hex(), signed_at)).encode()


@dataclass(slots=True)
class Cursor:
    """Where a streaming verification stands: the next sequence expected and the last good hash."""

    expected: int = 1
    last_hash: bytes = GENESIS_HASH

    @property
    def verified(self) -> int:
        return self.expected - 1


_SEP_B = SEP.encode()
_FORMAT_B = FORMAT.encode()
_NULL_B = NULL.encode()


def check_rows(rows: Iterable[Sequence[Any]], cursor: Cursor) -> ChainBreak | None:
    """Check stored rows (columns in CHAIN_COLUMNS order, text fields as UTF-8 bytes).

    Advances `cursor` past every good row and returns the first break. This is the hot loop of
    `ledger verify`: it must stay equivalent to `canonical`, which the tests check.
    """
    expected = cursor.expected
    last = cursor.last_hash
    sha = hashlib.sha256
    join = _SEP_B.join
    fmt, null = _FORMAT_B, _NULL_B
    seq = expected
    try:
        for (
            seq,
            occurred_at,
            event,
            actor,
            actor_kind,
            entity,
            purpose,
            legal_basis,
            subject,
            categories,
            recipient,
            decision,
            reasons,
            obligations,
            details,
            prev_hash,
            stored_hash,
        ) in rows:
            if seq != expected:
                return _out_of_sequence(expected, seq)
            if prev_hash != last:
                return _broken_link(seq)
            message = join(
                (
                    last + fmt,
                    b"%d" % seq,
                    occurred_at,
                    event,
                    actor,
                    actor_kind,
                    entity,
                    purpose,
                    legal_basis,
                    null if subject is None else subject,
                    categories,
                    null if recipient is None else recipient,
                    decision,
                    reasons,
                    obligations,
                    b"0" if details is None else b"1",
                    b"" if details is None else details,
                )
            )
            if sha(message).digest() != stored_hash:
                return _modified(seq)
            last = stored_hash
            expected += 1
        return None
    except TypeError:
        # A value of the wrong type where bytes belong (NULL in a NOT NULL column, a number as
        # the details): only a hand-edited row can hold one.
        return _modified(seq)
    finally:
        cursor.expected = expected
        cursor.last_hash = last


def _modified(seq: int) -> ChainBreak:
    return ChainBreak(
        seq, Problem.MODIFIED, f"event {seq} was modified: its content no longer matches its hash"
    )


def _out_of_sequence(expected: int, found: int) -> ChainBreak:
    if found > expected:
        missing = f"{expected}" if found == expected + 1 else f"{expected} to {found - 1}"
        return ChainBreak(
            expected,
            Problem.MISSING,
            f"event {missing} missing (the next stored event is {found}): events were deleted",
        )
    return ChainBreak(
        expected,
        Problem.BROKEN_LINK,
        f"event {found} appears where event {expected} was expected: the order was altered",
    )


def _broken_link(seq: int) -> ChainBreak:
    if seq == 1:
        return ChainBreak(
            1, Problem.BROKEN_LINK, "event 1 does not start from the genesis hash: it was replaced"
        )
    return ChainBreak(
        seq,
        Problem.BROKEN_LINK,
        f"event {seq} does not link to event {seq - 1} (prev_hash differs): events were "
        f"inserted, removed or reordered, or event {seq - 1} was rewritten",
    )


# Screening: the database builds each row's message, hash || prev_hash || canonical, in one
# value, and Python hashes them without a Python-level loop (map over C callables).
_STORED_HASH = itemgetter(slice(0, 32))
_PREV_HASH = itemgetter(slice(32, 64))
_HASHED = itemgetter(slice(32, None))
_DIGEST = methodcaller("digest")
_MESSAGE = itemgetter(0)
_EXPECTED_LENGTH = itemgetter(1)


def screen(rows: Sequence[Sequence[Any]], last_hash: bytes) -> bytes | None:
    """The last hash of `rows` if every one of them is intact and linked to the one before.

    Each row is (message, expected length): message = hash || prev_hash || canonical, in
    sequence order, the first linking to `last_hash`. None means "not proven": the caller then
    checks the rows one by one with `check_rows`, which names what is wrong. A proof here
    asserts exactly what `check_rows` asserts of each row: its hash recomputed from its prev_hash
    and content, and its prev_hash equal to the previous row's hash.
    """
    if not rows:
        return None
    try:
        messages = list(map(_MESSAGE, rows))
        # The database-side guard: a message shorter than its fields means text was cut short.
        if list(map(len, messages)) != list(map(_EXPECTED_LENGTH, rows)):
            return None
        hashes: list[bytes] = list(map(_STORED_HASH, messages))
        if list(map(_DIGEST, map(hashlib.sha256, map(_HASHED, messages)))) != hashes:
            return None
        links = list(map(_PREV_HASH, messages))
    except TypeError:  # a NULL message: some column was NULL or of the wrong type
        return None
    if links[0] != last_hash or links[1:] != hashes[:-1]:
        return None
    return hashes[-1]

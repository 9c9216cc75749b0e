"""The bytes of a ledger entry: what its leaf hash covers, stored and handed out exactly as hashed.

    entry = "lawful-entry-v1" US occurred_at US subject US event US decision US entity US actor
            US actor_kind US actor_ref US purpose US legal_basis US data_categories US recipient
            US reasons US obligations US has_details US details

US is the unit separator 0x1F. Text is UTF-8 and never contains a control character (checked on
append; JSON escapes them inside lists), so the separators are unambiguous. `occurred_at` is the
instant in UTC as 27 characters, `2026-05-01T09:30:00.000000Z`. `subject` and `actor_ref` are
64 lowercase hex characters (keyed pseudonyms), or a single 0x00 byte when absent, as is an absent
`recipient`. The three lists are canonical JSON arrays of strings (no spaces, non-ASCII kept).
`has_details` is "1" or "0"; the details — the subject's data encrypted with their own key — are
the raw bytes after the last separator, possibly empty. A `has_details` of "2" marks a batch
disclosure (no subject): what follows is its header in clear, naming the root of its members'
Merkle tree (see `batch`). The subject's pseudonym always starts at byte 44: the database indexes
the entries by those bytes (`subject_key`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from lawful.core.errors import InvalidInput

FORMAT = "lawful-entry-v1"
SEP = b"\x1f"
NULL = b"\x00"
INSTANT_LENGTH = 27
PSEUDONYM_LENGTH = 64
SUBJECT_OFFSET = len(FORMAT) + 1 + INSTANT_LENGTH + 1
_FIELDS = 16  # separators in an entry
BATCH = b"2"  # has_details of a batch disclosure: its header follows, in clear

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EVENT_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_PSEUDONYM = re.compile(rb"^[0-9a-f]{64}$")
_INSTANT = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class Entry:
    """An entry's fields in their encoded form (lists as canonical JSON text)."""

    occurred_at: str
    subject_pseudonym: str | None
    event: str
    decision: str
    entity: str
    actor: str
    actor_kind: str
    actor_ref: str | None
    purpose: str
    legal_basis: str
    data_categories: str
    recipient: str | None
    reasons: str
    obligations: str
    details: bytes | None
    batch: bytes | None = None  # a batch disclosure's header (has_details 2), never with details


def encode(entry: Entry) -> bytes:
    details = entry.details
    if entry.batch is not None and (details is not None or entry.subject_pseudonym is not None):
        raise ValueError("a batch disclosure has neither subject nor details")
    head = SEP.join(
        (
            _TAG,
            entry.occurred_at.encode(),
            NULL if entry.subject_pseudonym is None else entry.subject_pseudonym.encode(),
            entry.event.encode(),
            entry.decision.encode(),
            entry.entity.encode(),
            entry.actor.encode(),
            entry.actor_kind.encode(),
            NULL if entry.actor_ref is None else entry.actor_ref.encode(),
            entry.purpose.encode(),
            entry.legal_basis.encode(),
            entry.data_categories.encode(),
            NULL if entry.recipient is None else entry.recipient.encode(),
            entry.reasons.encode(),
            entry.obligations.encode(),
            b"2" if entry.batch is not None else b"0" if details is None else b"1",
            b"",
        )
    )
    if entry.batch is not None:
        return head + entry.batch
    return head if details is None else head + details


_TAG = FORMAT.encode()


class Template:
    """`encode` for a batch of entries that differ only in instant, subject and details: the
    fields between the subject and the details are joined once, each entry then costs one join.

    The fields are given encoded as in `Entry`; the same checks apply (the caller makes them)."""

    __slots__ = ("_middle",)

    def __init__(
        self,
        *,
        event: str,
        decision: str,
        entity: str,
        actor: str,
        actor_kind: str,
        actor_ref: str | None,
        purpose: str,
        legal_basis: str,
        data_categories: str,
        recipient: str | None,
        reasons: str,
        obligations: str,
    ) -> None:
        self._middle = SEP.join(
            (
                event.encode(),
                decision.encode(),
                entity.encode(),
                actor.encode(),
                actor_kind.encode(),
                NULL if actor_ref is None else actor_ref.encode(),
                purpose.encode(),
                legal_basis.encode(),
                data_categories.encode(),
                NULL if recipient is None else recipient.encode(),
                reasons.encode(),
                obligations.encode(),
            )
        )

    def encode(
        self, occurred_at: bytes, subject_pseudonym: bytes | None, details: bytes | None
    ) -> bytes:
        """The entry; `occurred_at` and `subject_pseudonym` as their ASCII bytes."""
        subject = NULL if subject_pseudonym is None else subject_pseudonym
        if details is None:
            return b"".join((_TAG, SEP, occurred_at, SEP, subject, SEP, self._middle, _NO_DETAILS))
        return b"".join(
            (_TAG, SEP, occurred_at, SEP, subject, SEP, self._middle, _DETAILS, details)
        )


_NO_DETAILS = SEP + b"0" + SEP
_DETAILS = SEP + b"1" + SEP


def decode(data: bytes) -> Entry:
    """The fields of an encoded entry; ValueError if the bytes are not one."""
    parts = data.split(SEP, _FIELDS)
    if len(parts) != _FIELDS + 1 or parts[0] != _TAG or parts[15] not in (b"0", b"1", b"2"):
        raise ValueError("not a lawful-entry-v1 entry")
    if not _INSTANT.match(parts[1]):
        raise ValueError("occurred_at is not a UTC instant")
    has_details = parts[15] == b"1"
    batch = parts[16] if parts[15] == BATCH else None
    if parts[15] == b"0" and parts[16]:
        raise ValueError("details follow a has_details of 0")
    if batch is not None and parts[2] != NULL:
        raise ValueError("a batch disclosure names no subject")
    return Entry(
        occurred_at=parts[1].decode(),
        subject_pseudonym=_pseudonym(parts[2]),
        event=parts[3].decode(),
        decision=parts[4].decode(),
        entity=parts[5].decode(),
        actor=parts[6].decode(),
        actor_kind=parts[7].decode(),
        actor_ref=_pseudonym(parts[8]),
        purpose=parts[9].decode(),
        legal_basis=parts[10].decode(),
        data_categories=parts[11].decode(),
        recipient=None if parts[12] == NULL else parts[12].decode(),
        reasons=parts[13].decode(),
        obligations=parts[14].decode(),
        details=parts[16] if has_details else None,
        batch=batch,
    )


def _pseudonym(value: bytes) -> str | None:
    if value == NULL:
        return None
    if not _PSEUDONYM.match(value):
        raise ValueError("a pseudonym is 64 lowercase hex characters")
    return value.decode()


# --- checks made on append ---------------------------------------------------------------------


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


def subject_key(column: str) -> str:
    """The SQL expression (SQLite and PostgreSQL alike) of the subject pseudonym's bytes in an
    entry column: what the subject indexes are built on and queried by."""
    return f"substr({column}, {SUBJECT_OFFSET + 1}, {PSEUDONYM_LENGTH})"

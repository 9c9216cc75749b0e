"""What the ledger hands out: frozen values, never live ORM rows of an append-only table."""

from __future__ import annotations

import datetime as dt
import json
import struct
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from lawful.core.ledger import entry as encoding
from lawful.core.ledger import merkle
from lawful.core.ledger.batch import Header, member


class Decision(StrEnum):
    ALLOW = "allow"
    DENY = "deny"


class Problem(StrEnum):
    """What verification found; of two problems at one position, the first listed is named."""

    MODIFIED = "modified"  # an entry no longer matches its leaf hash, or its indexed columns
    MISSING = "missing"  # a leaf position holds nothing: leaves were deleted
    DUPLICATED = "duplicated"  # two leaves at one position
    SUBTREE_MISMATCH = "subtree_mismatch"  # a stored subtree hash differs from its leaves'
    TRUNCATED = "truncated"  # a signed tree head covers more leaves than are stored
    HEAD_MISMATCH = "head_mismatch"  # a signed tree head's root differs from the leaves'
    HEAD_SIGNATURE = "head_signature"
    HEAD_MISSING = "head_missing"  # kept outside the database, gone from it
    # A batch disclosure's member table no longer matches the root its entry names:
    MEMBER_MISSING = "member_missing"  # a member row was deleted
    MEMBER_ADDED = "member_added"  # a member row was added
    MEMBER_ALTERED = (
        "member_altered"  # a member row names another subject, or a stored hash differs
    )


@dataclass(frozen=True, slots=True)
class LedgerRecord:
    """One event as recorded; `leaf_index` is None while it waits to be sequenced."""

    leaf_index: int | None
    occurred_at: dt.datetime
    event: str
    actor: str
    actor_kind: str
    actor_ref: str | None  # who acted, as a keyed pseudonym of a staff member's id
    entity: str
    purpose: str
    legal_basis: str
    subject_pseudonym: str | None
    data_categories: tuple[str, ...]
    recipient: str | None
    decision: Decision
    reasons: tuple[str, ...]
    obligations: tuple[str, ...]
    details: bytes | None  # encrypted with the subject's vault key
    entry: bytes = field(repr=False)  # exactly the bytes the leaf hash covers
    batch: Header | None = None  # a batch disclosure: what it says of its members
    member: Membership | None = None  # a batch read for one of its members: which one

    @property
    def pending(self) -> bool:
        return self.leaf_index is None

    @property
    def leaf_hash(self) -> bytes:
        return merkle.leaf_hash(self.entry)

    @classmethod
    def of(
        cls, data: bytes, leaf_index: int | None, member: Membership | None = None
    ) -> LedgerRecord:
        decoded = _DECODED.get(data)
        if decoded is None:
            fields = encoding.decode(data)
            decoded = (
                dt.datetime.fromisoformat(fields.occurred_at),
                fields.event,
                fields.actor,
                fields.actor_kind,
                fields.actor_ref,
                fields.entity,
                fields.purpose,
                fields.legal_basis,
                fields.subject_pseudonym,
                _strings(fields.data_categories),
                fields.recipient,
                Decision(fields.decision),
                _strings(fields.reasons),
                _strings(fields.obligations),
                fields.details,
                data,
                None if fields.batch is None else Header.decode(fields.batch),
            )
            if len(_DECODED) >= _DECODED_MAX:
                _DECODED.clear()
            _DECODED[data] = decoded
        return cls(leaf_index, *decoded, member)  # type: ignore[call-arg]  # the fields in order


# Entries decoded lately, by their exact bytes: a person reading their timeline page after page
# has the same thousand entries decoded once, not on every page. An entry's bytes are what its
# leaf hash covers, so a changed entry is a different key, decoded anew; the cache holds what was
# read, never what was not, and starts over when full (about 20 MB at most).
_DECODED: dict[bytes, tuple[Any, ...]] = {}
_DECODED_MAX = 20_000


@lru_cache(maxsize=4096)
def _strings(text: str) -> tuple[str, ...]:
    """A JSON list of strings as a tuple. A person's events repeat a few lists of categories,
    reasons and obligations: reading a timeline of thousands parses each list once."""
    return tuple(json.loads(text))


@dataclass(frozen=True, slots=True)
class Membership:
    """One subject's place among a batch disclosure's members."""

    index: int
    subject: bytes  # the pseudonym's 32 bytes
    entry_id: int  # the batch entry's id, by which the member table names it

    def entry(self, header: Header) -> bytes:
        """The member's bytes, what its leaf hash in the batch's member tree covers."""
        return member(header.batch, self.subject)


@dataclass(frozen=True, slots=True)
class TreeHead:
    """A signed statement "the log held `tree_size` leaves whose Merkle root is `root_hash`".

    The signature covers the TLS encoding of RFC 9162's TreeHeadDataV2 (§4.10) without
    extensions: uint64 timestamp (milliseconds since the epoch), uint64 tree_size, one byte 32
    and the root hash, two zero bytes. `signed_at` is that timestamp.
    """

    tree_size: int
    root_hash: bytes
    signed_at: dt.datetime
    key_id: str
    signature: bytes

    @property
    def timestamp(self) -> int:
        return timestamp_ms(self.signed_at)

    @property
    def message(self) -> bytes:
        return tree_head_data(self.timestamp, self.tree_size, self.root_hash)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def timestamp_ms(instant: dt.datetime) -> int:
    return (instant - _EPOCH) // dt.timedelta(milliseconds=1)


def to_milliseconds(instant: dt.datetime) -> dt.datetime:
    """The instant cut to what a tree head's timestamp can say."""
    return instant.replace(microsecond=instant.microsecond // 1000 * 1000)


def tree_head_data(timestamp: int, tree_size: int, root_hash: bytes) -> bytes:
    return struct.pack(">QQB", timestamp, tree_size, len(root_hash)) + root_hash + b"\x00\x00"


@dataclass(frozen=True, slots=True)
class Proven:
    """A record with, once sequenced under a signed head, its inclusion proof against `head`."""

    record: LedgerRecord
    inclusion: tuple[bytes, ...] | None  # None: pending (not yet sequenced, or not yet signed)
    # A batch disclosure: the member's inclusion path under the batch's member root.
    member_path: tuple[bytes, ...] | None = None


@dataclass(frozen=True, slots=True)
class SubjectLedger:
    """A subject's records, oldest first, each with its proof against the latest signed head."""

    head: TreeHead | None
    events: list[Proven]


@dataclass(frozen=True, slots=True)
class Counts:
    sequenced: int
    pending: int

    @property
    def total(self) -> int:
        return self.sequenced + self.pending


@dataclass(frozen=True, slots=True)
class Break:
    """Where verification found the ledger not to be what was recorded, and why."""

    position: int  # the first leaf index concerned
    problem: Problem
    message: str


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    events: int  # leaves checked and found intact
    tree_size: int  # leaves stored
    heads: int  # signed tree heads in the database
    last_head: int | None  # tree size of the newest signed head
    pending: int = 0  # entries not yet sequenced (not an error: the sequencer is behind)
    first_bad: int | None = None  # leaf index
    problem: Problem | None = None
    message: str = ""
    copies: int = 0  # tree heads kept outside the database, checked too

    def summary(self) -> str:
        if not self.ok:
            return f"ledger NOT intact at leaf {self.first_bad}: {self.message}"
        where = (
            f"last signed head at size {self.last_head}"
            if self.last_head is not None
            else "no signed head yet"
        )
        waiting = f", {self.pending} pending" if self.pending else ""
        held = (
            ""
            if not self.copies
            else ", its tree head copy agrees"
            if self.copies == 1
            else f", its {self.copies} tree head copies agree"
        )
        return f"ledger intact: {self.events} events, {where}{waiting}{held}"

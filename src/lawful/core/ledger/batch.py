"""Batch disclosures, pure: one ledger entry for a transfer of many subjects' data, and the Merkle
tree of its members.

A bulk job that discloses the data of N subjects to one recipient for one purpose (a reinsurance
bordereau) records ONE entry: its `has_details` is `2` and, instead of details encrypted with a
subject's key, it ends with a header in clear,

    {"about":{...},"batch":"<32 hex>","members":N,"root":"<64 hex>"}

canonical JSON (keys sorted, no spaces, non-ASCII kept; `about` maps names to strings: what the
transfer was, e.g. the treaty and the quarter). Each subject is a *member*:

    member = "lawful-member-v1" US batch US subject

with `batch` the header's 32 hex characters (a member of one batch is no member of another) and
`subject` the subject's pseudonym (64 lowercase hex). The members are sorted by their bytes (so by
pseudonym, which says nothing of who they are); `root` is the RFC 9162 Merkle tree hash over
them in that order (leaf hash SHA-256(0x00 ‖ member), node hash SHA-256(0x01 ‖ left ‖ right)).
A subject's access report carries two proofs: their member's inclusion under `root` (index,
`members` as tree size), and the batch entry's inclusion in the signed log.

The member table keeps the members in blocks of BLOCK (the batch entry, the block's number, its
first pseudonym, then its pseudonyms' 32 bytes end to end): a million members are four thousand
rows, written at the speed of the disk. The hashes of the member tree's complete subtrees of
every STRIDE-th level from a block's up are kept too, as the log keeps its own: a proof reads
one block and a few hashes, never the whole batch. `verify` recomputes every batch's root from
the member table. Nothing here touches a database.
"""

from __future__ import annotations

import json
import re
import secrets
from binascii import hexlify
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import add

from lawful.core.ledger import merkle
from lawful.core.ledger.entry import SEP, check_text
from lawful.core.ledger.merkle import STRIDE, Subtree

MEMBER_FORMAT = b"lawful-member-v1"
BLOCK_LEVEL = 2 * STRIDE  # a block of members is a complete subtree of the member tree
BLOCK = 1 << BLOCK_LEVEL
SUBJECT = 32  # bytes of a pseudonym
_BATCH = re.compile(r"^[0-9a-f]{32}$")
_ROOT = re.compile(r"^[0-9a-f]{64}$")
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


@dataclass(frozen=True, slots=True)
class Header:
    """What a batch entry says of its members, after its `has_details` of 2."""

    batch: str  # 32 lowercase hex characters, random
    members: int
    root: bytes
    about: Mapping[str, str] = field(hash=False)  # a dict: the batch and root identify it

    def encode(self) -> bytes:
        return _JSON.encode(
            {
                "about": dict(self.about),
                "batch": self.batch,
                "members": self.members,
                "root": self.root.hex(),
            }
        ).encode()

    @classmethod
    def decode(cls, data: bytes) -> Header:
        """The header; ValueError unless `data` is one, in its canonical form."""
        try:
            value = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise ValueError(f"a batch header is canonical JSON ({exc})") from None
        if not isinstance(value, dict) or set(value) != {"about", "batch", "members", "root"}:
            raise ValueError("a batch header has about, batch, members and root")
        about, batch, members, root = (value[k] for k in ("about", "batch", "members", "root"))
        if not isinstance(about, dict) or not all(isinstance(v, str) for v in about.values()):
            raise ValueError("a batch header's about maps names to strings")
        if not isinstance(batch, str) or not _BATCH.match(batch):
            raise ValueError("a batch is 32 lowercase hex characters")
        if isinstance(members, bool) or not isinstance(members, int) or members < 1:
            raise ValueError("a batch has at least one member")
        if not isinstance(root, str) or not _ROOT.match(root):
            raise ValueError("a batch root is 64 lowercase hex characters")
        header = cls(batch, members, bytes.fromhex(root), about)
        if header.encode() != data:
            raise ValueError("a batch header is canonical JSON")
        return header


def new_batch() -> str:
    return secrets.token_hex(16)


def check_about(about: Mapping[str, str]) -> None:
    for name, value in about.items():
        check_text("about", name)
        check_text(f"about[{name}]", value)


def member_prefix(batch: str) -> bytes:
    return MEMBER_FORMAT + SEP + batch.encode() + SEP


def member(batch: str, subject: bytes) -> bytes:
    """The member entry of a subject (its pseudonym's 32 bytes) in a batch."""
    return member_prefix(batch) + subject.hex().encode()


def member_leaves(batch: str, subjects: Sequence[bytes]) -> list[bytes]:
    """The leaf hashes of the members, in the order given (hex and hashing loop in C)."""
    prefix = b"\x00" + member_prefix(batch)
    return merkle.digests(map(add, repeat(prefix), map(hexlify, subjects)))


@dataclass(frozen=True, slots=True)
class Tree:
    subjects: list[bytes]  # pseudonyms' bytes, sorted: member i is subjects[i]
    root: bytes
    nodes: dict[Subtree, bytes]  # the complete subtrees of every STRIDE-th level above 0


def tree(batch: str, subjects: Sequence[bytes]) -> Tree:
    """The member tree of distinct subjects (their pseudonyms' bytes), in member order."""
    ordered = sorted(subjects)
    levels = levels_of(member_leaves(batch, ordered))
    return Tree(ordered, root_of(levels), stored_nodes(levels))


def levels_of(leaves: list[bytes]) -> list[list[bytes]]:
    """Level by level, the hashes of the complete subtrees (an odd last hash has no parent)."""
    levels = [leaves]
    while len(levels[-1]) > 1:
        levels.append(merkle.parents(levels[-1]))
    return levels


def root_of(levels: Sequence[Sequence[bytes]]) -> bytes:
    """MTH from the levels: the right fold of the peaks, each level's odd last hash."""
    peaks = [level[-1] for level in levels if len(level) % 2]
    return merkle.fold(peaks[::-1])


def stored_nodes(levels: Sequence[Sequence[bytes]]) -> dict[Subtree, bytes]:
    """The subtrees kept: every hash of every STRIDE-th level from a block's up (those below
    are computed from the block when needed)."""
    return {
        (height, i): h
        for height in range(BLOCK_LEVEL, len(levels), STRIDE)
        for i, h in enumerate(levels[height])
    }


def blocks(subjects: Sequence[bytes]) -> list[bytes]:
    """The members' pseudonyms, BLOCK to a row, end to end."""
    return [b"".join(subjects[i : i + BLOCK]) for i in range(0, len(subjects), BLOCK)]


def split(block: bytes) -> list[bytes]:
    return [block[i : i + SUBJECT] for i in range(0, len(block), SUBJECT)]


def block_hashes(batch: str, number: int, block: bytes) -> dict[Subtree, bytes]:
    """The leaf hashes of a block's members and the hashes of its complete subtrees of level
    STRIDE, by their place in the whole member tree."""
    levels = levels_of(member_leaves(batch, split(block)))
    first = number << BLOCK_LEVEL
    found = {(0, first + i): h for i, h in enumerate(levels[0])}
    if len(levels) > STRIDE:
        found.update(((STRIDE, (first >> STRIDE) + i), h) for i, h in enumerate(levels[STRIDE]))
    return found

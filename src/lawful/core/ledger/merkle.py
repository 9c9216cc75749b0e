"""The Merkle tree of RFC 9162 §2.1, pure: hashes, inclusion and consistency proofs, and their
verification, written from the RFC's definitions.

    leaf hash  = SHA-256(0x00 || entry)
    node hash  = SHA-256(0x01 || left || right)
    MTH({})    = SHA-256()
    MTH(D[n])  = node hash of MTH(D[0:k]) and MTH(D[k:n]), k the largest power of two below n

Every hash a proof names is the MTH of a range D[a:b] that the RFC's recursion produces, and
every such range is a run of *complete, aligned* subtrees, largest first: the subtree at `level`
l and `index` i covers leaves [i·2^l, (i+1)·2^l). Storage keeps some of those subtrees; proofs
are built by asking for the subtrees a set of ranges needs (`subtrees`), fetching them in bulk,
and folding them (`range_hash`). Nothing here touches a database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import methodcaller

Subtree = tuple[int, int]  # (level, index)

_LEAF = b"\x00"
_NODE = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()
_DIGEST = methodcaller("digest")
# Each hash starts as a copy of one already fed its prefix: with OpenSSL 3, making a new SHA-256
# object costs more than hashing a leaf (measured: a copy is about a quarter faster per leaf).
# The bases are never fed anything else, so copying them from any thread is safe.
_new_leaf = hashlib.sha256(_LEAF).copy
_new_node = hashlib.sha256(_NODE).copy


def leaf_hash(entry: bytes) -> bytes:
    h = _new_leaf()
    h.update(entry)
    return h.digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    h = _new_node()
    h.update(left)
    h.update(right)
    return h.digest()


def leaf_hashes(entries: Iterable[bytes]) -> list[bytes]:
    """`leaf_hash` of each entry."""
    return list(map(leaf_hash, entries))


def digests(messages: Iterable[bytes]) -> list[bytes]:
    """SHA-256 of each message."""
    return list(map(_DIGEST, map(hashlib.sha256, messages)))


def parents(level: Sequence[bytes]) -> list[bytes]:
    """The node hashes of consecutive pairs (an odd last hash has no parent yet)."""
    return list(map(node_hash, level[0::2], level[1::2]))


def largest_power_below(n: int) -> int:
    """k, the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def subtrees(start: int, end: int) -> list[Subtree]:
    """The complete aligned subtrees making up D[start:end], largest (leftmost) first.

    `start` must be aligned as the RFC's recursion aligns it: a multiple of the smallest power
    of two not below end - start (true of every range a proof or tree head names).
    """
    found = []
    size = end - start
    position = start
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            found.append((level, position >> level))
            position += 1 << level
    return found


def fold(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from its subtrees' hashes, largest first: a right fold of node hashes."""
    if not hashes:
        return EMPTY_ROOT
    value = hashes[-1]
    for left in reversed(hashes[:-1]):
        value = node_hash(left, value)
    return value


def range_hash(start: int, end: int, nodes: Mapping[Subtree, bytes]) -> bytes:
    return fold([nodes[key] for key in subtrees(start, end)])


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes, level by level."""
    return fold(_peaks(leaves))


def _peaks(leaves: Sequence[bytes]) -> list[bytes]:
    peaks: list[bytes] = []
    level = list(leaves)
    while level:
        if len(level) % 2:
            peaks.append(level[-1])
        level = parents(level)
    return peaks[::-1]


# --- proofs as ranges (RFC 9162 §2.1.3.1 PATH and §2.1.4.1 PROOF / SUBPROOF) ------------------


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The ranges whose MTH make up PATH(index, D[size]), in the proof's order (leaf side first)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of size {size}")
    ranges: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = largest_power_below(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    return ranges[::-1]


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """The ranges whose MTH make up PROOF(first, D[second]), in the proof's order."""
    if not 0 < first <= second:
        raise ValueError(f"no consistency proof from size {first} to size {second}")
    ranges: list[tuple[int, int]] = []
    start, end, m, whole = 0, second, first, True
    while m != end - start:
        k = largest_power_below(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        ranges.append((start, end))
    return ranges[::-1]


def needed(ranges: Iterable[tuple[int, int]]) -> set[Subtree]:
    return {key for start, end in ranges for key in subtrees(start, end)}


def proof(ranges: Sequence[tuple[int, int]], nodes: Mapping[Subtree, bytes]) -> list[bytes]:
    return [range_hash(start, end, nodes) for start, end in ranges]


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(index, D[n]) over a whole list of leaf hashes (for tests and small trees)."""
    return proof(inclusion_ranges(index, len(leaves)), _all_subtrees(leaves))


def consistency_proof(first: int, leaves: Sequence[bytes]) -> list[bytes]:
    return proof(consistency_ranges(first, len(leaves)), _all_subtrees(leaves))


def _all_subtrees(leaves: Sequence[bytes]) -> dict[Subtree, bytes]:
    nodes: dict[Subtree, bytes] = {}
    level, height = list(leaves), 0
    while level:
        nodes.update(((height, i), h) for i, h in enumerate(level))
        level, height = parents(level), height + 1
    return nodes


# --- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) --------------------------------------------


def root_from_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes | None:
    """The root an inclusion proof leads to; None if it cannot be a proof for (index, size)."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def verify_inclusion(
    index: int, size: int, leaf: bytes, path: Sequence[bytes], expected_root: bytes
) -> bool:
    return root_from_inclusion(index, size, leaf, path) == expected_root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, path: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2; equal sizes agree when their roots do and the proof is empty."""
    if first == second:
        return not path and first_root == second_root
    if first == 0 or first > second or not path:
        return False
    hashes = list(path)
    if first & (first - 1) == 0:  # an exact power of two
        hashes.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = hashes[0]
    for c in hashes[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0


# --- stored subtrees ------------------------------------------------------------------------

# Storage keeps the leaf hashes and the subtrees of every STRIDE-th level: a proof's subtree at
# level l is folded from at most 2^(STRIDE-1) stored ones, and storage grows by 1/(2^STRIDE - 1).
STRIDE = 4


def stored_level(level: int) -> int:
    return level - level % STRIDE


def stored_keys(key: Subtree) -> list[Subtree]:
    """The stored subtrees whose fold is the subtree `key`, left to right."""
    level, index = key
    base = stored_level(level)
    width = 1 << (level - base)
    return [(base, index * width + i) for i in range(width)]


def from_stored(keys: Iterable[Subtree], stored: Mapping[Subtree, bytes]) -> dict[Subtree, bytes]:
    """The hashes of `keys`, each computed from the stored subtrees `stored_keys` names."""
    found = {}
    for key in keys:
        level = [stored[k] for k in stored_keys(key)]
        while len(level) > 1:
            level = parents(level)
        found[key] = level[0]
    return found


Block = tuple[int, int]  # (stored level, b): the stored subtrees b·2^STRIDE to (b+1)·2^STRIDE - 1
Fetch = Callable[[set[Block]], Mapping[Subtree, bytes]]


def resolve(keys: Iterable[Subtree], fetch: Fetch) -> dict[Subtree, bytes]:
    """The hashes of `keys`, asking `fetch` once for the blocks of stored subtrees they need.

    The stored subtrees one key needs all lie in one block of 2^STRIDE at its stored level:
    a block is one range of an index, cheaper to read than its members one by one."""
    wanted = set(keys)
    blocks = {(level, index >> STRIDE) for key in wanted for level, index in stored_keys(key)}
    return from_stored(wanted, fetch(blocks))

"""A verifier for a lawful ledger written from RFC 9162 and the README alone.

It imports nothing of lawful's: it is what a customer, an auditor or a journalist could write to
check what the ledger hands out — an entry's inclusion in a signed tree head, one tree head's
consistency with another, the tree head's Ed25519 signature over the TLS encoding of
TreeHeadDataV2 (RFC 9162 §4.10, no extensions), and a person's membership in a batch disclosure.
"""

from __future__ import annotations

import hashlib
import json
import struct

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def hash_leaf(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def inclusion_holds(
    leaf_index: int, tree_size: int, entry: bytes, inclusion_path: list[bytes], root_hash: bytes
) -> bool:
    """RFC 9162 §2.1.3.2, step by step."""
    # 1. Compare leaf_index against tree_size.
    if leaf_index >= tree_size:
        return False
    # 2. Set fn to leaf_index and sn to tree_size - 1.
    fn, sn = leaf_index, tree_size - 1
    # 3. Set r to hash.
    r = hash_leaf(entry)
    # 4. For each value p in the inclusion_path array:
    for p in inclusion_path:
        # a. If sn is 0, then stop the iteration and fail the proof verification.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn % 2 == 1 or fn == sn:
            # i. Set r to HASH(0x01 || p || r).
            r = hash_children(p, r)
            # ii. If LSB(fn) is not set, then right-shift both fn and sn equally until either
            #     LSB(fn) is set or fn is 0.
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn //= 2
                    sn //= 2
        # Otherwise: i. Set r to HASH(0x01 || r || p).
        else:
            r = hash_children(r, p)
        # c. Finally, right-shift both fn and sn one time.
        fn //= 2
        sn //= 2
    # 5. Compare sn to 0. Compare r against the root_hash.
    return sn == 0 and r == root_hash


def consistency_holds(
    first: int, second: int, first_hash: bytes, path: list[bytes], second_hash: bytes
) -> bool:
    """RFC 9162 §2.1.4.2, step by step (equal sizes: nothing to prove but equal roots)."""
    if first == second:
        return path == [] and first_hash == second_hash
    # 1. If consistency_path is an empty array, stop and fail the proof verification.
    if not path or first == 0 or first > second:
        return False
    path = list(path)
    # 2. If first is an exact power of 2, then prepend first_hash to the consistency_path array.
    if bin(first).count("1") == 1:
        path = [first_hash, *path]
    # 3. Set fn to first - 1 and sn to second - 1.
    fn, sn = first - 1, second - 1
    # 4. If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not set.
    while fn % 2 == 1:
        fn //= 2
        sn //= 2
    # 5. Set both fr and sr to the first value in the consistency_path array.
    fr = sr = path[0]
    # 6. For each subsequent value c in the consistency_path array:
    for c in path[1:]:
        # a. If sn is 0, then stop the iteration and fail the proof verification.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn % 2 == 1 or fn == sn:
            fr = hash_children(c, fr)
            sr = hash_children(c, sr)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn //= 2
                    sn //= 2
        else:
            sr = hash_children(sr, c)
        # c. Finally, right-shift both fn and sn one time.
        fn //= 2
        sn //= 2
    # 7. fr equals first_hash, sr equals second_hash, and sn is 0.
    return fr == first_hash and sr == second_hash and sn == 0


def tree_head_data(timestamp_ms: int, tree_size: int, root_hash: bytes) -> bytes:
    """TreeHeadDataV2: uint64 timestamp, uint64 tree_size, opaque root_hash<32..2^8-1>,
    Extension sth_extensions<0..2^16-1> (empty)."""
    return (
        struct.pack(">QQ", timestamp_ms, tree_size)
        + bytes([len(root_hash)])
        + root_hash
        + struct.pack(">H", 0)
    )


def signature_holds(
    public_key: bytes, timestamp_ms: int, tree_size: int, root_hash: bytes, signature: bytes
) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            signature, tree_head_data(timestamp_ms, tree_size, root_hash)
        )
    except InvalidSignature:
        return False
    return True


def member_holds(
    batch_entry: bytes,
    member_index: int,
    member: bytes,
    inclusion_path: list[bytes],
    pseudonym: str,
) -> bool:
    """The README's batch disclosures: the entry's has_details is 2 and a JSON header follows,
    naming the batch, its member count and the root of its members' tree; the member is
    "lawful-member-v1" US batch US pseudonym, included under that root (RFC 9162 §2.1.3.2)."""
    fields = batch_entry.split(b"\x1f", 16)
    if len(fields) != 17 or fields[0] != b"lawful-entry-v1" or fields[15] != b"2":
        return False
    header = json.loads(fields[16])
    if member != b"\x1f".join([b"lawful-member-v1", header["batch"].encode(), pseudonym.encode()]):
        return False
    root = bytes.fromhex(header["root"])
    return inclusion_holds(member_index, header["members"], member, inclusion_path, root)

"""The Merkle tree against the RFC's recursive definitions, and against a verifier of its own."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lawful.core.ledger import merkle

from . import rfc9162

fast = settings(max_examples=150, deadline=None)
entries = st.lists(st.binary(max_size=8), min_size=1, max_size=70, unique=True)


# --- RFC 9162 §2.1, transcribed as recursion ---------------------------------------------------


def mth(d: list[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = merkle.largest_power_below(n)
    return hashlib.sha256(b"\x01" + mth(d[:k]) + mth(d[k:])).digest()


def path(m: int, d: list[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = merkle.largest_power_below(n)
    if m < k:
        return [*path(m, d[:k]), mth(d[k:])]
    return [*path(m - k, d[k:]), mth(d[:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = merkle.largest_power_below(n)
    if m <= k:
        return [*subproof(m, d[:k], b), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


# --- the module agrees with the definitions ----------------------------------------------------


def test_known_answers() -> None:
    assert merkle.root([]) == hashlib.sha256(b"").digest()
    assert merkle.leaf_hash(b"") == bytes.fromhex(
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert merkle.largest_power_below(2) == 1 and merkle.largest_power_below(9) == 8
    assert merkle.subtrees(0, 7) == [(2, 0), (1, 2), (0, 6)]


@fast
@given(entries)
def test_root_is_mth(d: list[bytes]) -> None:
    assert merkle.root(merkle.leaf_hashes(d)) == mth(d)


@fast
@given(entries, st.data())
def test_inclusion_proof_is_path_and_verifies(d: list[bytes], data: st.DataObject) -> None:
    m = data.draw(st.integers(0, len(d) - 1))
    leaves = merkle.leaf_hashes(d)
    proof = merkle.inclusion_proof(m, leaves)
    assert proof == path(m, d)
    assert merkle.verify_inclusion(m, len(d), leaves[m], proof, mth(d))
    assert rfc9162.inclusion_holds(m, len(d), d[m], proof, mth(d))


@fast
@given(entries, st.data())
def test_consistency_proof_is_proof_and_verifies(d: list[bytes], data: st.DataObject) -> None:
    m = data.draw(st.integers(1, len(d)))
    leaves = merkle.leaf_hashes(d)
    proof = merkle.consistency_proof(m, leaves)
    assert proof == (subproof(m, d, True) if m < len(d) else [])
    assert merkle.verify_consistency(m, len(d), mth(d[:m]), mth(d), proof)
    assert rfc9162.consistency_holds(m, len(d), mth(d[:m]), proof, mth(d))


@fast
@given(entries, st.data())
def test_a_wrong_proof_never_verifies(d: list[bytes], data: st.DataObject) -> None:
    leaves = merkle.leaf_hashes(d)
    m = data.draw(st.integers(0, len(d) - 1))
    proof = merkle.inclusion_proof(m, leaves)
    root = mth(d)
    other = data.draw(st.integers(0, len(d)))
    if other != m:  # another position, or one past the end
        assert not merkle.verify_inclusion(other, len(d), leaves[m], proof, root)
    if proof:
        at = data.draw(st.integers(0, len(proof) - 1))
        bent = [*proof[:at], hashlib.sha256(proof[at]).digest(), *proof[at + 1 :]]
        assert not merkle.verify_inclusion(m, len(d), leaves[m], bent, root)
        assert not rfc9162.inclusion_holds(m, len(d), d[m], bent, root)
        assert not merkle.verify_inclusion(m, len(d), leaves[m], proof[:-1], root)
    assert not merkle.verify_inclusion(m, len(d), leaves[m], [*proof, root], root)
    first = data.draw(st.integers(1, len(d)))
    consistency = merkle.consistency_proof(first, leaves)
    wrong_first = hashlib.sha256(mth(d[:first])).digest()
    assert not merkle.verify_consistency(first, len(d), wrong_first, root, consistency)
    assert not rfc9162.consistency_holds(first, len(d), wrong_first, consistency, root)
    if consistency:
        assert not merkle.verify_consistency(first, len(d), mth(d[:first]), root, consistency[1:])


@fast
@given(entries, st.data())
def test_stored_levels_give_the_same_proofs(d: list[bytes], data: st.DataObject) -> None:
    """Only every STRIDE-th level is kept; proofs folded from it are the full tree's."""
    leaves = merkle.leaf_hashes(d)
    full = merkle._all_subtrees(leaves)
    kept = {key: h for key, h in full.items() if key[0] % merkle.STRIDE == 0}
    asked: list[set[merkle.Block]] = []

    def fetch(blocks: set[merkle.Block]) -> dict[merkle.Subtree, bytes]:
        asked.append(blocks)
        return {key: h for key, h in kept.items() if (key[0], key[1] >> merkle.STRIDE) in blocks}

    m = data.draw(st.integers(0, len(d) - 1))
    first = data.draw(st.integers(1, len(d)))
    ranges = merkle.inclusion_ranges(m, len(d))
    consistency = merkle.consistency_ranges(first, len(d))
    nodes = merkle.resolve(merkle.needed([*ranges, *consistency, (0, len(d))]), fetch)
    assert len(asked) == 1  # one round trip for everything
    assert merkle.proof(ranges, nodes) == path(m, d)
    assert merkle.range_hash(0, len(d), nodes) == mth(d)
    assert merkle.proof(consistency, nodes) == (subproof(first, d, True) if first < len(d) else [])


def test_out_of_range_proofs_are_refused() -> None:
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(3, 3)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(0, 3)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(4, 3)

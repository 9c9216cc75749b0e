"""What the ledger hands out, checked by a verifier that knows only RFC 9162 and the README."""

from __future__ import annotations

from sqlalchemy.orm import Session

from lawful.core.ledger import service as ledger
from lawful.core.vault.keys import Keyring

from . import rfc9162
from .factories import append, run_keys, sequence_all


def test_a_subjects_events_are_proven_in_the_signed_tree(
    session: Session, keyring: Keyring
) -> None:
    for round_ in range(7):  # interleaved with others', over several signed heads
        append(session, 3, subject="customer-2")
        append(session, 2, subject="customer-1")
        sequence_all(session, batch=4 + round_)
    append(session, 1, subject="customer-1")  # not sequenced yet
    mine = ledger.subject_ledger(session, keys=keyring, subject_id="customer-1")
    head = mine.head
    assert head is not None and head.tree_size == 35
    assert len(mine.events) == 15
    *proven, waiting = mine.events
    assert waiting.record.pending and waiting.inclusion is None
    keys = ledger.public_keys(run_keys())
    assert rfc9162.signature_holds(
        keys[head.key_id], head.timestamp, head.tree_size, head.root_hash, head.signature
    )
    for event in proven:
        index = event.record.leaf_index
        assert index is not None and event.inclusion is not None
        assert rfc9162.inclusion_holds(
            index, head.tree_size, event.record.entry, list(event.inclusion), head.root_hash
        )
        # Another position, or another entry, is not proven by the same path.
        assert not rfc9162.inclusion_holds(
            (index + 1) % head.tree_size,
            head.tree_size,
            event.record.entry,
            list(event.inclusion),
            head.root_hash,
        )


def test_every_signed_head_is_consistent_with_every_later_one(session: Session) -> None:
    heads = []
    for n in (1, 2, 3, 5, 8, 13, 21):
        append(session, n)
        heads += sequence_all(session)
    sizes = [h.tree_size for h in heads]
    assert sizes == [1, 3, 6, 11, 19, 32, 53]
    keys = ledger.public_keys(run_keys())
    for i, first in enumerate(heads):
        assert ledger.tree_head(session, tree_size=first.tree_size) == first
        assert rfc9162.signature_holds(
            keys[first.key_id], first.timestamp, first.tree_size, first.root_hash, first.signature
        )
        for second in heads[i:]:
            proof = ledger.consistency(session, first=first.tree_size, second=second.tree_size)
            assert rfc9162.consistency_holds(
                first.tree_size, second.tree_size, first.root_hash, proof, second.root_hash
            )
    # A forked history (another first root) is not consistent with the log.
    proof = ledger.consistency(session, first=6, second=53)
    assert not rfc9162.consistency_holds(6, 53, heads[0].root_hash, proof, heads[-1].root_hash)


def test_a_pending_event_has_no_proof_yet_and_no_head_means_none(
    session: Session, keyring: Keyring
) -> None:
    append(session, 2)
    mine = ledger.subject_ledger(session, keys=keyring, subject_id="customer-1")
    assert mine.head is None
    assert [e.inclusion for e in mine.events] == [None, None]

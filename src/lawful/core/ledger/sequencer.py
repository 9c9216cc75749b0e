"""The sequencer: moves pending entries into the log, extends the Merkle tree, signs its head.

One batch is one transaction (the caller's): take the sequencer's lock, check that the stored
tree still has the root the last signed head names, take up to `limit` pending entries in id
order, give them the next leaf indexes, store their leaves and the subtree hashes they complete,
sign the new tree head, delete them from the queue. A batch is committed whole or not at all, so
a sequencer killed at any moment loses nothing and repeats nothing: the next one starts from
what was committed. Only the sequencer serialises; requests never wait for it.

Every batch ends with a signed head: no leaf is ever left unsigned, and a leaf beyond the last
signed head can only have been put there by hand (`verify` reports it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from lawful.core.errors import LedgerTampered
from lawful.core.ledger import merkle, repository
from lawful.core.ledger.merkle import STRIDE, Subtree
from lawful.core.ledger.records import TreeHead, timestamp_ms, to_milliseconds, tree_head_data

BATCH = 5_000  # entries per batch: one signed head every few thousand events at most

Signer = Callable[[bytes], tuple[str, bytes]]  # message -> (key id, Ed25519 signature)
Peak = tuple[int, int, bytes]  # (level, index, hash) of a complete subtree on the right edge


@dataclass(frozen=True, slots=True)
class Batch:
    sequenced: int
    tree_size: int
    head: TreeHead | None  # the head signed for this batch
    busy: bool = False  # another sequencer holds the lock: nothing was done


def sequence(session: Session, *, signer: Signer, limit: int = BATCH) -> Batch:
    if not repository.lock_sequencer(session):
        return Batch(0, 0, None, busy=True)
    size, last_at = repository.tail(session)
    peaks = frontier(session, size, repository.latest_head(session))
    pending = repository.pending_batch(session, limit)
    if not pending:
        return Batch(0, size, None)
    now = repository.clock(session)
    at = now if last_at is None or now > last_at else last_at  # leaf order is time order
    repository.ensure_partitions(session, _months(at))
    entries = [entry for _, entry in pending]
    hashes = merkle.leaf_hashes(entries)
    nodes = extend(peaks, size, hashes)
    repository.insert_leaves(
        session,
        [
            {
                "leaf_index": size + i,
                "sequenced_at": at,
                "entry_id": entry_id,
                "entry": entry,
                "leaf_hash": leaf,
            }
            for i, ((entry_id, entry), leaf) in enumerate(zip(pending, hashes, strict=True))
        ],
    )
    repository.insert_nodes(session, nodes)
    size += len(pending)
    head = sign(signer, size, merkle.fold([h for _, _, h in peaks]), at)
    repository.insert_head(session, head)
    repository.delete_pending(session, [entry_id for entry_id, _ in pending])
    return Batch(len(pending), size, head)


def sign(signer: Signer, tree_size: int, root: bytes, at: dt.datetime) -> TreeHead:
    signed_at = to_milliseconds(at)
    key_id, signature = signer(tree_head_data(timestamp_ms(signed_at), tree_size, root))
    return TreeHead(tree_size, root, signed_at, key_id, signature)


def frontier(session: Session, size: int, head: TreeHead | None) -> list[Peak]:
    """The right edge of the stored tree of `size` leaves, once checked against the last head.

    Extending a tree whose stored hashes were altered would sign the alteration: refused."""
    if head is None and size == 0:
        return []
    if head is None or head.tree_size != size:
        covered = 0 if head is None else head.tree_size
        raise LedgerTampered(
            f"not sequencing: the log holds {size} leaves but its last signed head covers "
            f"{covered}; run `lawful ledger verify`"
        )
    keys = merkle.subtrees(0, size)
    hashes = merkle.resolve(keys, lambda blocks: repository.stored_subtrees(session, blocks))
    peaks = [(level, index, hashes[(level, index)]) for level, index in keys]
    if merkle.fold([h for _, _, h in peaks]) != head.root_hash:
        raise LedgerTampered(
            f"not sequencing: the stored tree no longer has the root of the signed head at size "
            f"{size}; run `lawful ledger verify`"
        )
    return peaks


def extend(peaks: list[Peak], size: int, leaves: Sequence[bytes]) -> dict[Subtree, bytes]:
    """Append leaf hashes to the right edge `peaks` (updated in place); the stored-level subtree
    hashes this completes, to be kept."""
    completed: dict[Subtree, bytes] = {}
    node = merkle.node_hash
    for position, leaf in enumerate(leaves, start=size):
        peaks.append((0, position, leaf))
        while len(peaks) > 1 and peaks[-1][0] == peaks[-2][0]:
            level, _, right = peaks.pop()
            _, index, left = peaks.pop()
            parent = (level + 1, index >> 1, node(left, right))
            if parent[0] % STRIDE == 0:
                completed[(parent[0], parent[1])] = parent[2]
            peaks.append(parent)
    return completed


def _months(at: dt.datetime) -> list[dt.date]:
    """This month and the next: the partition a batch needs, and the next one made ahead."""
    first = at.date().replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return [first, following]

"""Proofs from stored subtrees: a person's events against the latest signed head, and one head's
consistency with another. A handful of queries, whatever the size of the log."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from lawful.core.errors import InvalidInput, NotFound
from lawful.core.ledger import batch as batches
from lawful.core.ledger import merkle, repository
from lawful.core.ledger.merkle import STRIDE
from lawful.core.ledger.records import LedgerRecord, Proven, SubjectLedger, TreeHead


def _fetch(session: Session) -> merkle.Fetch:
    return lambda blocks: repository.stored_subtrees(session, blocks)


def subject_ledger(session: Session, pseudonym: str) -> SubjectLedger:
    """The subject's records, each proven against the latest signed head when it is under it.

    The head is read first: a record sequenced after it is not under it yet, and shows as
    pending until the next head (at most a batch away)."""
    head = repository.latest_head(session)
    return _proven(session, head, repository.for_pseudonym(session, pseudonym))


def prove(session: Session, records: Sequence[LedgerRecord]) -> SubjectLedger:
    """Records read earlier (a page of a subject's), each proven against the latest signed head
    when it is under it: the work is that of these records only, whatever the subject's total.
    Read after the records, the head covers every record then sequenced."""
    return _proven(session, repository.latest_head(session), records)


def _proven(
    session: Session, head: TreeHead | None, records: Sequence[LedgerRecord]
) -> SubjectLedger:
    size = 0 if head is None else head.tree_size
    under = [r.leaf_index for r in records if r.leaf_index is not None and r.leaf_index < size]
    ranges = {index: merkle.inclusion_ranges(index, size) for index in under}
    nodes = merkle.resolve(merkle.needed(r for rs in ranges.values() for r in rs), _fetch(session))
    return SubjectLedger(
        head=head,
        events=[
            Proven(
                record,
                None
                if record.leaf_index not in ranges
                else tuple(merkle.proof(ranges[record.leaf_index], nodes)),
                member_path(session, record),
            )
            for record in records
        ],
    )


def member_path(session: Session, record: LedgerRecord) -> tuple[bytes, ...] | None:
    """A member's inclusion path under its batch's member root (pending or not: the batch's
    members are written with its entry). None for a record that is no batch member."""
    header, member = record.batch, record.member
    if header is None or member is None:
        return None
    ranges = merkle.inclusion_ranges(member.index, header.members)

    def fetch(blocks: set[merkle.Block]) -> dict[merkle.Subtree, bytes]:
        # Below a block's level, hashes come from the block's members; above, from storage.
        low = {
            (b << (level + STRIDE)) >> batches.BLOCK_LEVEL
            for level, b in blocks
            if level < batches.BLOCK_LEVEL
        }
        found: dict[merkle.Subtree, bytes] = {}
        for number, block in repository.member_rows(session, member.entry_id, low).items():
            found.update(batches.block_hashes(header.batch, number, block))
        high = [
            (level, (b << STRIDE) + i)
            for level, b in blocks
            if level >= batches.BLOCK_LEVEL
            for i in range(1 << STRIDE)
        ]
        found.update(repository.member_nodes(session, member.entry_id, high))
        return found

    try:
        return tuple(merkle.proof(ranges, merkle.resolve(merkle.needed(ranges), fetch)))
    except KeyError:
        # A member row or stored hash this proof needs is gone: `verify` names it; the record
        # is still listed, without a proof that could not be made.
        return None


def consistency(session: Session, first: int, second: int) -> list[bytes]:
    """PROOF(first, D[second]) for two sizes of signed heads."""
    latest = repository.latest_head(session)
    size = 0 if latest is None else latest.tree_size
    if not 0 < first <= second <= size:
        raise InvalidInput(
            f"a consistency proof needs 0 < first <= second <= {size} (the latest signed tree "
            f"size), not {first} and {second}",
            field="second" if second > size or first > second else "first",
        )
    ranges = merkle.consistency_ranges(first, second)
    return merkle.proof(ranges, merkle.resolve(merkle.needed(ranges), _fetch(session)))


def head_of_size(session: Session, tree_size: int) -> TreeHead:
    head = repository.head_of_size(session, tree_size)
    if head is None:
        raise NotFound(f"no signed tree head of size {tree_size}")
    return head

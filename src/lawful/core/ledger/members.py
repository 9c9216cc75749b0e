"""Verification of batch disclosures: each batch's member table against the root its entry names.

The entry is in the log, under signed heads; its members are not. So every batch entry in the
log has its members read back, their tree recomputed and held against the entry's `members` and
`root`, and the stored subtrees against the recomputed ones. The first thing wrong is named at
the batch entry's leaf, with the member concerned: a row deleted (missing), a row beyond the
batch's members (added), a row naming another subject, or a stored hash rewritten (altered).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from lawful.core.ledger import batch as batches
from lawful.core.ledger import entry as encoding
from lawful.core.ledger import repository
from lawful.core.ledger.records import Break, Problem

# What starts a batch header: has_details 2, then the header's first key. Text fields hold no
# control character, so only a batch entry (or, by a chance of 2^-88 a byte, encrypted details)
# holds it; each candidate is decoded to be sure.
MARKER = encoding.SEP + encoding.BATCH + encoding.SEP + b'{"about":'


def check(session: Session, size: int) -> list[Break]:
    """Breaks in the member tables of the batch entries among the first `size` leaves."""
    breaks: list[Break] = []
    batch_ids: set[int] = set()
    for position, entry_id, entry in repository.batch_leaves(session, MARKER):
        if position >= size:
            continue
        try:
            fields = encoding.decode(entry)
        except ValueError:
            continue  # not an entry: reported as modified by the log's own check, if it is
        if fields.batch is None:
            continue
        batch_ids.add(entry_id)
        try:
            header = batches.Header.decode(fields.batch)
        except ValueError as exc:
            breaks.append(Break(position, Problem.MEMBER_ALTERED, f"leaf {position}: {exc}"))
            continue
        found = _check_batch(session, position, entry_id, header)
        if found is not None:
            breaks.append(found)
    breaks.extend(_strays(session, batch_ids, size))
    return breaks


def _check_batch(
    session: Session, position: int, entry_id: int, header: batches.Header
) -> Break | None:
    where = f"the batch disclosure at leaf {position}"
    n = header.members
    subjects: list[bytes] = []
    for number, first, block in repository.members_of(session, entry_id):
        start = number << batches.BLOCK_LEVEL
        if start > len(subjects):  # a block is gone
            return _missing(position, where, len(subjects), start)
        if start < len(subjects) or start >= n:
            return Break(
                position,
                Problem.MEMBER_ADDED,
                f"{where} has {n} members, yet the member table holds a block of members from "
                f"{start}: members were added",
            )
        held = batches.split(block)
        full = min(batches.BLOCK, n - start)
        if len(held) > full or len(block) % batches.SUBJECT:
            return Break(
                position,
                Problem.MEMBER_ADDED,
                f"{where} has {n} members, yet the member table holds {len(held)} from member "
                f"{start} where {full} belong: members were added",
            )
        if len(held) < full:
            return Break(
                position,
                Problem.MEMBER_MISSING,
                f"{full - len(held)} of members {start} to {start + full - 1} of {where} are "
                "missing from the member table: members were deleted",
            )
        if first != block[: batches.SUBJECT]:
            return Break(
                position,
                Problem.MEMBER_ALTERED,
                f"member {start} of {where} is not the one its block is found by: a member row "
                "was rewritten",
            )
        subjects += held
    if len(subjects) < n:
        return _missing(position, where, len(subjects), n)
    levels = batches.levels_of(batches.member_leaves(header.batch, subjects))
    if batches.root_of(levels) != header.root:
        altered = _altered(subjects)
        which = "a member" if altered is None else f"member {altered}"
        return Break(
            position,
            Problem.MEMBER_ALTERED,
            f"{which} of {where} no longer matches the batch's member root: a member row was "
            "rewritten",
        )
    stored = repository.member_nodes_of(session, entry_id)
    computed = batches.stored_nodes(levels)
    for key in sorted(stored.keys() | computed.keys(), key=lambda k: (k[1] << k[0], k[0])):
        if stored.get(key) != computed.get(key):
            level, index = key
            return Break(
                position,
                Problem.MEMBER_ALTERED,
                f"the stored hash over members {index << level} to {((index + 1) << level) - 1} "
                f"of {where} differs from the members' own: a proof built from it would fail",
            )
    return None


def _missing(position: int, where: str, first: int, end: int) -> Break:
    return Break(
        position,
        Problem.MEMBER_MISSING,
        f"members {first} to {end - 1} of {where} are missing from the member table: their "
        "rows were deleted",
    )


def _altered(subjects: list[bytes]) -> int | None:
    """The member whose row was most likely rewritten: members are sorted by subject, and a
    rewritten subject breaks the order around it (unless it still fits in it: None)."""
    for i in range(1, len(subjects)):
        if subjects[i] <= subjects[i - 1]:
            # Either i - 1 rose above its place or i fell below it: the one whose removal
            # restores the order is the one rewritten.
            earlier_fits = i < 2 or subjects[i - 2] < subjects[i]
            later_fits = i + 1 >= len(subjects) or subjects[i - 1] < subjects[i + 1]
            return i if later_fits and not earlier_fits else i - 1
    return None


def _strays(session: Session, batch_ids: set[int], size: int) -> list[Break]:
    """Member rows naming a sequenced entry that is no batch disclosure: members were added."""
    strays = [e for e in repository.member_entry_ids(session) if e not in batch_ids]
    leaves = repository.leaves_of_entries(session, strays)
    return [
        Break(
            position,
            Problem.MEMBER_ADDED,
            f"the member table names leaf {position} as a batch disclosure, which it is not: "
            "members were added",
        )
        for position in sorted(leaves.values())
        if position < size
    ]

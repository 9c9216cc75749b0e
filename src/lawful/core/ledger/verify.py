"""How the ledger proves itself: every leaf against its entry, every stored subtree against its
leaves, every signed tree head against the tree, every signature against the keys.

The log is checked in segments of 2^16 leaves, each a complete subtree checked on its own, in
parallel worker processes for a large log. A segment hands back its root and, for each signed
head ending inside it, the hashes of its part of that head's tree; the parent process joins them
into every head's root. Each batch disclosure's members are then held against the root its entry
names (`members`). The first bad position found anywhere is named, with why.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from operator import itemgetter

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from lawful.core.ledger import members, merkle, repository, scan
from lawful.core.ledger.merkle import STRIDE, Subtree
from lawful.core.ledger.records import Break, Problem, TreeHead, VerifyResult
from lawful.core.ledger.scan import Reader, Source

# Segments of 2^16 leaves: each a complete subtree, checked on its own.
SEGMENT_LEVEL = 16
# Below this many leaves, starting worker processes costs about what they save.
PARALLEL_MIN = 300_000


@dataclass
class Segment:
    """What one segment's check found: its first break, and the hashes the parent needs."""

    start: int
    end: int
    broken: Break | None = None
    parts: dict[int, list[bytes]] = field(default_factory=dict)  # head size -> subtree hashes


def check_segment(reader: Reader, start: int, end: int, sizes: Sequence[int]) -> Segment:
    """Check leaves [start, end) (within one segment) and their stored subtrees; `sizes` are the
    tree sizes in (start, end] whose part in this segment the parent needs."""
    found = Segment(start, end)
    if reader.postgresql:
        rows = reader.leaves(start, end)
        misplaced = _positions(list(map(itemgetter(0), rows)), start, end)
        leaves = list(map(itemgetter(1), rows))
        intact = all(map(itemgetter(2), rows))
    else:
        rows = reader.leaves(start, end)
        # leaf_index is SQLite's rowid, unique: as many rows as the range is wide is all of them.
        whole = len(rows) == end - start
        misplaced = None if whole else _positions(reader.indexes(start, end), start, end)
        leaves = list(map(itemgetter(1), rows))
        intact = merkle.leaf_hashes(map(itemgetter(0), rows)) == leaves
    if misplaced is not None:
        # Positions are off from here on: no subtree or head can be recomputed in this segment.
        found.broken = misplaced
        found.parts = {size: [_UNKNOWN] for size in sizes}
        return found
    breaks = [] if intact else [b for b in [_first_modified(reader, start, end)] if b]
    levels = [leaves]
    while len(levels[-1]) > 1:
        levels.append(merkle.parents(levels[-1]))
    # Subtrees completed by leaves beyond `end` may be newer than the leaves read: not judged.
    kept = {k: h for k, h in reader.nodes(start, end).items() if (k[1] + 1) << k[0] <= end}
    breaks.extend(_subtree_breaks(levels, start, kept, reader.segment_level))
    for size in sizes:
        found.parts[size] = [
            levels[level][index - (start >> level)] for level, index in merkle.subtrees(start, size)
        ]
    found.broken = min(breaks, key=lambda b: b.position, default=None)
    return found


_UNKNOWN = b""  # stands for a hash that could not be recomputed: it matches no signed root


def _positions(indexes: list[int], start: int, end: int) -> Break | None:
    if indexes == list(range(start, end)):
        return None
    for offset, index in enumerate(indexes):
        expected = start + offset
        if index == expected:
            continue
        if offset and index == indexes[offset - 1]:
            return Break(index, Problem.DUPLICATED, f"leaf {index} is stored twice")
        return _missing(expected, index)
    return _missing(start + len(indexes), end)


def _missing(first: int, next_found: int) -> Break:
    gone = f"{first}" if next_found == first + 1 else f"{first} to {next_found - 1}"
    return Break(first, Problem.MISSING, f"leaf {gone} missing: leaves were deleted")


def _first_modified(reader: Reader, start: int, end: int) -> Break | None:
    for index, entry, leaf_hash in reader.entries(start, end):
        if not isinstance(entry, bytes) or merkle.leaf_hash(entry) != leaf_hash:
            return Break(
                index,
                Problem.MODIFIED,
                f"leaf {index} was modified: its entry no longer hashes to its leaf hash",
            )
    return None


def _subtree_breaks(
    levels: list[list[bytes]], start: int, kept: Mapping[Subtree, bytes], top: int
) -> Iterator[Break]:
    computed = {
        (level, (start >> level) + i): h
        for level in range(STRIDE, min(len(levels), top + 1), STRIDE)
        for i, h in enumerate(levels[level])
    }
    for key in sorted(computed.keys() | kept.keys(), key=lambda k: k[1] << k[0]):
        if computed.get(key) != kept.get(key):
            yield _subtree_break(key, missing=key not in kept, extra=key not in computed)


def _subtree_break(key: Subtree, *, missing: bool = False, extra: bool = False) -> Break:
    level, index = key
    first, last = index << level, ((index + 1) << level) - 1
    why = (
        "is missing"
        if missing
        else "is stored though its leaves are not all there"
        if extra
        else "differs from its leaves' hashes: leaves were rewritten with their leaf hashes, or "
        "the subtree hash itself"
    )
    return Break(
        first, Problem.SUBTREE_MISMATCH, f"the subtree hash over leaves {first} to {last} {why}"
    )


# --- the whole log --------------------------------------------------------------------------


def verify(
    session: Session,
    *,
    keys: Mapping[str, Ed25519PublicKey],
    copies: Sequence[TreeHead] = (),
    workers: int | None = None,
    segment_level: int = SEGMENT_LEVEL,
    parallel_from: int = PARALLEL_MIN,
) -> VerifyResult:
    # Leaves, subtrees and heads are only ever added: what lies within `size` is read the same
    # by every worker, whatever the sequencer commits meanwhile.
    size, stored = repository.log_state(session)
    pending = repository.counts(session).pending
    held = set(stored)
    outside = [h for h in dict.fromkeys(copies) if h not in held]
    every = [*stored, *outside]
    breaks = _signatures(every, keys) + _copies(outside, stored)
    sizes = sorted({h.tree_size for h in every if 0 < h.tree_size <= size})
    reader = scan.session_reader(session, segment_level)
    segments = _segments(session, reader, size, sizes, workers, parallel_from)
    breaks += [s.broken for s in segments if s.broken is not None]
    breaks += _heads(segments, every, size, reader.upper_nodes(), segment_level, breaks)
    breaks += members.check(session, size)
    last = max((h.tree_size for h in every), default=0)
    if size > last:
        breaks.append(
            Break(
                last,
                Problem.HEAD_MISSING,
                f"leaves {last} to {size - 1} are covered by no "
                "signed tree head: the head that signed them was deleted, or they were added "
                "by hand",
            )
        )
    rank = list(Problem).index
    first = min(breaks, key=lambda b: (b.position, rank(b.problem)), default=None)
    intact = size if first is None else first.position
    return VerifyResult(
        ok=first is None,
        events=intact,
        tree_size=size,
        heads=len(stored),
        last_head=max((h.tree_size for h in stored), default=None),
        pending=pending,
        first_bad=None if first is None else first.position,
        problem=None if first is None else first.problem,
        message="" if first is None else first.message,
        copies=len(set(copies)),
    )


def _segments(
    session: Session,
    reader: Reader,
    size: int,
    sizes: Sequence[int],
    workers: int | None,
    parallel_from: int,
) -> list[Segment]:
    jobs = []
    span = 1 << reader.segment_level
    for start in range(0, size, span):
        end = min(start + span, size)
        wanted = [n for n in sizes if start < n <= end]
        jobs.append((start, end, [*wanted, end] if end not in wanted else wanted))
    count = workers or os.cpu_count() or 1
    source = None
    if size >= parallel_from and count > 1 and len(jobs) > 1 and _can_fork():
        source = scan.source_of(session, reader.segment_level)
    if source is None:
        return [check_segment(reader, *job) for job in jobs]
    sys.stdout.flush()  # else a child would write out the parent's pending output once more
    sys.stderr.flush()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(count, context, _open_worker, (source,)) as pool:
        return list(pool.map(_check_in_worker, jobs, chunksize=1))


def _can_fork() -> bool:
    # A lock another thread held would be copied held into the child.
    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


_worker = ExitStack()  # in a worker process: its connection, open for the process's life
_reader: Reader | None = None


def _open_worker(source: Source) -> None:
    global _reader
    _reader = _worker.enter_context(scan.open_reader(source))


def _check_in_worker(job: tuple[int, int, list[int]]) -> Segment:
    if _reader is None:
        raise RuntimeError("worker started without a reader")
    return check_segment(_reader, *job)


def _heads(
    segments: Sequence[Segment],
    heads: Sequence[TreeHead],
    size: int,
    kept: Mapping[Subtree, bytes],
    top: int,
    found: Sequence[Break],
) -> list[Break]:
    """Each head's root against the leaves, and the stored subtrees above the segment level.

    A head that does not match is named only when nothing `found` below its size explains it
    more precisely."""
    breaks: list[Break] = []
    span = 1 << top
    row = [s.parts[s.end][0] for s in segments if s.end - s.start == span]
    upper: dict[Subtree, bytes] = {(top, i): h for i, h in enumerate(row)}
    level = top
    while len(row) > 1:
        row, level = _parents(row), level + 1
        upper.update(((level, i), h) for i, h in enumerate(row))
    computed = {k: h for k, h in upper.items() if k[0] > top and k[0] % STRIDE == 0}
    within = {k: h for k, h in kept.items() if (k[1] + 1) << k[0] <= size}
    for key in sorted(computed.keys() | within.keys(), key=lambda k: k[1] << k[0]):
        if computed.get(key) != within.get(key) and computed.get(key) != _UNKNOWN:
            breaks.append(_subtree_break(key, missing=key not in kept, extra=key not in computed))
    owners = {n: s for s in segments for n in s.parts}
    good = 0
    beyond = [h for h in heads if h.tree_size > size]
    if beyond:
        head = max(beyond, key=lambda h: h.tree_size)
        breaks.append(
            Break(
                size,
                Problem.TRUNCATED,
                f"the log ends at leaf {size - 1} but the tree head signed "
                f"{head.signed_at:%Y-%m-%d %H:%M:%S} UTC covers {head.tree_size} leaves: leaves "
                f"{size} to {head.tree_size - 1} were removed",
            )
        )
    for head in sorted(heads, key=lambda h: h.tree_size):
        n = head.tree_size
        if n > size:
            continue
        high = [upper.get(key, _UNKNOWN) for key in merkle.subtrees(0, n & ~(span - 1))]
        low = owners[n].parts[n] if n % span else []
        if _UNKNOWN in high or _UNKNOWN in low:
            continue  # the segment that stops it was reported, at its own first bad leaf
        if merkle.fold(high + low) == head.root_hash:
            good = max(good, n)
            continue
        if any(b.position < n for b in [*found, *breaks]):
            continue
        breaks.append(
            Break(
                good,
                Problem.HEAD_MISMATCH,
                f"the tree head at size {n} signed "
                f"{head.signed_at:%Y-%m-%d %H:%M:%S} UTC does not match the leaves: leaves "
                f"{good} to {n - 1} were rewritten",
            )
        )
    return breaks


def _parents(row: list[bytes]) -> list[bytes]:
    return [
        _UNKNOWN if _UNKNOWN in (left, right) else merkle.node_hash(left, right)
        for left, right in zip(row[0::2], row[1::2], strict=False)
    ]


def _signatures(heads: Sequence[TreeHead], keys: Mapping[str, Ed25519PublicKey]) -> list[Break]:
    breaks = []
    for head in heads:
        public = keys.get(head.key_id)
        where = f"the tree head at size {head.tree_size}"
        if public is None:
            breaks.append(
                Break(
                    head.tree_size - 1,
                    Problem.HEAD_SIGNATURE,
                    f"{where} was signed with key "
                    f"{head.key_id}, which is neither this installation's signing key nor one "
                    "it retired",
                )
            )
            continue
        try:
            public.verify(head.signature, head.message)
        except InvalidSignature:
            breaks.append(
                Break(
                    head.tree_size - 1,
                    Problem.HEAD_SIGNATURE,
                    f"{where} has an invalid signature: the head was forged or altered",
                )
            )
    return breaks


def _copies(outside: Sequence[TreeHead], stored: Sequence[TreeHead]) -> list[Break]:
    """Copies kept outside the database that match no head in it: an edited copy (its signed
    part matches a head, something else does not), or a deleted head."""
    signed = {(h.tree_size, h.root_hash, h.signature): h for h in stored}
    breaks = []
    for copy in outside:
        twin = signed.get((copy.tree_size, copy.root_hash, copy.signature))
        where = f"the tree head at size {copy.tree_size}"
        if twin is not None:
            differs = [n for n in ("signed_at", "key_id") if getattr(copy, n) != getattr(twin, n)]
            breaks.append(
                Break(
                    copy.tree_size - 1,
                    Problem.HEAD_MISMATCH,
                    f"the copy of {where} differs "
                    f"from it in {', '.join(differs)}: the copy was edited",
                )
            )
            continue
        breaks.append(
            Break(
                copy.tree_size - 1,
                Problem.HEAD_MISSING,
                f"{where} (signed "
                f"{copy.signed_at:%Y-%m-%d %H:%M:%S} UTC) is kept outside the database but is "
                "missing from it: signed heads were deleted",
            )
        )
    return breaks

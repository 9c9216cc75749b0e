"""All SQL of the ledger but verification's (see `scan`). Inserts and reads only, and the one
DELETE the pending queue allows: of entries the same transaction has sequenced."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.core.db import utcnow
from lawful.core.ledger import batch as batches
from lawful.core.ledger.entry import subject_key
from lawful.core.ledger.merkle import STRIDE, Block, Subtree
from lawful.core.ledger.models import (
    LedgerLeaf,
    LedgerMember,
    LedgerMemberNode,
    LedgerNode,
    LedgerPending,
    LedgerTreeHead,
)
from lawful.core.ledger.records import Counts, LedgerRecord, Membership, TreeHead

_pending = cast(sa.Table, LedgerPending.__table__)
_leaves = cast(sa.Table, LedgerLeaf.__table__)
_nodes = cast(sa.Table, LedgerNode.__table__)
_heads = cast(sa.Table, LedgerTreeHead.__table__)
_members = cast(sa.Table, LedgerMember.__table__)
_member_nodes = cast(sa.Table, LedgerMemberNode.__table__)
# Any constant works, as long as nothing else in the database uses it: 'lawfulSQ' in ASCII.
# With the schema's name as its second half: two installations in two schemas of one database
# each have their sequencer.
_SEQUENCER_LOCK = 0x6C617766  # "lawf"
_CHUNK = 10_000  # values bound per statement, well under SQLite's limit
_RANGES = 400  # index ranges per statement (SQLite's parser stack stays well below its limit)


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# --- appends -----------------------------------------------------------------------------------

_INSERT_PENDING = sa.insert(_pending)
# Set in a session's info by `group.hold`: the rows its appends wait to have written.
HELD = "lawful.ledger.held"
# Set by `gather`: the rows its appends leave to one INSERT, made by `flush` before the pending
# entries are read and before the session commits.
GATHERED = "lawful.ledger.gathered"


def insert_pending(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """One INSERT for the batch; no lock taken, nothing read. Held back instead while the session
    holds its entries for the group commit (see `group`), or gathered for one INSERT with the
    session's other entries (`gather`)."""
    if not rows:
        return
    info = session.info
    waiting: list[Mapping[str, Any]] | None = info.get(HELD)
    if waiting is None:
        waiting = info.get(GATHERED)
    if waiting is not None:
        waiting.extend(rows)
        return
    session.connection().execute(_INSERT_PENDING, list(rows))


def gather(session: Session) -> None:
    """From now on, the session's appends are written together, in one INSERT per `flush`: a unit
    of work recording several accesses makes one round trip for them, not one each. The caller
    flushes before committing; readers of the pending entries flush first (so a session reads
    its own appends, as before)."""
    session.info[GATHERED] = []


def flush(session: Session) -> None:
    """Write the gathered entries now, in the session's transaction."""
    rows: list[Mapping[str, Any]] | None = session.info.get(GATHERED)
    if rows:
        session.info[GATHERED] = []
        session.connection().execute(_INSERT_PENDING, rows)


def insert_pending_entries(session: Session, entries: Sequence[bytes]) -> None:
    """Entries already encoded, in bulk at the driver's speed: COPY on PostgreSQL (the rows
    framed here, in PostgreSQL's binary format, and sent in large writes), one prepared statement
    executed many times on SQLite; inside the session's transaction either way."""
    if not entries:
        return
    connection = session.connection()
    driver = connection.connection.driver_connection
    if _postgresql(session):
        with (
            driver.cursor() as cursor,  # type: ignore[union-attr]
            cursor.copy("COPY ledger_pending (entry) FROM STDIN (FORMAT BINARY)") as copy,
        ):
            for start in range(0, len(entries), _COPY_ROWS):
                copy.write(_binary_rows(entries[start : start + _COPY_ROWS], first=not start))
            copy.write(_COPY_TRAILER)
        return
    cursor = driver.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany("INSERT INTO ledger_pending (entry) VALUES (?)", [(e,) for e in entries])
    finally:
        cursor.close()


# PostgreSQL's binary COPY: a signature, flags and header extension length, then per row its
# field count (1) and each field's length and bytes, then -1 as the field count.
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_COPY_TRAILER = b"\xff\xff"
_ONE_FIELD = b"\x00\x01"
_COPY_ROWS = 20_000


def _binary_rows(entries: Sequence[bytes], *, first: bool) -> bytes:
    parts = [_COPY_HEADER] if first else []
    append = parts.append
    for entry in entries:
        append(_ONE_FIELD + len(entry).to_bytes(4, "big"))
        append(entry)
    return b"".join(parts)


# --- batch disclosures ------------------------------------------------------------------------


def insert_batch_entry(session: Session, entry: bytes) -> int:
    """A batch disclosure's entry, pending like any other; its id, by which its members name it
    (the leaf keeps it as `entry_id`). Written at once even in a session that holds its entries
    back: its members need the id. What the session gathered goes first, so the log keeps the
    order in which the session recorded."""
    flush(session)
    return int(
        session.connection()
        .execute(sa.insert(_pending).values(entry=entry).returning(_pending.c.id))
        .scalar_one()
    )


def insert_members(session: Session, entry_id: int, blocks: Sequence[bytes]) -> None:
    """The batch's members, a block of pseudonyms to a row (see `batch`)."""
    if blocks:
        session.connection().execute(
            sa.insert(_members),
            [
                {"entry_id": entry_id, "block": n, "first_subject": b[:32], "subjects": b}
                for n, b in enumerate(blocks)
            ],
        )


def insert_member_nodes(session: Session, entry_id: int, nodes: Mapping[Subtree, bytes]) -> None:
    if nodes:
        session.connection().execute(
            sa.insert(_member_nodes),
            [
                {"entry_id": entry_id, "level": level, "idx": idx, "hash": h}
                for (level, idx), h in nodes.items()
            ],
        )


def _as_bytes(column: sa.ColumnElement[bytes]) -> sa.ColumnElement[bytes]:
    return sa.cast(column, sa.LargeBinary())


def member_rows(session: Session, entry_id: int, blocks: Iterable[int]) -> dict[int, bytes]:
    """Block number -> the block's pseudonyms, for the blocks asked of one batch."""
    rows = session.execute(
        sa.select(_members.c.block, _as_bytes(_members.c.subjects)).where(
            _members.c.entry_id == entry_id, _members.c.block.in_(sorted(set(blocks)))
        )
    )
    return {block: bytes(subjects) for block, subjects in rows}


def member_nodes(session: Session, entry_id: int, keys: Iterable[Subtree]) -> dict[Subtree, bytes]:
    """The stored hashes asked of one batch's member tree (a handful: a proof's)."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    found = sa.tuple_(_member_nodes.c.level, _member_nodes.c.idx).in_(wanted)
    rows = session.execute(
        sa.select(_member_nodes.c.level, _member_nodes.c.idx, _member_nodes.c.hash).where(
            _member_nodes.c.entry_id == entry_id, found
        )
    )
    return {(level, idx): bytes(h) for level, idx, h in rows}


# In each batch, the one block that holds the subject if any does: the last whose first
# pseudonym is not above theirs (found through ix_ledger_member_first, one probe per batch).
_SUBJECT_BLOCKS = sa.text(
    "SELECT m.entry_id, m.block, m.subjects FROM ledger_member AS e "
    "JOIN ledger_member AS m ON m.entry_id = e.entry_id AND m.block = ("
    "SELECT i.block FROM ledger_member AS i WHERE i.entry_id = e.entry_id "
    "AND i.first_subject <= :s ORDER BY i.first_subject DESC LIMIT 1) "
    "WHERE e.block = 0"
)


def memberships(session: Session, subject: bytes) -> list[tuple[int, int]]:
    """(batch entry id, member index) of every batch the subject (a pseudonym's bytes) is in."""
    found = []
    for entry_id, block, subjects in session.execute(_SUBJECT_BLOCKS, {"s": subject}):
        members = batches.split(bytes(subjects))
        i = bisect_left(members, subject)
        if i < len(members) and members[i] == subject:
            found.append((entry_id, (block << batches.BLOCK_LEVEL) + i))
    return found


def batch_leaves(session: Session, marker: bytes) -> list[tuple[int, int, bytes]]:
    """(leaf index, entry id, entry) of every leaf whose entry holds `marker` (what starts a
    batch header): a scan of the log, as verification is."""
    where = (
        "position(CAST(:m AS bytea) IN entry) > 0"
        if _postgresql(session)
        else "instr(entry, :m) > 0"
    )
    rows = session.execute(
        sa.text(
            f"SELECT leaf_index, entry_id, entry FROM ledger_leaf WHERE {where} ORDER BY leaf_index"
        ),
        {"m": marker},
    )
    return [(index, entry_id, bytes(entry)) for index, entry_id, entry in rows]


def members_of(session: Session, entry_id: int) -> list[tuple[int, bytes, bytes]]:
    """(block number, first pseudonym, pseudonyms) of a batch, in block order."""
    # CAST: a row edited by hand may hold text where bytes belong, and must still be read.
    rows = session.execute(
        sa.select(
            _members.c.block, _as_bytes(_members.c.first_subject), _as_bytes(_members.c.subjects)
        )
        .where(_members.c.entry_id == entry_id)
        .order_by(_members.c.block)
    )
    return [(block, bytes(first), bytes(subjects)) for block, first, subjects in rows]


def member_nodes_of(session: Session, entry_id: int) -> dict[Subtree, bytes]:
    rows = session.execute(
        sa.select(_member_nodes.c.level, _member_nodes.c.idx, _member_nodes.c.hash).where(
            _member_nodes.c.entry_id == entry_id
        )
    )
    return {(level, idx): bytes(h) for level, idx, h in rows}


def member_entry_ids(session: Session) -> list[int]:
    """Every batch the member table names."""
    return list(session.execute(sa.select(_members.c.entry_id).distinct()).scalars())


def leaves_of_entries(session: Session, entry_ids: Sequence[int]) -> dict[int, int]:
    """entry id -> leaf index, for those of `entry_ids` that are in the log."""
    found: dict[int, int] = {}
    for start in range(0, len(entry_ids), _CHUNK):
        chunk = list(entry_ids[start : start + _CHUNK])
        rows = session.execute(
            sa.select(_leaves.c.entry_id, _leaves.c.leaf_index).where(_leaves.c.entry_id.in_(chunk))
        )
        found.update((entry_id, index) for entry_id, index in rows)
    return found


# --- the sequencer -----------------------------------------------------------------------------


def lock_sequencer(session: Session) -> bool:
    """Whether this transaction is now the only sequencer, until it ends.

    PostgreSQL: a transaction-scoped advisory lock, released by commit, rollback or a dropped
    connection (a killed sequencer holds nothing). SQLite: writing transactions begin IMMEDIATE,
    so the database's write lock is already held."""
    if not _postgresql(session):
        return True
    taken = session.execute(
        sa.text("SELECT pg_try_advisory_xact_lock(:k, hashtext(current_schema()))"),
        {"k": _SEQUENCER_LOCK},
    )
    return bool(taken.scalar_one())


_TAIL = sa.select(_leaves.c.leaf_index, _leaves.c.sequenced_at).order_by(
    _leaves.c.leaf_index.desc()
)


def tail(session: Session) -> tuple[int, dt.datetime | None]:
    """(leaves stored, when the last one was sequenced)."""
    row = session.execute(_TAIL.limit(1)).first()
    return (0, None) if row is None else (row.leaf_index + 1, row.sequenced_at)


def clock(session: Session) -> dt.datetime:
    """The database's clock (PostgreSQL: the transaction's start, as the pending guard reads it)."""
    if _postgresql(session):
        value: dt.datetime = session.execute(sa.text("SELECT now()")).scalar_one()
        return value.astimezone(dt.UTC)
    return utcnow()


def ensure_partitions(session: Session, months: Iterable[dt.date]) -> None:
    """PostgreSQL: create the log's partitions for these months if missing (DDL, rarely)."""
    if not _postgresql(session):
        return
    for month in months:
        name = f"ledger_leaf_{month:%Y_%m}"
        if session.execute(sa.text("SELECT to_regclass(:n)"), {"n": name}).scalar() is None:
            session.execute(sa.text("SELECT lawful_ledger_partition(:m)"), {"m": month})


_PENDING_BATCH = sa.select(_pending.c.id, _pending.c.entry).order_by(_pending.c.id)


def pending_batch(session: Session, limit: int) -> list[tuple[int, bytes]]:
    flush(session)
    rows = session.execute(_PENDING_BATCH.limit(limit))
    return [(row.id, bytes(row.entry)) for row in rows]


def insert_leaves(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    session.connection().execute(sa.insert(_leaves), list(rows))


def insert_nodes(session: Session, nodes: Mapping[Subtree, bytes]) -> None:
    if nodes:
        session.connection().execute(
            sa.insert(_nodes),
            [{"level": level, "idx": idx, "hash": h} for (level, idx), h in nodes.items()],
        )


def delete_pending(session: Session, ids: Sequence[int]) -> None:
    if _postgresql(session):  # one statement, so that the guard checks the batch once
        session.execute(sa.text("DELETE FROM ledger_pending WHERE id = ANY(:ids)"), {"ids": ids})
        return
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        session.execute(sa.delete(_pending).where(_pending.c.id.in_(chunk)))


def insert_head(session: Session, head: TreeHead) -> None:
    session.execute(
        sa.insert(_heads).values(
            tree_size=head.tree_size,
            root_hash=head.root_hash,
            signed_at=head.signed_at,
            key_id=head.key_id,
            signature=head.signature,
        )
    )


# --- tree heads and stored subtrees ------------------------------------------------------------


def _head(row: Any) -> TreeHead:
    return TreeHead(
        tree_size=row.tree_size,
        root_hash=bytes(row.root_hash),
        signed_at=row.signed_at,
        key_id=row.key_id,
        signature=bytes(row.signature),
    )


def latest_head(session: Session) -> TreeHead | None:
    row = session.execute(sa.select(_heads).order_by(_heads.c.tree_size.desc()).limit(1)).first()
    return None if row is None else _head(row)


def head_of_size(session: Session, tree_size: int) -> TreeHead | None:
    row = session.execute(sa.select(_heads).where(_heads.c.tree_size == tree_size)).first()
    return None if row is None else _head(row)


def heads(session: Session) -> list[TreeHead]:
    return [_head(row) for row in session.execute(sa.select(_heads).order_by(_heads.c.tree_size))]


_SIZE = sa.select((sa.func.coalesce(sa.func.max(_leaves.c.leaf_index), -1) + 1).label("size"))


def log_state(session: Session) -> tuple[int, list[TreeHead]]:
    """(leaves stored, every signed head) read in one statement, hence one snapshot: a batch the
    sequencer commits meanwhile shows in both or in neither."""
    size = _SIZE.subquery()
    rows = session.execute(
        sa.select(size.c.size, *_heads.c)
        .select_from(size.outerjoin(_heads, sa.true()))
        .order_by(_heads.c.tree_size)
    ).all()
    return (rows[0].size if rows else 0), [_head(row) for row in rows if row.tree_size is not None]


def stored_subtrees(session: Session, blocks: set[Block]) -> dict[Subtree, bytes]:
    """Every stored hash in the blocks: leaf hashes for level 0, `ledger_node` above.

    One statement for the leaves and one for the nodes, each a disjunction of index ranges
    written as integer literals (they are computed here, never given)."""
    wide = 1 << STRIDE
    found: dict[Subtree, bytes] = {}
    ranges = sorted(blocks)
    for start in range(0, len(ranges), _RANGES):
        chunk = ranges[start : start + _RANGES]
        leaves = [
            f"leaf_index BETWEEN {b * wide} AND {b * wide + wide - 1}" for lv, b in chunk if not lv
        ]
        if leaves:
            rows = session.execute(
                sa.text(
                    f"SELECT leaf_index, leaf_hash FROM ledger_leaf WHERE {' OR '.join(leaves)}"
                )
            )
            found.update(((0, index), bytes(h)) for index, h in rows)
        nodes = [
            f"(level = {lv} AND idx BETWEEN {b * wide} AND {b * wide + wide - 1})"
            for lv, b in chunk
            if lv
        ]
        if nodes:
            rows = session.execute(
                sa.text(f"SELECT level, idx, hash FROM ledger_node WHERE {' OR '.join(nodes)}")
            )
            found.update(((level, idx), bytes(h)) for level, idx, h in rows)
    return found


# --- records -----------------------------------------------------------------------------------

_RECORDS = sa.union_all(
    sa.select(
        _leaves.c.leaf_index.label("position"),
        sa.literal(0).label("id"),
        _leaves.c.entry,
    ).where(sa.text(subject_key("ledger_leaf.entry") + " = :p")),
    sa.select(sa.null().label("position"), _pending.c.id, _pending.c.entry).where(
        sa.text(subject_key("ledger_pending.entry") + " = :p")
    ),
)


def for_pseudonym(session: Session, pseudonym: str) -> list[LedgerRecord]:
    """The subject's records, batch disclosures they are a member of included: sequenced ones in
    leaf order, then pending ones in arrival order.

    One statement for their own entries, hence one snapshot: an entry the sequencer moves
    meanwhile is read once; one for the batches (whose members never change) likewise."""
    flush(session)
    rows = list(session.execute(_RECORDS, {"p": pseudonym.encode()}))
    subject = bytes.fromhex(pseudonym)
    members = dict(memberships(session, subject))
    found: list[tuple[int | None, int, bytes, Membership | None]] = [
        (row.position, row.id, bytes(row.entry), None) for row in rows
    ]
    for position, entry_id, entry in _batch_entries(session, sorted(members)):
        found.append((position, entry_id, entry, Membership(members[entry_id], subject, entry_id)))
    found.sort(key=lambda row: (1, row[1]) if row[0] is None else (0, row[0]))
    return [LedgerRecord.of(entry, position, member) for position, _, entry, member in found]


def _batch_entries(
    session: Session, entry_ids: Sequence[int]
) -> list[tuple[int | None, int, bytes]]:
    """(leaf index or None while pending, entry id, entry) of batch entries, in one statement."""
    if not entry_ids:
        return []
    rows = session.execute(
        sa.union_all(
            sa.select(_leaves.c.leaf_index, _leaves.c.entry_id, _leaves.c.entry).where(
                _leaves.c.entry_id.in_(entry_ids)
            ),
            sa.select(sa.null(), _pending.c.id, _pending.c.entry).where(
                _pending.c.id.in_(entry_ids)
            ),
        )
    )
    return [(position, entry_id, bytes(entry)) for position, entry_id, entry in rows]


def recent(session: Session, limit: int) -> list[LedgerRecord]:
    """The last `limit` records, oldest first (pending ones last)."""
    flush(session)
    pending = session.execute(
        sa.select(_pending.c.entry).order_by(_pending.c.id.desc()).limit(limit)
    ).all()
    left = limit - len(pending)
    leaves = (
        session.execute(
            sa.select(_leaves.c.leaf_index, _leaves.c.entry)
            .order_by(_leaves.c.leaf_index.desc())
            .limit(left)
        ).all()
        if left > 0
        else []
    )
    return [LedgerRecord.of(bytes(r.entry), r.leaf_index) for r in reversed(leaves)] + [
        LedgerRecord.of(bytes(r.entry), None) for r in reversed(pending)
    ]


def counts(session: Session) -> Counts:
    """Both counts in one statement, hence one snapshot: a batch the sequencer moves from
    pending to the log meanwhile is counted once, on one side or the other."""
    flush(session)
    pending = sa.select(sa.func.count()).select_from(_pending).scalar_subquery()
    row = session.execute(sa.select(_SIZE.scalar_subquery(), pending)).one()
    return Counts(sequenced=row[0], pending=row[1])

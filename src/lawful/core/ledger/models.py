"""Ledger tables. The migration installs triggers refusing UPDATE and DELETE on the log.

- `ledger_pending`: entries appended by requests, in their own transaction, with no lock; each
  stays until the sequencer moves it into the log (the only DELETE allowed, checked by trigger).
- `ledger_leaf`: the log, one row per leaf of the Merkle tree, in leaf order; it keeps the entry
  exactly as hashed. On PostgreSQL it is partitioned by month of sequencing.
- `ledger_node`: hashes of the complete subtrees of every fourth level, so that proofs and roots
  come from a few stored hashes instead of the whole log.
- `ledger_tree_head`: the signed tree heads.
- `ledger_member`, `ledger_member_node`: the members of batch disclosures (one entry for a
  transfer of many subjects' data) and their Merkle tree's stored subtrees (see `batch`).
- `ledger_verification`: every verification run (command line or console) and its result, so
  that the last intact check and its age are known to any process, after any restart.

Entries are indexed by subject on the pseudonym's bytes inside the entry itself
(`entry.subject_key`), so no separate column can say otherwise than what was hashed.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lawful.core.db import Base, UTCDateTime

# SQLite only makes a rowid alias of a column declared exactly INTEGER: rows are then stored in
# that order and found without a separate index.
Position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class LedgerPending(Base):
    __tablename__ = "ledger_pending"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012

    id: Mapped[int] = mapped_column(Position, sa.Identity(), primary_key=True)
    entry: Mapped[bytes] = mapped_column(sa.LargeBinary())


class LedgerLeaf(Base):
    __tablename__ = "ledger_leaf"

    leaf_index: Mapped[int] = mapped_column(Position, primary_key=True, autoincrement=False)
    sequenced_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    entry_id: Mapped[int] = mapped_column(Position)  # its id in ledger_pending
    entry: Mapped[bytes] = mapped_column(sa.LargeBinary())
    leaf_hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32))


class LedgerNode(Base):
    __tablename__ = "ledger_node"

    level: Mapped[int] = mapped_column(sa.SmallInteger(), primary_key=True)
    idx: Mapped[int] = mapped_column(sa.BigInteger(), primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32))


class LedgerTreeHead(Base):
    __tablename__ = "ledger_tree_head"

    tree_size: Mapped[int] = mapped_column(sa.BigInteger(), primary_key=True, autoincrement=False)
    root_hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    key_id: Mapped[str] = mapped_column(sa.String(64))
    signature: Mapped[bytes] = mapped_column(sa.LargeBinary(64))


class LedgerMember(Base):
    """The members of batch disclosures, a block of them to a row: the batch's entry (its id in
    `ledger_pending`, kept by its leaf), the block's number, its first pseudonym (by which a
    subject's block is found) and its pseudonyms' bytes end to end, in member order."""

    __tablename__ = "ledger_member"
    __table_args__ = (
        sa.Index("ix_ledger_member_first", "entry_id", "first_subject"),
        sa.Index("ix_ledger_member_block", "block"),
    )

    entry_id: Mapped[int] = mapped_column(Position, primary_key=True, autoincrement=False)
    block: Mapped[int] = mapped_column(sa.BigInteger(), primary_key=True, autoincrement=False)
    first_subject: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
    subjects: Mapped[bytes] = mapped_column(sa.LargeBinary())


class LedgerMemberNode(Base):
    """Hashes of the complete subtrees of every fourth level of each batch's member tree, from
    a block's level up."""

    __tablename__ = "ledger_member_node"
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012

    entry_id: Mapped[int] = mapped_column(Position, primary_key=True, autoincrement=False)
    level: Mapped[int] = mapped_column(sa.SmallInteger(), primary_key=True)
    idx: Mapped[int] = mapped_column(sa.BigInteger(), primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32))


class LedgerVerification(Base):
    """One run of the verification: when, how far, what it found, who ran it, how long."""

    __tablename__ = "ledger_verification"
    __table_args__ = (sa.Index("ix_ledger_verification_finished_at", "finished_at"),)

    id: Mapped[int] = mapped_column(Position, sa.Identity(), primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    tree_size: Mapped[int] = mapped_column(sa.BigInteger())  # leaves stored when checked
    events: Mapped[int] = mapped_column(sa.BigInteger())  # leaves found intact
    heads: Mapped[int] = mapped_column(sa.Integer())  # signed tree heads checked
    intact: Mapped[bool] = mapped_column(sa.Boolean())
    first_bad: Mapped[int | None] = mapped_column(sa.BigInteger(), nullable=True)
    problem: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    message: Mapped[str] = mapped_column(sa.String(500))
    run_by: Mapped[str] = mapped_column(sa.String(120))  # "cli", or a staff member's role:id
    seconds: Mapped[float] = mapped_column(sa.Float())

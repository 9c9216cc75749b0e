"""Ledger tables. Append-only: the migration installs triggers refusing UPDATE and DELETE.

List-valued fields are stored as their canonical JSON text, which is exactly what the hash covers,
so the chain can be verified from the stored values without parsing them.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lawful.core.db import Base, UTCDateTime

# SQLite only makes a rowid alias of a column declared exactly INTEGER: the ledger is then stored
# in sequence order and read back without a separate index.
Sequence = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Name = sa.String(200)


class LedgerEvent(Base):
    __tablename__ = "ledger_event"

    sequence: Mapped[int] = mapped_column(Sequence, primary_key=True, autoincrement=False)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(Name)
    actor_kind: Mapped[str] = mapped_column(Name)
    entity: Mapped[str] = mapped_column(Name)
    purpose: Mapped[str] = mapped_column(Name)
    legal_basis: Mapped[str] = mapped_column(Name)
    subject_pseudonym: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    data_categories: Mapped[str] = mapped_column(sa.Text())
    recipient: Mapped[str | None] = mapped_column(Name)
    decision: Mapped[str] = mapped_column(sa.String(5))
    reasons: Mapped[str] = mapped_column(sa.Text())
    obligations: Mapped[str] = mapped_column(sa.Text())
    event: Mapped[str] = mapped_column(Name)
    details: Mapped[bytes | None] = mapped_column(sa.LargeBinary())
    prev_hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
    hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32))

    __table_args__ = (
        sa.CheckConstraint("decision IN ('allow', 'deny')", name="decision"),
        sa.CheckConstraint("sequence > 0", name="sequence_positive"),
    )


class LedgerCheckpoint(Base):
    """A signed statement "the ledger had `hash` at `sequence`": it pins the prefix it covers."""

    __tablename__ = "ledger_checkpoint"

    id: Mapped[int] = mapped_column(sa.Integer(), primary_key=True)
    sequence: Mapped[int] = mapped_column(Sequence, index=True)
    hash: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    key_id: Mapped[str] = mapped_column(sa.String(64))
    signature: Mapped[bytes] = mapped_column(sa.LargeBinary(64))

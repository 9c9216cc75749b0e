"""Per-subject keys. Not append-only: shredding overwrites the wrapped key with NULL."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lawful.core.db import Base, UTCDateTime


class VaultKey(Base):
    __tablename__ = "vault_key"

    # The subject's pseudonym, never the subject id: the vault holds no personal data.
    subject_ref: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    # AES-GCM(master key, subject key); NULL once shredded, the row staying as a tombstone so that
    # no new key is silently minted for an erased subject.
    wrapped_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary())
    # Which vault master key version wraps it (0 once shredded): `lawful keys rotate` rewraps
    # every live key with a new version, then destroys the old master key.
    master_version: Mapped[int] = mapped_column(sa.Integer(), server_default="1", index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    shredded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

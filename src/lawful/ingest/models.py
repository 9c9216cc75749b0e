"""The event keys systems gave their recorded events: how a retried batch is recognised."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lawful.core.db import Base, UTCDateTime


class IngestKey(Base):
    __tablename__ = "ingest_key"
    # SQLite: the table is its primary key's index, so a key is stored once, not twice.
    __table_args__ = {"sqlite_with_rowid": False}  # noqa: RUF012

    system: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    event_key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    # PostgreSQL fills it in (the transaction's start) for rows sent by COPY.
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), server_default=sa.func.now())

"""Facts about the installation itself, kept in its database (e.g. "the demo world is complete")."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from lawful.core.db import Base, UTCDateTime, utcnow


class InstallationMarker(Base):
    __tablename__ = "installation_marker"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.Text())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


def marker(session: Session, name: str) -> str | None:
    return session.execute(
        sa.select(InstallationMarker.value).where(InstallationMarker.name == name)
    ).scalar_one_or_none()


def set_marker(session: Session, name: str, value: str) -> None:
    session.execute(sa.delete(InstallationMarker).where(InstallationMarker.name == name))
    session.execute(
        sa.insert(InstallationMarker).values(name=name, value=value, created_at=utcnow())
    )

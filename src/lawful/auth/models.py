"""Who calls the API: staff members (a role acting for one entity) and customers, by token."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lawful.core.db import Base, UTCDateTime


class StaffMember(Base):
    __tablename__ = "staff_member"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    display_name: Mapped[str] = mapped_column(sa.String(100))
    role: Mapped[str] = mapped_column(sa.String(64))  # a register role id
    entity: Mapped[str] = mapped_column(sa.String(64))  # the group entity it acts for


class ApiToken(Base):
    """Only the SHA-256 of a token is stored; the token itself is shown once, when issued."""

    __tablename__ = "api_token"

    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # staff, customer, system
    staff_id: Mapped[str | None] = mapped_column(sa.ForeignKey("staff_member.id"))
    person_id: Mapped[str | None] = mapped_column(sa.ForeignKey("person.id"))
    # A system token: the register role of kind system, and the group entity it acts for.
    system: Mapped[str | None] = mapped_column(sa.String(64))
    entity: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

"""Data-subject rights (GDPR Art. 12-22): tracked requests, objections, legal holds."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lawful.core.db import Base, UTCDateTime
from lawful.customers.models import PersonId


class RightsRequest(Base):
    """One request, from receipt to answer: one month, extendable by two with a reason (12(3))."""

    __tablename__ = "rights_request"
    __table_args__ = (
        sa.Index("ix_rights_request_status_deadline", "status", "deadline"),
        # The request queue: an entity's requests by deadline, page after page.
        sa.Index("ix_rights_request_entity_deadline", "entity", "deadline", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(PersonId, sa.ForeignKey("person.id"), index=True)
    type: Mapped[str] = mapped_column(sa.String(16))  # access, objection, rectification, erasure…
    status: Mapped[str] = mapped_column(sa.String(16))  # received, in_progress, completed, refused
    channel: Mapped[str] = mapped_column(sa.String(16))  # api (the customer), staff
    registered_by: Mapped[str] = mapped_column(sa.String(64))
    received_on: Mapped[dt.date] = mapped_column(sa.Date)
    deadline: Mapped[dt.date] = mapped_column(sa.Date)
    # Free texts (the extension's reason, the grounds of a decision and of closing) are sealed
    # with the person's vault key (see `rights.sealed`); `outcome` holds facts only, and
    # outlives erasure.
    extension_reason: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(sa.Text)  # JSON: what was done, kept, and why
    # The entity the request was made to (the customer's, or the registering staff member's):
    # its staff see and answer it. None for requests made before entities were recorded.
    entity: Mapped[str | None] = mapped_column(sa.String(64))
    decision_grounds: Mapped[bytes | None] = mapped_column(sa.LargeBinary)  # why approved or not
    decided_by: Mapped[str | None] = mapped_column(sa.String(64))  # role:staff-id
    closing_grounds: Mapped[bytes | None] = mapped_column(sa.LargeBinary)  # why a restriction ends


class Objection(Base):
    """Art. 21. `purpose` is a register purpose id; `direct_marketing` covers every DM purpose."""

    __tablename__ = "objection"
    __table_args__ = (sa.Index("ix_objection_person", "person_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(PersonId, sa.ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(sa.String(16))  # particular_situation, direct_marketing
    purpose: Mapped[str | None] = mapped_column(sa.String(64))  # None for direct marketing
    status: Mapped[str] = mapped_column(sa.String(16))  # pending, upheld, rejected
    # Sealed with the person's vault key (see `rights.sealed`).
    grounds: Mapped[bytes | None] = mapped_column(sa.LargeBinary)  # their particular situation
    decision_grounds: Mapped[bytes | None] = mapped_column(sa.LargeBinary)  # compelling grounds
    decided_by: Mapped[str | None] = mapped_column(sa.String(64))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rights_request.id"))


class LegalHold(Base):
    """Data kept despite erasure, under a register legal hold.

    `until`: the last day before the retention job decides again (what the policy reads);
    `ends_on`: the hold's real end, None while the end it counts from has not come.
    """

    __tablename__ = "legal_hold"
    __table_args__ = (sa.Index("ix_legal_hold_until", "until", "released_at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(PersonId, sa.ForeignKey("person.id"), index=True)
    hold: Mapped[str] = mapped_column(sa.String(64))  # register legal_holds[].id
    reason: Mapped[str] = mapped_column(sa.Text)
    until: Mapped[dt.date] = mapped_column(sa.Date)
    ends_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

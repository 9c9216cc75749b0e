"""The complaints register: one row per complaint, and every step it went through."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lawful.core.db import Base, UTCDateTime
from lawful.customers.models import PersonId


class Complaint(Base):
    """A complaint from receipt to closing. The person's own words (`summary`) are sealed with
    their vault key: erasure leaves them unreadable while the register's facts stay, which the
    root-cause statistics and the proof of an answer given need."""

    __tablename__ = "complaint"
    __table_args__ = (
        # The staff queue and the overdue list: an entity's open complaints by deadline.
        sa.Index("ix_complaint_entity_status_due", "entity", "status", "answer_due", "id"),
        sa.Index("ix_complaint_person", "person_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(PersonId, sa.ForeignKey("person.id"))
    entity: Mapped[str] = mapped_column(sa.String(64))  # the entity complained about
    source: Mapped[str] = mapped_column(sa.String(32))  # customer, branch, ombudsfin…
    source_ref: Mapped[str | None] = mapped_column(sa.String(64))  # an external body's case
    product_kind: Mapped[str] = mapped_column(sa.String(16))  # account, card, loan, home_policy
    product_id: Mapped[int] = mapped_column(sa.Integer)
    root_cause: Mapped[str] = mapped_column(sa.String(32))
    regime: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16))
    escalated_to: Mapped[str | None] = mapped_column(sa.String(32))
    summary: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    received_on: Mapped[dt.date] = mapped_column(sa.Date)
    acknowledge_due: Mapped[dt.date] = mapped_column(sa.Date)
    answer_due: Mapped[dt.date] = mapped_column(sa.Date)
    extended: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    closed_on: Mapped[dt.date | None] = mapped_column(sa.Date)


class ComplaintStep(Base):
    """One recorded step: a transition, a holding reply, an escalation, a data request. Its
    reason, when it has one, is sealed with the person's key as the summary is."""

    __tablename__ = "complaint_step"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    complaint_id: Mapped[int] = mapped_column(sa.ForeignKey("complaint.id"), index=True)
    step: Mapped[str] = mapped_column(sa.String(32))
    status: Mapped[str] = mapped_column(sa.String(16))  # the complaint's status after the step
    recipient: Mapped[str | None] = mapped_column(sa.String(64))  # a data request's addressee
    by: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    reason: Mapped[bytes | None] = mapped_column(sa.LargeBinary)

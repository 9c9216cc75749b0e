"""Offers made to customers (activity 6) and the profiles they were chosen from (activity 13).

An offer keeps what chose it: the rule, and the facts of the file the rule read, so that "why
this offer" is answered from what was decided, not recomputed. A profile (segment) is one row per
customer, replaced at each run; a direct-marketing objection deletes both at the next run, and
no offer is shown to an objector meanwhile.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lawful.core.db import Base, UTCDateTime
from lawful.customers.models import PersonId


def _person_fk() -> sa.ForeignKey:
    return sa.ForeignKey("person.id", ondelete="CASCADE")


class Offer(Base):
    __tablename__ = "offer"
    __table_args__ = (
        sa.Index("ix_offer_person", "person_id", "status"),
        sa.Index("ix_offer_made_on", "made_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(PersonId, _person_fk())
    product: Mapped[str] = mapped_column(sa.String(48))  # the catalogue's id
    entity: Mapped[str] = mapped_column(sa.String(64))  # the group entity making the offer
    partner: Mapped[str | None] = mapped_column(sa.String(64))  # the register's recipient id
    purpose: Mapped[str] = mapped_column(sa.String(64))
    rule: Mapped[str] = mapped_column(sa.String(64))  # the rule (and its version) that chose it
    facts: Mapped[str] = mapped_column(sa.Text)  # JSON: the facts the rule read
    # open (shown), accepted (the customer asked for it; a partner's: put in touch), declined
    status: Mapped[str] = mapped_column(sa.String(16))
    made_on: Mapped[dt.date] = mapped_column(sa.Date)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Segment(Base):
    """A customer's profile for commercial strategy: product mix, age band, card use."""

    __tablename__ = "customer_segment"
    __table_args__ = (sa.Index("ix_customer_segment_cell", "entity", "segment", "age_band"),)

    person_id: Mapped[str] = mapped_column(PersonId, _person_fk(), primary_key=True)
    entity: Mapped[str] = mapped_column(sa.String(64))  # the entity that profiled the customer
    segment: Mapped[str] = mapped_column(sa.String(32))
    age_band: Mapped[str] = mapped_column(sa.String(8))
    card_use: Mapped[str] = mapped_column(sa.String(16))
    computed_on: Mapped[dt.date] = mapped_column(sa.Date)

"""The customer file (dossier client): persons, relationships, products, identification records.

Every table keys on `person_id`; the person id is the subject id the gate and the ledger know
(the ledger only ever sees its keyed pseudonym). No ORM relationships: repositories query by id,
set-based, so N+1 patterns cannot creep in.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lawful.core.db import Base, UTCDateTime

PersonId = sa.String(32)
EntityId = sa.String(64)


def _person_fk() -> sa.ForeignKey:
    return sa.ForeignKey("person.id", ondelete="CASCADE")


class Person(Base):
    __tablename__ = "person"

    id: Mapped[str] = mapped_column(PersonId, primary_key=True)
    national_number: Mapped[str | None] = mapped_column(sa.String(11), unique=True)
    first_name: Mapped[str | None] = mapped_column(sa.String(100))
    last_name: Mapped[str | None] = mapped_column(sa.String(100))
    birth_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(20))  # E.164
    street: Mapped[str | None] = mapped_column(sa.String(200))
    postcode: Mapped[str | None] = mapped_column(sa.String(4))
    city: Mapped[str | None] = mapped_column(sa.String(100))
    region: Mapped[str | None] = mapped_column(sa.String(16))  # flanders, wallonia, brussels
    brand: Mapped[str] = mapped_column(sa.String(32))  # the brand serving the region
    language: Mapped[str] = mapped_column(sa.String(2))  # fr, nl, de, en
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # Set when the person was erased: the row stays as a tombstone without personal data, so the
    # ledger's pseudonym keeps pointing at "erased" instead of at nothing.
    erased_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Relationship(Base):
    """One period in one state with one entity; `until` is the last day, None while it lasts."""

    __tablename__ = "relationship"
    __table_args__ = (sa.Index("ix_relationship_person", "person_id", "entity"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(PersonId, _person_fk())
    entity: Mapped[str] = mapped_column(EntityId)
    state: Mapped[str] = mapped_column(sa.String(16))  # prospect, client, former_client
    since: Mapped[dt.date] = mapped_column(sa.Date)
    until: Mapped[dt.date | None] = mapped_column(sa.Date)


class Account(Base):
    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(PersonId, _person_fk(), index=True)
    entity: Mapped[str] = mapped_column(EntityId)
    kind: Mapped[str] = mapped_column(sa.String(16))  # current, savings
    iban: Mapped[str] = mapped_column(sa.String(34), unique=True)
    opened_on: Mapped[dt.date] = mapped_column(sa.Date)
    closed_on: Mapped[dt.date | None] = mapped_column(sa.Date)


class Card(Base):
    __tablename__ = "card"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(PersonId, _person_fk(), index=True)
    entity: Mapped[str] = mapped_column(EntityId)
    account_id: Mapped[int | None] = mapped_column(sa.ForeignKey("account.id", ondelete="SET NULL"))
    last_digits: Mapped[str] = mapped_column(sa.String(4))  # never the full card number
    credit_limit_cents: Mapped[int] = mapped_column(sa.BigInteger)
    opened_on: Mapped[dt.date] = mapped_column(sa.Date)
    closed_on: Mapped[dt.date | None] = mapped_column(sa.Date)


class CardStatement(Base):
    __tablename__ = "card_statement"
    __table_args__ = (sa.Index("ix_card_statement_due", "due_date", "paid_on"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    card_id: Mapped[int] = mapped_column(sa.ForeignKey("card.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[str] = mapped_column(PersonId, _person_fk(), index=True)
    period_end: Mapped[dt.date] = mapped_column(sa.Date)
    balance_cents: Mapped[int] = mapped_column(sa.BigInteger)
    minimum_due_cents: Mapped[int] = mapped_column(sa.BigInteger)
    due_date: Mapped[dt.date] = mapped_column(sa.Date)
    paid_on: Mapped[dt.date | None] = mapped_column(sa.Date)


class Loan(Base):
    __tablename__ = "loan"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(PersonId, _person_fk(), index=True)
    entity: Mapped[str] = mapped_column(EntityId)
    kind: Mapped[str] = mapped_column(sa.String(16))  # mortgage, consumer, car
    principal_cents: Mapped[int] = mapped_column(sa.BigInteger)
    rate_bp: Mapped[int] = mapped_column(sa.Integer)  # annual rate in basis points
    start_on: Mapped[dt.date] = mapped_column(sa.Date)
    end_on: Mapped[dt.date] = mapped_column(sa.Date)


class HomePolicy(Base):
    """A home insurance policy and the property it insures (the flood process reads these)."""

    __tablename__ = "home_policy"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(PersonId, _person_fk(), index=True)
    entity: Mapped[str] = mapped_column(EntityId)
    policy_number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    street: Mapped[str] = mapped_column(sa.String(200))
    postcode: Mapped[str] = mapped_column(sa.String(4))
    city: Mapped[str] = mapped_column(sa.String(100))
    region: Mapped[str] = mapped_column(sa.String(16))
    latitude: Mapped[float] = mapped_column(sa.Float)
    longitude: Mapped[float] = mapped_column(sa.Float)
    construction_year: Mapped[int] = mapped_column(sa.Integer)
    start_on: Mapped[dt.date] = mapped_column(sa.Date)
    end_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    # The risk figures a reinsurer is sent; unknown on policies taken before they were recorded.
    sum_insured_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    premium_cents: Mapped[int | None] = mapped_column(sa.BigInteger)  # annual


class KycRecord(Base):
    """An identification performed by one group entity: what was checked, how well, until when."""

    __tablename__ = "kyc_record"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(PersonId, _person_fk(), index=True)
    entity: Mapped[str] = mapped_column(EntityId)  # performed by (or reused by) this entity
    method: Mapped[str] = mapped_column(sa.String(16))  # branch, eid_reader, itsme, video, reuse
    document_type: Mapped[str] = mapped_column(sa.String(16))  # eid, passport, residence_permit
    document_number: Mapped[str] = mapped_column(sa.String(32))
    level: Mapped[int] = mapped_column(sa.Integer)  # 1 simplified, 2 standard, 3 enhanced
    performed_on: Mapped[dt.date] = mapped_column(sa.Date)
    expires_on: Mapped[dt.date] = mapped_column(sa.Date)
    reused_from: Mapped[int | None] = mapped_column(sa.ForeignKey("kyc_record.id"))


class Rectification(Base):
    """Keeping the file up to date is rectification with history: who, when, what, why."""

    __tablename__ = "rectification"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(PersonId, _person_fk(), index=True)
    field: Mapped[str] = mapped_column(sa.String(32))
    before: Mapped[str | None] = mapped_column(sa.Text)
    after: Mapped[str | None] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.Text)
    changed_by: Mapped[str] = mapped_column(sa.String(64))  # role:staff-id, or "customer"
    entity: Mapped[str] = mapped_column(EntityId)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Preference(Base):
    """A notification the person switched off (Profile > Notifications); absent means on."""

    __tablename__ = "preference"

    person_id: Mapped[str] = mapped_column(PersonId, _person_fk(), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(sa.Boolean)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Consent(Base):
    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(PersonId, _person_fk(), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(64))
    given_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Application(Base):
    """A person's application to become a client of one entity of the group.

    Filed by the person (self-service), or recorded at a branch by that entity's staff with the
    identity document checked (its type and number are kept, with who checked it). Only an open
    application lets the entity rely on another entity's identification (identity reuse).
    """

    __tablename__ = "application"
    __table_args__ = (sa.Index("ix_application_person_entity", "person_id", "entity", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(PersonId, _person_fk())
    entity: Mapped[str] = mapped_column(EntityId)  # the entity applied to
    channel: Mapped[str] = mapped_column(sa.String(16))  # self_service, branch
    status: Mapped[str] = mapped_column(sa.String(16))  # open, completed, withdrawn
    document_type: Mapped[str | None] = mapped_column(sa.String(16))  # checked at the branch
    document_number: Mapped[str | None] = mapped_column(sa.String(32))
    checked_by: Mapped[str | None] = mapped_column(sa.String(64))  # the staff member's id
    filed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class IdentityChange(Base):
    """A change of an identity field a rectification request asks for, until staff decide it.

    Kept here, with the file, and not on the request: erasing the file erases what was asked.
    """

    __tablename__ = "identity_change"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(PersonId, _person_fk(), index=True)
    request_id: Mapped[int] = mapped_column(sa.Integer, index=True)  # the rights request
    field: Mapped[str] = mapped_column(sa.String(32))
    after: Mapped[str | None] = mapped_column(sa.Text)  # ISO text for a date, as in history
    asked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

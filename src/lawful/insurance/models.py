"""Reinsurance contracts and the claims on home policies that their bordereaux count.

No person's id here: a treaty is between two companies, a placement names a policy, a claim
counts against a policy. Who holds the policy is read from the customer file when a bordereau
is made, and leaves only as a pseudonym of the reinsurer's own.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lawful.core.db import Base


class Treaty(Base):
    """A reinsurance contract of one ceding entity with one reinsurer (a recipient the register
    declares for `reinsurance-transfer`). Quota share cedes a share of every home policy;
    excess of loss covers the policies whose sum insured exceeds the retention; facultative
    covers only the policies placed under it one by one."""

    __tablename__ = "reinsurance_treaty"

    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # quota_share, excess_of_loss, facultative
    entity: Mapped[str] = mapped_column(sa.String(64))  # the ceding insurer
    reinsurer: Mapped[str] = mapped_column(sa.String(64))  # a register recipient id
    share_bp: Mapped[int | None] = mapped_column(sa.Integer)  # quota share ceded, basis points
    retention_cents: Mapped[int | None] = mapped_column(sa.BigInteger)  # excess of loss
    starts_on: Mapped[dt.date] = mapped_column(sa.Date)
    ends_on: Mapped[dt.date] = mapped_column(sa.Date)


class Placement(Base):
    """A home policy placed under a facultative treaty."""

    __tablename__ = "reinsurance_placement"

    treaty_code: Mapped[str] = mapped_column(
        sa.String(32), sa.ForeignKey("reinsurance_treaty.code"), primary_key=True
    )
    policy_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    placed_on: Mapped[dt.date] = mapped_column(sa.Date)


class Claim(Base):
    """A claim on a home policy: when it occurred and what was paid; no narrative."""

    __tablename__ = "home_claim"
    __table_args__ = (sa.Index("ix_home_claim_policy_occurred", "policy_id", "occurred_on"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    policy_id: Mapped[int] = mapped_column(sa.Integer)
    occurred_on: Mapped[dt.date] = mapped_column(sa.Date)
    paid_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)

"""What the offers API answers: an offer that explains itself, and anonymous strategy figures."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field


class Language(StrEnum):
    FR = "fr"
    NL = "nl"
    EN = "en"


class FactRead(BaseModel):
    fact: str
    label: str
    value: str


class WhyRead(BaseModel):
    """Why this offer: the rule that chose it (no statistical model is used) and what it read."""

    rule: str
    text: str
    model: str | None = Field(None, description="None: chosen by the rule alone, no model.")
    facts: list[FactRead]


class OfferRead(BaseModel):
    id: int
    product: str
    title: str
    description: str
    entity: str
    partner: str | None
    partner_name: str | None
    purpose: str
    legal_basis: str
    status: str
    made_on: dt.date
    language: Language
    why: WhyRead


class ReferralRead(BaseModel):
    """What was passed to a partner when the customer asked to be put in touch."""

    offer_id: int
    partner: str
    partner_name: str
    data_categories: list[str]
    status: str


class SegmentCell(BaseModel):
    entity: str
    segment: str
    age_band: str
    customers: int | None = Field(None, description="None when suppressed.")
    suppressed: bool = False


class OfferCell(BaseModel):
    entity: str
    product: str
    status: str
    offers: int | None = Field(None, description="None when suppressed.")
    suppressed: bool = False


class StrategyReport(BaseModel):
    """Customers per profile and offers per product: counts only, no cell under `k` shown."""

    k: int
    segments: list[SegmentCell]
    offers: list[OfferCell]
    suppressed_cells: int
    note: str

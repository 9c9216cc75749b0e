"""Shapes of reinsurance data: treaties in, bordereau rows out."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lawful.core.errors import InvalidInput

TreatyKind = Literal["quota_share", "excess_of_loss", "facultative"]

# The columns of a bordereau, in order: what a reinsurer receives, and nothing else. No name,
# national number, street, city, coordinates, contact data or policy number: the policyholder
# is a pseudonym of the reinsurer's own, the property a postcode.
COLUMNS = (
    "policyholder",
    "postcode",
    "sum_insured_cents",
    "premium_cents",
    "flood_class",
    "claims",
)
_PERIOD = re.compile(r"^(\d{4})-Q([1-4])$")


class TreatyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{0,31}$")]
    kind: TreatyKind
    entity: str
    reinsurer: str
    share_bp: Annotated[int | None, Field(ge=1, le=10_000)] = None
    retention_cents: Annotated[int | None, Field(ge=0)] = None
    starts_on: dt.date
    ends_on: dt.date

    @model_validator(mode="after")
    def _terms(self) -> TreatyCreate:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        if self.kind == "quota_share" and self.share_bp is None:
            raise ValueError("a quota share treaty needs share_bp")
        if self.kind == "excess_of_loss" and self.retention_cents is None:
            raise ValueError("an excess of loss treaty needs retention_cents")
        return self


class TreatyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    kind: TreatyKind
    entity: str
    reinsurer: str
    share_bp: int | None
    retention_cents: int | None
    starts_on: dt.date
    ends_on: dt.date


@dataclass(frozen=True)
class Period:
    """A calendar quarter, as bordereaux are made: `2026-Q4`."""

    label: str
    start: dt.date
    end: dt.date

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD.match(text)
        if not match:
            raise InvalidInput(f"{text!r} is not a quarter like 2026-Q4", field="period")
        year, quarter = int(match.group(1)), int(match.group(2))
        start = dt.date(year, 3 * quarter - 2, 1)
        after = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
        return cls(text, start, after - dt.timedelta(days=1))


@dataclass(frozen=True)
class BordereauRow:
    policyholder: str
    postcode: str
    sum_insured_cents: int | None
    premium_cents: int | None
    flood_class: str | None
    claims: int


@dataclass(frozen=True)
class Bordereau:
    treaty: TreatyRead
    period: Period
    rows: list[BordereauRow]
    policyholders: int  # each one a recorded disclosure to the reinsurer
    refused: int  # policyholders the gate refused (an upheld objection…): left out

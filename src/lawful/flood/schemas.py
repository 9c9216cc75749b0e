"""Shapes of flood underwriting: what comes in (a review, a contest), what goes out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Status = Literal["pending_review", "contested", "in_effect"]
OutcomeName = Literal["cover", "loading", "refuse"]
Lang = Literal["fr", "nl", "en"]


class ReviewCreate(BaseModel):
    """An underwriter's decision on a proposal: confirm it or change it, always with reasons."""

    model_config = ConfigDict(extra="forbid")

    outcome: OutcomeName
    loading_bp: Annotated[int, Field(ge=0, le=20_000)] = 0
    reasons: Annotated[str, Field(min_length=10, max_length=2_000)]

    @model_validator(mode="after")
    def _loading(self) -> ReviewCreate:
        if self.outcome == "loading" and self.loading_bp == 0:
            raise ValueError("a loading needs loading_bp above 0")
        if self.outcome != "loading" and self.loading_bp:
            raise ValueError("loading_bp is for the outcome 'loading' only")
        return self


class ContestCreate(BaseModel):
    """The customer's view: why the proposal or decision does not fit their building."""

    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, Field(min_length=10, max_length=2_000)]


class AssessmentRead(BaseModel):
    id: int
    # Of a home policy, or of a home-insurance quote (a simulation): one of the two.
    policy_id: int | None
    simulation_id: int | None = None
    status: Status
    proposed: OutcomeName
    proposed_loading_bp: int
    # Empty until the decision takes effect (an underwriter's review for anything adverse).
    decided: OutcomeName | None
    decided_loading_bp: int | None
    zone: str | None
    decree_published_on: dt.date | None
    flood_class: str | None
    construction_year: int
    refusable: bool
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    review_reasons: str | None
    contested: bool
    assessed_on: dt.date
    # In the customer's words: what was proposed or decided, why, and what they can do.
    explanation: str


class QuoteFloodRead(BaseModel):
    """A home-insurance quote's flood outcome: its assessment, or none yet (not assessed)."""

    simulation_id: int
    assessment: AssessmentRead | None


@dataclass(frozen=True)
class ImportSummary:
    import_id: int
    file_name: str
    zones: int
    buildings: int


@dataclass
class AssignSummary:
    properties: int = 0  # home policies and quotes
    quotes: int = 0  # of which home-insurance quotes
    in_zone: int = 0
    classed: int = 0
    proposed: dict[str, int] = field(
        default_factory=lambda: {"cover": 0, "loading": 0, "refuse": 0}
    )
    pending_review: int = 0
    unchanged: int = 0
    refused_by_gate: int = 0

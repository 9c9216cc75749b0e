"""What the complaints domain takes in and hands out."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lawful.core.text import LongText, ShortText


class Source(StrEnum):
    CUSTOMER = "customer"
    BRANCH = "branch"
    AGENT = "agent"
    TEST_ACHATS = "test-achats"
    OMBUDSFIN = "ombudsfin"
    OMBUDSMAN_INSURANCE = "ombudsman-insurance"
    OTHER = "other"


# Third parties that bring a complaint carry their own case reference; the first two set the
# deadline themselves.
EXTERNAL = frozenset({Source.TEST_ACHATS, Source.OMBUDSFIN, Source.OMBUDSMAN_INSURANCE})
OMBUDSMEN = frozenset({Source.OMBUDSFIN, Source.OMBUDSMAN_INSURANCE})


class ProductKind(StrEnum):
    ACCOUNT = "account"
    CARD = "card"
    LOAN = "loan"
    HOME_POLICY = "home_policy"


class RootCause(StrEnum):
    FEES = "fees"
    DISPUTED_TRANSACTION = "disputed-transaction"
    SERVICE = "service"
    INFORMATION = "information"
    CONTRACT_TERMS = "contract-terms"
    CLAIM_HANDLING = "claim-handling"
    OTHER = "other"


class Status(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    INVESTIGATING = "investigating"
    ANSWERED = "answered"
    CLOSED = "closed"


OPEN = (Status.RECEIVED, Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.ANSWERED)


class EscalationTarget(StrEnum):
    COMPLAINTS_FUNCTION = "complaints-function"
    OMBUDSFIN = "ombudsfin"
    OMBUDSMAN_INSURANCE = "ombudsman-insurance"


class DataSource(StrEnum):
    """Whom a handler asks for what the complaint needs."""

    KBC_BANK = "kbc-bank"
    KBC_INSURANCE = "kbc-insurance"
    CBC_INSURANCE = "cbc-insurance"
    CUSTOMER = "customer"
    WORLDLINE = "worldline"


Reference = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9/._-]+$")]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ComplaintCreate(Input):
    source: Source = Source.CUSTOMER
    source_ref: Reference | None = Field(
        None, description="The external body's case reference (Test-Achats, an ombudsman)."
    )
    product_kind: ProductKind
    product_id: int = Field(ge=1, le=2**31 - 1)
    root_cause: RootCause
    summary: Annotated[LongText, Field(min_length=3)] = Field(
        description="The complaint in the complainant's words; sealed with their key."
    )
    received_on: dt.date | None = Field(None, description="Default: today.")
    ombudsman_due: dt.date | None = Field(
        None, description="The ombudsman's deadline for an ombudsman case."
    )

    @model_validator(mode="after")
    def _external(self) -> ComplaintCreate:
        if self.source in EXTERNAL and self.source_ref is None:
            raise ValueError("a complaint brought by a third party carries its reference")
        if self.source in OMBUDSMEN and self.ombudsman_due is None:
            raise ValueError("an ombudsman case carries the ombudsman's deadline")
        return self


class Transition(Input):
    to: Status
    reason: ShortText | None = None


class HoldingReply(Input):
    reason: Annotated[ShortText, Field(min_length=3)] = Field(
        description="Why the answer takes longer, as the complainant is told."
    )


class Escalation(Input):
    to: EscalationTarget
    reason: Annotated[ShortText, Field(min_length=3)]
    due_on: dt.date | None = Field(None, description="The new deadline, if the body sets one.")


class DataRequest(Input):
    to: DataSource
    reason: Annotated[ShortText, Field(min_length=3)] = Field(
        description="What is asked and why the complaint needs it."
    )


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


class StepRead(Output):
    step: str
    status: Status
    recipient: str | None
    by: str
    at: dt.datetime
    reason: str | None


class ComplaintRead(Output):
    id: int
    person_id: str
    entity: str
    source: Source
    source_ref: str | None
    product_kind: ProductKind
    product_id: int
    root_cause: RootCause
    regime: str
    status: Status
    escalated_to: str | None
    summary: str | None  # None once the person is erased
    received_on: dt.date
    acknowledge_due: dt.date
    answer_due: dt.date
    extended: bool
    closed_on: dt.date | None
    overdue: bool
    steps: list[StepRead] = []


class ComplaintPage(Output):
    """One page; pass `next_after` as `after` for the next (None: the last)."""

    items: list[ComplaintRead]
    next_after: int | None


class StatisticsCell(Output):
    product_kind: ProductKind
    entity: str
    root_cause: RootCause
    complaints: int


class Statistics(Output):
    """Complaints per product kind, entity and root cause; a cell under `k` is not shown but
    counted in `suppressed_cells` and `suppressed_complaints`."""

    k: int
    cells: list[StatisticsCell]
    suppressed_cells: int
    suppressed_complaints: int

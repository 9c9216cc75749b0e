"""What other systems send (one event per JSONL line, or a batch over HTTP) and what they get back.

`EventLine` is the line as decoded from JSON by msgspec: decoding and type checks in one pass, at
the speed a bulk file needs, each error naming its field. `EventIn` is the same event for the
HTTP API, where it documents itself in the OpenAPI schema; both carry the same fields.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Literal

import msgspec
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from lawful.core.text import clean

# Per HTTP batch: about what the default body limit (1 MiB) holds, so that a longer list is
# answered 422 by count rather than 413 by size. A file (`lawful ledger ingest`) has no limit.
MAX_EVENTS = 2_000
MAX_SUBJECTS = 10_000  # per decision request
KEY_LENGTH = 200
NAME_LENGTH = 120
MAX_CATEGORIES = 50


class IngestEvent(StrEnum):
    DECISION = "ingest.decision.answered"


_Name = Annotated[str, msgspec.Meta(min_length=1, max_length=NAME_LENGTH)]


class EventLine(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True, gc=False):
    """One event a system records: a line of the JSONL file. (No reference cycles can form in
    one: the garbage collector need not track the millions a file holds.)"""

    key: Annotated[str, msgspec.Meta(min_length=1, max_length=KEY_LENGTH)]
    event: _Name
    purpose: _Name
    categories: Annotated[tuple[_Name, ...], msgspec.Meta(min_length=1, max_length=MAX_CATEGORIES)]
    occurred_at: Annotated[dt.datetime, msgspec.Meta(tz=True)]
    subject: _Name | None = None
    pseudonym: str | None = None
    recipient: _Name | None = None
    # Kept as the JSON text sent (checked to be an object): encrypted as it came, never decoded.
    details: msgspec.Raw = msgspec.Raw()
    decision: Literal["allow", "deny"] = "allow"


# What no database stores (NUL, a lone surrogate) is refused here, naming the field.
_Text = Annotated[
    str, StringConstraints(min_length=1, max_length=NAME_LENGTH), AfterValidator(clean)
]


class EventIn(BaseModel):
    """One event another system records in the ledger."""

    model_config = ConfigDict(extra="forbid")

    key: Annotated[
        str, StringConstraints(min_length=1, max_length=KEY_LENGTH), AfterValidator(clean)
    ] = Field(
        description="The system's own key for the event: an event whose key was already "
        "recorded (a retried batch) is not recorded again."
    )
    event: _Text = Field(description="What was done, as domain.entity.verb.")
    purpose: _Text = Field(description="A purpose of the register the system may pursue.")
    categories: list[_Text] = Field(min_length=1, max_length=MAX_CATEGORIES)
    occurred_at: AwareDatetime
    subject: _Text | None = Field(default=None, description="The person's id in the file.")
    pseudonym: str | None = Field(
        default=None, description="Or the subject's pseudonym (64 hex characters)."
    )
    recipient: _Text | None = None
    details: dict[str, Any] | None = Field(
        default=None, description="Kept encrypted with the subject's own key."
    )
    decision: Literal["allow", "deny"] = "allow"

    @field_validator("details")
    @classmethod
    def _storable(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            try:
                msgspec.json.encode(value)
            except (msgspec.EncodeError, UnicodeEncodeError, OverflowError) as exc:
                raise ValueError(f"cannot be kept as JSON: {exc}") from None
        return value

    def line(self) -> EventLine:
        fields = self.model_dump(exclude_none=True)
        fields["categories"] = tuple(self.categories)
        if self.details is not None:
            fields["details"] = msgspec.Raw(msgspec.json.encode(self.details))
        return EventLine(**fields)


class EventBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[EventIn] = Field(min_length=1, max_length=MAX_EVENTS)


class IngestResult(BaseModel):
    recorded: int  # new events, now pending in the ledger
    already_recorded: int  # events whose key was recorded before: a retry, not recorded again


class DecisionQuestion(BaseModel):
    """May the caller use these categories of these subjects for this purpose (to this
    recipient)?"""

    model_config = ConfigDict(extra="forbid")

    purpose: _Text
    categories: list[_Text] = Field(min_length=1, max_length=MAX_CATEGORIES)
    recipient: _Text | None = None
    subjects: list[
        Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(clean)]
    ] = Field(min_length=1, max_length=MAX_SUBJECTS, description="Person ids.")


class SubjectDecision(BaseModel):
    subject: str
    allowed: bool
    reasons: list[str]
    obligations: list[str]


class DecisionAnswers(BaseModel):
    purpose: str
    allowed: int
    denied: int
    decisions: list[SubjectDecision]

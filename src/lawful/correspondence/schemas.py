"""What the correspondence domain takes in and hands out."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from lawful.core.text import ShortText, clean

BODY_MAX = 20_000  # characters: a long letter; attachments are not stored here


class Channel(StrEnum):
    EMAIL = "email"
    LETTER = "letter"
    FAX = "fax"


class Direction(StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


class Ground(StrEnum):
    """The six reasons for which a message may be examined (the register's business-correspondence
    purpose names them); examining for none of them is refused."""

    ASSIGNMENT = "assignment"
    EVIDENCE = "evidence"
    PROCESS_CONTROL = "process-control"
    SECURITY = "security"
    FRAUD = "fraud"
    SERVICE_OPTIMISATION = "service-optimisation"


class DraftStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


Body = Annotated[str, StringConstraints(min_length=1, max_length=BODY_MAX), AfterValidator(clean)]
Mailbox = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9@._-]+$")]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MessageCreate(Input):
    channel: Channel = Channel.EMAIL
    direction: Direction = Direction.INCOMING
    subject: ShortText = ""
    body: Body = Field(description="The text; sealed with the person's key once analysed.")
    mailbox: Mailbox | None = Field(
        None, description="The staff mailbox it went through (default: the caller's own)."
    )
    private: bool = Field(
        False, description="Marked private: only the mailbox's holder may examine it."
    )
    received_at: dt.datetime | None = Field(None, description="Default: now.")


class Examination(Input):
    ground: Ground | None = Field(None, description="One of the six declared reasons.")
    justification: Annotated[ShortText, Field(min_length=3)] | None = Field(
        None, description="Why this message, for this reason (kept in the ledger, sealed)."
    )


class DraftDecision(Input):
    approve: bool
    body: Body | None = Field(None, description="The text as the staff member corrected it.")


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


class MessageRead(Output):
    """What the analysis says of a message, without its text."""

    id: int
    person_id: str
    entity: str
    channel: Channel
    direction: Direction
    mailbox: str
    private: bool
    received_at: dt.datetime
    language: str | None
    topic: str
    intent: str
    confidence: float
    urgency: str
    found: dict[str, Any]
    complaint_id: int | None


class FoundRead(Output):
    kind: str
    masked: str


class MessageExamined(MessageRead):
    """The message as examined: its text (None once the person is erased), for the reason given."""

    ground: Ground
    subject: str | None
    body: str | None
    personal_data: list[FoundRead]


class DraftRead(Output):
    id: int
    message_id: int
    language: str
    template: str
    status: DraftStatus
    body: str | None
    drafted_by: str
    drafted_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None

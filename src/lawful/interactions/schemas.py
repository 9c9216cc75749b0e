"""What the conversations API takes and gives."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from lawful.core.text import clean

# A transcript of a long call is some tens of thousands of characters; an audio recording travels
# base64-encoded and is bounded by the request body's limit as well as by this.
MAX_TRANSCRIPT = 100_000
MAX_AUDIO_BASE64 = 4_000_000
MAX_NOTE = 5_000
MAX_MESSAGE = 1_000

Language = Literal["fr", "nl", "en"]
Participant = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[\w:.@-]+$")]


class Channel(StrEnum):
    BRANCH = "branch"
    PHONE = "phone"
    CHAT = "chat"
    KATE = "kate"


class Use(StrEnum):
    """What a copy of a recording is kept for; each maps to a purpose of the register."""

    HISTORY = "history"
    QUALITY = "quality"
    TRAINING = "training"
    EVIDENCE = "evidence"
    ANSWERS = "answers"


class RecordingKind(StrEnum):
    AUDIO = "audio"
    TRANSCRIPT = "transcript"


class NoteKind(StrEnum):
    MINUTES = "minutes"
    TASK = "task"


class NoteStatus(StrEnum):
    PROPOSED = "proposed"  # drawn from the transcript, not yet confirmed by staff
    KEPT = "kept"  # minutes
    OPEN = "open"  # a task to do
    DONE = "done"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RecordingIn(Strict):
    kind: RecordingKind
    # A transcript as text; audio base64-encoded. Valid Unicode without control characters.
    content: Annotated[str, AfterValidator(clean)] = Field(
        min_length=1, max_length=MAX_AUDIO_BASE64
    )

    @model_validator(mode="after")
    def _bounded(self) -> RecordingIn:
        if self.kind is RecordingKind.TRANSCRIPT and len(self.content) > MAX_TRANSCRIPT:
            raise ValueError(f"a transcript holds at most {MAX_TRANSCRIPT} characters")
        return self


class ConversationCreate(Strict):
    channel: Literal["branch", "phone", "chat"]
    started_at: dt.datetime
    ended_at: dt.datetime | None = None
    language: Language
    participants: list[Participant] = Field(default_factory=list, max_length=10)
    investment: bool = Field(
        False, description="About an investment service: recorded as MiFID II art. 16(7) requires."
    )
    notice_given: bool = Field(
        False,
        description="The recording notice (reason and storage period) was given before recording.",
    )
    recording: RecordingIn | None = None
    uses: list[Use] | None = Field(
        None, max_length=5, description="What the recording is kept for; default: the channel's."
    )

    @model_validator(mode="after")
    def _ordered(self) -> ConversationCreate:
        if self.ended_at is not None and self.ended_at < self.started_at:
            raise ValueError("a conversation ends after it starts")
        return self


class CopyRead(BaseModel):
    use: Use
    purpose: str
    kind: str
    kept_from: dt.date
    expires_on: dt.date
    extended_by: str | None = None


class NoteCreate(Strict):
    kind: NoteKind
    text: Annotated[str, AfterValidator(clean)] = Field(min_length=1, max_length=MAX_NOTE)
    due_on: dt.date | None = None
    advisor: Participant | None = None


class NoteRead(BaseModel):
    id: int
    conversation_id: int
    kind: NoteKind
    origin: str
    status: NoteStatus
    text: str | None
    due_on: dt.date | None
    advisor: str | None


class ConversationRead(BaseModel):
    id: int
    person_id: str
    entity: str
    channel: Channel
    language: str
    investment: bool
    participants: list[str]
    started_at: dt.datetime
    ended_at: dt.datetime | None
    notice_given_at: dt.datetime | None
    recording_kind: str | None
    copies: list[CopyRead]
    notes: list[NoteRead] = Field(default_factory=list)
    # The history copy's transcript, when the reader's purpose may open it.
    transcript: str | None = None


class CopyContent(BaseModel):
    conversation_id: int
    use: Use
    purpose: str
    kind: str
    expires_on: dt.date
    # A transcript as text; audio base64-encoded; None once the person was erased.
    content: str | None


class Extension(Strict):
    reference: Annotated[str, AfterValidator(clean)] = Field(
        min_length=1, max_length=64, description="The regulator's request, e.g. its letter."
    )


class Reminder(BaseModel):
    note_id: int
    conversation_id: int
    person_id: str
    due_on: dt.date
    text: str | None


class Transcription(BaseModel):
    conversation_id: int
    engine: str
    language: str
    text: str


class KateMessage(Strict):
    text: Annotated[str, AfterValidator(clean)] = Field(min_length=1, max_length=MAX_MESSAGE)
    conversation_id: int | None = Field(None, ge=1, le=2**31 - 1)


class KateAnswer(BaseModel):
    conversation_id: int
    language: str
    intent: str
    text: str
    handed_over: bool = False
    awaiting_confirmation: bool = False
    # Where the answer's facts come from: the customer file, the register, the ledger.
    grounded_in: list[str] = Field(default_factory=list)

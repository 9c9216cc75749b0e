"""What the notification routes take and give (Pydantic v2)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from lawful.core.register.models import NotificationChannel, NotificationKind

# The languages messages are written in (texts.py); the file may hold German too.
Language = Literal["fr", "nl", "en", "de"]
TopicId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
MAX_REMINDER_DAYS = 14
DEFAULT_REMINDER_DAYS = 3


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class QuietHours(Input):
    """No message is sent between `start` and `end`, local time (Europe/Brussels); the end may be
    the next morning (22:00 to 07:00)."""

    start: dt.time
    end: dt.time

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("start and end are the same time: no quiet hours")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("local times, without a time zone")
        return self


class PreferencesUpdate(Input):
    """Only what is given changes; `null` returns a setting to its default."""

    language: Language | None = Field(
        default=None, description="Messages' language; null: the customer file's language."
    )
    quiet_hours: QuietHours | None = None
    card_reminder_days: Annotated[int, Field(ge=0, le=MAX_REMINDER_DAYS)] | None = Field(
        default=None,
        description=(
            f"Days before the due date a card reminder comes; null: {DEFAULT_REMINDER_DAYS}."
        ),
    )
    topics: Annotated[
        dict[
            TopicId,
            Annotated[list[NotificationChannel], Field(max_length=len(NotificationChannel))],
        ],
        Field(max_length=20),
    ] = Field(
        default_factory=dict,
        description=(
            "Per topic, the channels wanted in order of preference; [] switches the topic off "
            "(refused for a mandatory notice)."
        ),
    )


class TopicRead(Output):
    topic: str
    title: str
    kind: NotificationKind
    mandatory: bool
    available_channels: list[NotificationChannel]
    channels: list[NotificationChannel]  # chosen, or the register's defaults
    default: bool  # no choice made: the register's defaults apply
    # What is actually used now, after the rules below.
    effective_channels: list[NotificationChannel]
    # Why a chosen channel is not used: dm_objection, consent_missing, opt_in_required, objection.
    withheld: dict[str, str] = Field(default_factory=dict)
    note: str | None = None


class PreferencesRead(Output):
    person_id: str
    language: Language | None
    quiet_hours: QuietHours | None
    card_reminder_days: int
    topics: list[TopicRead]


class NotificationRead(Output):
    id: int
    topic: str
    channel: NotificationChannel | None
    status: str
    language: str
    title: str
    body: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None

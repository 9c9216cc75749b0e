"""What the simulations domain takes in and hands out."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from lawful.core.text import clean


class Product(StrEnum):
    LOAN = "loan"
    HOME_INSURANCE = "home-insurance"
    SAVINGS_PLAN = "savings-plan"


class Channel(StrEnum):
    APP = "app"
    WEBSITE = "website"
    ASSISTANT = "assistant"


class Status(StrEnum):
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"
    ABANDONED = "abandoned"


class Outcome(StrEnum):
    FINISHED = "finished"
    ABANDONED = "abandoned"


class Language(StrEnum):
    FR = "fr"
    NL = "nl"
    EN = "en"
    DE = "de"


class Form(StrEnum):
    LOAN_APPLICATION = "loan-application"
    HOME_INSURANCE_APPLICATION = "home-insurance-application"
    SAVINGS_PLAN_APPLICATION = "savings-plan-application"


def _email(value: str) -> str:
    try:
        return str(validate_email(value, check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        raise ValueError(f"not a valid e-mail address: {exc}") from None


def _phone(value: str) -> str:
    try:
        parsed = phonenumbers.parse(value, "BE")
    except phonenumbers.NumberParseException:
        raise ValueError("not a phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("not a valid phone number")
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


Email = Annotated[
    str, StringConstraints(max_length=254), AfterValidator(clean), AfterValidator(_email)
]
Phone = Annotated[
    str, StringConstraints(max_length=32), AfterValidator(clean), AfterValidator(_phone)
]
StepName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,63}$")]
FieldName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Answer = (
    Annotated[str, StringConstraints(max_length=200), AfterValidator(clean)]
    | Annotated[int, Field(ge=-(10**12), le=10**12)]
    | Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)]
    | bool
)
MAX_STEPS = 30


class SimulationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product: Product
    entity: str | None = Field(
        default=None, max_length=64, description="The group entity; default: the product's own."
    )
    channel: Channel = Channel.APP
    language: Language = Language.EN
    contact_me: bool = Field(
        default=False,
        description=(
            "An adviser of the entity may contact the person about this simulation if they do "
            "not finish it. A prospect gives the e-mail address or phone number to use."
        ),
    )
    contact_email: Email | None = None
    contact_phone: Phone | None = None


class StepCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: StepName
    answers: dict[FieldName, Answer] = Field(default_factory=dict, max_length=20)


class Closure(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome


class StepRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    position: int
    name: str
    answers: dict[str, str | int | float | bool]
    recorded_at: dt.datetime


class FollowUpRead(BaseModel):
    kind: str  # message, task, suppressed
    reason: str | None
    task_status: str | None
    decided_at: dt.datetime


class SimulationRead(BaseModel):
    id: int
    person_id: str
    entity: str
    product: Product
    channel: Channel
    language: str
    status: Status
    contact_me: bool
    contact_email: str | None
    contact_phone: str | None
    started_at: dt.datetime
    last_activity_at: dt.datetime
    ended_at: dt.datetime | None
    expires_on: dt.date  # erased on this day (the register's retention, from the start)
    steps: list[StepRead]
    follow_up: FollowUpRead | None


class TaskRead(BaseModel):
    """An adviser's task: contact the person about the simulation they left, to offer help."""

    simulation_id: int
    person_id: str
    entity: str
    product: Product
    last_step: str | None
    left_at: dt.datetime
    contact_email: str | None
    contact_phone: str | None
    task_status: str
    decided_at: dt.datetime


class PrefillCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    form: Form
    simulation_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class Source(BaseModel):
    kind: str  # customer_file, simulation
    record: str  # which record: "identity", "account 12", "simulation 5, step amount"
    purpose: str  # the purpose the value was read under


class PrefilledField(BaseModel):
    name: str
    value: str | int | float | bool | None
    source: Source | None  # None: not known, the person fills it in


class PrefillRead(BaseModel):
    form: Form
    entity: str
    fields: list[PrefilledField]

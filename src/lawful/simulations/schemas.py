"""What the simulations domain takes in and hands out."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

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
# Belgium's bounding box in WGS 84 (the representation a home policy keeps), a little wide.
LATITUDES = (49.49, 51.51)
LONGITUDES = (2.54, 6.41)
OLDEST_YEAR = 1200  # the oldest houses still lived in are medieval
YEARS_AHEAD = 3  # a house being built may be quoted


def _postcode(value: str) -> str:
    if not (len(value) == 4 and value.isascii() and value.isdigit() and value[0] != "0"):
        raise ValueError("a Belgian postcode has four digits, 1000 to 9999")
    return value


def _latest_year() -> int:
    return dt.date.today().year + YEARS_AHEAD


class BuildingCreate(BaseModel):
    """The building a home-insurance quote is for: its address, where it stands (WGS 84
    latitude and longitude, as the address is geocoded) and its construction year, or the day
    it was finished where the person knows it."""

    model_config = ConfigDict(extra="forbid")

    street: Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(clean)]
    number: Annotated[
        str, StringConstraints(pattern=r"^[0-9]{1,5}[A-Za-z]?( ?(bus|bte|/) ?[A-Za-z0-9]{1,6})?$")
    ] = Field(description="The house number, with a box if any: 12, 12A, 12 bus 3, 12/3.")
    postcode: Annotated[str, AfterValidator(_postcode)]
    municipality: Annotated[
        str, StringConstraints(min_length=1, max_length=100), AfterValidator(clean)
    ]
    latitude: float = Field(allow_inf_nan=False, description="WGS 84, in Belgium")
    longitude: float = Field(allow_inf_nan=False, description="WGS 84, in Belgium")
    construction_year: int | None = None
    construction_date: dt.date | None = None

    @field_validator("latitude")
    @classmethod
    def _in_belgium_lat(cls, value: float) -> float:
        low, high = LATITUDES
        if not low <= value <= high:
            raise ValueError(f"a latitude in Belgium lies between {low} and {high} (WGS 84)")
        return value

    @field_validator("longitude")
    @classmethod
    def _in_belgium_lon(cls, value: float) -> float:
        low, high = LONGITUDES
        if not low <= value <= high:
            raise ValueError(f"a longitude in Belgium lies between {low} and {high} (WGS 84)")
        return value

    @field_validator("construction_year")
    @classmethod
    def _plausible_year(cls, value: int | None) -> int | None:
        if value is not None and not OLDEST_YEAR <= value <= _latest_year():
            raise ValueError(f"a construction year from {OLDEST_YEAR} to {_latest_year()}")
        return value

    @field_validator("construction_date")
    @classmethod
    def _plausible_date(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        if value is None:
            return value
        if not OLDEST_YEAR <= value.year <= _latest_year():
            raise ValueError(f"a construction date from {OLDEST_YEAR} to {_latest_year()}")
        year = info.data.get("construction_year")
        if year is not None and year != value.year:
            raise ValueError(f"the construction date is not in the construction year {year}")
        return value

    @property
    def year(self) -> int | None:
        if self.construction_date is not None:
            return self.construction_date.year
        return self.construction_year


class BuildingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    street: str
    number: str
    postcode: str
    municipality: str
    latitude: float
    longitude: float
    construction_year: int
    construction_date: dt.date | None


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
    building: BuildingCreate | None = Field(
        default=None,
        description=(
            "For a home-insurance quote: the building to insure. With it, the quote is assessed "
            "for flood cover as a policy would be."
        ),
    )


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
    building: BuildingRead | None = None  # a home-insurance quote's building
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

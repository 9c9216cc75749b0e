"""What goes into and comes out of the customer file.

Input schemas check each field with `identity` and turn its refusal into a pydantic error located at
the field, like pydantic's own type errors, so one `ValidationError` lists every bad field (the API
answers 422 with them). Rules that need what the file already holds (a new national number against
the stored birth date, a rectification's reason) are the service's and raise `InvalidInput`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from lawful.core import text
from lawful.core.errors import InvalidInput
from lawful.core.policy.types import Relationship
from lawful.core.register.models import Region, RelationshipState
from lawful.customers import identity

T = TypeVar("T")

# Fields a person may leave blank; every other field of the file, once known, can be corrected but
# not removed (erasure is a right of its own).
CLEARABLE = frozenset({"email", "phone"})
OLDEST_BIRTH_YEAR = 1900


class Section(StrEnum):
    """The parts of a person's file, as the access report and erasure see them."""

    IDENTITY = "identity"
    CONTACT = "contact"
    RELATIONSHIPS = "relationships"
    KYC = "kyc"
    ACCOUNTS = "accounts"
    CARDS = "cards"
    LOANS = "loans"
    HOME_POLICIES = "home_policies"
    RECTIFICATIONS = "rectifications"
    PREFERENCES = "preferences"
    CONSENTS = "consents"


def _checked(check: Callable[..., T], value: Any, info: ValidationInfo, **kwargs: Any) -> T | None:
    """Run an `identity` check as a pydantic validator; `None` reaches it only on an update."""
    field = info.field_name or ""
    if value is None:
        if field in CLEARABLE:
            return None
        raise ValueError("can be corrected but not removed")
    try:
        return check(value, field=field, **kwargs)
    except InvalidInput as exc:
        # pydantic locates a ValueError at the field; the message drops the "field: " prefix.
        raise ValueError(str(exc).removeprefix(f"{field}: ")) from exc


def _after(value: dt.date | None, info: ValidationInfo, earlier: str, *, strict: bool) -> None:
    """Refuse a date that falls before (or, when strict, on) the date of field `earlier`."""
    first = info.data.get(earlier)
    if value is not None and first is not None and (value <= first if strict else value < first):
        raise ValueError(f"must fall {'after' if strict else 'on or after'} {earlier}")


class Input(BaseModel):
    # An outer bound on every string before any check parses it (an e-mail address is at most
    # 254 characters; every other field is shorter), then no control character or lone surrogate.
    model_config = ConfigDict(extra="forbid", str_max_length=254)

    @field_validator("*")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return text.clean(value) if isinstance(value, str) else value


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


class _PersonChecks(Input):
    """The checks shared by creation and rectification."""

    @field_validator("first_name", "last_name", "city", check_fields=False)
    @classmethod
    def _text(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _checked(identity.text, value, info)

    @field_validator("street", check_fields=False)
    @classmethod
    def _street(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _checked(identity.text, value, info, max_length=200)

    @field_validator("birth_date", check_fields=False)
    @classmethod
    def _birth_date(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        return _checked(_plausible_birth_date, value, info)

    @field_validator("national_number", check_fields=False)
    @classmethod
    def _national_number(cls, value: str | None, info: ValidationInfo) -> str | None:
        # birth_date is declared first, so it is validated (and present when valid) by now.
        born = info.data.get("birth_date")
        return _checked(identity.national_number, value, info, birth_date=born)

    @field_validator("email", check_fields=False)
    @classmethod
    def _email(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _checked(identity.email, value, info)

    @field_validator("phone", check_fields=False)
    @classmethod
    def _phone(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _checked(identity.phone, value, info)

    @field_validator("postcode", check_fields=False)
    @classmethod
    def _postcode(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _checked(identity.postcode, value, info)

    @field_validator("language", check_fields=False)
    @classmethod
    def _language(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _checked(identity.language, value, info)


def _plausible_birth_date(value: dt.date, *, field: str) -> dt.date:
    if value.year < OLDEST_BIRTH_YEAR or value > dt.date.today():
        raise InvalidInput(f"must lie between {OLDEST_BIRTH_YEAR} and today", field=field)
    return value


class PersonCreate(_PersonChecks):
    first_name: str
    last_name: str
    birth_date: dt.date
    national_number: str
    email: str | None = None
    phone: str | None = None
    street: str
    postcode: str
    city: str
    language: str

    @property
    def region(self) -> Region:
        return identity.region_of(self.postcode)


class PersonUpdate(_PersonChecks):
    """A rectification: only the fields set are changed."""

    first_name: str | None = None
    last_name: str | None = None
    birth_date: dt.date | None = None
    national_number: str | None = None
    email: str | None = None
    phone: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    language: str | None = None


class PersonRead(Output):
    id: str
    national_number: str | None
    first_name: str | None
    last_name: str | None
    birth_date: dt.date | None
    email: str | None
    phone: str | None
    street: str | None
    postcode: str | None
    city: str | None
    region: str | None
    brand: str
    language: str | None
    created_at: dt.datetime
    erased_at: dt.datetime | None
    # Fields the purpose read under does not declare: left out (None) rather than shown.
    withheld: tuple[str, ...] = ()


class RectificationRead(Output):
    id: int
    person_id: str
    field: str
    before: str | None
    after: str | None
    reason: str
    changed_by: str
    entity: str
    changed_at: dt.datetime


class RelationshipRead(Output):
    id: int
    person_id: str
    entity: str
    state: RelationshipState
    since: dt.date
    until: dt.date | None


class AccountCreate(Input):
    kind: Literal["current", "savings"]
    iban: str
    opened_on: dt.date
    closed_on: dt.date | None = None

    @field_validator("closed_on")
    @classmethod
    def _closes_after_opening(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        _after(value, info, "opened_on", strict=False)
        return value

    @field_validator("iban")
    @classmethod
    def _iban(cls, value: str, info: ValidationInfo) -> str | None:
        return _checked(identity.iban, value, info)


class AccountRead(Output):
    id: int
    person_id: str
    entity: str
    kind: str
    iban: str
    opened_on: dt.date
    closed_on: dt.date | None


class CardCreate(Input):
    account_id: int | None = None
    last_digits: Annotated[str, Field(pattern=r"^[0-9]{4}$")]
    credit_limit_cents: Annotated[int, Field(ge=0)]
    opened_on: dt.date
    closed_on: dt.date | None = None


class CardStatementCreate(Input):
    card_id: int
    period_end: dt.date
    balance_cents: int
    minimum_due_cents: Annotated[int, Field(ge=0)]
    due_date: dt.date
    paid_on: dt.date | None = None

    @field_validator("due_date")
    @classmethod
    def _due_after_period(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        _after(value, info, "period_end", strict=False)
        return value


class CardStatementRead(Output):
    id: int
    card_id: int
    person_id: str
    period_end: dt.date
    balance_cents: int
    minimum_due_cents: int
    due_date: dt.date
    paid_on: dt.date | None


class CardRead(Output):
    id: int
    person_id: str
    entity: str
    account_id: int | None
    last_digits: str
    credit_limit_cents: int
    opened_on: dt.date
    closed_on: dt.date | None
    statements: list[CardStatementRead] = Field(default_factory=list)


class LoanCreate(Input):
    kind: Literal["mortgage", "consumer", "car"]
    principal_cents: Annotated[int, Field(gt=0)]
    rate_bp: Annotated[int, Field(ge=0, le=10_000)]
    start_on: dt.date
    end_on: dt.date

    @field_validator("end_on")
    @classmethod
    def _ends_after_start(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        _after(value, info, "start_on", strict=True)
        return value


class LoanRead(Output):
    id: int
    person_id: str
    entity: str
    kind: str
    principal_cents: int
    rate_bp: int
    start_on: dt.date
    end_on: dt.date


class HomePolicyCreate(Input):
    policy_number: Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{0,19}$")]
    street: Annotated[str, Field(min_length=1, max_length=200)]
    postcode: str
    city: Annotated[str, Field(min_length=1, max_length=100)]
    latitude: Annotated[float, Field(ge=-90, le=90)]
    longitude: Annotated[float, Field(ge=-180, le=180)]
    construction_year: Annotated[int, Field(ge=1000, le=2100)]
    start_on: dt.date
    end_on: dt.date | None = None
    sum_insured_cents: Annotated[int | None, Field(ge=0)] = None
    premium_cents: Annotated[int | None, Field(ge=0)] = None

    @field_validator("end_on")
    @classmethod
    def _ends_after_start(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        _after(value, info, "start_on", strict=True)
        return value

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str, info: ValidationInfo) -> str | None:
        return _checked(identity.postcode, value, info)


class HomePolicyRead(Output):
    id: int
    person_id: str
    entity: str
    policy_number: str
    street: str
    postcode: str
    city: str
    region: str
    latitude: float
    longitude: float
    construction_year: int
    start_on: dt.date
    end_on: dt.date | None
    sum_insured_cents: int | None = None
    premium_cents: int | None = None


class KycRecordCreate(Input):
    # "reuse" is not a method one records by hand: only reuse_identity makes such a copy.
    method: Literal["branch", "eid_reader", "itsme", "video"]
    document_type: Literal["eid", "passport", "residence_permit"]
    document_number: Annotated[str, Field(min_length=1, max_length=32)]
    level: Annotated[int, Field(ge=1, le=3)]
    performed_on: dt.date
    expires_on: dt.date

    @field_validator("expires_on")
    @classmethod
    def _expires_after_performed(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        _after(value, info, "performed_on", strict=True)
        return value


class KycRecordRead(Output):
    id: int
    person_id: str
    entity: str
    method: str
    document_type: str
    document_number: str
    level: int
    performed_on: dt.date
    expires_on: dt.date
    reused_from: int | None


class ProductsRead(Output):
    accounts: list[AccountRead]
    cards: list[CardRead]
    loans: list[LoanRead]
    home_policies: list[HomePolicyRead]


class PreferenceRead(Output):
    key: str
    enabled: bool
    changed_at: dt.datetime


class ConsentRead(Output):
    id: int
    purpose: str
    given_at: dt.datetime
    withdrawn_at: dt.datetime | None


class ReuseOutcome(Output):
    """Whether an identification held elsewhere in the group was reused, and if not, why."""

    reused: bool
    kyc_record: KycRecordRead | None = None  # the receiving entity's copy
    from_entity: str | None = None
    reasons: tuple[str, ...] = ()  # expired, insufficient_level, no_group_identification, …
    expired_on: dt.date | None = None
    what_to_do: str | None = None  # for the customer, in plain English


@dataclass(frozen=True, slots=True)
class PolicyFacts:
    """What the customer file tells the policy about one person (see `service.policy_facts`)."""

    relationships: tuple[Relationship, ...]
    preferences_off: frozenset[str]
    consents: frozenset[str]
    erased: bool


class IdentityDocument(Input):
    """An identity document a staff member checked: what it is and its number."""

    type: Literal["eid", "passport", "residence_permit"]
    number: Annotated[str, Field(min_length=1, max_length=32)]


class ApplicationCreate(Input):
    """Applying to become a client of `entity`. At a branch, staff record it for their own entity
    with the identity document they checked, and the national number read on it."""

    entity: Annotated[str | None, Field(max_length=64)] = None
    document: IdentityDocument | None = None
    national_number: Annotated[str | None, Field(max_length=20)] = None


class ApplicationRead(Output):
    id: int
    person_id: str
    entity: str
    channel: str  # self_service, branch
    status: str  # open, completed, withdrawn, lapsed (open more than six months)
    document_type: str | None
    checked_by: str | None
    filed_at: dt.datetime
    closed_at: dt.datetime | None

"""Checks on what identifies and reaches a person, as plain functions raising `InvalidInput`.

The schemas call them, and so can any code building rows without a schema (the demo generator):
one definition of a valid national number, IBAN, phone number, e-mail address and postcode.
Each returns the canonical form the file stores and names the offending field when it refuses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.be import nn
from stdnum.exceptions import ValidationError as NumberInvalid

from lawful.core.errors import InvalidInput
from lawful.core.register.models import Brand, Region

LANGUAGES = ("fr", "nl", "de", "en")
NAME_MAX = 100

# Belgian postcodes by region. 1300-1499 is Walloon Brabant: Wallonia, although it sits between
# Brussels and Flemish Brabant in the numbering.
_REGIONS = (
    (1000, 1299, Region.BRUSSELS),
    (1300, 1499, Region.WALLONIA),
    (1500, 3999, Region.FLANDERS),
    (4000, 7999, Region.WALLONIA),
    (8000, 9999, Region.FLANDERS),
)


def national_number(
    value: str, *, birth_date: dt.date | None = None, field: str = "national_number"
) -> str:
    """The 11 digits of a valid Belgian national register number consistent with `birth_date`."""
    try:
        number = nn.validate(value)
    except NumberInvalid as exc:
        raise InvalidInput(
            f"not a valid Belgian national register number: {str(exc).lower()}", field=field
        ) from exc
    if birth_date is not None and not encodes_birth_date(number, birth_date):
        raise InvalidInput("the number does not encode the date of birth given", field=field)
    return number


def encodes_birth_date(number: str, birth_date: dt.date) -> bool:
    """Whether the number's encoded birth date agrees with `birth_date`.

    A number may leave the month or day unknown (zeros, or a counter that ran out); only the parts
    it does encode are compared.
    """
    encoded = nn.get_birth_date(number)
    if encoded is not None:
        return encoded == birth_date
    year, month = nn.get_birth_year(number), nn.get_birth_month(number)
    return (year is None or year == birth_date.year) and (
        month is None or month == birth_date.month
    )


def iban(value: str, *, field: str = "iban") -> str:
    """The compact IBAN; Belgian (and other) national check digits are verified too."""
    try:
        return IBAN(value, validate_bban=True).compact
    except SchwiftyException as exc:
        raise InvalidInput(f"not a valid IBAN: {str(exc).lower()}", field=field) from exc


def phone(value: str, *, field: str = "phone") -> str:
    """The number in E.164; a number without country code is read as Belgian."""
    try:
        parsed = phonenumbers.parse(value, "BE")
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput("not a phone number", field=field) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput("not a valid phone number", field=field)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def email(value: str, *, field: str = "email") -> str:
    """The normalised address. Deliverability is not checked: that needs the network."""
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidInput(f"not a valid e-mail address: {exc}", field=field) from exc


def postcode(value: str, *, field: str = "postcode") -> str:
    code = value.strip()
    if not (len(code) == 4 and code.isascii() and code.isdigit() and code[0] != "0"):
        raise InvalidInput("a Belgian postcode has four digits, 1000 to 9999", field=field)
    return code


def region_of(code: str, *, field: str = "postcode") -> Region:
    number = int(postcode(code, field=field))
    return next(region for low, high, region in _REGIONS if low <= number <= high)


def locate(code: str, brands: Iterable[Brand], *, field: str = "postcode") -> tuple[Region, str]:
    """The region of a Belgian postcode and the register's brand serving that region."""
    region = region_of(code, field=field)
    for brand in brands:
        if brand.region is region:
            return region, brand.id
    raise InvalidInput(f"no brand of the register serves {region.value}", field=field)


def text(value: str, *, field: str, max_length: int = NAME_MAX) -> str:
    """One line of text: whitespace (line breaks, tabs) folded to single spaces, never empty."""
    folded = " ".join(value.split())
    if not folded:
        raise InvalidInput("must not be empty", field=field)
    if len(folded) > max_length:
        raise InvalidInput(f"at most {max_length} characters", field=field)
    return folded


def language(value: str, *, field: str = "language") -> str:
    code = value.strip().lower()
    if code not in LANGUAGES:
        raise InvalidInput(f"one of {', '.join(LANGUAGES)}", field=field)
    return code

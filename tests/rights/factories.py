"""Valid synthetic people and products for the rights tests, with real check digits."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from schwifty import IBAN

from lawful.customers.schemas import (
    AccountCreate,
    CardCreate,
    CardStatementCreate,
    HomePolicyCreate,
    KycRecordCreate,
    LoanCreate,
    PersonCreate,
)

_serials = itertools.count(1)
PLACES = {
    "flanders": ("9000", "Gent"),
    "wallonia": ("5000", "Namur"),
    "brussels": ("1050", "Ixelles"),
}


def national_number(born: dt.date) -> str:
    first9 = f"{born:%y%m%d}{next(_serials) % 997 + 1:03d}"
    base = int(("2" if born.year >= 2000 else "") + first9)
    return f"{first9}{97 - base % 97:02d}"


def person(region: str = "flanders", language: str = "nl", **overrides: Any) -> PersonCreate:
    postcode, city = PLACES[region]
    born = overrides.pop("birth_date", dt.date(1984, 5, 17))
    fields: dict[str, Any] = {
        "first_name": "Lotte",
        "last_name": "Maes",
        "birth_date": born,
        "national_number": national_number(born),
        "email": f"lotte.{next(_serials)}@example.be",
        "phone": f"+32 470 {next(_serials) % 1_000_000:06d}",
        "street": "Veldstraat 12",
        "postcode": postcode,
        "city": city,
        "language": language,
    }
    return PersonCreate(**(fields | overrides))


def account(**overrides: Any) -> AccountCreate:
    code = f"{next(_serials) % 10_000_000:07d}"
    iban = IBAN.generate("BE", bank_code="735", account_code=code).compact
    fields: dict[str, Any] = {"kind": "current", "iban": iban, "opened_on": dt.date(2015, 3, 2)}
    return AccountCreate(**(fields | overrides))


def card(**overrides: Any) -> CardCreate:
    fields: dict[str, Any] = {
        "last_digits": "4821",
        "credit_limit_cents": 250_000,
        "opened_on": dt.date(2016, 1, 4),
    }
    return CardCreate(**(fields | overrides))


def statement(card_id: int, period_end: dt.date, **overrides: Any) -> CardStatementCreate:
    fields: dict[str, Any] = {
        "card_id": card_id,
        "period_end": period_end,
        "balance_cents": 42_000,
        "minimum_due_cents": 4_200,
        "due_date": period_end + dt.timedelta(days=20),
    }
    return CardStatementCreate(**(fields | overrides))


def kyc(performed_on: dt.date, **overrides: Any) -> KycRecordCreate:
    fields: dict[str, Any] = {
        "method": "branch",
        "document_type": "eid",
        "document_number": f"592-{next(_serials):07d}-12",
        "level": 2,
        "performed_on": performed_on,
        "expires_on": performed_on + dt.timedelta(days=10 * 365),
    }
    return KycRecordCreate(**(fields | overrides))


def loan(start_on: dt.date, end_on: dt.date, **overrides: Any) -> LoanCreate:
    fields: dict[str, Any] = {
        "kind": "mortgage",
        "principal_cents": 25_000_000,
        "rate_bp": 325,
        "start_on": start_on,
        "end_on": end_on,
    }
    return LoanCreate(**(fields | overrides))


def home_policy(**overrides: Any) -> HomePolicyCreate:
    fields: dict[str, Any] = {
        "policy_number": f"HP-{next(_serials) % 10_000_000:07d}",
        "street": "Kouter 12",
        "postcode": "9000",
        "city": "Gent",
        "latitude": 51.05,
        "longitude": 3.72,
        "construction_year": 1978,
        "start_on": dt.date(2020, 1, 1),
    }
    return HomePolicyCreate(**(fields | overrides))

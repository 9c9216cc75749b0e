"""Valid synthetic people, accounts and identifications for the customer-file tests.

Names and streets come from Faker with a fixed seed; national numbers and IBANs are computed with
their real check digits, so that every value passes the same validation as production input.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from faker import Faker
from schwifty import IBAN

from lawful.customers.schemas import AccountCreate, KycRecordCreate, PersonCreate

SEED = 2026
# One postcode and town per region (1300 is Walloon Brabant: Wallonia despite its number).
PLACES = {
    "brussels": ("1050", "Ixelles", "fr"),
    "wallonia": ("5000", "Namur", "fr"),
    "walloon-brabant": ("1300", "Wavre", "fr"),
    "flanders": ("9000", "Gent", "nl"),
}
_serials = itertools.count(1)


def national_number(birth_date: dt.date, serial: int | None = None) -> str:
    """A valid Belgian national register number for `birth_date` (check digits mod 97)."""
    counter = (next(_serials) if serial is None else serial) % 997 + 1
    first9 = f"{birth_date:%y%m%d}{counter:03d}"
    # People born from 2000 on have a 2 prefixed to the nine digits for the check.
    base = int(("2" if birth_date.year >= 2000 else "") + first9)
    return f"{first9}{97 - base % 97:02d}"


def iban(serial: int | None = None) -> str:
    account = (next(_serials) if serial is None else serial) % 10_000_000
    return IBAN.generate("BE", bank_code="735", account_code=f"{account:07d}").compact


class People:
    """Makes `PersonCreate`s; one instance per test, so each test sees the same people."""

    def __init__(self, seed: int = SEED) -> None:
        self.fakers = {"fr": Faker("fr_BE"), "nl": Faker("nl_BE")}
        for number, faker in enumerate(self.fakers.values()):
            faker.seed_instance(seed + number)
        # nl_BE has Belgian street names; fr_BE falls back to English ones.
        self.streets = self.fakers["nl"]

    def person(self, region: str = "flanders", **overrides: Any) -> PersonCreate:
        postcode, city, language = PLACES[region]
        faker = self.fakers[language]
        born = overrides.get("birth_date") or faker.date_of_birth(minimum_age=18, maximum_age=90)
        fields: dict[str, Any] = {
            "first_name": faker.first_name(),
            "last_name": faker.last_name(),
            "birth_date": born,
            "national_number": national_number(born),
            "email": f"{faker.user_name()}.{next(_serials)}@example.be",
            "phone": f"+32 470 {next(_serials) % 1_000_000:06d}",
            "street": self.streets.street_address(),
            "postcode": postcode,
            "city": city,
            "language": language,
        }
        return PersonCreate(**(fields | overrides))


def account(**overrides: Any) -> AccountCreate:
    fields = {"kind": "current", "iban": iban(), "opened_on": dt.date(2020, 1, 6)}
    return AccountCreate(**(fields | overrides))


def kyc(today: dt.date, **overrides: Any) -> KycRecordCreate:
    fields: dict[str, Any] = {
        "method": "branch",
        "document_type": "eid",
        "document_number": f"592-{next(_serials):07d}-12",
        "level": 2,
        "performed_on": today - dt.timedelta(days=400),
        "expires_on": today + dt.timedelta(days=3 * 365),
    }
    return KycRecordCreate(**(fields | overrides))

"""Each validator accepts the good and refuses the bad, naming the field; schemas locate errors."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from lawful.core.errors import InvalidInput
from lawful.core.register.models import Register
from lawful.customers import identity
from lawful.customers.schemas import (
    AccountCreate,
    CardStatementCreate,
    KycRecordCreate,
    PersonCreate,
    PersonUpdate,
)

from .factories import People, iban, national_number

BORN = dt.date(1985, 7, 30)


def with_check_digits(country: str, bban: str) -> str:
    """An IBAN whose own check digits are right, whatever the BBAN's national check says."""
    digits = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def refused(field: str) -> pytest.RaisesExc[InvalidInput]:
    return pytest.raises(InvalidInput, match=f"^{field}: ")


def test_national_number_is_compacted_and_checked_against_the_birth_date() -> None:
    assert identity.national_number("85.07.30-033.28", birth_date=BORN) == "85073003328"
    born_2003 = dt.date(2003, 2, 1)
    assert identity.national_number(national_number(born_2003), birth_date=born_2003)


@pytest.mark.parametrize("value", ["85073003329", "1234", "8507300332A", ""])
def test_invalid_national_numbers_are_refused(value: str) -> None:
    with refused("national_number") as error:
        identity.national_number(value)
    assert error.value.field == "national_number"


def test_national_number_of_another_birth_date_is_refused() -> None:
    with refused("national_number"):
        identity.national_number("85073003328", birth_date=dt.date(1985, 7, 31))


def test_only_the_encoded_parts_of_the_birth_date_are_compared() -> None:
    # Day 00: the day was unknown when the number was issued; the year and month still count.
    first9 = "850700033"
    number = f"{first9}{97 - int(first9) % 97:02d}"
    assert identity.encodes_birth_date(number, dt.date(1985, 7, 12))
    assert not identity.encodes_birth_date(number, dt.date(1985, 8, 12))


def test_iban_is_compacted_and_its_national_check_digits_verified() -> None:
    assert identity.iban("BE68 5390 0754 7034") == "BE68539007547034"
    assert identity.iban(iban()).startswith("BE")
    with refused("iban"):
        identity.iban("BE68539007547035")
    with refused("iban"):
        identity.iban(with_check_digits("BE", "539007547099"))
    with refused("account_iban"):
        identity.iban("not an iban", field="account_iban")


def test_phone_is_read_as_belgian_and_stored_in_e164() -> None:
    assert identity.phone("0470 12 34 56") == "+32470123456"
    assert identity.phone("+32 2 274 48 00") == "+3222744800"
    assert identity.phone("+33 6 12 34 56 78") == "+33612345678"
    for bad in ("0470", "12", "call me"):
        with refused("phone"):
            identity.phone(bad)


def test_email_is_normalised_without_a_network_check() -> None:
    assert identity.email("Jean.Dupont@Example.BE") == "Jean.Dupont@example.be"
    assert identity.email("someone@unregistered-domain-for-tests.be")
    for bad in ("jean.dupont", "jean@", "@example.be"):
        with refused("email"):
            identity.email(bad)


@pytest.mark.parametrize(
    ("postcode", "region", "brand"),
    [
        ("1000", "brussels", "kbc-brussels"),
        ("1299", "brussels", "kbc-brussels"),
        ("1300", "wallonia", "cbc"),
        ("1499", "wallonia", "cbc"),
        ("1500", "flanders", "kbc"),
        ("3999", "flanders", "kbc"),
        ("4000", "wallonia", "cbc"),
        ("7999", "wallonia", "cbc"),
        ("8000", "flanders", "kbc"),
        ("9999", "flanders", "kbc"),
    ],
)
def test_postcode_gives_region_and_the_brand_serving_it(
    register: Register, postcode: str, region: str, brand: str
) -> None:
    assert identity.locate(postcode, register.brands) == (region, brand)


@pytest.mark.parametrize("value", ["0999", "123", "12345", "ABCD", "١٢٣٤", ""])
def test_invalid_postcodes_are_refused(value: str) -> None:
    with refused("postcode"):
        identity.region_of(value)


def test_a_region_without_brand_is_refused(register: Register) -> None:
    brands = [b for b in register.brands if b.region != "brussels"]
    with refused("postcode"):
        identity.locate("1000", brands)


def test_language_and_text() -> None:
    assert identity.language(" NL ") == "nl"
    with refused("language"):
        identity.language("es")
    assert identity.text("  Jean \n Pierre ", field="first_name") == "Jean Pierre"
    with refused("first_name"):
        identity.text(" \t", field="first_name")
    with refused("city"):
        identity.text("x" * 101, field="city")


def locations(error: ValidationError) -> list[tuple[str | int, ...]]:
    return [e["loc"] for e in error.errors()]


def test_person_create_reports_every_bad_field_at_its_location(people: People) -> None:
    good = people.person().model_dump()
    bad = good | {
        "national_number": "85073003328",  # valid, but not for this birth date
        "email": "nobody",
        "phone": "12",
        "postcode": "0999",
        "language": "es",
        "first_name": " ",
    }
    with pytest.raises(ValidationError) as error:
        PersonCreate(**bad)
    assert sorted(locations(error.value)) == [
        ("email",),
        ("first_name",),
        ("language",),
        ("national_number",),
        ("phone",),
        ("postcode",),
    ]


def test_person_create_normalises(people: People) -> None:
    person = people.person(phone="0470 12 34 56", email="A@Example.BE", postcode="1300")
    assert (person.phone, person.email, person.region) == (
        "+32470123456",
        "A@example.be",
        "wallonia",
    )


def test_person_create_refuses_a_future_birth_date(people: People) -> None:
    data = people.person().model_dump() | {"birth_date": dt.date.today() + dt.timedelta(days=1)}
    with pytest.raises(ValidationError) as error:
        PersonCreate(**data)
    assert ("birth_date",) in locations(error.value)


def test_person_update_may_clear_contact_but_not_identity() -> None:
    assert PersonUpdate(phone=None).model_dump(exclude_unset=True) == {"phone": None}
    with pytest.raises(ValidationError) as error:
        PersonUpdate(last_name=None)
    assert locations(error.value) == [("last_name",)]
    with pytest.raises(ValidationError) as error:
        PersonUpdate(birth_date=dt.date(1985, 7, 31), national_number="85073003328")
    assert locations(error.value) == [("national_number",)]


def test_product_schemas_locate_their_errors() -> None:
    with pytest.raises(ValidationError) as error:
        AccountCreate(kind="current", iban="BE68539007547035", opened_on=dt.date(2020, 1, 1))
    assert locations(error.value) == [("iban",)]
    day = dt.date(2026, 1, 31)
    with pytest.raises(ValidationError) as error:
        CardStatementCreate(
            card_id=1,
            period_end=day,
            balance_cents=1,
            minimum_due_cents=1,
            due_date=day - dt.timedelta(days=1),
        )
    assert locations(error.value) == [("due_date",)]
    with pytest.raises(ValidationError) as error:
        KycRecordCreate(
            method="branch",
            document_type="eid",
            document_number="1",
            level=2,
            performed_on=day,
            expires_on=day,
        )
    assert locations(error.value) == [("expires_on",)]

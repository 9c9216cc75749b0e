"""Personal data found in a message: IBAN, Belgian national number, card number, phone, e-mail.

Regular expressions only find candidates; each one counts once a validator confirms it: the IBAN's
country format and MOD 97 check (schwifty), the national number's MOD 97 check over the birth
date (python-stdnum), the card number's Luhn digit and issuer prefix (python-stdnum's `luhn`),
a number plan a phone number fits (phonenumbers, Belgium as default region), the e-mail address's
syntax (email-validator, no DNS lookup). A reference number that merely looks like one of them is
not reported. With `validate=False` every candidate counts: the benchmark's anchor.

presidio-analyzer was considered and left out: its recognisers are these same regular expressions
and checksums, and it brings spaCy and a language model downloaded at run time, which an
installation with no internet access cannot fetch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import luhn
from stdnum.be import nn


class Kind(StrEnum):
    IBAN = "iban"
    NATIONAL_NUMBER = "national_number"
    CARD_NUMBER = "card_number"
    PHONE = "phone"
    EMAIL = "email"


@dataclass(frozen=True, slots=True)
class Found:
    kind: Kind
    start: int
    end: int
    masked: str  # what staff may see in a list: the last characters only


_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_NN = re.compile(r"(?<![\d.])\d{2}[. ]?\d{2}[. ]?\d{2}[-. ]?\d{3}[-. ]?\d{2}(?![\d])")
_CARD = re.compile(r"(?<![\d])(?:\d[ -]?){12,18}\d(?![\d])")
# A number written in full: international (+32, 0032) or national with its trunk 0.
_PHONE = re.compile(r"(?<![\w+])(?:\+|0)\d[\d ./-]{6,16}\d(?![\d])")
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
# Issuer prefixes of the card schemes a Belgian customer writes about (Visa, Mastercard, Maestro,
# American Express, Bancontact).
_CARD_PREFIX = re.compile(r"^(?:4|5[1-5]|2[2-7]|3[47]|6[0-9]|67)")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _mask(kind: Kind, value: str) -> str:
    if kind is Kind.EMAIL:
        local, _, domain = value.partition("@")
        return f"{local[:1]}…@{domain}"
    return "…" + re.sub(r"[\s./-]", "", value)[-4:]


def _iban(candidate: str) -> bool:
    try:
        IBAN(candidate)
    except (SchwiftyException, ValueError):
        return False
    return True


def _national_number(candidate: str) -> bool:
    return bool(nn.is_valid(_digits(candidate)))


def _card(candidate: str) -> bool:
    digits = _digits(candidate)
    return 13 <= len(digits) <= 19 and bool(_CARD_PREFIX.match(digits)) and luhn.is_valid(digits)


def _phone(candidate: str) -> bool:
    number = candidate if not candidate.startswith("00") else "+" + candidate[2:]
    try:
        parsed = phonenumbers.parse(number, "BE")
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_valid_number(parsed))


def _email(candidate: str) -> bool:
    try:
        validate_email(candidate, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


# In this order: a span taken by an earlier kind is not looked at again (an IBAN's digits are no
# card number, a national number is no phone number).
_FINDERS = (
    (Kind.EMAIL, _EMAIL, _email),
    (Kind.IBAN, _IBAN, _iban),
    (Kind.CARD_NUMBER, _CARD, _card),
    (Kind.NATIONAL_NUMBER, _NN, _national_number),
    (Kind.PHONE, _PHONE, _phone),
)


def find(text: str, *, validate: bool = True) -> list[Found]:
    """The personal data in `text`, in order of appearance."""
    taken: list[tuple[int, int]] = []
    out: list[Found] = []
    for kind, pattern, valid in _FINDERS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < b and a < end for a, b in taken):
                continue
            value = match.group()
            if validate and not valid(value):
                continue
            taken.append((start, end))
            out.append(Found(kind, start, end, _mask(kind, value)))
    out.sort(key=lambda f: f.start)
    return out


def counts(found: list[Found]) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in found:
        out[f.kind.value] = out.get(f.kind.value, 0) + 1
    return out

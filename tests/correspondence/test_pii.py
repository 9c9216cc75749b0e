"""Personal data in a message: candidates found by pattern count only once a validator confirms
them, so a wrong check digit or a reference number is not reported."""

from __future__ import annotations

import pytest
from schwifty import IBAN

from lawful.correspondence import pii
from lawful.correspondence.pii import Kind

GOOD_IBAN = IBAN.generate("BE", bank_code="735", account_code="0000123").formatted
NL_IBAN = "NL91 ABNA 0417 1643 00"
GOOD_NN = "85.07.30-033.28"
GOOD_CARD = "4111 1111 1111 1111"


def _kinds(text: str, *, validate: bool = True) -> list[Kind]:
    return [f.kind for f in pii.find(text, validate=validate)]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"Versez-le sur {GOOD_IBAN}, merci.", Kind.IBAN),
        (f"Mijn rekening: {NL_IBAN}.", Kind.IBAN),
        (f"Mon numéro national est {GOOD_NN}.", Kind.NATIONAL_NUMBER),
        ("Rijksregisternummer 85073003328", Kind.NATIONAL_NUMBER),
        (f"Card {GOOD_CARD} was charged twice.", Kind.CARD_NUMBER),
        ("Appelez-moi au 0470 12 34 56.", Kind.PHONE),
        ("Call me on +32 2 429 11 11.", Kind.PHONE),
        ("Écrivez à jan.peeters@example.be s.v.p.", Kind.EMAIL),
    ],
)
def test_a_valid_identifier_is_found(text: str, kind: Kind) -> None:
    assert _kinds(text) == [kind]


@pytest.mark.parametrize(
    "text",
    [
        "Versez-le sur BE71 0961 2345 6760, merci.",  # MOD 97 off by one
        "Mon numéro national est 85.07.30-033.29.",  # check digits wrong
        "Card 4111 1111 1111 1112 was charged twice.",  # Luhn digit wrong
        "Dossier 2026-000123, référence 12345678.",  # a reference, not a phone number
        "Ma carte se termine par 4821.",
    ],
)
def test_a_wrong_checksum_or_a_reference_is_ignored(text: str) -> None:
    assert _kinds(text) == []


def test_without_validation_every_candidate_counts() -> None:
    wrong = "BE71 0961 2345 6760 et 85.07.30-033.29 et 4111 1111 1111 1112"
    assert _kinds(wrong) == []
    assert len(_kinds(wrong, validate=False)) == 3


def test_what_is_shown_is_masked() -> None:
    found = pii.find(f"IBAN {GOOD_IBAN}, carte {GOOD_CARD}, e-mail jan.peeters@example.be")
    assert [f.masked for f in found] == [
        "…" + GOOD_IBAN.replace(" ", "")[-4:],
        "…1111",
        "j…@example.be",
    ]
    assert pii.counts(found) == {"iban": 1, "card_number": 1, "email": 1}


def test_an_ibans_digits_are_not_taken_for_a_card_or_a_phone() -> None:
    assert _kinds(f"Rekening {GOOD_IBAN}") == [Kind.IBAN]

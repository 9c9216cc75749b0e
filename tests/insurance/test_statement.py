"""The statement says what a bordereau holds: each of its columns, in every language, and
that the name, national number, street and contact details are not sent."""

from __future__ import annotations

import re
from html import unescape

import pytest

from lawful.core.register.load import load_register
from lawful.core.register.statement import render_html
from lawful.insurance.schemas import COLUMNS

# How the statement names each column of a bordereau, and what it says is never sent.
SAYS = {
    "en": {
        "policyholder": "a code that differs for each reinsurer",
        "postcode": "the postcode of the insured property",
        "sum_insured_cents": "the sum insured",
        "premium_cents": "the premium",
        "flood_class": "its flood risk class if we know it",
        "claims": "the number of claims",
        "never": "Your name, national number, street and contact details are never part of it",
    },
    "fr": {
        "policyholder": "un code propre à chaque réassureur",
        "postcode": "le code postal du bien assuré",
        "sum_insured_cents": "la somme assurée",
        "premium_cents": "la prime",
        "flood_class": "sa classe de risque d'inondation si nous la connaissons",
        "claims": "le nombre de sinistres",
        "never": "Votre nom, votre numéro de registre national, votre rue et vos coordonnées "
        "n'en font jamais partie",
    },
    "nl": {
        "policyholder": "een code die voor elke herverzekeraar anders is",
        "postcode": "de postcode van het verzekerde pand",
        "sum_insured_cents": "het verzekerde bedrag",
        "premium_cents": "de premie",
        "flood_class": "de overstromingsklasse als we die kennen",
        "claims": "het aantal schadegevallen",
        "never": "Uw naam, uw rijksregisternummer, uw straat en uw contactgegevens horen er "
        "nooit bij",
    },
}


def words(html: str) -> str:
    body = html.split("</style>", 1)[-1]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).replace("\xa0", " ").split())


@pytest.mark.parametrize("lang", sorted(SAYS))
def test_the_statement_names_every_column_of_a_bordereau_and_what_is_never_sent(
    lang: str,
) -> None:
    register = load_register()
    assert set(SAYS[lang]) == {*COLUMNS, "never"}  # a new column needs its words here
    for brand in register.brands:
        text = words(render_html(register, brand=brand.id, lang=lang))
        for column, phrase in SAYS[lang].items():
            assert phrase in text, (brand.id, column)

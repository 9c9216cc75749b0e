"""Names meet sentences: French elision and contraction at the seam, articles, dates, spaces."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from lawful.core.register.grammar import bare, join, long_date, substitute, typography


@pytest.mark.parametrize(
    ("before", "name", "expected"),
    [
        ("des données de ", "Aquarisk Data NV", "des données d'Aquarisk Data NV"),
        ("auprès de ", "l'Autorité de protection", "auprès de l'Autorité de protection"),
        (
            "vous adresser à ",
            "le Bureau de tarification",
            "vous adresser au Bureau de tarification",
        ),
        ("demander à ", "les réassureurs", "demander aux réassureurs"),
        ("le rôle de ", "le Bureau", "le rôle du Bureau"),
        ("la liste de ", "les partenaires", "la liste des partenaires"),
        ("plutôt que ", "Ombudsfin", "plutôt qu'Ombudsfin"),
        ("De ", "Ecorenova NV", "D'Ecorenova NV"),
        ("via ", "l'Ombudsman des assurances", "via l'Ombudsman des assurances"),
        ("de ", "KBC Bank SA", "de KBC Bank SA"),
        ("de ", "Hainaut Assurances", "de Hainaut Assurances"),  # h taken as aspirated
        ("aujourd'hui de ", "Aquarisk", "aujourd'hui d'Aquarisk"),
        ("garde-le ", "Aquarisk", "garde-le Aquarisk"),  # a pronoun glued by a hyphen stays
        ("de ", "La Poste", "de La Poste"),  # a capitalised article belongs to the name
        ("", "la FSMA", "La FSMA"),  # the start of a sentence
        ("Voilà. ", "l'Autorité", "Voilà. L'Autorité"),
        ("Sur ", "https://www.cbc.be", "Sur https://www.cbc.be"),
    ],
)
def test_french_seams(before: str, name: str, expected: str) -> None:
    assert join(before, name, "fr") == expected


@pytest.mark.parametrize(
    ("lang", "before", "name", "expected"),
    [
        ("nl", "gegevens van ", "Aquarisk Data NV", "gegevens van Aquarisk Data NV"),
        ("nl", "bij ", "het Tariferingsbureau", "bij het Tariferingsbureau"),
        ("nl", "", "de FSMA", "De FSMA"),
        ("en", "data from ", "Aquarisk Data NV", "data from Aquarisk Data NV"),
        ("en", "", "the Insurance Ombudsman", "The Insurance Ombudsman"),
    ],
)
def test_other_languages_keep_the_seam_as_written(
    lang: str, before: str, name: str, expected: str
) -> None:
    assert join(before, name, lang) == expected


@pytest.mark.parametrize(
    ("lang", "name", "alone"),
    [
        (
            "fr",
            "l'Autorité de protection des données (APD)",
            "Autorité de protection des données (APD)",
        ),
        ("fr", "le Bureau de tarification", "Bureau de tarification"),
        ("fr", "la FSMA", "FSMA"),
        ("fr", "La Poste", "La Poste"),
        ("fr", "KBC Bank SA", "KBC Bank SA"),
        ("nl", "de Gegevensbeschermingsautoriteit (GBA)", "Gegevensbeschermingsautoriteit (GBA)"),
        ("nl", "het Tariferingsbureau", "Tariferingsbureau"),
        ("en", "the Belgian Data Protection Authority", "Belgian Data Protection Authority"),
    ],
)
def test_a_name_standing_alone_drops_its_article(lang: str, name: str, alone: str) -> None:
    assert bare(name, lang) == alone


def test_substitute_joins_every_seam() -> None:
    field = re.compile(r"\$(\w+)")
    values = {"who": "le Bureau", "from": "Aquarisk"}
    text = substitute(
        "Transmis à $who, avec des données de $from.", field, lambda m: values[m[1]], "fr"
    )
    assert text == "Transmis au Bureau, avec des données d'Aquarisk."


@pytest.mark.parametrize(
    ("lang", "day", "expected"),
    [
        ("fr", dt.date(2026, 11, 1), "1er novembre 2026"),
        ("fr", dt.date(2026, 11, 11), "11 novembre 2026"),
        ("fr", dt.date(2021, 1, 1), "1er janvier 2021"),
        ("fr_BE", dt.date(2026, 11, 1), "1er novembre 2026"),
        ("nl_BE", dt.date(2026, 11, 1), "1 november 2026"),
        ("en_BE", dt.date(2026, 11, 1), "1 November 2026"),
    ],
)
def test_long_dates_write_the_first_of_the_month_as_french_does(
    lang: str, day: dt.date, expected: str
) -> None:
    assert long_date(day, lang) == expected


def test_french_spaces_before_signs_do_not_break() -> None:
    assert typography("Notre intérêt : « oui » ?", "fr") == "Notre intérêt\xa0: «\xa0oui\xa0»\xa0?"
    assert typography("Our interest: yes?", "en") == "Our interest: yes?"
    assert typography("https://www.cbc.be", "fr") == "https://www.cbc.be"

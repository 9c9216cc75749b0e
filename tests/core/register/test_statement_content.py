"""What the reference statements say: the parts a lawyer checks before signing, in each language."""

from __future__ import annotations

import copy
import re
from html import unescape
from typing import Any

import pytest
from tests.layout import overflowing, pages_of, render

from lawful.core.register.load import load_register
from lawful.core.register.models import LegalBasis, Register
from lawful.core.register.statement import render_html

from .test_statement import make_doc

LANGS = ("fr", "nl", "en")


@pytest.fixture(scope="module")
def reference() -> Register:
    return load_register()


@pytest.fixture(scope="module")
def rendered(reference: Register) -> dict[tuple[str, str], str]:
    return {
        (b.id, lang): render_html(reference, brand=b.id, lang=lang)
        for b in reference.brands
        for lang in (*LANGS, "de")
    }


def words(html: str) -> str:
    """The text a reader sees: no tags, entities decoded, non-breaking spaces as spaces."""
    body = html.split("</style>", 1)[-1]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).replace("\xa0", " ").split())


def section(html: str, ident: str) -> str:
    match = re.search(rf'<(section|div|article) [^>]*id="{ident}"[^>]*>(.*?)</\1>', html, re.DOTALL)
    assert match, f"no section '{ident}'"
    return match.group(2)


def test_french_texts_name_the_group_in_french(rendered: dict[tuple[str, str], str]) -> None:
    kbc, cbc = words(rendered["kbc", "fr"]), words(rendered["cbc", "fr"])
    assert "KBC Bank SA" in kbc and "KBC Assurances SA" in kbc
    assert "avenue du Port 2, 1080 Bruxelles" in kbc
    assert "CBC Banque SA (nom commercial de KBC Bank SA)" in cbc
    assert "CBC Assurances SA" in cbc
    for brand in ("kbc", "cbc", "kbc-brussels"):
        text = words(rendered[brand, "fr"])
        for dutch in ("KBC Bank NV", "KBC Verzekeringen NV", "Havenlaan", "Brussel,", "NV)"):
            assert dutch not in text, (brand, dutch)


def test_dutch_texts_name_the_group_in_dutch(rendered: dict[tuple[str, str], str]) -> None:
    kbc = words(rendered["kbc", "nl"])
    assert "KBC Bank NV" in kbc and "KBC Verzekeringen NV" in kbc
    assert "Havenlaan 2, 1080 Brussel" in kbc and "Drukpersstraat 35, 1000 Brussel" in kbc
    assert "KBC Bank SA" not in kbc and "avenue du Port" not in kbc
    assert "CBC Banque NV (handelsnaam van KBC Bank NV)" in words(rendered["cbc", "nl"])


def test_the_bank_is_named_as_its_brand_names_it(rendered: dict[tuple[str, str], str]) -> None:
    """Under CBC the bank is CBC Banque wherever it is named: controller, recipient, source."""
    cbc = rendered["cbc", "fr"]
    reuse = section(cbc, "purpose-intra-group-identity-reuse")
    assert "CBC Banque SA" in words(reuse) and "KBC Bank SA" not in words(reuse)
    assert "CBC Banque" not in words(rendered["kbc", "fr"])


def test_french_elision_and_contraction_around_names(
    rendered: dict[tuple[str, str], str],
) -> None:
    cbc = words(rendered["cbc", "fr"])
    assert "d'Aquarisk Data NV" in cbc and "de Aquarisk" not in cbc
    assert "auprès de l'Autorité de protection des données (APD)" in cbc
    assert "vous adresser au Bureau de tarification Catastrophes naturelles" in cbc
    assert "ou l'Ombudsman des assurances" in cbc
    assert not re.search(r"\b(à|de) le\b", cbc.replace("de le faire", ""))
    assert not re.search(r"\b(de|que) [AEIOUÉ]", cbc)


def test_french_dates_write_the_first_as_1er(rendered: dict[tuple[str, str], str]) -> None:
    assert "Version du 1er novembre 2026" in words(rendered["cbc", "fr"])
    assert "1 november 2026" in words(rendered["cbc", "nl"])


@pytest.mark.parametrize("lang", LANGS)
def test_the_one_page_summary_comes_first(rendered: dict[tuple[str, str], str], lang: str) -> None:
    html = rendered["cbc", lang]
    main = html.split("<main>", 1)[1]
    assert re.match(r'\s*<section id="summary"', main)
    summary = section(html, "summary")
    assert summary.count("<dt>") >= 3  # one family of purposes per legal basis used
    assert "#purpose-personalised-offers" in summary  # each family names its purposes
    assert "CBC Mobile" in summary  # how to object, and how to withdraw consent
    authority = {"fr": "l'Autorité", "nl": "de Gegevensbeschermingsautoriteit", "en": "the Belgian"}
    assert authority[lang] in words(summary)


def test_consent_is_withdrawn_not_objected_to(
    reference: Register, rendered: dict[tuple[str, str], str]
) -> None:
    consent = [p.id for p in reference.purposes if p.legal_basis == LegalBasis.CONSENT]
    assert consent, "the reference register has consent-based purposes"
    for lang in LANGS:
        html = rendered["cbc", lang]
        objection = section(html, "objection")
        withdrawal = section(html, "consent")
        for ident in consent:
            assert f"#purpose-{ident}" not in objection
            assert f"#purpose-{ident}" in withdrawal
            purpose = section(html, f"purpose-{ident}")
            assert 'class="consent-box"' in purpose and "objection-box" not in purpose
    assert "retirer votre consentement à tout moment" in words(rendered["cbc", "fr"])


@pytest.mark.parametrize("lang", LANGS)
def test_the_complaint_right_is_unconditional(
    rendered: dict[tuple[str, str], str], lang: str
) -> None:
    rights = section(rendered["kbc", lang], "rights")
    title = {"fr": "Plainte", "nl": "Klacht", "en": "Complaint"}[lang]
    complaint = re.search(rf"<dt>{title}</dt><dd>(.*?)</dd>", rights, re.DOTALL)
    assert complaint, rights
    at_any_time = {"fr": "à tout moment", "nl": "op elk moment", "en": "at any time"}
    assert at_any_time[lang] in words(complaint.group(1)).lower()
    for condition in ("Si notre réponse ne vous satisfait pas", "niet tevreden", "not satisfied"):
        assert condition not in words(rendered["kbc", lang])


def test_whether_data_must_be_given_is_said_for_every_purpose(
    reference: Register, rendered: dict[tuple[str, str], str]
) -> None:
    """Art. 13(2)(e): required or not, and what follows if it is not given."""
    html = rendered["cbc", "en"]
    articles = re.findall(
        r'<article class="purpose" id="purpose-([\w-]+)">(.*?)</article>', html, re.DOTALL
    )
    assert articles
    for ident, body in articles:
        basis = reference.purpose(ident).legal_basis
        row = re.search(r"Must you give it to us\?</th><td>(.*?)</td>", body)
        assert row, ident
        expected = {
            "contract": "Yes, as far as the data is needed",
            "legal_obligation": "Yes: the law",
            "legitimate_interests": "No: no law or contract",
            "consent": "No: giving your consent",
        }[basis]
        assert row.group(1).startswith(expected), (ident, basis)


def test_joint_controllers_are_told_the_essence_of_their_arrangement(
    rendered: dict[tuple[str, str], str],
) -> None:
    joint = section(rendered["cbc", "fr"], "joint")
    text = words(joint)
    assert "responsables conjointes (RGPD, art. 26)" in text
    assert "auprès de n'importe laquelle d'entre elles" in text
    assert "#purpose-complaint-handling" in joint  # three controllers, two under this brand
    assert "#purpose-mifid-call-recording" not in joint  # the bank alone


def test_no_joint_section_for_a_brand_with_one_controller() -> None:
    register = Register.model_validate(make_doc())
    assert 'id="joint"' not in render_html(register, brand="kbc", lang="fr")
    assert 'id="joint"' in render_html(register, brand="cbc", lang="fr")


def test_transfers_outside_the_eea_are_stated_with_their_safeguard() -> None:
    register = Register.model_validate(make_doc())  # a reinsurer in Switzerland, for the insurer
    cbc = render_html(register, brand="cbc", lang="fr")
    transfers = section(cbc, "transfers")
    assert "Swiss Re (fr)" in words(transfers) and "(Suisse)" in words(transfers)
    assert "Adequacy decision" in words(transfers)
    assert "#purpose-insurer-only" in transfers
    assert 'class="no-transfer"' not in transfers
    kbc = section(render_html(register, brand="kbc", lang="fr"), "transfers")  # bank only
    assert "Suisse" not in kbc and 'class="no-transfer"' in kbc
    assert "aucun destinataire établi hors de l'Espace économique européen" in words(kbc)


def test_the_reference_statement_says_it_transfers_nothing_outside_the_eea(
    rendered: dict[tuple[str, str], str],
) -> None:
    transfers = section(rendered["cbc", "en"], "transfers")
    assert "We pass your data to no recipient outside the European Economic Area" in words(
        transfers
    )


def test_a_recipient_inside_the_eea_is_not_a_transfer() -> None:
    doc: dict[str, Any] = copy.deepcopy(make_doc())
    doc["recipients"][1]["country"] = "LU"
    html = render_html(Register.model_validate(doc), brand="cbc", lang="en")
    assert 'class="no-transfer"' in section(html, "transfers")


@pytest.mark.parametrize(
    ("brand", "reading"), [("kbc", "nl"), ("cbc", "fr"), ("kbc-brussels", "fr")]
)
def test_german_readers_are_told_which_language_they_read_and_why(
    rendered: dict[tuple[str, str], str], brand: str, reading: str
) -> None:
    html = rendered[brand, "de"]
    assert f'<html lang="{reading}">' in html
    notice = section(html, "reading-notice")
    paragraphs = re.findall(r'<p lang="(\w+)">(.*?)</p>', notice, re.DOTALL)
    assert [lang for lang, _ in paragraphs] == ["de", "fr", "nl", "en"]
    german = words(paragraphs[0][1])
    language = {"nl": "Niederländisch", "fr": "Französisch"}[reading]
    assert "gibt es nicht auf Deutsch" in german and f"Sie lesen sie hier auf {language}" in german
    assert "Französisch, Niederländisch und Englisch" in german
    assert "n'existe pas en allemand" in words(paragraphs[1][1])
    # The rest is the statement in the reading language, in full.
    assert words(html).count("avenue du Port" if reading == "fr" else "Havenlaan") >= 1
    assert section(html, "summary") == section(rendered[brand, reading], "summary")


@pytest.mark.parametrize("lang", LANGS)
def test_the_summary_fills_the_first_page_and_nothing_runs_off_it(
    rendered: dict[tuple[str, str], str], lang: str
) -> None:
    document = render(rendered["cbc", lang])
    assert pages_of(document, "summary") == {1}
    assert pages_of(document, "toc-title") == {2}
    assert overflowing(document) == []

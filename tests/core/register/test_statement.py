"""The privacy statement renders every brand and language from the register, and nothing leaks."""

from __future__ import annotations

import contextlib
import copy
import logging
import re
import shutil
import subprocess
import zlib
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from lawful.core.errors import RenderError
from lawful.core.register import statement
from lawful.core.register.load import load_register
from lawful.core.register.models import Duration, Register
from lawful.core.register.statement import (
    LEFTOVER,
    duration_words,
    enterprise_number,
    render_all,
    render_html,
    render_pdf,
)

Doc = dict[str, Any]


def text(word: str) -> dict[str, str]:
    return {"fr": f"{word} (fr)", "nl": f"{word} (nl)", "en": f"{word} (en)"}


def address(street: str) -> Doc:
    return {"street": street, "postcode": "1080", "city": "Brussels"}


def purpose(ident: str, controllers: list[str], mode: str, **extra: Any) -> Doc:
    doc: Doc = {
        "id": ident,
        "title": text(f"Title {ident}"),
        "description": text(f"Why {ident}, with {{brand}} and {{app}}"),
        "legal_basis": "legitimate_interests",
        "data_use": "essential.service",
        "controllers": controllers,
        "legitimate_interest": {
            "interest": text(f"Interest {ident}"),
            "necessity": "n",
            "alternatives": "a",
            "reasonable_expectations": "r",
            "balancing": "b",
            "safeguards": ["s"],
            "reviewer": "DPO",
            "assessed_on": "2025-01-10",
            "review_on": "2026-01-10",
        },
        "data_categories": ["user.contact.email", "user.name", "user.financial.balance"],
        "data_subjects": ["customer"],
        "retention": {"duration": {"years": 1, "months": 6}, "starts": "collection"},
        "objection": {"mode": mode},
    }
    if mode == "none":
        doc["objection"]["reason"] = text(f"No objection to {ident}")
    doc.update(extra)
    return doc


def make_doc() -> Doc:
    return {
        "languages": ["fr", "nl", "en"],
        "updated_on": "2025-03-14",
        "taxonomy": {
            "data_categories": [
                {"key": "user.financial.balance", "parent": "user.financial", "name": text("Bal")}
            ]
        },
        "authority": {
            "id": "apd-gba",
            "name": text("Authority"),
            "address": address("Rue de la Presse 35"),
            "contact": {
                "email": "contact@apd-gba.be",
                "url": "https://www.autoriteprotectiondonnees.be",
            },
        },
        "entities": [
            {
                "id": "bank",
                "legal_name": "Example Bank NV",
                "enterprise_number": "0462.920.226",
                "address": address("Havenlaan 2"),
                "dpo": {"email": "dpo@bank.example"},
            },
            {
                "id": "insurer",
                "legal_name": "Example Insurer SA",
                "enterprise_number": "0403.552.563",
                "address": address("Avenue 1"),
                "dpo": {"email": "dpo@insurer.example", "address": address("Avenue 1")},
            },
        ],
        "brands": [
            {
                "id": "kbc",
                "name": {"fr": "KBC", "nl": "KBC", "en": "KBC"},
                "entities": ["bank"],
                "region": "flanders",
                "app": "KBC Mobile",
                "assistant": "Kate",
                "website": "www.kbc.be",
                "contact": {"email": "info@kbc.example"},
            },
            {
                "id": "cbc",
                "name": {"fr": "CBC", "nl": "CBC", "en": "CBC"},
                "entities": ["bank", "insurer"],
                "region": "wallonia",
                "app": "CBC Mobile",
                "assistant": "Kate",
                "website": "www.cbc.be",
                "contact": {"email": "info@cbc.example"},
            },
        ],
        "recipients": [
            {
                "id": "worldline",
                "kind": "processor",
                "name": text("Worldline"),
                "description": text("Card disputes for {entity:bank}"),
            },
            {
                "id": "reinsurer",
                "kind": "third_party",
                "name": text("Swiss Re"),
                "country": "CH",
                "description": text("Reinsurer"),
                "transfer_safeguard": "Adequacy decision",
            },
        ],
        "legal_holds": [
            {
                "id": "aml",
                "title": text("Anti-money laundering"),
                "law": text("Law of 18 September 2017, art. 60"),
                "duration": {"years": 10},
                "starts": "relationship_end",
                "data_categories": ["user.name"],
            },
        ],
        "purposes": [
            purpose(
                "identity", ["bank"], "balancing", legal_holds=["aml"], recipients=["worldline"]
            ),
            purpose(
                "offers",
                ["bank", "insurer"],
                "absolute",
                direct_marketing=True,
                preference="offers",
            ),
            purpose(
                "insurer-only",
                ["insurer"],
                "balancing",
                recipients=["reinsurer"],
                source={"recipient": "worldline", "description": text("Flood partner")},
            ),
            purpose(
                "law", ["bank"], "none", legal_basis="legal_obligation", legitimate_interest=None
            ),
            purpose("hidden", ["bank"], "balancing", statement=False),
        ],
    }


@pytest.fixture(scope="module")
def register() -> Register:
    return Register.model_validate(make_doc())


def changed(edit: Any) -> Register:
    doc = copy.deepcopy(make_doc())
    edit(doc)
    return Register.model_validate(doc)


@pytest.mark.parametrize("brand", ["kbc", "cbc"])
@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_every_brand_and_language_renders_without_leftovers(
    register: Register, brand: str, lang: str
) -> None:
    html = render_html(register, brand=brand, lang=lang)
    assert f'<html lang="{lang}">' in html
    body = html.split("</style>", 1)[1]
    assert LEFTOVER.search(body) is None
    assert "{" not in body and "%%" not in body
    assert f"Why identity, with {brand.upper()} and {brand.upper()} Mobile" in html
    assert "BE 0462.920.226" in html
    assert f"Bal ({lang})" in html  # the register's own category name, in that language


def test_reference_register_renders_for_every_brand_and_language() -> None:
    reference = load_register()
    for brand in reference.brands:
        for lang in reference.languages:
            html = render_html(reference, brand=brand.id, lang=lang)
            body = html.split("</style>", 1)[1]
            assert "{" not in body and "%%" not in body, (brand.id, lang)
            shown = [
                p
                for p in reference.purposes
                if p.statement and set(p.controllers) & set(brand.entities)
            ]
            consent = [p for p in shown if p.legal_basis == "consent"]
            assert html.count('class="objection-box') == sum(
                1 for p in shown if p.objection.mode != "none" and p not in consent
            )
            assert html.count('class="consent-box') == len(consent)


def test_only_the_brands_entities_and_purposes(register: Register) -> None:
    kbc = render_html(register, brand="kbc", lang="en")
    cbc = render_html(register, brand="cbc", lang="en")
    assert "Example Insurer SA" not in kbc and "Example Insurer SA" in cbc
    assert "Title insurer-only" not in kbc and "Title insurer-only" in cbc
    assert "Title hidden" not in kbc  # statement: false


def readable(html: str) -> str:
    return unescape(html).replace("\xa0", " ")


def test_french_labels_are_translated(register: Register) -> None:
    html = readable(render_html(register, brand="cbc", lang="fr"))
    assert "Adresse e-mail" in html and "1 an et 6 mois après leur collecte" in html
    assert "Votre droit d'opposition" in html
    assert "Suisse" in html and "Adequacy decision" in html  # transfer outside the EEA
    assert "14 mars 2025" in html


def test_objection_box_exactly_for_balancing_and_absolute(register: Register) -> None:
    html = render_html(register, brand="cbc", lang="en")
    boxes = re.findall(r'class="objection-box objection-(\w+)" id="object-purpose-([\w-]+)"', html)
    assert sorted(boxes) == [
        ("absolute", "offers"),
        ("balancing", "identity"),
        ("balancing", "insurer-only"),
    ]
    assert "No objection to law (en)" in html
    summary = html.split('id="objection"', 1)[1].split("</section>", 1)[0]
    assert "#purpose-offers" in summary and "#purpose-identity" in summary
    assert "#purpose-law" not in summary
    assert "KBC Mobile" not in summary and "CBC Mobile" in summary  # Art. 21(5): in the app


def test_legal_hold_that_outlasts_retention_is_shown(register: Register) -> None:
    html = readable(render_html(register, brand="kbc", lang="nl"))
    assert "10 jaar na het einde van onze relatie" in html
    assert "Law of 18 September 2017, art. 60" in html


def test_unknown_placeholder_names_template_and_placeholder() -> None:
    def leak(doc: Doc) -> None:
        doc["purposes"][3]["description"]["nl"] += " {recipient:acme}"

    with pytest.raises(RenderError) as caught:
        render_html(changed(leak), brand="kbc", lang="nl")
    assert str(caught.value) == (
        "statement.html.j2: placeholder '{recipient:acme}' in purposes[3].description "
        "names recipient 'acme', which is not declared"
    )


def test_foreign_template_syntax_is_refused() -> None:
    def leak(doc: Doc) -> None:
        doc["recipients"][0]["name"]["fr"] = "%%bank%%"

    with pytest.raises(RenderError, match=r"'%%bank%%' in recipients\[0\]\.name"):
        render_html(changed(leak), brand="kbc", lang="fr")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<p>\n{{ s.brand }} {{ s.nope }}</p>", "statement.html.j2:2: undefined template variable"),
        ("{{ t.purpose.nope }}", "label 'purpose.nope' is not in labels.yaml"),
        ("{{ '{' ~ 'brand}' }}", "the rendered statement still contains '{brand}'"),
    ],
)
def test_template_mistakes_are_render_errors(
    register: Register, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, message: str
) -> None:
    (tmp_path / "statement.html.j2").write_text(body, encoding="utf-8")
    env = Environment(loader=FileSystemLoader(tmp_path), undefined=StrictUndefined, autoescape=True)
    monkeypatch.setattr(statement, "_env", lambda: env)
    with pytest.raises(RenderError, match=re.escape(message)):
        render_html(register, brand="kbc", lang="en")


def test_category_without_translation_is_an_error_not_english() -> None:
    def untranslated(doc: Doc) -> None:
        doc["purposes"][0]["data_categories"].append("user.nonexistent")

    with pytest.raises(RenderError, match=r"data category 'user\.nonexistent'"):
        render_html(changed(untranslated), brand="kbc", lang="fr")


def test_language_missing_from_labels_is_an_error() -> None:
    def german(doc: Doc) -> None:
        doc["languages"].append("de")
        for brand in doc["brands"]:
            brand["name"]["de"] = brand["name"]["en"]

    with pytest.raises(RenderError, match=r"labels\.yaml: 'document\.title' has no 'de' text"):
        render_html(changed(german), brand="kbc", lang="de")


def test_unknown_brand_or_language_lists_the_valid_ones(register: Register) -> None:
    with pytest.raises(RenderError, match="unknown brand 'kbcc'; the register declares: kbc, cbc"):
        render_html(register, brand="kbcc", lang="fr")
    with pytest.raises(RenderError, match=r"unknown language 'it'.*fr, nl, en"):
        render_html(register, brand="kbc", lang="it")


def test_durations_and_enterprise_numbers() -> None:
    assert duration_words(Duration(years=10), "fr") == "10 ans"
    assert duration_words(Duration(years=10), "nl") == "10 jaar"
    assert duration_words(Duration(months=18), "en") == "18 months"
    assert duration_words(Duration(days=30), "nl_BE") == "30 dagen"  # CLDR lacks the long form
    assert duration_words(Duration(years=1, days=1), "nl") == "1 jaar en 1 dag"
    assert enterprise_number("0403552563") == "BE 0403.552.563"


def pdf_text(pdf: bytes) -> bytes:
    """The PDF's objects with their compressed streams inflated (the catalog may be in one)."""
    inflated = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        with contextlib.suppress(zlib.error):
            inflated.append(zlib.decompress(stream))
    return b"\n".join(inflated)


def pdf_info(path: Path) -> str:
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout


def test_pdf_is_tagged_titled_and_carries_its_language(
    register: Register, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_pdf(register, brand="cbc", lang="fr")
    css_warnings = [r.getMessage() for r in caplog.records if "HarfBuzz" not in r.getMessage()]
    assert css_warnings == []  # WeasyPrint understood every rule of the stylesheet
    assert pdf.startswith(b"%PDF-")
    objects = pdf_text(pdf)
    assert re.search(rb"/Lang ?\(fr\)", objects)
    assert b"/StructTreeRoot" in objects and b"/Marked true" in objects
    assert b"/DisplayDocTitle true" in objects  # PDF/UA: viewers show the title
    assert b"/Outlines" in objects  # bookmarks from the headings
    if shutil.which("pdfinfo"):
        path = tmp_path / "s.pdf"
        path.write_bytes(pdf)
        info = pdf_info(path)
        assert re.search(r"Title:\s+Déclaration de confidentialité – CBC", info), info
        assert re.search(r"Tagged:\s+yes", info), info


def test_render_all_writes_every_brand_language_and_format(
    register: Register, tmp_path: Path
) -> None:
    written = render_all(register, tmp_path / "out", workers=2)
    names = sorted(p.name for p in written)
    assert len(names) == 2 * 4 * 2  # fr, nl, en, and German with its reading notice
    assert "statement-kbc-nl.html" in names and "statement-cbc-fr.pdf" in names
    assert "statement-cbc-de.pdf" in names
    assert all(p.read_bytes().startswith(b"%PDF-") for p in written if p.suffix == ".pdf")
    assert not list((tmp_path / "out").glob(".*"))  # no temporary files left behind

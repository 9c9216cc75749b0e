"""The register check reports every problem with its YAML path; the reference checks clean."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from lawful.core.register.load import parse, reference_register_path

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def reference() -> Doc:
    data = yaml.safe_load(reference_register_path().read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def problems_after(reference: Doc, mutate: Callable[[Doc], None]) -> list[str]:
    doc = copy.deepcopy(reference)
    mutate(doc)
    register, problems = parse(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    assert register is None, "a broken register must not load"
    return [str(p) for p in problems]


def purpose_index(doc: Doc, predicate: Callable[[Doc], bool]) -> int:
    return next(i for i, p in enumerate(doc["purposes"]) if predicate(p))


def test_reference_register_checks_clean() -> None:
    register, problems = parse(reference_register_path().read_text(encoding="utf-8"))
    assert [str(p) for p in problems] == []
    assert register is not None
    assert {p.activity for p in register.purposes} >= set(range(1, 18))


def test_yaml_syntax_error_names_its_line() -> None:
    _, problems = parse("languages: [fr, nl\nentities: {\n")
    assert len(problems) == 1
    assert "YAML syntax error" in problems[0].message
    assert problems[0].line is not None and problems[0].line >= 2


def test_unknown_category_is_reported_with_path_and_suggestion(reference: Doc) -> None:
    def typo(doc: Doc) -> None:
        doc["purposes"][3]["data_categories"].insert(1, "user.finacial")

    found = problems_after(reference, typo)
    assert any(
        p.startswith(
            "purposes[3].data_categories[1]: unknown data category 'user.finacial' "
            "(did you mean 'user.financial'?)"
        )
        for p in found
    ), found


def test_duplicate_purpose_id(reference: Doc) -> None:
    def dup(doc: Doc) -> None:
        doc["purposes"][2]["id"] = doc["purposes"][0]["id"]

    found = problems_after(reference, dup)
    assert any(p.startswith("purposes[2].id: duplicate purpose id") for p in found), found


def test_legitimate_interest_without_assessment(reference: Doc) -> None:
    index = purpose_index(reference, lambda p: p["legal_basis"] == "legitimate_interests")

    def drop(doc: Doc) -> None:
        del doc["purposes"][index]["legitimate_interest"]

    found = problems_after(reference, drop)
    assert any(
        p.startswith(f"purposes[{index}].legitimate_interest: a legitimate-interest purpose")
        for p in found
    ), found


def test_direct_marketing_must_be_absolute(reference: Doc) -> None:
    index = purpose_index(reference, lambda p: p.get("direct_marketing", False))

    def soften(doc: Doc) -> None:
        doc["purposes"][index]["objection"] = {"mode": "balancing"}

    found = problems_after(reference, soften)
    assert any(
        p.startswith(f"purposes[{index}].objection.mode: a direct-marketing purpose") for p in found
    ), found


@pytest.mark.parametrize(
    ("basis", "mode", "message"),
    [
        ("contract", "balancing", "objection mode must be 'none' on a contract purpose"),
        ("contract", "absolute", "objection mode must be 'none' on a contract purpose"),
        ("legal_obligation", "balancing", "on a legal-obligation purpose (Art. 6(1)(c))"),
        ("consent", "absolute", "consent is withdrawn (Art. 7(3)), not objected to"),
    ],
)
def test_only_legitimate_interest_can_be_objected_to(
    reference: Doc, basis: str, mode: str, message: str
) -> None:
    index = purpose_index(reference, lambda p: p["legal_basis"] == basis)

    def objectable(doc: Doc) -> None:
        doc["purposes"][index]["objection"] = {"mode": mode}

    found = problems_after(reference, objectable)
    assert (
        [p for p in found if p.startswith(f"purposes[{index}].objection.mode: ")]
        == [
            p for p in found if message in p and p.startswith(f"purposes[{index}].objection.mode: ")
        ]
        != []
    ), found


def test_consent_based_direct_marketing_is_withdrawn_not_objected_to(reference: Doc) -> None:
    # The reference's third-party offers rest on consent: mode 'none', and the register is clean.
    register, problems = parse(reference_register_path().read_text(encoding="utf-8"))
    assert register is not None and not problems
    [offers] = [p for p in register.purposes if p.direct_marketing and p.requires_consent]
    assert offers.objection.mode.value == "none" and offers.objection.reason is not None


def test_undeclared_recipient_and_entity(reference: Doc) -> None:
    def undeclared(doc: Doc) -> None:
        doc["purposes"][0]["recipients"].append("acme-reinsurance")
        doc["purposes"][0]["controllers"].append("kbc-bakn")

    found = problems_after(reference, undeclared)
    assert any("recipient 'acme-reinsurance' is referenced but not declared" in p for p in found)
    assert any(
        "entity 'kbc-bakn' is referenced but not declared (did you mean 'kbc-bank'?)" in p
        for p in found
    ), found


def test_missing_translation(reference: Doc) -> None:
    def untranslate(doc: Doc) -> None:
        del doc["purposes"][1]["title"]["nl"]

    found = problems_after(reference, untranslate)
    assert any(p.startswith("purposes[1].title.nl: missing translation") for p in found), found


def test_placeholder_naming_nothing_declared(reference: Doc) -> None:
    def leak(doc: Doc) -> None:
        doc["purposes"][0]["description"]["fr"] += " {recipient:nobody} %%bank%%"

    found = problems_after(reference, leak)
    assert any(
        p.startswith("purposes[0].description.fr: placeholder '{recipient:nobody}'") for p in found
    ), found
    assert any("'%%bank%%'" in p for p in found), found


def test_invalid_enterprise_number(reference: Doc) -> None:
    def bad(doc: Doc) -> None:
        doc["entities"][0]["enterprise_number"] = "0462.920.227"

    found = problems_after(reference, bad)
    assert any(p.startswith("entities[0].enterprise_number: '0462.920.227'") for p in found), found


def test_every_problem_is_reported_at_once(reference: Doc) -> None:
    def many(doc: Doc) -> None:
        doc["purposes"][0]["data_categories"].append("user.nope")
        doc["purposes"][1]["recipients"].append("nobody")
        del doc["purposes"][2]["title"]["en"]

    assert len(problems_after(reference, many)) >= 3


def test_unknown_field_is_reported(reference: Doc) -> None:
    def extra(doc: Doc) -> None:
        doc["purposes"][0]["legal_bassis"] = "consent"

    found = problems_after(reference, extra)
    assert any(p.startswith("purposes[0].legal_bassis: unknown field") for p in found), found


def test_a_legal_name_lacking_a_language_is_reported_at_its_path(reference: Doc) -> None:
    def drop(doc: Doc) -> None:
        del doc["entities"][1]["legal_name"]["nl"]

    found = problems_after(reference, drop)
    assert any(
        p.startswith("entities[1].legal_name.nl: missing translation: no 'nl' text") for p in found
    ), found


def test_an_address_line_lacking_a_language_is_reported_at_its_path(reference: Doc) -> None:
    def drop(doc: Doc) -> None:
        doc["authority"]["address"]["street"] = {
            "fr": "rue de la Presse 35",
            "nl": "Drukpersstraat 35",
        }

    found = problems_after(reference, drop)
    assert any(
        p.startswith("authority.address.street.en: missing translation: no 'en' text")
        for p in found
    ), found


def test_one_name_for_every_language_is_allowed(reference: Doc) -> None:
    doc = copy.deepcopy(reference)
    doc["entities"][2]["legal_name"] = "CBC Assurances SA"
    register, problems = parse(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    assert [str(p) for p in problems] == [] and register is not None


def test_a_trade_name_must_name_one_of_the_brands_entities(reference: Doc) -> None:
    brand = next(i for i, b in enumerate(reference["brands"]) if b["id"] == "kbc")

    def stray(doc: Doc) -> None:
        doc["brands"][brand]["trade_names"] = {"cbc-insurance": "CBC Assurances SA"}

    found = problems_after(reference, stray)
    assert any(
        p.startswith(f"brands[{brand}].trade_names.cbc-insurance: a trade name for 'cbc-insurance'")
        for p in found
    ), found


def test_a_recipient_needs_a_name_unless_it_is_a_group_entity(reference: Doc) -> None:
    index = next(i for i, r in enumerate(reference["recipients"]) if r["id"] == "worldline")

    def anonymous(doc: Doc) -> None:
        del doc["recipients"][index]["name"]

    found = problems_after(reference, anonymous)
    assert any(p.startswith(f"recipients[{index}].name: a recipient that is no") for p in found)

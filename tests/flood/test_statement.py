"""The statement promises what the code does: each claim of the flood-underwriting text, in
every language, is found in the rendered statement and names the test that proves it."""

from __future__ import annotations

import re

import pytest
from tests.insurance.test_statement import words

from lawful.core.register.load import load_register
from lawful.core.register.models import LegalBasis, ObjectionMode
from lawful.core.register.statement import render_html
from lawful.flood import rules, service

from . import test_api, test_quotes, test_rules, test_service

PURPOSE = service.PURPOSE
# claim -> (its words in en, fr, nl; the test that proves it)
CLAIMS = {
    "grace": (
        (
            "built more than 18 months after publication of the royal decree",
            "construit plus de 18 mois après la publication de l'arrêté royal",
            "gebouwd meer dan 18 maanden na de bekendmaking van het koninklijk besluit",
        ),
        test_rules.test_built_exactly_18_months_after_the_decree_is_still_covered,
    ),
    "year": (
        (
            "counts as built on 1 January of that year",
            "compte comme construit le 1er janvier de cette année",
            "geldt als gebouwd op 1 januari van dat jaar",
        ),
        test_service.test_a_building_known_by_its_year_is_refusable_only_past_18_months,
    ),
    "loading": (
        (
            "none for A, 10% for B, 25% for C and 50% for D",
            "aucune pour A, 10 % pour B, 25 % pour C et 50 % pour D",
            "geen voor A, 10% voor B, 25% voor C en 50% voor D",
        ),
        test_rules.test_the_loading_follows_the_class_and_only_a_loading_waits_for_review,
    ),
    "review": (
        (
            "it takes effect only after an underwriter has reviewed it",
            "il ne prend effet qu'après l'examen d'un souscripteur",
            "ze geldt pas nadat een acceptant ze bekeken heeft",
        ),
        test_service.test_a_refusal_or_surcharge_takes_no_effect_before_an_underwriters_review,
    ),
    "name": (
        (
            "we keep their name and reasons",
            "dont nous gardons le nom et les motifs",
            "we bewaren zijn naam en motivering",
        ),
        test_api.test_the_underwriter_reviews_and_the_customer_reads_why,
    ),
    "only_case": (
        (
            "We may refuse only in the case described above",
            "Nous ne pouvons refuser que dans le cas décrit ci-dessus",
            "We mogen alleen weigeren in het geval hierboven",
        ),
        test_service.test_an_underwriter_may_not_refuse_where_art_129_forbids_it,
    ),
    "plain_words": (
        (
            "you see each result and its reasons in plain words",
            "vous voyez chaque résultat et ses raisons en termes simples",
            "ziet u elk resultaat en de redenen ervan in eenvoudige woorden",
        ),
        test_service.test_the_customer_reads_the_reasons_in_plain_words,
    ),
    "contest": (
        (
            "you can contest it and give your point of view: an underwriter reviews it again",
            "vous pouvez le contester et donner votre point de vue : un souscripteur le réexamine",
            "u kunt het betwisten en uw standpunt geven: een acceptant bekijkt het opnieuw",
        ),
        test_service.test_a_contest_sends_the_decision_back_to_an_underwriter,
    ),
    "bureau": (
        (
            "If we refuse, you can turn to",
            "Si nous refusons, vous pouvez vous adresser",
            "Weigeren we, dan kunt u terecht bij",
        ),
        test_service.test_the_customer_reads_the_reasons_in_plain_words,
    ),
    "source": (
        (
            "we use data from",
            "nous utilisons des données d",  # de or d' before the partner's name
            "gebruiken we gegevens van",
        ),
        test_service.test_each_owner_is_recorded_with_the_partner_as_source,
    ),
    "quote": (
        (
            "or simulate a quote for it online",
            "ou que vous en simulez une offre en ligne",
            "of er online een offerte voor simuleert",
        ),
        test_quotes.test_a_quoted_house_is_assigned_in_the_same_run_as_the_insured_ones,
    ),
    "quote_retention": (
        (
            "For a quote simulated online, we erase this calculation with the simulation, 30 days",
            "Pour une offre simulée en ligne, nous effaçons ce calcul avec la simulation, 30 jours",
            "wissen we deze berekening samen met de simulatie, 30 dagen",
        ),
        test_quotes.test_a_quotes_assessment_goes_when_the_quotes_retention_ends,
    ),
}
LANGS = ("en", "fr", "nl")


@pytest.mark.parametrize("lang", LANGS)
def test_every_claim_is_in_the_statement_and_proven(lang: str) -> None:
    register = load_register()
    for brand in register.brands:
        text = words(render_html(register, brand=brand.id, lang=lang))
        for claim, (phrases, proof) in CLAIMS.items():
            assert phrases[LANGS.index(lang)] in text, (brand.id, claim)
            assert callable(proof)


def test_pricing_rests_on_the_contract_and_is_not_objected_to_but_contested() -> None:
    purpose = load_register().purpose(PURPOSE)
    # Art. 22(2)(a): a decision needed for the contract the person asks for, reviewed by a
    # person before it takes effect; not legitimate interest, which Art. 22(2) does not admit.
    assert purpose.legal_basis is LegalBasis.CONTRACT
    assert purpose.legitimate_interest is None
    assert purpose.objection.mode is ObjectionMode.NONE
    assert purpose.automated_decision is not None and purpose.dpia


def test_the_stated_loadings_are_the_rules() -> None:
    logic = load_register().purpose(PURPOSE).automated_decision
    assert logic is not None
    stated = dict(
        (cls, int(pct) * 100) for pct, cls in re.findall(r"(\d+)% for ([A-D])", logic.logic["en"])
    )
    assert stated == {k: v for k, v in rules.LOADING_BP.items() if v}
    assert f"{rules.GRACE_MONTHS} months" in logic.logic["en"]


def test_the_flood_service_acts_under_its_own_role() -> None:
    roles = {r.id: r for r in load_register().roles}
    assert roles[service.JOB_ROLE].purposes == [PURPOSE]
    assert PURPOSE in roles["self-service"].purposes

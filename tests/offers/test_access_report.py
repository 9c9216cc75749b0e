"""The access report (Art. 15) carries the person's profile and every offer kept, with the rule
and the facts that chose it, in their words: no product, status or fact shown as a code."""

from __future__ import annotations

from sqlalchemy.orm import Session
from tests.engagement.test_access_report import words
from tests.layout import overflowing, render

from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.flows import access_report
from lawful.rights import service as rights

from .conftest import TODAY, Holdings, client, run

SELF = Actor("self-service", "kbc-bank")


def test_the_report_shows_the_profile_and_why_each_offer_was_made(
    session: Session, gate: Gate
) -> None:
    person = client(session, gate, Holdings(mortgage=True), language="fr")
    run(session, gate, [person])
    data = access_report.access_report(
        session, gate=gate, actor=SELF, person_id=person, today=TODAY
    )
    assert data.file["profiles"][0]["segment"] == "borrower"
    products = {o["product"]: o for o in data.file["offers"]}
    assert products["home-insurance"]["offer_facts"] == {"mortgages": 1, "home_policies": 0}
    html = rights.to_html(rights.report_view(gate.register, data))
    text = words(html)
    assert "Offres que nous vous avons faites, et pourquoi" in text
    assert "assurance habitation" in text and "Crédits logement en cours" in text
    assert "Votre profil commercial" in text and "crédit" in text
    # The rule is named by its id (what the customer can contest); everything else in words.
    assert "home-insurance-for-mortgage/" in text
    for code in ("savings-account", "credit-card", "offer_rule", "offer_facts", "mortgages"):
        assert code not in text, code
    assert overflowing(render(html)) == []


def test_erasure_takes_offers_and_profiles_with_the_file(session: Session, gate: Gate) -> None:
    from lawful.flows import erasure

    person = client(session, gate, Holdings(mortgage=True))
    run(session, gate, [person])
    dpo = Actor("dpo", "kbc-bank")
    request = rights.submit_request(
        session,
        gate=gate,
        actor=dpo,
        person_id=person,
        type="erasure",
        channel="staff",
        registered_by="dpo:test",
        today=TODAY,
    )
    erasure.erase(
        session, gate=gate, actor=dpo, person_id=person, request_id=request.id, today=TODAY
    )
    from lawful.offers import repository

    assert repository.offers_of(session, person, statuses=("open", "accepted", "declined")) == []
    assert repository.segment_of(session, person) is None

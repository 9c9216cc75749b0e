"""The access report as a person reads it: on A4 with no cut column, values written for them."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pytest
import yaml
from sqlalchemy.orm import Session
from tests.layout import overflowing, render

from lawful.core.gate import Gate
from lawful.customers import service as customers
from lawful.customers.schemas import PersonRead, PersonUpdate
from lawful.rights import service
from lawful.rights.labels import LABELS, TEMPLATES
from lawful.rights.schemas import AccessReport

from . import factories
from .conftest import ADVISOR, SELF, TODAY, access_report, new_person

LONG_EMAIL = "lotte.maes.une.adresse.vraiment.tres.longue@un-domaine-de-messagerie.example.be"


def _rich_file(session: Session, gate: Gate, person: PersonRead) -> None:
    """Every section that lays out as a table, with values as long as real ones get."""
    pid = person.id
    customers.add_kyc_record(
        session, gate=gate, actor=ADVISOR, person_id=pid, data=factories.kyc(dt.date(2015, 3, 2))
    )
    account = customers.add_account(
        session, gate=gate, actor=ADVISOR, person_id=pid, data=factories.account()
    )
    customers.add_account(
        session, gate=gate, actor=ADVISOR, person_id=pid, data=factories.account(kind="savings")
    )
    card = customers.add_card(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=pid,
        data=factories.card(account_id=account.id, opened_on=dt.date(2016, 1, 1)),
    )
    for months in range(3):
        period_end = TODAY - dt.timedelta(days=5 + 30 * months)
        customers.add_card_statement(
            session,
            gate=gate,
            actor=ADVISOR,
            person_id=pid,
            data=factories.statement(card.id, period_end),
        )
    customers.add_loan(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=pid,
        data=factories.loan(dt.date(2020, 4, 1), dt.date(2040, 3, 31)),
    )
    customers.rectify(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=pid,
        changes=PersonUpdate(email=LONG_EMAIL),
        reason="Nouvelle adresse communiquée à l'agence par le client lui-même",
        changed_by="advisor-0042",
    )
    customers.set_preference(
        session, gate=gate, actor=SELF, person_id=pid, key="card_reminders", enabled=False
    )
    customers.give_consent(
        session, gate=gate, actor=SELF, person_id=pid, purpose="third-party-offers"
    )


def _report(session: Session, gate: Gate, *, language: str, region: str) -> AccessReport:
    person = new_person(session, gate, language=language, region=region)
    _rich_file(session, gate, person)
    return access_report(session, gate, actor=SELF, person_id=person.id, today=TODAY)


def words(html: str) -> str:
    body = html.split("</style>", 1)[-1]
    text = unescape(re.sub(r"<[^>]+>", " ", body))
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


@pytest.fixture
def french(session: Session, gate: Gate) -> AccessReport:
    """A French-speaking CBC customer in Namur."""
    return _report(session, gate, language="fr", region="wallonia")


def test_no_table_runs_off_an_a4_page(french: AccessReport) -> None:
    document = render(service.to_html(french))
    assert document.pages[0]._page_box.width < 700  # A4 portrait, in CSS pixels, less margins
    assert overflowing(document) == []


def test_the_pdf_is_the_laid_out_report(french: AccessReport) -> None:
    assert service.to_pdf(french).startswith(b"%PDF-")


def test_values_are_written_for_a_french_reader(french: AccessReport) -> None:
    html = service.to_html(french)
    text = words(html)
    assert "Limite de crédit 2 500,00 €" in text
    assert "250 000,00 €" in text and "3,25 %" in text  # the loan: amount and rate
    assert "420,00 €" in text and "42,00 €" in text  # a card statement: balance, minimum due
    assert re.search(r"BE\d\d \d{4} \d{4} \d{4}", text)  # IBANs grouped as printed
    assert re.search(r"Numéro de registre national \d\d\.\d\d\.\d\d-\d{3}\.\d\d", text)
    assert "Langue Français" in text and "Marque CBC" in text
    assert "Ouvert le 1er janvier 2016" in text
    assert "CBC Banque SA" in text  # the bank, as its brand names it
    assert "Rappels de paiement de la carte de crédit" in text
    assert "Vous présenter des offres de nos partenaires" in text  # the consent's purpose
    assert "Adresse : rue de la Presse 35, 1000 Bruxelles" in text
    assert "auprès de l'Autorité de protection des données (APD)" in text


def test_no_raw_code_reaches_the_reader(french: AccessReport) -> None:
    html = service.to_html(french)
    body = html.split("</style>", 1)[1]
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", body, re.DOTALL)
    for code in ("card_reminders", "third-party-offers", "kbc-bank", "cbc", "fr", "{}"):
        assert code not in [unescape(c).strip() for c in cells], code
    for fragment in ("_cents", "rate_bp", "{}", "None", "True", "False"):
        assert fragment not in words(html), fragment


def test_a_german_reader_is_told_which_language_they_read(session: Session, gate: Gate) -> None:
    report = _report(session, gate, language="de", region="brussels")
    html = service.to_html(report)
    assert report.lang == "fr" and '<html lang="fr">' in html
    notice = re.search(r'<section id="reading-notice"[^>]*>(.*?)</section>', html, re.DOTALL)
    assert notice
    paragraphs = dict(re.findall(r'<p lang="(\w+)">(.*?)</p>', notice.group(1), re.DOTALL))
    assert list(paragraphs) == ["de", "fr"]
    assert "Sie lesen diese Antwort auf Französisch" in words(paragraphs["de"])
    assert "Vous nous avez indiqué l'allemand comme langue" in words(paragraphs["fr"])
    assert "Langue Allemand" in words(html)


def test_a_dutch_reader_gets_no_notice(session: Session, gate: Gate) -> None:
    report = _report(session, gate, language="nl", region="flanders")
    html = service.to_html(report)
    assert 'id="reading-notice"' not in html
    assert "Kredietlimiet € 2.500,00" in words(html) and "Taal Nederlands" in words(html)
    assert overflowing(render(html)) == []


def _leaves(node: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(node, dict) and all(not isinstance(v, dict) for v in node.values()):
        return [(f"{path}.{lang}", value) for lang, value in node.items()]
    return [leaf for key, value in node.items() for leaf in _leaves(value, f"{path}.{key}")]


@pytest.mark.parametrize("folder", ["rights", "core/register"])
def test_every_label_is_a_text(folder: str) -> None:
    """YAML reads an unquoted On/Off/Yes/No as a boolean: a label would turn into '{}'."""
    root = TEMPLATES.parents[1] / folder / "templates" / LABELS
    tree = yaml.safe_load(root.read_text(encoding="utf-8"))
    assert [path for path, value in _leaves(tree) if not isinstance(value, str)] == []

"""Erasure: what goes, what stays under which hold and until when, and the key that is destroyed."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from lawful.core.errors import KeyDestroyed, NotFound
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.vault import service as vault
from lawful.customers import service as customers
from lawful.customers.schemas import PersonRead
from lawful.rights import repository, service
from lawful.rights.dates import add_months
from lawful.rights.schemas import ErasureOutcome, RequestStatus

from . import factories
from .conftest import ADVISOR, DPO, READING, TODAY, new_person, registered

AML_ID_NL = (
    "Identificatie verplicht door de antiwitwaswetgeving "
    "(Wet van 18 september 2017 tot voorkoming van het witwassen van geld, art. 60)"
)
CONTRACT_NL = "Nodig om de overeenkomst uit te voeren die u nog met ons hebt"
ENDED = dt.date(2020, 6, 30)


def _products(session: Session, gate: Gate, person: PersonRead, *, closed: dt.date | None) -> None:
    pid = person.id
    customers.add_kyc_record(
        session, gate=gate, actor=ADVISOR, person_id=pid, data=factories.kyc(dt.date(2015, 3, 2))
    )
    account = customers.add_account(
        session, gate=gate, actor=ADVISOR, person_id=pid, data=factories.account(closed_on=closed)
    )
    card = customers.add_card(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=pid,
        data=factories.card(account_id=account.id, closed_on=closed),
    )
    customers.add_card_statement(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=pid,
        data=factories.statement(card.id, closed or TODAY - dt.timedelta(days=5)),
    )


def _kept(outcome: ErasureOutcome) -> set[tuple[str, str, dt.date | None]]:
    return {(k.section, k.hold, k.until) for k in outcome.kept}


def test_active_client_keeps_identity_for_aml_and_running_products_for_the_contract(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate, since=dt.date(2015, 3, 2))
    _products(session, gate, person, closed=None)
    customers.add_loan(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=person.id,
        data=factories.loan(dt.date(2020, 4, 1), dt.date(2040, 3, 31)),
    )
    outcome = service.erase(
        session,
        gate=gate,
        actor=DPO,
        person_id=person.id,
        today=TODAY,
        request_id=registered(session, gate, person.id),
    )
    ten_years = add_months(TODAY, 120)
    assert _kept(outcome) == {
        ("identity", "aml-identification", ten_years),
        ("kyc", "aml-identification", ten_years),
        ("contact", "contract", None),
        ("relationships", "contract", None),
        ("accounts", "contract", None),
        ("accounts", "aml-transactions", ten_years),
        ("cards", "contract", None),
        ("cards", "aml-transactions", ten_years),
        ("loans", "contract", None),
        ("loans", "aml-transactions", dt.date(2050, 3, 31)),
    }
    # An active client must stay reachable: contact details are kept for the contract. Only
    # sections that held something are reported, and this person had nothing else to erase.
    assert outcome.erased == []
    reasons = {k.hold: k.reason for k in outcome.kept}
    assert reasons["aml-identification"] == AML_ID_NL
    assert reasons["contract"] == CONTRACT_NL


def test_former_client_holds_count_from_the_end_and_the_last_statement(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate, since=dt.date(2012, 2, 1))
    _products(session, gate, person, closed=ENDED)
    customers.end_relationship(
        session, gate=gate, actor=ADVISOR, person_id=person.id, entity="kbc-bank", until=ENDED
    )
    outcome = service.erase(
        session,
        gate=gate,
        actor=DPO,
        person_id=person.id,
        today=TODAY,
        request_id=registered(session, gate, person.id),
    )
    last_due = ENDED + dt.timedelta(days=20)
    assert _kept(outcome) == {
        ("identity", "aml-identification", dt.date(2030, 6, 30)),
        ("kyc", "aml-identification", dt.date(2030, 6, 30)),
        ("accounts", "aml-transactions", dt.date(2030, 6, 30)),
        ("cards", "aml-transactions", last_due.replace(year=2030)),
    }
    assert "relationships" in outcome.erased and "contact" in outcome.erased
    holds = {
        (h.hold, h.until, h.reason)
        for h in repository.holds_of_person(session, person.id, active_only=True)
    }
    assert holds == {
        ("aml-identification", dt.date(2030, 6, 30), AML_ID_NL),
        ("aml-transactions", dt.date(2030, 7, 20), outcome.kept[-1].reason),
    }
    request = service.get_request(session, request_id=outcome.request_id)
    assert request.status is RequestStatus.COMPLETED
    assert request.outcome and request.outcome["erased"] == outcome.erased


def test_a_prospect_keeps_nothing(session: Session, gate: Gate) -> None:
    person = new_person(session, gate, state="prospect")
    outcome = service.erase(
        session,
        gate=gate,
        actor=DPO,
        person_id=person.id,
        today=TODAY,
        request_id=registered(session, gate, person.id),
    )
    assert outcome.kept == []
    assert "identity" in outcome.erased
    assert repository.holds_of_person(session, person.id, active_only=False) == []


def test_erasure_shreds_the_key_and_the_ledger_still_verifies(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    before = [
        r
        for r in ledger.for_subject(session, keys=gate.keys, subject_id=client.id)
        if r.details is not None
    ]
    assert ledger.details(session, keys=gate.keys, record=before[0]) is not None
    service.erase(
        session,
        gate=gate,
        actor=DPO,
        person_id=client.id,
        today=TODAY,
        request_id=registered(session, gate, client.id),
    )
    assert vault.is_shredded(session, keys=gate.keys, subject_id=client.id)
    with pytest.raises(KeyDestroyed):
        ledger.details(session, keys=gate.keys, record=before[0])
    assert ledger.verify(session, keys=gate.keys).ok
    events = [r.event for r in ledger.for_subject(session, keys=gate.keys, subject_id=client.id)]
    assert events[-4:] == [
        "customers.person.export",
        "rights.erasure.execute",
        "rights.request.complete",
        "customers.person.erase",
    ]
    # The file is gone from every ordinary view.
    with pytest.raises(NotFound):
        customers.get_person(session, gate=gate, actor=DPO, person_id=client.id, reason=READING)


def test_after_erasure_the_access_report_still_shows_what_is_kept_and_why(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate, since=dt.date(2015, 3, 2))
    _products(session, gate, person, closed=None)
    service.erase(
        session,
        gate=gate,
        actor=DPO,
        person_id=person.id,
        today=TODAY,
        request_id=registered(session, gate, person.id),
    )
    report = service.access_report(
        session,
        gate=gate,
        actor=DPO,
        person_id=person.id,
        today=TODAY,
        request_id=registered(session, gate, person.id, "access"),
    )
    assert report.lang == "nl"  # the language is kept with the contact details (contract)
    assert {h.hold for h in report.holds} == {"aml-identification", "aml-transactions", "contract"}
    assert report.data["identity"]["national_number"] == person.national_number
    assert report.data["accounts"]


def test_an_erased_person_cannot_be_erased_again(session: Session, gate: Gate) -> None:
    person = new_person(session, gate, since=dt.date(2015, 3, 2))
    service.erase(
        session,
        gate=gate,
        actor=DPO,
        person_id=person.id,
        today=TODAY,
        request_id=registered(session, gate, person.id),
    )
    with pytest.raises(NotFound, match="erased"):
        service.erase(
            session,
            gate=gate,
            actor=DPO,
            person_id=person.id,
            today=TODAY,
            request_id=registered(session, gate, person.id),
        )

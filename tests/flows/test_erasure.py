"""Erasure: what goes, what stays under which hold and until when, and the key that is destroyed.

Hold ends count from the end of the relationship or the contract, never from the erasure's day."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session
from tests.rights import factories

from lawful.core.errors import KeyDestroyed, NotFound
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.vault import service as vault
from lawful.customers import service as customers
from lawful.customers.schemas import PersonRead
from lawful.flows import erasure
from lawful.rights import repository, service, words
from lawful.rights.dates import add_months
from lawful.rights.schemas import ErasureOutcome, RequestStatus

from .conftest import ADVISOR, DPO, READING, TODAY, access_report, new_person, registered

AML_ID_NL = (
    "Identificatie verplicht door de antiwitwaswetgeving "
    "(Wet van 18 september 2017 tot voorkoming van het witwassen van geld, art. 60)"
)
CONTRACT_NL = "Nodig om de overeenkomst uit te voeren die u nog met ons hebt"
ENDED = dt.date(2020, 6, 30)


def erase(session: Session, gate: Gate, person_id: str, today: dt.date = TODAY) -> ErasureOutcome:
    """The erasure as the API answers it: the flow's data, put in the person's words."""
    done = erasure.erase(
        session,
        gate=gate,
        actor=DPO,
        person_id=person_id,
        today=today,
        request_id=registered(session, gate, person_id),
    )
    return words.erasure_outcome(
        gate.register,
        request_id=done.request_id,
        erased=done.erased,
        kept=done.kept,
        language=done.language,
        brand=done.brand,
    )


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


def test_active_client_keeps_what_the_contract_and_the_law_need_with_no_end_date_yet(
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
    customers.set_preference(
        session, gate=gate, actor=ADVISOR, person_id=person.id, key="card_reminders", enabled=False
    )
    outcome = erase(session, gate, person.id)
    # The relationship and the open account and card have no end yet: neither have their holds.
    assert _kept(outcome) == {
        ("identity", "aml-identification", None),
        ("identity", "running-contract", None),
        ("kyc", "aml-identification", None),
        ("contact", "running-contract", None),
        ("relationships", "aml-identification", None),
        ("relationships", "running-contract", None),
        ("accounts", "running-contract", None),
        ("accounts", "aml-transactions", None),
        ("cards", "running-contract", None),
        ("cards", "aml-transactions", None),
        # The loan knows its end: kept for the contract until then, its operations 10 years more.
        ("loans", "running-contract", dt.date(2040, 3, 31)),
        ("loans", "aml-transactions", dt.date(2050, 3, 31)),
    }
    # What has no basis left goes: the notification settings (legitimate interest).
    assert outcome.erased == ["preferences"]
    reasons = {k.hold: k.reason for k in outcome.kept}
    assert reasons["aml-identification"] == AML_ID_NL
    assert reasons["running-contract"] == CONTRACT_NL
    ends = {(k.section, k.hold): k.ends for k in outcome.kept}
    assert ends[("identity", "aml-identification")] == "10 jaar na het einde van onze relatie"
    assert ends[("contact", "running-contract")] == "zolang de overeenkomst loopt"
    assert ends[("loans", "running-contract")] == "tot 31 maart 2040"
    # Stored: the review date is when retention looks again; the real end is not known yet.
    stored = {
        (h.hold, h.until, h.ends_on)
        for h in repository.holds_of_person(session, person.id, active_only=True)
    }
    review = add_months(TODAY, 12)
    assert stored == {
        ("aml-identification", review, None),
        ("aml-transactions", review, None),
        ("running-contract", review, None),
    }


def test_an_erased_client_with_a_running_contract_stays_readable_for_the_contract(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate, since=dt.date(2015, 3, 2))
    _products(session, gate, person, closed=None)
    erase(session, gate, person.id)
    read = customers.get_person(
        session, gate=gate, actor=ADVISOR, person_id=person.id, reason=READING
    )
    assert (read.last_name, read.email) == (person.last_name, person.email)
    products = customers.products(
        session, gate=gate, actor=ADVISOR, person_id=person.id, reason=READING
    )
    assert len(products.accounts) == 1 and len(products.cards) == 1
    last = ledger.for_subject(session, keys=gate.keys, subject_id=person.id)[-1]
    assert (last.purpose, last.decision, last.details) == ("customer-contract", "allow", None)
    assert "legal_hold" in last.obligations
    # The identification the AML law keeps stays readable for the AML purpose.
    [kyc] = customers.kyc_records(
        session, gate=gate, actor=ADVISOR, person_id=person.id, reason=READING
    )
    assert kyc.document_type == "eid"
    last = ledger.for_subject(session, keys=gate.keys, subject_id=person.id)[-1]
    assert (last.purpose, last.decision) == ("customer-identification", "allow")
    # Not for the legitimate-interest file, nor for anything else the holds do not name.
    with pytest.raises(NotFound):
        customers.get_person(
            session, gate=gate, actor=ADVISOR, person_id=person.id, purpose="customer-file"
        )


def test_former_client_holds_count_from_the_end_and_the_last_statement(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate, since=dt.date(2012, 2, 1))
    _products(session, gate, person, closed=ENDED)
    customers.end_relationship(
        session, gate=gate, actor=ADVISOR, person_id=person.id, entity="kbc-bank", until=ENDED
    )
    outcome = erase(session, gate, person.id, dt.date(2026, 6, 1))
    last_due = ENDED + dt.timedelta(days=20)
    assert _kept(outcome) == {
        ("identity", "aml-identification", dt.date(2030, 6, 30)),
        ("kyc", "aml-identification", dt.date(2030, 6, 30)),
        ("relationships", "aml-identification", dt.date(2030, 6, 30)),
        ("accounts", "aml-transactions", dt.date(2030, 6, 30)),
        ("cards", "aml-transactions", last_due.replace(year=2030)),
    }
    assert outcome.erased == ["contact"]
    holds = {
        (h.hold, h.until, h.ends_on, h.reason)
        for h in repository.holds_of_person(session, person.id, active_only=True)
    }
    assert holds == {
        (
            "aml-identification",
            dt.date(2030, 6, 30),
            dt.date(2030, 6, 30),
            "legal_holds.aml-identification",
        ),
        (
            "aml-transactions",
            dt.date(2030, 7, 20),
            dt.date(2030, 7, 20),
            "legal_holds.aml-transactions",
        ),
    }
    request = service.get_request(session, gate=gate, request_id=outcome.request_id)
    assert request.status is RequestStatus.COMPLETED
    assert request.outcome and request.outcome["erased"] == outcome.erased


def test_a_prospect_keeps_nothing(session: Session, gate: Gate) -> None:
    person = new_person(session, gate, state="prospect")
    outcome = erase(session, gate, person.id)
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
    erase(session, gate, client.id)
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
    # The file is gone from every ordinary view, the DPO's included.
    with pytest.raises(NotFound):
        customers.get_person(session, gate=gate, actor=DPO, person_id=client.id, reason=READING)


def test_after_erasure_the_access_report_still_shows_what_is_kept_and_why(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate, since=dt.date(2015, 3, 2))
    _products(session, gate, person, closed=None)
    erase(session, gate, person.id)
    report = access_report(
        session,
        gate,
        actor=DPO,
        person_id=person.id,
        today=TODAY,
        request_id=registered(session, gate, person.id, "access"),
    )
    assert report.lang == "nl"  # the language is kept with the contact details (contract)
    assert {h.hold for h in report.holds} == {
        "aml-identification",
        "aml-transactions",
        "running-contract",
    }
    held = {h.hold: h for h in report.holds}
    assert held["running-contract"].until is None
    assert held["running-contract"].ends == "zolang de overeenkomst loopt"
    assert held["aml-identification"].reason == AML_ID_NL
    assert report.data["identity"]["national_number"] == person.national_number
    assert report.data["accounts"]


def test_an_erased_person_cannot_be_erased_again(session: Session, gate: Gate) -> None:
    person = new_person(session, gate, since=dt.date(2015, 3, 2))
    erase(session, gate, person.id)
    with pytest.raises(NotFound, match="erased"):
        erase(session, gate, person.id)

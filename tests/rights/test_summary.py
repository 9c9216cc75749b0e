"""The data summary: per purpose, the uses the ledger records for the person, counted as the
access report's timeline has them, worded in the person's language, its reading recorded."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from lawful.core.errors import NotOnFile, ProcessingDenied
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.customers.schemas import PersonRead
from lawful.rights import service

from . import factories
from .conftest import ADVISOR, SELF, TODAY, access_report

STRANGER = Actor("advisor", "cbc-insurance")


def _summary(session: Session, gate: Gate, person: PersonRead) -> service.DataSummary:
    return service.data_summary(
        session,
        gate=gate,
        actor=SELF,
        person_id=person.id,
        today=TODAY,
        language=None,
        brand=person.brand,
    )


def test_each_purpose_counts_the_allowed_uses_the_ledger_records(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    for _ in range(3):
        customers.get_person(
            session, gate=gate, actor=ADVISOR, person_id=client.id, reason="appointment"
        )
    customers.add_account(
        session, gate=gate, actor=ADVISOR, person_id=client.id, data=factories.account()
    )
    # Refused, and recorded as refused: not a use of the data.
    with pytest.raises((ProcessingDenied, NotOnFile)):
        customers.get_person(
            session, gate=gate, actor=STRANGER, person_id=client.id, reason="curiosity"
        )
    before = ledger.for_subject(session, keys=gate.keys, subject_id=client.id)
    summary = _summary(session, gate, client)
    records = ledger.for_subject(session, keys=gate.keys, subject_id=client.id)
    # Its own reading is recorded first, under the person's rights (not an access request).
    assert [r.event for r in records[len(before) :]] == ["rights.data_summary.read"]
    assert (
        service.list_requests(session, gate=gate, actor=SELF, person_id=client.id, today=TODAY)
        == []
    )
    assert any(r.decision == "deny" for r in records)
    allowed: dict[str, int] = {}
    for r in records:
        if r.decision == "allow":
            allowed[r.purpose] = allowed.get(r.purpose, 0) + 1
    assert {p.purpose: p.events for p in summary.purposes} == allowed
    assert summary.events == sum(allowed.values())
    assert summary.lang == "nl"
    contract = next(p for p in summary.purposes if p.purpose == "customer-contract")
    assert contract.events >= 4 and contract.last == TODAY and "KBC Bank" in contract.entities
    assert contract.title != "customer-contract"  # worded as the statement words it


def test_the_summary_names_the_purposes_of_the_report_timeline(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    summary = _summary(session, gate, client)
    report = access_report(session, gate, actor=SELF, person_id=client.id, today=TODAY)
    in_report = {line.purpose_title for line in report.timeline}
    assert {p.title for p in summary.purposes} <= in_report

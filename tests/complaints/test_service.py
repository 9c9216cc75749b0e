"""The complaints register on the real gate: steps recorded, transitions guarded, deadlines,
data requests as disclosures in the access report, the open-complaint hold through an erasure,
statistics with a k-anonymity floor."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.rights import factories

from lawful.complaints import service
from lawful.complaints.schemas import (
    ComplaintCreate,
    ComplaintRead,
    DataRequest,
    Escalation,
    Status,
)
from lawful.core.errors import Conflict, InvalidInput, NotFound
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.ledger.records import LedgerRecord
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.customers.schemas import PersonRead
from lawful.flows import erasure
from lawful.rights import repository as rights_repository

from .conftest import ADVISOR, DPO, TODAY, access_report, new_person, registered

HANDLER = Actor("complaint-handler", "kbc-bank", "handler-1")
INSURANCE_HANDLER = Actor("complaint-handler", "kbc-insurance", "handler-2")
SELF = Actor("self-service", "kbc-bank")
ENDED = dt.date(2020, 6, 30)


def _card(session: Session, gate: Gate, person: PersonRead, closed: dt.date | None = None) -> int:
    account = customers.add_account(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=person.id,
        data=factories.account(closed_on=closed),
    )
    card = customers.add_card(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=person.id,
        data=factories.card(account_id=account.id, closed_on=closed),
    )
    return card.id


def _file(
    session: Session,
    gate: Gate,
    person: PersonRead,
    product_id: int,
    *,
    actor: Actor = HANDLER,
    today: dt.date = TODAY,
    **fields: object,
) -> ComplaintRead:
    data = ComplaintCreate.model_validate(
        {
            "source": "branch",
            "product_kind": "card",
            "product_id": product_id,
            "root_cause": "disputed-transaction",
            "summary": "A payment of 412 EUR in Lisbon I never made.",
            **fields,
        }
    )
    return service.file_complaint(
        session,
        gate=gate,
        actor=actor,
        person_id=person.id,
        data=data,
        today=today,
        by="complaint-handler:handler-1",
        staff=actor.role != "self-service",
    )


def _move(session: Session, gate: Gate, complaint: int, *steps: Status) -> ComplaintRead:
    read = None
    for to in steps:
        read = service.move(
            session,
            gate=gate,
            actor=HANDLER,
            complaint_id=complaint,
            to=to,
            reason=None,
            today=TODAY,
            by="complaint-handler:handler-1",
        )
    assert read is not None
    return read


def _events(session: Session, gate: Gate, person_id: str) -> list[LedgerRecord]:
    return ledger.for_subject(session, keys=gate.keys, subject_id=person_id)


def test_filing_sets_the_regimes_deadlines_and_records_the_step(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate)
    card = _card(session, gate, person)
    read = _file(session, gate, person, card, received_on=dt.date(2026, 11, 6))
    assert (read.entity, read.regime, read.status) == ("kbc-bank", "payment-service", "received")
    assert read.answer_due == dt.date(2026, 11, 30)
    assert read.summary == "A payment of 412 EUR in Lisbon I never made."
    assert [s.step for s in read.steps] == ["received"]
    filed = [e for e in _events(session, gate, person.id) if e.event == service.Event.FILE]
    assert filed and filed[-1].purpose == "complaint-handling"


def test_the_status_moves_only_forward_and_a_wrong_step_is_a_conflict(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate)
    complaint = _file(session, gate, person, _card(session, gate, person)).id
    with pytest.raises(Conflict, match="received cannot become answered"):
        _move(session, gate, complaint, Status.ANSWERED)
    read = _move(
        session, gate, complaint, Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.ANSWERED
    )
    assert [s.step for s in read.steps] == ["received", "acknowledged", "investigating", "answered"]
    closed = _move(session, gate, complaint, Status.CLOSED)
    assert closed.closed_on == TODAY
    with pytest.raises(Conflict):
        _move(session, gate, complaint, Status.INVESTIGATING)
    moves = [e for e in _events(session, gate, person.id) if e.event == service.Event.MOVE]
    assert len(moves) == 4


def test_a_holding_reply_extends_a_card_complaint_once_to_35_business_days(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate)
    complaint = _file(
        session, gate, person, _card(session, gate, person), received_on=dt.date(2026, 11, 6)
    )
    reply = dict(
        session=session, gate=gate, actor=HANDLER, complaint_id=complaint.id, today=TODAY, by="h"
    )
    with pytest.raises(Conflict, match="takes no holding reply"):
        service.holding_reply(**reply, reason="Worldline needs three more weeks")  # type: ignore[arg-type]
    _move(session, gate, complaint.id, Status.ACKNOWLEDGED)
    read = service.holding_reply(**reply, reason="Worldline needs three more weeks")  # type: ignore[arg-type]
    assert read.answer_due == dt.date(2026, 12, 29) and read.extended
    assert read.steps[-1].step == "holding_reply"
    assert read.steps[-1].reason == "Worldline needs three more weeks"
    with pytest.raises(Conflict, match="already extended"):
        service.holding_reply(**reply, reason="again")  # type: ignore[arg-type]


def test_overdue_complaints_of_the_entity_are_listed_a_page_at_a_time(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate)
    card = _card(session, gate, person)
    late = [
        _file(session, gate, person, card, received_on=TODAY - dt.timedelta(days=60))
        for _ in range(3)
    ]
    on_time = _file(session, gate, person, card)
    answered = _file(session, gate, person, card, received_on=TODAY - dt.timedelta(days=60))
    _move(session, gate, answered.id, Status.ACKNOWLEDGED, Status.ANSWERED)
    seen: list[int] = []
    after = 0
    while True:
        page = service.queue(
            session, gate=gate, actor=HANDLER, today=TODAY, overdue=True, after=after, limit=2
        )
        seen += [c.id for c in page.items if c.person_id == person.id]
        assert all(c.overdue for c in page.items)
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == [c.id for c in late]
    assert on_time.id not in seen and answered.id not in seen
    # Another entity's staff see none of them.
    theirs = service.queue(
        session, gate=gate, actor=INSURANCE_HANDLER, today=TODAY, overdue=True, after=0, limit=100
    )
    assert not [c for c in theirs.items if c.person_id == person.id]


def test_another_entitys_complaint_answers_as_an_unknown_number(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate)
    complaint = _file(session, gate, person, _card(session, gate, person))
    for number in (complaint.id, complaint.id + 10_000):
        with pytest.raises(NotFound, match=f"no complaint {number}"):
            service.get_complaint(
                session, gate=gate, actor=INSURANCE_HANDLER, complaint_id=number, today=TODAY
            )


def test_staff_file_only_about_their_entitys_product(session: Session, gate: Gate) -> None:
    """Another entity's staff learn nothing of the bank's client: an unknown id's answer."""
    person = new_person(session, gate)
    card = _card(session, gate, person)
    with pytest.raises(NotFound, match=f"no person {person.id}"):
        _file(session, gate, person, card, actor=INSURANCE_HANDLER)
    with pytest.raises(InvalidInput, match="product_id"):
        _file(session, gate, person, card + 10_000)
    # A client of both: the insurer's handler still files only about the insurer's products.
    customers.add_relationship(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=person.id,
        entity="kbc-insurance",
        state="client",
        since=TODAY,
    )
    with pytest.raises(InvalidInput, match="with this entity"):
        _file(session, gate, person, card, actor=INSURANCE_HANDLER)


def test_the_worldline_request_is_a_disclosure_the_access_report_lists(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate)
    complaint = _file(
        session,
        gate,
        person,
        _card(session, gate, person),
        source="ombudsfin",
        source_ref="OF-2026-0412",
        ombudsman_due=TODAY + dt.timedelta(days=30),
    )
    assert complaint.regime == "ombudsman"
    assert complaint.answer_due == TODAY + dt.timedelta(days=30)
    read = service.request_data(
        session,
        gate=gate,
        actor=HANDLER,
        complaint_id=complaint.id,
        data=DataRequest(to="worldline", reason="the authorisation log of the disputed payment"),
        today=TODAY,
        by="h",
    )
    assert read.steps[-1].recipient == "worldline"
    with pytest.raises(InvalidInput, match="to"):
        service.request_data(
            session,
            gate=gate,
            actor=HANDLER,
            complaint_id=complaint.id,
            data=DataRequest(to="kbc-bank", reason="our own file"),
            today=TODAY,
            by="h",
        )
    report = access_report(session, gate, actor=SELF, person_id=person.id, today=TODAY)
    disclosed = [e for e in report.timeline if e.recipient == "Worldline SA/NV"]
    assert disclosed and disclosed[0].purpose == "complaint-handling"
    assert any(e.recipient == "Ombudsfin" for e in report.timeline)


def test_worldline_is_asked_about_card_complaints_only(session: Session, gate: Gate) -> None:
    person = new_person(session, gate)
    account = customers.add_account(
        session, gate=gate, actor=ADVISOR, person_id=person.id, data=factories.account()
    )
    complaint = _file(session, gate, person, account.id, product_kind="account")
    with pytest.raises(InvalidInput, match="card complaints only"):
        service.request_data(
            session,
            gate=gate,
            actor=HANDLER,
            complaint_id=complaint.id,
            data=DataRequest(to="worldline", reason="a statement"),
            today=TODAY,
            by="h",
        )


def test_an_open_complaint_keeps_the_card_and_contact_through_an_erasure_until_it_closes(
    session: Session, gate: Gate
) -> None:
    """A former client's contact data would go with an erasure; the open complaint keeps them,
    and the card, until it closes, then five years on."""
    person = new_person(session, gate, since=dt.date(2012, 2, 1))
    card = _card(session, gate, person, closed=ENDED)
    customers.end_relationship(
        session, gate=gate, actor=ADVISOR, person_id=person.id, entity="kbc-bank", until=ENDED
    )
    complaint = _file(session, gate, person, card)
    done = erasure.erase(
        session,
        gate=gate,
        actor=DPO,
        person_id=person.id,
        today=TODAY,
        request_id=registered(session, gate, person.id),
    )
    kept = {(k.section.value, k.hold, k.until) for k in done.kept}
    assert {("contact", "open-complaint", None), ("cards", "open-complaint", None)} <= kept
    assert "contact" not in done.erased and "cards" not in done.erased
    assert customers.file_facts(session, person_ids=[person.id])[person.id].present >= {
        customers.Section.CONTACT,
        customers.Section.CARDS,
    }
    # The handler works on: the complaint-handling purpose reads what the hold keeps.
    read = _move(session, gate, complaint.id, Status.ACKNOWLEDGED, Status.ANSWERED, Status.CLOSED)
    assert read.summary is None  # the person's words went with their key
    holds = {
        (h.hold, h.ends_on)
        for h in rights_repository.holds_of_person(session, person.id, active_only=True)
    }
    assert ("open-complaint", service.hold_end(gate.register, TODAY)) in holds
    assert service.hold_end(gate.register, TODAY) == TODAY.replace(year=TODAY.year + 5)


def test_a_former_client_without_a_complaint_loses_the_contact_data(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate, since=dt.date(2012, 2, 1))
    _card(session, gate, person, closed=ENDED)
    customers.end_relationship(
        session, gate=gate, actor=ADVISOR, person_id=person.id, entity="kbc-bank", until=ENDED
    )
    done = erasure.erase(
        session,
        gate=gate,
        actor=DPO,
        person_id=person.id,
        today=TODAY,
        request_id=registered(session, gate, person.id),
    )
    assert "contact" in done.erased
    assert not [k for k in done.kept if k.hold == "open-complaint"]


def test_statistics_show_no_cell_under_ten_complaints(session: Session, gate: Gate) -> None:
    session.execute(sa.text("DELETE FROM complaint_step"))
    session.execute(sa.text("DELETE FROM complaint"))
    person = new_person(session, gate)
    card = _card(session, gate, person)
    for _ in range(12):
        _file(session, gate, person, card)
    for _ in range(4):
        _file(session, gate, person, card, root_cause="fees")
    account = customers.add_account(
        session, gate=gate, actor=ADVISOR, person_id=person.id, data=factories.account()
    )
    for _ in range(9):
        _file(session, gate, person, account.id, product_kind="account", root_cause="fees")
    stats = service.statistics(session)
    assert [(c.product_kind, c.entity, c.root_cause, c.complaints) for c in stats.cells] == [
        ("card", "kbc-bank", "disputed-transaction", 12)
    ]
    assert (stats.suppressed_cells, stats.suppressed_complaints) == (2, 13)
    assert stats.k == 10


def test_the_customer_files_and_sees_their_own_complaints(session: Session, gate: Gate) -> None:
    person = new_person(session, gate)
    card = _card(session, gate, person)
    _file(session, gate, person, card, actor=SELF, source="customer")
    mine = service.person_complaints(
        session, gate=gate, actor=SELF, person_id=person.id, today=TODAY, staff=False
    )
    assert [c.source for c in mine] == ["customer"]
    assert mine[0].summary and mine[0].steps[0].step == "received"


def test_escalation_to_an_ombudsman_reopens_an_answered_complaint_and_discloses_to_it(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate)
    complaint = _file(session, gate, person, _card(session, gate, person))
    _move(session, gate, complaint.id, Status.ACKNOWLEDGED, Status.ANSWERED)
    due = TODAY + dt.timedelta(days=31)
    read = service.escalate(
        session,
        gate=gate,
        actor=HANDLER,
        complaint_id=complaint.id,
        data=Escalation(to="ombudsfin", reason="the customer went to Ombudsfin", due_on=due),
        today=TODAY,
        by="h",
    )
    assert (read.status, read.escalated_to, read.answer_due) == ("investigating", "ombudsfin", due)
    events = [e for e in _events(session, gate, person.id) if e.event == service.Event.ESCALATE]
    assert events[-1].recipient == "ombudsfin"
    with pytest.raises(Conflict, match="already escalated"):
        service.escalate(
            session,
            gate=gate,
            actor=HANDLER,
            complaint_id=complaint.id,
            data=Escalation(to="ombudsfin", reason="again"),
            today=TODAY,
            by="h",
        )


def test_asking_the_customer_or_another_group_entity_is_recorded_with_its_addressee(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate)
    complaint = _file(session, gate, person, _card(session, gate, person))
    for to in ("customer", "kbc-insurance"):
        service.request_data(
            session,
            gate=gate,
            actor=HANDLER,
            complaint_id=complaint.id,
            data=DataRequest(to=to, reason="the receipt of the disputed purchase"),
            today=TODAY,
            by="h",
        )
    asked = [e for e in _events(session, gate, person.id) if e.event == service.Event.DATA_REQUEST]
    assert [e.recipient for e in asked] == [None, "group-kbc-insurance"]
    read = service.get_complaint(
        session, gate=gate, actor=HANDLER, complaint_id=complaint.id, today=TODAY
    )
    assert [s.recipient for s in read.steps if s.step == "data_request"] == [
        "customer",
        "group-kbc-insurance",
    ]

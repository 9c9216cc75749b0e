"""Tracked requests: Art. 12(3) deadlines in calendar months, one extension with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from lawful.core.errors import Conflict, InvalidInput, NotFound
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.customers.schemas import PersonRead
from lawful.flows import erasure
from lawful.rights import service
from lawful.rights.dates import add_months
from lawful.rights.schemas import RequestStatus, RequestType

from .conftest import DPO, SELF, TODAY, access_report


@pytest.mark.parametrize(
    ("received", "deadline"),
    [
        (dt.date(2025, 1, 31), dt.date(2025, 2, 28)),  # month end
        (dt.date(2028, 1, 31), dt.date(2028, 2, 29)),  # leap year
        (dt.date(2026, 1, 30), dt.date(2026, 2, 28)),
        (dt.date(2026, 3, 31), dt.date(2026, 4, 30)),
        (dt.date(2026, 12, 31), dt.date(2027, 1, 31)),  # year end
        (dt.date(2026, 11, 25), dt.date(2026, 12, 25)),
    ],
)
def test_deadline_is_one_calendar_month(
    session: Session, gate: Gate, client: PersonRead, received: dt.date, deadline: dt.date
) -> None:
    request = service.submit_request(
        session,
        gate=gate,
        actor=SELF,
        person_id=client.id,
        type="access",
        channel="api",
        registered_by="self-service",
        today=received,
    )
    assert (request.received_on, request.deadline) == (received, deadline)
    assert request.original_deadline == deadline
    assert request.status is RequestStatus.RECEIVED
    assert request.type is RequestType.ACCESS


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)))
def test_add_months_keeps_the_day_or_takes_the_month_end(day: dt.date) -> None:
    later = add_months(day, 1)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == 1
    assert later.day == day.day or (later.day < day.day and (later + dt.timedelta(1)).day == 1)


def _submitted(session: Session, gate: Gate, person: PersonRead, received: dt.date) -> int:
    return service.submit_request(
        session,
        gate=gate,
        actor=DPO,
        person_id=person.id,
        type="erasure",
        channel="staff",
        registered_by="dpo:an.peeters",
        today=received,
    ).id


def test_extension_adds_two_months_to_the_original_deadline(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    request_id = _submitted(session, gate, client, dt.date(2028, 1, 31))
    extended = service.extend_request(
        session,
        gate=gate,
        actor=DPO,
        request_id=request_id,
        reason="Data spread over three entities and an archive",
        today=dt.date(2028, 2, 10),
    )
    assert extended.original_deadline == dt.date(2028, 2, 29)
    assert extended.deadline == dt.date(2028, 4, 29)
    assert extended.extension_reason == "Data spread over three entities and an archive"


def test_extension_needs_a_reason_and_happens_once(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    request_id = _submitted(session, gate, client, dt.date(2026, 11, 2))
    with pytest.raises(InvalidInput) as missing:
        service.extend_request(
            session,
            gate=gate,
            actor=DPO,
            request_id=request_id,
            reason="  ",
            today=dt.date(2026, 11, 5),
        )
    assert missing.value.field == "reason"
    service.extend_request(
        session,
        gate=gate,
        actor=DPO,
        request_id=request_id,
        reason="complex",
        today=dt.date(2026, 11, 5),
    )
    with pytest.raises(Conflict):
        service.extend_request(
            session,
            gate=gate,
            actor=DPO,
            request_id=request_id,
            reason="again",
            today=dt.date(2026, 11, 6),
        )


def test_no_extension_once_late_or_answered(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    late = _submitted(session, gate, client, dt.date(2026, 9, 1))
    with pytest.raises(Conflict, match="too late"):
        service.extend_request(
            session,
            gate=gate,
            actor=DPO,
            request_id=late,
            reason="complex",
            today=dt.date(2026, 10, 2),
        )
    done = _submitted(session, gate, client, dt.date(2026, 11, 2))
    service.complete_request(
        session,
        gate=gate,
        actor=DPO,
        request_id=done,
        outcome={"erased": []},
        today=dt.date(2026, 11, 3),
    )
    with pytest.raises(Conflict):
        service.extend_request(
            session,
            gate=gate,
            actor=DPO,
            request_id=done,
            reason="complex",
            today=dt.date(2026, 11, 4),
        )


def test_completion_keeps_the_outcome_and_overdue_lists_only_open_requests(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    late = _submitted(session, gate, client, dt.date(2026, 9, 1))
    answered = _submitted(session, gate, client, dt.date(2026, 9, 1))
    fresh = _submitted(session, gate, client, dt.date(2026, 11, 20))
    done = service.complete_request(
        session,
        gate=gate,
        actor=DPO,
        request_id=answered,
        outcome={"erased": ["contact"]},
        today=dt.date(2026, 9, 20),
    )
    assert done.status is RequestStatus.COMPLETED and done.completed_at is not None
    assert done.outcome == {"erased": ["contact"]}
    overdue = service.list_requests(
        session,
        gate=gate,
        actor=DPO,
        today=dt.date(2026, 11, 25),
        person_id=client.id,
        overdue_on=dt.date(2026, 11, 25),
    )
    assert [r.id for r in overdue] == [late]
    mine = service.list_requests(
        session, gate=gate, actor=DPO, today=dt.date(2026, 11, 25), person_id=client.id
    )
    assert {r.id for r in mine} == {late, answered, fresh}
    completed = service.list_requests(
        session,
        gate=gate,
        actor=DPO,
        today=dt.date(2026, 11, 25),
        person_id=client.id,
        status="completed",
    )
    assert [r.id for r in completed] == [answered]
    assert service.get_request(session, gate=gate, request_id=fresh).deadline == dt.date(
        2026, 12, 20
    )


def test_each_step_is_recorded_under_data_subject_rights(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    request_id = _submitted(session, gate, client, dt.date(2026, 11, 2))
    service.extend_request(
        session,
        gate=gate,
        actor=DPO,
        request_id=request_id,
        reason="complex",
        today=dt.date(2026, 11, 3),
    )
    service.complete_request(
        session, gate=gate, actor=DPO, request_id=request_id, outcome={}, today=dt.date(2026, 11, 4)
    )
    events = [
        (r.event, r.purpose, r.decision)
        for r in ledger.for_subject(session, keys=gate.keys, subject_id=client.id)
        if r.event.startswith("rights.")
    ]
    assert events == [
        ("rights.request.receive", "data-subject-rights", "allow"),
        ("rights.request.extend", "data-subject-rights", "allow"),
        ("rights.request.complete", "data-subject-rights", "allow"),
    ]


def test_bad_input_and_unknown_ids(session: Session, gate: Gate, client: PersonRead) -> None:
    with pytest.raises(InvalidInput) as bad:
        service.submit_request(
            session,
            gate=gate,
            actor=SELF,
            person_id=client.id,
            type="vengeance",
            channel="api",
            registered_by="self-service",
            today=dt.date(2026, 11, 2),
        )
    assert bad.value.field == "type"
    with pytest.raises(NotFound):
        service.submit_request(
            session,
            gate=gate,
            actor=SELF,
            person_id="nobody",
            type="access",
            channel="api",
            registered_by="self-service",
            today=dt.date(2026, 11, 2),
        )
    with pytest.raises(NotFound):
        service.get_request(session, gate=gate, request_id=987_654)


def test_an_answer_names_a_request_of_its_kind_and_person(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    access = service.submit_request(
        session,
        gate=gate,
        actor=DPO,
        person_id=client.id,
        type=RequestType.ACCESS.value,
        channel="staff",
        registered_by="dpo:dpo-0001",
        today=TODAY,
    )
    with pytest.raises(InvalidInput, match="is not this person's erasure request"):
        erasure.erase(
            session, gate=gate, actor=DPO, person_id=client.id, today=TODAY, request_id=access.id
        )
    report = access_report(
        session, gate, actor=DPO, person_id=client.id, today=TODAY, request_id=access.id
    )
    assert report.request_id == access.id
    assert service.channel_of(SELF) == "api" and service.channel_of(DPO) == "staff"

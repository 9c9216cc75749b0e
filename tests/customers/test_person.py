"""Creating, reading and rectifying a person, always through the gate."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from lawful.core.errors import Conflict, InvalidInput, NotFound, ProcessingDenied
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor, ObjectionStatus
from lawful.customers import service
from lawful.customers.schemas import IdentityDocument, PersonRead, PersonUpdate

from .conftest import ADVISOR, DPO, READING, SELF, TODAY, FileStates, last_event
from .factories import People, kyc, national_number

OTHER_ENTITY = Actor("advisor", "cbc-insurance")


def test_create_person_opens_a_relationship_and_records_the_creation(
    session: Session, gate: Gate, people: People
) -> None:
    data = people.person(region="brussels")
    person = service.create_person(session, gate=gate, actor=ADVISOR, data=data, today=TODAY)
    assert len(person.id) == 32 and int(person.id, 16) >= 0
    assert (person.region, person.brand, person.national_number) == (
        "brussels",
        "kbc-brussels",
        data.national_number,
    )
    [relationship] = service.relationships(session, person_id=person.id)
    assert (relationship.entity, relationship.state, relationship.since) == (
        "kbc-bank",
        "prospect",
        TODAY,
    )
    event = last_event(session, person.id)
    assert (event.event, event.purpose, event.decision, event.entity) == (
        "customers.person.create",
        "customer-contract",
        "allow",
        "kbc-bank",
    )
    assert "user.name" in event.data_categories
    assert "user.government_id.national_identification_number" in event.data_categories


def test_create_refuses_a_national_number_already_on_file(
    session: Session, gate: Gate, people: People, client: PersonRead
) -> None:
    twin = people.person(birth_date=client.birth_date, national_number=client.national_number)
    with pytest.raises(Conflict):
        service.create_person(session, gate=gate, actor=ADVISOR, data=twin, today=TODAY)
    # The savepoint kept the transaction usable, on PostgreSQL too.
    assert (
        service.get_person(session, gate=gate, actor=ADVISOR, person_id=client.id, reason=READING)
        == client
    )


def test_create_refuses_an_unknown_relationship_state(
    session: Session, gate: Gate, people: People
) -> None:
    with pytest.raises(InvalidInput) as error:
        service.create_person(
            session, gate=gate, actor=ADVISOR, data=people.person(), entity_state="vip", today=TODAY
        )
    assert error.value.field == "entity_state"


def test_get_person_reads_through_the_gate(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    read = service.get_person(
        session, gate=gate, actor=ADVISOR, person_id=client.id, reason=READING
    )
    assert read == client and read.withheld == ()
    event = last_event(session, client.id)
    assert (event.event, event.decision) == ("customers.person.read", "allow")
    # The fields read are named in the (encrypted) details, never their values.
    details = ledger.details(session, keys=gate.keys, record=event)
    assert isinstance(details, dict) and "national_number" in details["fields"]
    assert client.national_number not in str(details)


def test_get_person_that_does_not_exist(session: Session, gate: Gate) -> None:
    with pytest.raises(NotFound):
        service.get_person(session, gate=gate, actor=ADVISOR, person_id="0" * 32, reason=READING)


def test_another_entitys_customer_is_refused_recorded_and_answered_as_unknown(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    with pytest.raises(NotFound) as unknown:
        service.get_person(session, gate=gate, actor=ADVISOR, person_id="0" * 32, reason=READING)
    with pytest.raises(NotFound) as unrelated:
        service.get_person(
            session, gate=gate, actor=OTHER_ENTITY, person_id=client.id, reason=READING
        )
    # Nothing tells the two apart but the id itself.
    assert str(unrelated.value) == str(unknown.value).replace("0" * 32, client.id)
    event = last_event(session, client.id)
    assert (event.decision, event.entity, event.details) == ("deny", "cbc-insurance", None)
    assert event.reasons == ("no_relationship",)


def test_staff_say_why_they_open_a_file_and_the_ledger_keeps_it(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    with pytest.raises(InvalidInput) as silent:
        service.get_person(session, gate=gate, actor=ADVISOR, person_id=client.id)
    assert silent.value.field == "reason"
    service.get_person(
        session, gate=gate, actor=ADVISOR, person_id=client.id, reason="  loan renewal,\n call "
    )
    details = ledger.details(session, keys=gate.keys, record=last_event(session, client.id))
    assert isinstance(details, dict) and details["reason"] == "loan renewal, call"
    # A customer reading their own file gives no reason.
    assert service.get_person(session, gate=gate, actor=SELF, person_id=client.id) == client


@pytest.mark.parametrize("status", [ObjectionStatus.PENDING, ObjectionStatus.UPHELD])
def test_an_objection_to_the_customer_file_never_locks_out_a_running_contract(
    session: Session, gate: Gate, states: FileStates, client: PersonRead, status: ObjectionStatus
) -> None:
    # Art. 21(1) reaches the legitimate-interest purpose only: the contract and the law go on.
    states.object(client.id, "customer-file", status)
    read = service.get_person(
        session, gate=gate, actor=ADVISOR, person_id=client.id, reason=READING
    )
    assert read.last_name == client.last_name
    assert last_event(session, client.id).purpose == "customer-contract"
    assert service.products(session, gate=gate, actor=ADVISOR, person_id=client.id, reason=READING)
    service.add_kyc_record(session, gate=gate, actor=ADVISOR, person_id=client.id, data=kyc(TODAY))
    assert last_event(session, client.id).purpose == "customer-identification"
    assert service.get_person(session, gate=gate, actor=SELF, person_id=client.id).id == client.id
    dpo = service.get_person(session, gate=gate, actor=DPO, person_id=client.id, reason=READING)
    assert dpo.id == client.id
    assert last_event(session, client.id).purpose == "data-subject-rights"


def test_an_objection_to_the_customer_file_stops_it_once_the_contract_has_ended(
    session: Session, gate: Gate, states: FileStates, client: PersonRead
) -> None:
    service.add_relationship(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=client.id,
        entity="kbc-bank",
        state="former_client",
        since=TODAY,
    )
    assert service.get_person(
        session, gate=gate, actor=ADVISOR, person_id=client.id, reason=READING
    )
    assert last_event(session, client.id).purpose == "customer-file"
    states.object(client.id, "customer-file")
    with pytest.raises(ProcessingDenied) as refused:
        service.get_person(session, gate=gate, actor=ADVISOR, person_id=client.id, reason=READING)
    assert refused.value.reasons == ("objection_pending",)


def test_a_purpose_sees_only_the_fields_it_declares(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    # privacy-statement declares name, contact and language: no birth date, no national number.
    read = service.get_person(
        session, gate=gate, actor=DPO, person_id=client.id, purpose="privacy-statement"
    )
    assert read.withheld == ("birth_date", "national_number")
    assert read.birth_date is None and read.national_number is None
    assert read.last_name == client.last_name
    event = last_event(session, client.id)
    assert event.purpose == "privacy-statement"
    assert not any(c.startswith("user.government_id") for c in event.data_categories)


def test_a_purpose_declaring_none_of_the_fields_is_refused(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    # reinsurance-transfer declares no identity or contact field of the person.
    actor = Actor("underwriter", "kbc-insurance")
    with pytest.raises(ProcessingDenied) as refused:
        service.get_person(
            session, gate=gate, actor=actor, person_id=client.id, purpose="reinsurance-transfer"
        )
    assert "category_not_declared" in refused.value.reasons


EID = IdentityDocument(type="eid", number="592-1234567-89")


def rectify(
    session: Session,
    gate: Gate,
    person_id: str,
    document: IdentityDocument | None = None,
    **changes: object,
) -> PersonRead:
    return service.rectify(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=person_id,
        changes=PersonUpdate(**changes),
        reason="moved house, told us at the branch",
        changed_by="advisor:u123",
        document=document,
    )


@pytest.mark.parametrize("field", ["first_name", "last_name", "birth_date", "national_number"])
def test_identity_data_changes_only_against_an_identity_document(
    session: Session, gate: Gate, client: PersonRead, field: str
) -> None:
    assert client.birth_date is not None
    value = {
        "first_name": "Maria",
        "last_name": "Peeters",
        "birth_date": client.birth_date,
        "national_number": client.national_number,
    }[field]
    with pytest.raises(InvalidInput, match="rectification request") as refused:
        rectify(session, gate, client.id, **{field: value})
    assert refused.value.field == field
    # Contact data and the address need no document.
    assert rectify(session, gate, client.id, city="Gentbrugge").city == "Gentbrugge"


def test_rectify_changes_only_what_differs_and_keeps_history(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    after = rectify(
        session,
        gate,
        client.id,
        street="Rue de Fer 12",
        postcode="5000",
        city="Namur",
        last_name=client.last_name,  # unchanged: no history row
        document=EID,
    )
    assert (after.street, after.postcode, after.region, after.brand) == (
        "Rue de Fer 12",
        "5000",
        "wallonia",
        "cbc",
    )
    rows = service.history(session, gate=gate, actor=ADVISOR, person_id=client.id, reason=READING)
    assert {r.field: (r.before, r.after) for r in rows} == {
        "street": (client.street, "Rue de Fer 12"),
        "postcode": (client.postcode, "5000"),
        "city": (client.city, "Namur"),
        "region": ("flanders", "wallonia"),
        "brand": ("kbc", "cbc"),
    }
    checked = "moved house, told us at the branch (identity document checked: eid 592-1234567-89)"
    assert {(r.reason, r.changed_by, r.entity) for r in rows} == {
        (checked, "advisor:u123", "kbc-bank")
    }
    [rectified] = [
        e
        for e in ledger.for_subject(session, keys=gate.keys, subject_id=client.id)
        if e.event == "customers.person.rectify"
    ]
    details = ledger.details(session, keys=gate.keys, record=rectified)
    assert details == {
        "fields": ["brand", "city", "last_name", "postcode", "region", "street"],
        "reason": "moved house, told us at the branch",
        "document": {"type": "eid", "number": "592-1234567-89"},
    }
    assert "Namur" not in str(details)


def test_rectify_dates_are_kept_as_iso_text(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    assert client.birth_date is not None
    born = client.birth_date.replace(day=1 if client.birth_date.day != 1 else 2)
    number = national_number(born)
    rectify(session, gate, client.id, document=EID, birth_date=born, national_number=number)
    rows = {
        r.field: r
        for r in service.history(
            session, gate=gate, actor=ADVISOR, person_id=client.id, reason=READING
        )
    }
    assert rows["birth_date"].after == born.isoformat()
    assert rows["national_number"].after == number


def test_rectify_needs_a_reason(session: Session, gate: Gate, client: PersonRead) -> None:
    with pytest.raises(InvalidInput) as error:
        service.rectify(
            session,
            gate=gate,
            actor=ADVISOR,
            person_id=client.id,
            changes=PersonUpdate(city="Namur"),
            reason="  ",
            changed_by="advisor:u123",
        )
    assert error.value.field == "reason"


def test_rectify_checks_a_new_national_number_against_the_stored_birth_date(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    assert client.birth_date is not None
    other = national_number(client.birth_date.replace(year=client.birth_date.year - 1))
    with pytest.raises(InvalidInput) as error:
        rectify(session, gate, client.id, document=EID, national_number=other)
    assert error.value.field == "national_number"


def test_rectify_may_clear_a_phone(session: Session, gate: Gate, client: PersonRead) -> None:
    assert rectify(session, gate, client.id, phone=None).phone is None
    [row] = service.history(session, gate=gate, actor=ADVISOR, person_id=client.id, reason=READING)
    assert (row.field, row.before, row.after) == ("phone", client.phone, None)


def test_erased_person_is_not_found(session: Session, gate: Gate, client: PersonRead) -> None:
    service.erase_person(session, gate=gate, actor=DPO, person_id=client.id, keep=())
    with pytest.raises(NotFound, match="erased"):
        service.get_person(session, gate=gate, actor=ADVISOR, person_id=client.id, reason=READING)


def test_rectify_to_a_national_number_already_on_file_is_a_conflict(
    session: Session, gate: Gate, people: People, client: PersonRead
) -> None:
    twin = service.create_person(
        session,
        gate=gate,
        actor=ADVISOR,
        data=people.person(birth_date=client.birth_date),
        today=TODAY,
    )
    with pytest.raises(Conflict):
        rectify(session, gate, twin.id, document=EID, national_number=client.national_number)
    # The savepoint kept the transaction usable, on PostgreSQL too.
    assert (
        service.history(session, gate=gate, actor=ADVISOR, person_id=client.id, reason=READING)
        == []
    )

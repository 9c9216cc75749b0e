"""Correspondence on the real gate: texts sealed, examined only for a declared ground (refusals
recorded), incoming complaints routed to the complaints register, drafts approved by staff, and
an erasure leaving the texts unreadable."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from schwifty import IBAN
from sqlalchemy.orm import Session
from tests.rights import factories

from lawful.complaints import service as complaints
from lawful.core.errors import InvalidInput, NotFound, ProcessingDenied
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.ledger.records import LedgerRecord
from lawful.core.policy.types import Actor
from lawful.correspondence import service
from lawful.correspondence.intent import Classifier
from lawful.correspondence.models import Message
from lawful.correspondence.schemas import (
    DraftDecision,
    Examination,
    Ground,
    MessageCreate,
    MessageRead,
)
from lawful.customers import service as customers
from lawful.customers.schemas import PersonRead
from lawful.flows import erasure
from lawful.rights.sealed import open_sealed

from .conftest import ADVISOR, DPO, TODAY, new_person, registered

BACK_OFFICE = Actor("back-office", "kbc-bank", "bo-7")
INSURER = Actor("advisor", "kbc-insurance", "ins-1")
IBAN_TEXT = IBAN.generate("BE", bank_code="735", account_code="0000456").formatted
LETTER = (
    "Bonjour,\nJe déménage le 1er mars. Ma nouvelle adresse est rue Neuve 3, Namur. "
    f"Mon compte reste le {IBAN_TEXT}.\nCordialement,"
)
COMPLAINT = (
    "Madame, Monsieur,\nJe suis scandalisée : on m'a prélevé 35 EUR de frais sur ma carte de "
    "crédit sans aucune explication. Je dépose plainte.\nBien à vous,"
)
WHY = "Answering the customer's letter of this morning."


def _register(
    session: Session,
    gate: Gate,
    classifier: Classifier,
    person: PersonRead,
    body: str = LETTER,
    actor: Actor = ADVISOR,
    **fields: object,
) -> MessageRead:
    return service.register_message(
        session,
        gate=gate,
        actor=actor,
        person_id=person.id,
        data=MessageCreate.model_validate({"body": body, "subject": "Courrier", **fields}),
        classifier=classifier,
        today=TODAY,
        by="advisor:adv-1",
    )


def _examine(
    session: Session, gate: Gate, message: int, ground: Ground | None, actor: Actor = ADVISOR
) -> object:
    return service.examine(
        session,
        gate=gate,
        actor=actor,
        message_id=message,
        data=Examination(ground=ground, justification=WHY if ground else None),
        today=TODAY,
    )


def _events(session: Session, gate: Gate, person_id: str) -> list[LedgerRecord]:
    return ledger.for_subject(session, keys=gate.keys, subject_id=person_id)


def _card(session: Session, gate: Gate, person: PersonRead) -> int:
    account = customers.add_account(
        session, gate=gate, actor=ADVISOR, person_id=person.id, data=factories.account()
    )
    return customers.add_card(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=person.id,
        data=factories.card(account_id=account.id),
    ).id


def test_a_message_is_stored_sealed_with_its_analysis_in_the_clear(
    session: Session, gate: Gate, classifier: Classifier
) -> None:
    person = new_person(session, gate)
    message = _register(session, gate, classifier, person)
    assert (message.language, message.intent, message.topic) == ("fr", "address-change", "account")
    assert message.found == {"iban": 1}
    assert message.mailbox == "advisor:adv-1"  # the registering staff member's own
    row = session.get(Message, message.id)
    assert row is not None and row.body is not None
    assert b"Namur" not in row.body and IBAN_TEXT.encode() not in row.body
    registered = [e for e in _events(session, gate, person.id) if e.event == service.Event.REGISTER]
    assert registered[-1].purpose == service.PURPOSE
    details = ledger.details(session, keys=gate.keys, record=registered[-1])
    assert details == {"message": message.id, "channel": "email", "direction": "incoming"}


def test_examining_without_a_ground_is_refused_and_recorded(
    session: Session, gate: Gate, classifier: Classifier
) -> None:
    person = new_person(session, gate)
    message = _register(session, gate, classifier, person)
    with pytest.raises(InvalidInput):
        _examine(session, gate, message.id, None)
    refused = [e for e in _events(session, gate, person.id) if e.event == service.Event.EXAMINE]
    assert [(e.decision, e.reasons) for e in refused] == [("deny", (service.MISSING_GROUND,))]


def test_examining_for_a_ground_reads_the_text_and_records_ground_and_justification(
    session: Session, gate: Gate, classifier: Classifier
) -> None:
    person = new_person(session, gate)
    message = _register(session, gate, classifier, person)
    examined = service.examine(
        session,
        gate=gate,
        actor=BACK_OFFICE,
        message_id=message.id,
        data=Examination(ground=Ground.PROCESS_CONTROL, justification=WHY),
        today=TODAY,
    )
    assert examined.body == LETTER and examined.subject == "Courrier"
    assert [(f.kind, f.masked) for f in examined.personal_data] == [
        ("iban", "…" + IBAN_TEXT.replace(" ", "")[-4:])
    ]
    event = [e for e in _events(session, gate, person.id) if e.event == service.Event.EXAMINE][-1]
    assert (event.decision, event.actor) == ("allow", "back-office")
    assert ledger.details(session, keys=gate.keys, record=event) == {
        "message": message.id,
        "ground": "process-control",
        "justification": WHY,
    }


def test_a_message_marked_private_is_examined_by_its_mailboxs_holder_only(
    session: Session, gate: Gate, classifier: Classifier
) -> None:
    person = new_person(session, gate)
    message = _register(session, gate, classifier, person, private=True, mailbox="adv-1")
    with pytest.raises(ProcessingDenied):
        _examine(session, gate, message.id, Ground.SECURITY, actor=BACK_OFFICE)
    holder = Actor("advisor", "kbc-bank", "adv-1")
    assert _examine(session, gate, message.id, Ground.ASSIGNMENT, actor=holder).body == LETTER  # type: ignore[attr-defined]


def test_another_entitys_staff_find_neither_the_person_nor_the_message(
    session: Session, gate: Gate, classifier: Classifier
) -> None:
    person = new_person(session, gate)
    message = _register(session, gate, classifier, person)
    with pytest.raises(NotFound):
        _examine(session, gate, message.id, Ground.EVIDENCE, actor=INSURER)
    with pytest.raises(NotFound):
        _register(session, gate, classifier, person, actor=INSURER)


def test_an_incoming_complaint_opens_a_complaint_about_the_card(
    session: Session, gate: Gate, classifier: Classifier
) -> None:
    person = new_person(session, gate)
    card = _card(session, gate, person)
    message = _register(session, gate, classifier, person, body=COMPLAINT)
    assert message.intent == "complaint" and message.topic == "card"
    assert message.complaint_id is not None
    handler = Actor("complaint-handler", "kbc-bank", "handler-1")
    filed = complaints.get_complaint(
        session, gate=gate, actor=handler, complaint_id=message.complaint_id, today=TODAY
    )
    assert (filed.source, filed.product_kind, filed.product_id) == ("customer", "card", card)
    assert filed.root_cause == "fees" and filed.summary == COMPLAINT
    filing = [
        e for e in _events(session, gate, person.id) if e.event == "complaints.complaint.file"
    ]
    assert [(e.actor, e.purpose) for e in filing] == [(service.TRIAGE, "complaint-handling")]


def test_a_complaint_whose_product_cannot_be_told_is_left_for_staff(
    session: Session, gate: Gate, classifier: Classifier
) -> None:
    person = new_person(session, gate)  # no card: nothing to attach the complaint to
    message = _register(session, gate, classifier, person, body=COMPLAINT)
    assert message.intent == "complaint" and message.complaint_id is None


def test_an_answer_is_drafted_in_the_messages_language_and_sent_by_nobody(
    session: Session, gate: Gate, classifier: Classifier
) -> None:
    person = new_person(session, gate)
    message = _register(session, gate, classifier, person)
    draft = service.draft_answer(
        session,
        gate=gate,
        actor=ADVISOR,
        message_id=message.id,
        today=TODAY,
        by="advisor:adv-1",
        sender="adv-1",
    )
    assert draft.status == "proposed" and draft.language == "fr"
    assert draft.body is not None and draft.body.startswith(f"Bonjour {person.first_name}")
    assert "nouvelle adresse" in draft.body
    corrected = draft.body.replace("et vous en informons", "et vous le confirmons")
    decided = service.decide_draft(
        session,
        gate=gate,
        actor=BACK_OFFICE,
        draft_id=draft.id,
        data=DraftDecision(approve=True, body=corrected),
        today=TODAY,
        by="back-office:bo-7",
    )
    assert (decided.status, decided.body, decided.decided_by) == (
        "approved",
        corrected,
        "back-office:bo-7",
    )
    with pytest.raises(InvalidInput):
        service.decide_draft(
            session,
            gate=gate,
            actor=BACK_OFFICE,
            draft_id=draft.id,
            data=DraftDecision(approve=False),
            today=TODAY,
            by="back-office:bo-7",
        )


def test_an_erasure_leaves_the_texts_unreadable(
    session: Session, gate: Gate, classifier: Classifier
) -> None:
    person = new_person(session, gate)
    message = _register(session, gate, classifier, person)
    request = registered(session, gate, person.id)
    erasure.erase(
        session, gate=gate, actor=DPO, person_id=person.id, today=TODAY, request_id=request
    )
    body = session.execute(sa.select(Message.body).where(Message.id == message.id)).scalar_one()
    assert body is not None  # the row stays; its text is gone with the key
    assert open_sealed(session, gate.keys, [(person.id, body)]) == [None]


def test_messages_past_five_years_are_deleted_unless_a_complaint_holds_them(
    session: Session, gate: Gate, classifier: Classifier
) -> None:
    person = new_person(session, gate)
    _card(session, gate, person)
    old = dt.datetime(2019, 3, 1, 9, tzinfo=dt.UTC)
    letter = _register(session, gate, classifier, person, received_at=old)
    complaint = _register(session, gate, classifier, person, body=COMPLAINT, received_at=old)
    recent = _register(session, gate, classifier, person)
    assert complaint.complaint_id is not None
    done = service.expire(session, register=gate.register, today=TODAY)
    left = set(session.scalars(sa.select(Message.id).where(Message.person_id == person.id)))
    assert left == {complaint.id, recent.id} and letter.id not in left
    assert (done.deleted, done.kept) == (1, 1)
    assert service.expire(session, register=gate.register, today=TODAY).deleted == 0

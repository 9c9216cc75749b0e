"""Recorded conversations on the real gate: a copy per purpose, each with its own day; no
recording without the notice; an objection stops its purpose's copy only; minutes, tasks and
reminders; the quality sample; a MiFID call kept five years (seven at the regulator's request)
while its training copy goes after six months; erasure leaves nothing readable."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.core.errors import Conflict, InvalidInput, NotFound
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.flows import erasure, retention
from lawful.interactions import copies, service
from lawful.interactions.models import ConversationCopy
from lawful.interactions.schemas import (
    ConversationCreate,
    ConversationRead,
    NoteCreate,
    NoteKind,
    NoteStatus,
    RecordingIn,
    Use,
)
from lawful.interactions.speech import SpeechUnavailable, Unavailable
from lawful.rights import service as rights

from .conftest import DPO, TODAY, new_person
from .transcripts import EN_CHAT, FR_INVESTMENT, NL_SERVICE

AGENT = Actor("advisor", "kbc-bank", "adv-0042")
INSURER = Actor("advisor", "kbc-insurance", "adv-0900")
REVIEWER = Actor("quality-reviewer", "kbc-bank", "q-1")
HANDLER = Actor("complaint-handler", "kbc-bank", "h-1")
STARTED = dt.datetime(TODAY.year, TODAY.month, TODAY.day, 9, 30, tzinfo=dt.UTC)


def _call(
    session: Session,
    gate: Gate,
    person_id: str,
    text: str = NL_SERVICE,
    *,
    channel: str = "phone",
    language: str = "nl",
    investment: bool = False,
    notice: bool = True,
    actor: Actor = AGENT,
) -> ConversationRead:
    return service.record_conversation(
        session,
        gate=gate,
        actor=actor,
        person_id=person_id,
        data=ConversationCreate(
            channel=channel,
            started_at=STARTED,
            ended_at=STARTED + dt.timedelta(minutes=7),
            language=language,
            participants=["customer", "advisor:adv-0042"],
            investment=investment,
            notice_given=notice,
            recording=RecordingIn(kind="transcript", content=text),
        ),
        today=TODAY,
        by="advisor:adv-0042",
    )


def _copies(conversation: ConversationRead) -> dict[str, tuple[str, dt.date]]:
    return {c.use.value: (c.purpose, c.expires_on) for c in conversation.copies}


def _months(n: int) -> dt.date:
    index = TODAY.year * 12 + TODAY.month - 1 + n
    return (
        dt.date(index // 12, index % 12 + 1, min(TODAY.day, 28))
        if TODAY.day > 28
        else dt.date(index // 12, index % 12 + 1, TODAY.day)
    )


def test_a_phone_call_keeps_one_copy_per_purpose_each_with_its_own_day(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate)
    call = _call(session, gate, person.id)
    kept = _copies(call)
    assert kept["history"][0] == "recorded-conversations"
    assert kept["quality"][0] == "conversation-quality"
    assert kept["training"][0] == "call-recording"
    assert kept["evidence"][0] == "call-evidence"
    assert kept["training"][1] == kept["quality"][1] < kept["history"][1] < kept["evidence"][1]
    assert call.transcript == NL_SERVICE
    # Sealed with the person's key: nothing of it is in the table in clear.
    raw = session.scalars(sa.select(ConversationCopy.content)).all()
    assert raw and all(b"limiet" not in (blob or b"") for blob in raw)


def test_no_recording_without_the_notice_and_the_attempt_is_on_record(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate)
    with pytest.raises(InvalidInput, match="notice"):
        _call(session, gate, person.id, notice=False)
    assert session.scalar(sa.select(sa.func.count()).select_from(ConversationCopy)) == 0
    events = ledger.for_subject(session, keys=gate.keys, subject_id=person.id)
    refused = [e for e in events if e.event == service.Event.RECORD]
    assert refused and refused[-1].decision == "deny"
    assert service.NO_NOTICE in refused[-1].reasons


def test_an_objection_to_training_stops_the_training_copy_and_nothing_else(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate)
    rights.object(
        session,
        gate=gate,
        actor=DPO,
        person_id=person.id,
        purpose="call-recording",
        grounds="Hearing my voice in a classroom would distress me.",
        channel="staff",
        registered_by="dpo:dpo-0001",
        today=TODAY,
    )
    call = _call(session, gate, person.id)
    assert set(_copies(call)) == {"history", "quality", "evidence"}


def test_a_mifid_call_keeps_its_evidence_five_years_while_training_goes_after_six_months(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate, region="wallonia", language="fr")
    call = _call(session, gate, person.id, FR_INVESTMENT, language="fr", investment=True)
    kept = _copies(call)
    assert kept["evidence"][0] == "mifid-call-recording"
    assert kept["evidence"][1] == STARTED.date().replace(year=STARTED.year + 5)

    def uses_after(day: dt.date) -> set[str]:
        retention.run_retention(session, gate=gate, today=day)
        rows = session.scalars(
            sa.select(ConversationCopy.use).where(ConversationCopy.conversation_id == call.id)
        )
        return set(rows)

    assert uses_after(TODAY) == {"history", "quality", "training", "evidence"}
    assert uses_after(TODAY + dt.timedelta(days=190)) == {"history", "evidence"}
    assert uses_after(TODAY + dt.timedelta(days=367)) == {"evidence"}
    assert uses_after(TODAY + dt.timedelta(days=5 * 365 - 5)) == {"evidence"}
    assert uses_after(TODAY + dt.timedelta(days=5 * 365 + 3)) == set()
    expired = [
        e
        for e in ledger.for_subject(session, keys=gate.keys, subject_id=person.id)
        if e.event == service.Event.EXPIRE
    ]
    assert expired and all(e.purpose == rights.PURPOSE for e in expired)


def test_the_regulator_may_ask_for_seven_years(session: Session, gate: Gate) -> None:
    person = new_person(session, gate, region="wallonia", language="fr")
    call = _call(session, gate, person.id, FR_INVESTMENT, language="fr", investment=True)
    longer = copies.extend_for_regulator(
        session,
        gate=gate,
        actor=AGENT,
        conversation_id=call.id,
        reference="FSMA 2026/117",
        today=TODAY,
    )
    evidence = next(c for c in longer.copies if c.use is Use.EVIDENCE)
    assert evidence.expires_on == STARTED.date().replace(year=STARTED.year + 7)
    assert evidence.extended_by == "FSMA 2026/117"
    retention.run_retention(session, gate=gate, today=TODAY + dt.timedelta(days=5 * 365 + 10))
    left = session.scalars(
        sa.select(ConversationCopy.use).where(ConversationCopy.conversation_id == call.id)
    ).all()
    assert left == ["evidence"]
    with pytest.raises(Conflict):
        copies.extend_for_regulator(
            session, gate=gate, actor=AGENT, conversation_id=call.id, reference="again", today=TODAY
        )


def test_only_an_investment_recording_is_extended(session: Session, gate: Gate) -> None:
    person = new_person(session, gate)
    call = _call(session, gate, person.id)
    with pytest.raises(Conflict):
        copies.extend_for_regulator(
            session, gate=gate, actor=AGENT, conversation_id=call.id, reference="x", today=TODAY
        )


def test_an_open_complaint_holds_the_evidence_past_its_day(session: Session, gate: Gate) -> None:
    from tests.complaints.test_service import _card

    from lawful.complaints import service as complaints
    from lawful.complaints.schemas import ComplaintCreate

    person = new_person(session, gate)
    call = _call(session, gate, person.id)
    card = _card(session, gate, person)
    complaints.file_complaint(
        session,
        gate=gate,
        actor=HANDLER,
        person_id=person.id,
        data=ComplaintCreate(
            source="branch",
            product_kind="card",
            product_id=card,
            root_cause="disputed-transaction",
            summary="The call's instruction was not followed.",
        ),
        today=TODAY,
        by="complaint-handler:h-1",
        staff=True,
    )
    run = retention.run_retention(session, gate=gate, today=TODAY + dt.timedelta(days=3 * 365))
    # Quality review declares no hold: its copy goes; the others the complaint may need stay.
    assert (run.copies_held, run.copies_expired) == (3, 1)
    left = session.scalars(
        sa.select(ConversationCopy.use).where(ConversationCopy.conversation_id == call.id)
    ).all()
    assert set(left) == {"history", "training", "evidence"}


def test_another_entitys_staff_learn_nothing(session: Session, gate: Gate) -> None:
    person = new_person(session, gate)
    call = _call(session, gate, person.id)
    with pytest.raises(NotFound):
        service.get_conversation(
            session, gate=gate, actor=INSURER, conversation_id=call.id, today=TODAY
        )
    with pytest.raises(NotFound):
        _call(session, gate, person.id, actor=INSURER)


def test_a_task_with_a_due_date_becomes_the_advisors_reminder(session: Session, gate: Gate) -> None:
    person = new_person(session, gate)
    call = _call(session, gate, person.id)
    due = TODAY + dt.timedelta(days=3)
    service.add_note(
        session,
        gate=gate,
        actor=AGENT,
        conversation_id=call.id,
        data=NoteCreate(kind=NoteKind.TASK, text="Send the limit confirmation", due_on=due),
        today=TODAY,
    )
    service.add_note(
        session,
        gate=gate,
        actor=AGENT,
        conversation_id=call.id,
        data=NoteCreate(kind=NoteKind.MINUTES, text="Card limit raised for a month."),
        today=TODAY,
    )
    assert (
        service.reminders(session, gate=gate, actor=AGENT, due_by=TODAY, today=TODAY, limit=10)
        == []
    )
    due_list = service.reminders(session, gate=gate, actor=AGENT, due_by=due, today=TODAY, limit=10)
    assert [r.text for r in due_list] == ["Send the limit confirmation"]
    other = Actor("advisor", "kbc-bank", "adv-0001")
    assert (
        service.reminders(session, gate=gate, actor=other, due_by=due, today=TODAY, limit=10) == []
    )
    done = service.set_note_status(
        session,
        gate=gate,
        actor=AGENT,
        note_id=due_list[0].note_id,
        status=NoteStatus.DONE,
        today=TODAY,
    )
    assert done.status is NoteStatus.DONE
    assert (
        service.reminders(session, gate=gate, actor=AGENT, due_by=due, today=TODAY, limit=10) == []
    )


@pytest.mark.parametrize(
    ("text", "language", "task", "days"),
    [
        (FR_INVESTMENT, "fr", "Je vais vous envoyer le document", 2),
        (NL_SERVICE, "nl", "Ik stuur u binnen 3 dagen", 3),
        (EN_CHAT, "en", "I will send you a confirmation", None),
    ],
)
def test_minutes_and_tasks_proposed_from_the_transcript_wait_for_a_person(
    session: Session, gate: Gate, text: str, language: str, task: str, days: int | None
) -> None:
    person = new_person(session, gate, language=language)
    channel = "chat" if language == "en" else "phone"
    call = _call(session, gate, person.id, text, language=language, channel=channel)
    proposed = service.propose_notes(
        session, gate=gate, actor=AGENT, conversation_id=call.id, today=TODAY
    )
    kinds = {n.kind for n in proposed}
    assert kinds == {NoteKind.MINUTES, NoteKind.TASK}
    assert all(n.status is NoteStatus.PROPOSED for n in proposed)
    todo = next(n for n in proposed if n.kind is NoteKind.TASK)
    assert todo.text is not None and todo.text.startswith(task)
    if days is not None:
        assert todo.due_on == STARTED.date() + dt.timedelta(days=days)
    else:
        assert todo.due_on == dt.date(2027, 1, 15)
    # A proposal is nobody's reminder until confirmed.
    far = dt.date(2030, 1, 1)
    assert (
        service.reminders(session, gate=gate, actor=AGENT, due_by=far, today=TODAY, limit=10) == []
    )
    service.set_note_status(
        session, gate=gate, actor=AGENT, note_id=todo.id, status=NoteStatus.OPEN, today=TODAY
    )
    assert (
        len(service.reminders(session, gate=gate, actor=AGENT, due_by=far, today=TODAY, limit=10))
        == 1
    )


def test_the_quality_sample_leaves_out_who_objected_and_is_recorded(
    session: Session, gate: Gate
) -> None:
    kept = new_person(session, gate)
    objecting = new_person(session, gate)
    rights.object(
        session,
        gate=gate,
        actor=DPO,
        person_id=objecting.id,
        purpose="conversation-quality",
        grounds="My calls concern my illness.",
        channel="staff",
        registered_by="dpo:dpo-0001",
        today=TODAY,
    )
    _call(session, gate, kept.id)
    hidden = _call(session, gate, objecting.id)
    assert "quality" not in _copies(hidden)  # not even kept for it
    sample = copies.quality_sample(session, gate=gate, actor=REVIEWER, size=50, today=TODAY)
    assert sample and all(c.use is Use.QUALITY for c in sample)
    assert hidden.id not in {c.conversation_id for c in sample}
    seen = ledger.for_subject(session, keys=gate.keys, subject_id=kept.id)
    assert any(
        e.event == service.Event.QUALITY and e.purpose == "conversation-quality" for e in seen
    )


def test_an_advisor_may_not_draw_the_quality_sample(session: Session, gate: Gate) -> None:
    from lawful.core.errors import NotPermitted

    person = new_person(session, gate)
    _call(session, gate, person.id)
    with pytest.raises(NotPermitted):
        copies.quality_sample(session, gate=gate, actor=AGENT, size=5, today=TODAY)


def test_without_a_speech_model_transcription_says_so(session: Session, gate: Gate) -> None:
    person = new_person(session, gate)
    call = service.record_conversation(
        session,
        gate=gate,
        actor=AGENT,
        person_id=person.id,
        data=ConversationCreate(
            channel="phone",
            started_at=STARTED,
            language="nl",
            notice_given=True,
            recording=RecordingIn(kind="audio", content="UklGRiQAAABXQVZFZm10IBAAAAABAAEA"),
        ),
        today=TODAY,
        by="advisor:adv-0042",
    )
    with pytest.raises(SpeechUnavailable, match="no speech model"):
        copies.transcribe(
            session,
            gate=gate,
            actor=AGENT,
            conversation_id=call.id,
            engine=Unavailable(),
            today=TODAY,
        )


def test_erasure_leaves_only_the_mifid_record_readable_until_its_end(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate, region="wallonia", language="fr")
    call = _call(session, gate, person.id, FR_INVESTMENT, language="fr", investment=True)
    request = rights.submit_request(
        session,
        gate=gate,
        actor=DPO,
        person_id=person.id,
        type="erasure",
        channel="staff",
        registered_by="dpo:dpo-0001",
        today=TODAY,
    ).id
    erasure.erase(
        session, gate=gate, actor=DPO, person_id=person.id, today=TODAY, request_id=request
    )
    left = session.scalars(
        sa.select(ConversationCopy).where(ConversationCopy.conversation_id == call.id)
    ).all()
    assert [c.purpose for c in left] == ["mifid-call-recording"]
    from lawful.interactions.reads import open_copies

    # MiFID II requires the recording be produced for five years, which an erasure request does
    # not override (GDPR Art. 17(3)(b)): its own key survives the erasure; every other copy went.
    assert open_copies(session, gate, left)[0].content == FR_INVESTMENT


def test_the_access_report_holds_the_conversations_in_the_persons_words(
    session: Session, gate: Gate
) -> None:
    from tests.rights.conftest import access_report, registered

    person = new_person(session, gate, region="wallonia", language="fr")
    call = _call(session, gate, person.id, FR_INVESTMENT, language="fr", investment=True)
    service.add_note(
        session,
        gate=gate,
        actor=AGENT,
        conversation_id=call.id,
        data=NoteCreate(kind=NoteKind.MINUTES, text="Ordre de 5 000 euros convenu."),
        today=TODAY,
    )
    request = registered(session, gate, person.id, "access")
    report = access_report(
        session, gate, actor=DPO, person_id=person.id, today=TODAY, request_id=request
    )
    html = rights.to_html(report)
    assert "Nos conversations avec vous" in html and "par téléphone" in html
    assert "Je voudrais placer 5 000 euros" in html and "Ordre de 5 000 euros convenu." in html

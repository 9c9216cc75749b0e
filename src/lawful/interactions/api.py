"""Conversations over HTTP: staff record and read their entity's; a customer reads their own
and talks to the assistant."""

from __future__ import annotations

import datetime as dt
import functools
import os
from pathlib import Path
from typing import Annotated

from fastapi import Body, Query, status

from lawful.core.errors import NotPermitted
from lawful.interactions import copies, service
from lawful.interactions.kate import assistant
from lawful.interactions.kate.phrasing import Phrasing, phrasing
from lawful.interactions.schemas import (
    ConversationCreate,
    ConversationRead,
    CopyContent,
    Extension,
    KateAnswer,
    KateMessage,
    NoteCreate,
    NoteRead,
    NoteStatus,
    Reminder,
    Transcription,
    Use,
)
from lawful.interactions.speech import SpeechToText, engine
from lawful.interactions.uses import HISTORY, MIFID, QUALITY
from lawful.rights import service as rights
from lawful.web.deps import (
    PersonId,
    PrincipalDep,
    RowId,
    RuntimeDep,
    SessionDep,
    actor_of,
    is_staff,
    reach,
    staff_acting_for,
)
from lawful.web.routing import UnitOfWorkRouter

router = UnitOfWorkRouter(tags=["conversations"])
SPEECH_MODEL = "LAWFUL_SPEECH_MODEL"
LLM_URL = "LAWFUL_ASSISTANT_LLM_URL"


@functools.cache
def _speech() -> SpeechToText:
    configured = os.environ.get(SPEECH_MODEL)
    return engine(Path(configured) if configured else None)


@functools.cache
def assistant_phrasing() -> Phrasing:
    """How the assistant words its grounded answers: the configured model, else its own words."""
    return phrasing(os.environ.get(LLM_URL))


@router.post(
    "/persons/{person_id}/conversations",
    status_code=status.HTTP_201_CREATED,
    summary="Record a conversation with the person (staff of an entity they deal with)",
    description=(
        "The recording (a transcript, or base64 audio) is kept once per purpose it serves, each "
        "copy until its own day. Without `notice_given` a recording is refused (422) and the "
        "attempt recorded. An investment conversation keeps the recording MiFID II requires."
    ),
)
def record(
    person_id: PersonId,
    body: ConversationCreate,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
) -> ConversationRead:
    reach(rt, session, who, person_id, purpose=HISTORY)
    if not is_staff(who):
        raise NotPermitted("conversations are recorded by staff")
    return service.record_conversation(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        person_id=person_id,
        data=body,
        today=dt.date.today(),
        by=who.label,
    )


@router.get(
    "/persons/{person_id}/conversations",
    summary="The person's conversations (staff: their entity's)",
)
def person_conversations(
    person_id: PersonId, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> list[ConversationRead]:
    reach(rt, session, who, person_id, purpose=HISTORY)
    staff = is_staff(who)
    return service.person_conversations(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        person_id=person_id,
        today=dt.date.today(),
        staff=staff,
        purpose=HISTORY if staff else rights.PURPOSE,
    )


@router.get(
    "/conversations/quality-sample",
    summary="A random sample of the entity's conversations for quality review",
)
def quality_sample(
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
    size: int = Query(5, ge=1, le=copies.SAMPLE_MAX, description="How many conversations."),
) -> list[CopyContent]:
    actor = staff_acting_for(rt, who, purpose=QUALITY)
    return copies.quality_sample(
        session, gate=rt.gate, actor=actor, size=size, today=dt.date.today()
    )


@router.get("/conversations/{conversation_id}", summary="One conversation")
def get_conversation(
    conversation_id: RowId, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> ConversationRead:
    if not is_staff(who):
        if who.person_id is None:
            raise NotPermitted("a system token reads no conversation")
        return service.get_own_conversation(
            session,
            gate=rt.gate,
            actor=actor_of(who),
            person_id=who.person_id,
            conversation_id=conversation_id,
            purpose=rights.PURPOSE,
            today=dt.date.today(),
        )
    actor = staff_acting_for(rt, who, purpose=HISTORY)
    return service.get_conversation(
        session, gate=rt.gate, actor=actor, conversation_id=conversation_id, today=dt.date.today()
    )


@router.get(
    "/conversations/{conversation_id}/copies/{use}",
    summary="One purpose's copy of the recording, read under that purpose",
)
def read_copy(
    conversation_id: RowId, use: Use, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> CopyContent:
    actor = staff_acting_for(rt, who, purpose=HISTORY)
    return service.read_copy(
        session,
        gate=rt.gate,
        actor=actor,
        conversation_id=conversation_id,
        use=use,
        today=dt.date.today(),
    )


@router.post(
    "/conversations/{conversation_id}/notes",
    status_code=status.HTTP_201_CREATED,
    summary="Write minutes or a task (a task with a due date is its advisor's reminder)",
)
def add_note(
    conversation_id: RowId, body: NoteCreate, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> NoteRead:
    actor = staff_acting_for(rt, who, purpose=HISTORY)
    return service.add_note(
        session,
        gate=rt.gate,
        actor=actor,
        conversation_id=conversation_id,
        data=body,
        today=dt.date.today(),
    )


@router.post(
    "/conversations/{conversation_id}/proposals",
    status_code=status.HTTP_201_CREATED,
    summary="Minutes and tasks proposed from the transcript, to confirm",
)
def propose(
    conversation_id: RowId, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> list[NoteRead]:
    actor = staff_acting_for(rt, who, purpose=HISTORY)
    return service.propose_notes(
        session, gate=rt.gate, actor=actor, conversation_id=conversation_id, today=dt.date.today()
    )


@router.post(
    "/conversation-notes/{note_id}/status",
    summary="Confirm a proposal (minutes kept, task open) or mark a task done",
)
def note_status(
    note_id: RowId,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
    to: Annotated[NoteStatus, Body(embed=True)],
) -> NoteRead:
    actor = staff_acting_for(rt, who, purpose=HISTORY)
    return service.set_note_status(
        session, gate=rt.gate, actor=actor, note_id=note_id, status=to, today=dt.date.today()
    )


@router.get("/reminders", summary="The caller's open tasks due by a day (default: today)")
def reminders(
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
    due_by: dt.date | None = Query(None, description="Tasks due on or before this day."),
    limit: int = Query(50, ge=1, le=service.PAGE_MAX),
) -> list[Reminder]:
    actor = staff_acting_for(rt, who, purpose=HISTORY)
    today = dt.date.today()
    return service.reminders(
        session, gate=rt.gate, actor=actor, due_by=due_by or today, today=today, limit=limit
    )


@router.post(
    "/conversations/{conversation_id}/extension",
    summary="Keep a MiFID recording seven years, at the regulator's request",
)
def extend(
    conversation_id: RowId, body: Extension, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> ConversationRead:
    actor = staff_acting_for(rt, who, purpose=MIFID)
    return copies.extend_for_regulator(
        session,
        gate=rt.gate,
        actor=actor,
        conversation_id=conversation_id,
        reference=body.reference,
        today=dt.date.today(),
    )


@router.post(
    "/conversations/{conversation_id}/transcription",
    summary="Transcribe the audio recording with the installed speech-to-text engine",
    description="Without an engine installed, answers 409 saying so; the recording stays as it is.",
)
def transcribe(
    conversation_id: RowId, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> Transcription:
    actor = staff_acting_for(rt, who, purpose=HISTORY)
    return copies.transcribe(
        session,
        gate=rt.gate,
        actor=actor,
        conversation_id=conversation_id,
        engine=_speech(),
        today=dt.date.today(),
    )


@router.post(
    "/assistant/messages",
    summary="Ask the virtual assistant (the customer or prospect, about themselves)",
    description=(
        "Answers from the customer file, the register and the ledger, in the person's language; "
        "what none of them answers is handed over to a person. The conversation is recorded."
    ),
)
def ask_assistant(
    body: KateMessage, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> KateAnswer:
    if who.person_id is None or is_staff(who):
        raise NotPermitted("the assistant answers customers and prospects about themselves")
    return assistant.ask(
        session,
        gate=rt.gate,
        person_id=who.person_id,
        message=body,
        today=dt.date.today(),
        phrasing=assistant_phrasing(),
    )

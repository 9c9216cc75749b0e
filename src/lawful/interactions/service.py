"""Recorded conversations (activities 3 and 5): the functions adapters and use cases call.

A conversation is recorded with the channel's purposes; each purpose keeps a copy of its own,
sealed with the person's vault key and expiring on the register's retention for that purpose. A
recording is refused, and the attempt recorded, unless the recording notice was given. Every read
and write passes the gate and lands in the ledger in the same transaction: the conversation and
its minutes under `recorded-conversations`, each copy under its own purpose, so that an objection
to training or quality stops that copy and nothing else. Staff reach their own entity's
conversations only; any other number answers as an unknown one.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from lawful.core.db import utcnow
from lawful.core.errors import Conflict, InvalidInput, NotFound, ProcessingDenied
from lawful.core.gate import Details, Gate
from lawful.core.policy.types import Actor, Decision, Obligation
from lawful.core.vault import service as vault
from lawful.customers import service as customers
from lawful.interactions import repository
from lawful.interactions.models import Conversation, ConversationCopy, ConversationNote
from lawful.interactions.proposals import propose
from lawful.interactions.reads import open_copies, read_many
from lawful.interactions.schemas import (
    Channel,
    ConversationCreate,
    ConversationRead,
    CopyContent,
    NoteCreate,
    NoteKind,
    NoteRead,
    NoteStatus,
    RecordingKind,
    Reminder,
    Use,
)
from lawful.interactions.uses import (
    CHANNEL_USES,
    HISTORY,
    MIFID,
    MIFID_CHANNELS,
    expiry,
    purpose_of,
    sealing_subject,
)

NO_NOTICE = "no-recording-notice"
PAGE_MAX = 100


class Event(StrEnum):
    RECORD = "interactions.conversation.record"
    READ = "interactions.conversation.read"
    LIST = "interactions.conversation.list"
    KEEP = "interactions.copy.keep"
    READ_COPY = "interactions.copy.read"
    EXTEND = "interactions.copy.extend"
    EXPIRE = "interactions.copy.expire"
    NOTE = "interactions.note.write"
    PROPOSE = "interactions.note.propose"
    CONFIRM = "interactions.note.confirm"
    REMINDERS = "interactions.reminder.list"
    QUALITY = "interactions.quality.sample"
    TRANSCRIBE = "interactions.recording.transcribe"


BASE = ("user.name",)
RECORDING = {
    RecordingKind.AUDIO.value: "user.content.voice_recording",
    RecordingKind.TRANSCRIPT.value: "user.content.conversation_transcript",
    "minutes": "user.content.conversation_transcript",
}
NOTE_DATA = ("user.content.conversation_transcript",)


# --- recording --------------------------------------------------------------------------------


def record_conversation(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    data: ConversationCreate,
    today: dt.date,
    by: str,
) -> ConversationRead:
    """Record a conversation the actor's entity had with the person, with the recording kept
    once per purpose it serves. No notice, no recording: the attempt is refused and recorded."""
    _related(session, actor, person_id)
    channel = Channel(data.channel)
    uses = _uses(channel, data.uses, investment=data.investment)
    if data.investment and actor.entity not in gate.register.purpose(MIFID).controllers:
        raise InvalidInput(
            "investment services are not provided by this entity", field="investment"
        )
    if data.recording is not None and not data.notice_given:
        ctx = gate.open(session, actor=actor, purpose=HISTORY)
        ctx.refuse(
            person_id,
            categories=(*BASE, RECORDING[data.recording.kind.value]),
            event=Event.RECORD,
            reasons=[NO_NOTICE],
            error=InvalidInput(
                "a recording is kept only once the recording notice (reason and storage "
                "period) was given",
                field="notice_given",
            ),
        )
    content = _content(data) if data.recording is not None else None
    row = Conversation(
        person_id=person_id,
        entity=actor.entity,
        channel=channel.value,
        language=data.language,
        investment=data.investment,
        participants=list(data.participants),
        started_at=data.started_at,
        ended_at=data.ended_at,
        notice_given_at=data.started_at if data.notice_given else None,
        recording_kind=data.recording.kind.value if data.recording else None,
        by=by,
    )
    repository.add(session, row)
    kinds = [RECORDING[row.recording_kind]] if row.recording_kind else []
    _record(session, gate, actor, row, Event.RECORD, today, {"channel": row.channel}, kinds)
    if content is not None:
        keep_copies(
            session, gate=gate, actor=actor, row=row, uses=uses, content=content, today=today
        )
    return read_many(session, gate, [row], transcripts=True)[0]


def open_kate_conversation(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    language: str,
    today: dt.date,
    brand: str | None = None,
) -> Conversation:
    """The assistant's conversation: its notice is its first words, so it is recorded from the
    start, under history and answers. The assistant takes part as the brand's (`assistant:cbc`):
    the conversation keeps the brand it speaks for, so a later turn need not read the file."""
    now = utcnow()
    row = Conversation(
        person_id=person_id,
        entity=actor.entity,
        channel=Channel.KATE.value,
        language=language,
        investment=False,
        participants=["customer", f"{actor.role}:{brand}" if brand else actor.role],
        started_at=now,
        ended_at=now,
        notice_given_at=now,
        recording_kind=RecordingKind.TRANSCRIPT.value,
        by=actor.role,
    )
    repository.add(session, row)
    cats = [RECORDING[RecordingKind.TRANSCRIPT.value]]
    _record(session, gate, actor, row, Event.RECORD, today, {"channel": row.channel}, cats)
    return row


def keep_copies(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    row: Conversation,
    uses: tuple[Use, ...],
    content: bytes,
    today: dt.date,
    kind: str | None = None,
) -> list[ConversationCopy]:
    """One sealed copy per use, each asked of the gate under its own purpose: one the policy
    refuses (an objection to training, say) is not kept, and the refusal is on record."""
    kind = kind or row.recording_kind or RecordingKind.TRANSCRIPT.value
    kept_from = row.started_at.date()
    out = []
    for use in uses:
        purpose = purpose_of(use, investment=row.investment)
        try:
            decision = ask_under(session, gate, actor, row, purpose, Event.KEEP, today, kind, use)
        except ProcessingDenied:
            if purpose == MIFID:  # the law's recording is never silently dropped
                raise
            continue
        copy = ConversationCopy(
            conversation_id=row.id,
            person_id=row.person_id,
            use=use.value,
            purpose=purpose,
            kind=kind,
            content=None if _erased(decision) else _seal(session, gate, row, content, purpose),
            kept_from=kept_from,
            expires_on=expiry(gate.register, purpose, kept_from),
        )
        repository.add(session, copy)
        out.append(copy)
    return out


def replace_content(
    session: Session, *, gate: Gate, row: Conversation, copies: list[ConversationCopy], text: str
) -> None:
    """The assistant's transcript grows turn by turn: each copy is sealed again whole."""
    sealed = _seal(session, gate, row, text.encode())
    for copy in copies:
        copy.content = sealed
    session.flush()


# --- reading ----------------------------------------------------------------------------------


def get_conversation(
    session: Session, *, gate: Gate, actor: Actor, conversation_id: int, today: dt.date
) -> ConversationRead:
    """Staff read their entity's conversation, its history transcript and its notes."""
    row = own_conversation(session, actor, conversation_id)
    _record(session, gate, actor, row, Event.READ, today, None, _kinds(row))
    return read_many(session, gate, [row], transcripts=True)[0]


def get_own_conversation(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    conversation_id: int,
    purpose: str,
    today: dt.date,
) -> ConversationRead:
    """The person reads one of their own conversations (their right of access, `purpose`);
    another's answers as an unknown number."""
    row = repository.get(session, conversation_id)
    if row is None or row.person_id != person_id:
        raise NotFound(f"no conversation {conversation_id}")
    ctx = gate.open(session, actor=actor, purpose=purpose)
    ctx.access(
        person_id,
        categories=(*BASE, *_kinds(row)),
        event=Event.READ,
        details={"conversation": row.id},
        as_of=today,
    )
    return read_many(session, gate, [row], transcripts=True)[0]


def person_conversations(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    today: dt.date,
    staff: bool,
    purpose: str = HISTORY,
) -> list[ConversationRead]:
    """The person's conversations: all of theirs for the person (under their right of access,
    `purpose`), their entity's for staff."""
    if staff:
        _related(session, actor, person_id)
    else:
        customers.present(session, person_id)
    rows = repository.of_person(session, person_id, entity=actor.entity if staff else None)
    if not rows:
        return []
    ctx = gate.open(session, actor=actor, purpose=purpose)
    ctx.access(
        person_id,
        categories=sorted({c for r in rows for c in _kinds(r)}),
        event=Event.LIST,
        details={"conversations": [r.id for r in rows]},
        as_of=today,
    )
    return read_many(session, gate, rows, transcripts=True)


def read_copy(
    session: Session, *, gate: Gate, actor: Actor, conversation_id: int, use: Use, today: dt.date
) -> CopyContent:
    """One purpose's copy, read under that purpose: the evidence copy for a dispute, the
    training copy for coaching. A role that may not pursue the purpose is refused, and recorded."""
    row = own_conversation(session, actor, conversation_id)
    copy = repository.copy(session, row.id, use.value)
    if copy is None:
        raise NotFound(f"no {use.value} copy of conversation {conversation_id}")
    ask_under(session, gate, actor, row, copy.purpose, Event.READ_COPY, today, copy.kind, use)
    return open_copies(session, gate, [copy])[0]


def export_person(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, purpose: str, today: dt.date
) -> dict[str, Any]:
    """The person's conversations for the access report (Art. 15), JSON-ready: each with its
    transcript (the history copy's, or the assistant's), what each copy is kept for and until
    when, and its minutes and tasks. Nothing is asked of the gate when there is nothing."""
    rows = repository.of_person(session, person_id, entity=None)
    if not rows:
        return {"conversations": []}
    ctx = gate.open(session, actor=actor, purpose=purpose)
    ctx.access(
        person_id,
        categories=sorted({c for r in rows for c in (*BASE, *_kinds(r))}),
        event=Event.LIST,
        details={"conversations": [r.id for r in rows]},
        as_of=today,
    )
    return {
        "conversations": [
            {
                "started_at": c.started_at.isoformat(),
                "entity": c.entity,
                "conversation_channel": c.channel.value,
                "notice_given_at": c.notice_given_at.isoformat() if c.notice_given_at else None,
                "transcript": c.transcript,
                "kept_for": [
                    {"purpose": k.purpose, "expires_on": k.expires_on.isoformat()} for k in c.copies
                ],
                "notes": [
                    {
                        "note_kind": n.kind.value,
                        "text": n.text,
                        "due_on": n.due_on.isoformat() if n.due_on else None,
                    }
                    for n in c.notes
                    if n.status is not NoteStatus.PROPOSED
                ],
            }
            for c in read_many(session, gate, rows, transcripts=True)
        ]
    }


# --- minutes and tasks ------------------------------------------------------------------------


def add_note(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    conversation_id: int,
    data: NoteCreate,
    today: dt.date,
) -> NoteRead:
    """Minutes or a task written by staff; a task is the writer's unless it names an advisor, and
    with a due date it is that advisor's reminder. The minutes of a branch meeting about an
    investment service are also kept as the record MiFID II asks for."""
    row = own_conversation(session, actor, conversation_id)
    details = {"conversation": row.id, "kind": data.kind.value}
    decision = _record(session, gate, actor, row, Event.NOTE, today, details, NOTE_DATA)
    status = NoteStatus.OPEN if data.kind is NoteKind.TASK else NoteStatus.KEPT
    note = ConversationNote(
        conversation_id=row.id,
        person_id=row.person_id,
        entity=row.entity,
        kind=data.kind.value,
        origin="staff",
        status=status.value,
        text=None if _erased(decision) else _seal(session, gate, row, data.text.encode()),
        due_on=data.due_on if data.kind is NoteKind.TASK else None,
        advisor=(data.advisor or actor.ref) if data.kind is NoteKind.TASK else None,
        created_at=utcnow(),
    )
    repository.add(session, note)
    if data.kind is NoteKind.MINUTES and row.investment and row.channel == Channel.BRANCH:
        content = data.text.encode()
        keep_copies(
            session,
            gate=gate,
            actor=actor,
            row=row,
            uses=(Use.EVIDENCE,),
            content=content,
            today=today,
            kind="minutes",
        )
    return _note_read(session, gate, note)


def propose_notes(
    session: Session, *, gate: Gate, actor: Actor, conversation_id: int, today: dt.date
) -> list[NoteRead]:
    """Minutes and tasks proposed from the history transcript: they count for nothing until a
    staff member confirms them."""
    row = own_conversation(session, actor, conversation_id)
    copy = repository.copy(session, row.id, Use.HISTORY.value)
    if copy is None or copy.kind != RecordingKind.TRANSCRIPT.value:
        raise Conflict("there is no transcript to propose minutes from")
    decision = _record(session, gate, actor, row, Event.PROPOSE, today, None, NOTE_DATA)
    text = open_copies(session, gate, [copy])[0].content
    if text is None or _erased(decision):
        return []
    notes = []
    for proposal in propose(text, row.language, today=row.started_at.date()):
        note = ConversationNote(
            conversation_id=row.id,
            person_id=row.person_id,
            entity=row.entity,
            kind=proposal.kind.value,
            origin="proposed",
            status=NoteStatus.PROPOSED.value,
            text=_seal(session, gate, row, proposal.text.encode()),
            due_on=proposal.due_on,
            advisor=actor.ref if proposal.kind is NoteKind.TASK else None,
            created_at=utcnow(),
        )
        repository.add(session, note)
        notes.append(note)
    return [_note_read(session, gate, n) for n in notes]


def set_note_status(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    note_id: int,
    status: NoteStatus,
    today: dt.date,
) -> NoteRead:
    """Confirm a proposal (minutes kept, task open) or mark a task done."""
    note = repository.note(session, note_id)
    if note is None or note.entity != actor.entity:
        raise NotFound(f"no note {note_id}")
    now = NoteStatus(note.status)
    allowed = {
        NoteStatus.PROPOSED: {NoteStatus.KEPT, NoteStatus.OPEN},
        NoteStatus.OPEN: {NoteStatus.DONE},
    }.get(now, set())
    if status not in allowed:
        raise Conflict(f"a {note.kind} {now.value} cannot become {status.value}")
    if (note.kind == NoteKind.TASK) != (status is not NoteStatus.KEPT):
        raise Conflict(f"a {note.kind} is not {status.value}")
    row = own_conversation(session, actor, note.conversation_id)
    details = {"note": note.id, "status": status.value}
    _record(session, gate, actor, row, Event.CONFIRM, today, details, NOTE_DATA)
    note.status = status.value
    session.flush()
    return _note_read(session, gate, note)


def reminders(
    session: Session, *, gate: Gate, actor: Actor, due_by: dt.date, today: dt.date, limit: int
) -> list[Reminder]:
    """The advisor's open tasks due by `due_by`: each person on the list recorded as seen, in one
    batch; one the policy refuses (an objection upheld, an erasure) is left out."""
    if actor.ref is None:
        return []
    rows = repository.reminders(
        session, advisor=actor.ref, entity=actor.entity, due_by=due_by, limit=limit
    )
    if not rows:
        return []
    ctx = gate.open(session, actor=actor, purpose=HISTORY)
    persons = sorted({r.person_id for r in rows})
    outcome = ctx.access_many(persons, categories=NOTE_DATA, event=Event.REMINDERS, as_of=today)
    allowed = set(outcome.allowed)
    shown = [r for r in rows if r.person_id in allowed]
    texts = _open_notes(session, gate, shown)
    return [
        Reminder(
            note_id=r.id,
            conversation_id=r.conversation_id,
            person_id=r.person_id,
            due_on=r.due_on or today,
            text=t,
        )
        for r, t in zip(shown, texts, strict=True)
    ]


# --- helpers ----------------------------------------------------------------------------------


def _uses(channel: Channel, wanted: list[Use] | None, *, investment: bool) -> tuple[Use, ...]:
    allowed = CHANNEL_USES[channel]
    chosen = tuple(dict.fromkeys(wanted)) if wanted is not None else allowed
    wrong = [u.value for u in chosen if u not in allowed]
    if wrong:
        raise InvalidInput(
            f"a {channel.value} conversation is not kept for {wrong[0]}", field="uses"
        )
    if investment and channel in MIFID_CHANNELS and Use.EVIDENCE not in chosen:
        chosen = (*chosen, Use.EVIDENCE)  # the law's recording is not optional
    return chosen


def _content(data: ConversationCreate) -> bytes:
    assert data.recording is not None
    if data.recording.kind is RecordingKind.TRANSCRIPT:
        return data.recording.content.encode()
    try:
        return base64.b64decode(data.recording.content, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("audio is sent base64-encoded", field="recording.content") from None


def _related(session: Session, actor: Actor, person_id: str) -> None:
    """The person is on file and has been in a relationship with the actor's entity; one who
    never was answers as an unknown id does."""
    customers.present(session, person_id)
    if not any(
        r.entity == actor.entity for r in customers.relationships(session, person_id=person_id)
    ):
        raise NotFound(f"no person {person_id}")


def own_conversation(session: Session, actor: Actor, conversation_id: int) -> Conversation:
    row = repository.get(session, conversation_id)
    if row is None or row.entity != actor.entity:
        raise NotFound(f"no conversation {conversation_id}")
    return row


def _kinds(row: Conversation) -> list[str]:
    return [RECORDING[row.recording_kind]] if row.recording_kind else list(NOTE_DATA)


def _record(
    session: Session,
    gate: Gate,
    actor: Actor,
    row: Conversation,
    event: Event,
    today: dt.date,
    details: Details | None,
    kinds: list[str] | tuple[str, ...],
) -> Decision:
    ctx = gate.open(session, actor=actor, purpose=HISTORY)
    return ctx.access(
        row.person_id,
        categories=(*BASE, *kinds),
        event=event,
        details={"conversation": row.id, **(details or {})},
        as_of=today,
    )


def ask_under(
    session: Session,
    gate: Gate,
    actor: Actor,
    row: Conversation,
    purpose: str,
    event: Event,
    today: dt.date,
    kind: str,
    use: Use,
) -> Decision:
    ctx = gate.open(session, actor=actor, purpose=purpose)
    return ctx.access(
        row.person_id,
        categories=(RECORDING[kind],),
        event=event,
        details={"conversation": row.id, "use": use.value},
        as_of=today,
    )


def _erased(decision: Decision) -> bool:
    return Obligation.LEGAL_HOLD in decision.obligations


def _seal(
    session: Session, gate: Gate, row: Conversation, content: bytes, purpose: str = ""
) -> bytes:
    subject = sealing_subject(row.person_id, purpose)
    return vault.encrypt(session, keys=gate.keys, subject_id=subject, plaintext=content)


def _open_notes(session: Session, gate: Gate, notes: list[ConversationNote]) -> list[str | None]:
    present = [(n.person_id, n.text) for n in notes if n.text is not None]
    opened = iter(vault.decrypt_items(session, keys=gate.keys, items=present))
    out: list[str | None] = []
    for n in notes:
        value = next(opened) if n.text is not None else None
        out.append(value.decode() if isinstance(value, bytes) else None)
    return out


def _note_read(session: Session, gate: Gate, note: ConversationNote) -> NoteRead:
    return NoteRead(
        id=note.id,
        conversation_id=note.conversation_id,
        kind=NoteKind(note.kind),
        origin=note.origin,
        status=NoteStatus(note.status),
        text=_open_notes(session, gate, [note])[0],
        due_on=note.due_on,
        advisor=note.advisor,
    )

"""Conversations as their reader sees them: copies listed, transcripts and notes opened."""

from __future__ import annotations

import base64
from collections.abc import Sequence

from sqlalchemy.orm import Session

from lawful.core.gate import Gate
from lawful.core.vault import service as vault
from lawful.interactions import repository
from lawful.interactions.models import Conversation, ConversationCopy, ConversationNote
from lawful.interactions.schemas import (
    Channel,
    ConversationRead,
    CopyContent,
    CopyRead,
    NoteKind,
    NoteRead,
    NoteStatus,
    RecordingKind,
    Use,
)
from lawful.interactions.uses import sealing_subject


def open_copies(
    session: Session, gate: Gate, copies: Sequence[ConversationCopy]
) -> list[CopyContent]:
    """Each copy's content: text for a transcript or minutes, base64 for audio; None once the
    person's key is destroyed."""
    present = [
        (sealing_subject(c.person_id, c.purpose), c.content)
        for c in copies
        if c.content is not None
    ]
    opened = iter(vault.decrypt_items(session, keys=gate.keys, items=present))
    out = []
    for c in copies:
        value = next(opened) if c.content is not None else None
        text = None
        if isinstance(value, bytes):
            audio = c.kind == RecordingKind.AUDIO.value
            text = base64.b64encode(value).decode() if audio else value.decode()
        out.append(
            CopyContent(
                conversation_id=c.conversation_id,
                use=Use(c.use),
                purpose=c.purpose,
                kind=c.kind,
                expires_on=c.expires_on,
                content=text,
            )
        )
    return out


def _notes(session: Session, gate: Gate, notes: Sequence[ConversationNote]) -> list[NoteRead]:
    present = [(n.person_id, n.text) for n in notes if n.text is not None]
    opened = iter(vault.decrypt_items(session, keys=gate.keys, items=present))
    out = []
    for n in notes:
        value = next(opened) if n.text is not None else None
        out.append(
            NoteRead(
                id=n.id,
                conversation_id=n.conversation_id,
                kind=NoteKind(n.kind),
                origin=n.origin,
                status=NoteStatus(n.status),
                text=value.decode() if isinstance(value, bytes) else None,
                due_on=n.due_on,
                advisor=n.advisor,
            )
        )
    return out


def read_many(
    session: Session, gate: Gate, rows: Sequence[Conversation], *, transcripts: bool
) -> list[ConversationRead]:
    ids = [r.id for r in rows]
    copies = repository.copies_of(session, ids)
    notes = repository.notes_of(session, ids)
    history = [
        c
        for r in rows
        for c in copies.get(r.id, [])
        if transcripts and c.use == Use.HISTORY and c.kind == RecordingKind.TRANSCRIPT
    ]
    texts = {
        c.conversation_id: o.content
        for c, o in zip(history, open_copies(session, gate, history), strict=True)
    }
    return [
        ConversationRead(
            id=r.id,
            person_id=r.person_id,
            entity=r.entity,
            channel=Channel(r.channel),
            language=r.language,
            investment=r.investment,
            participants=list(r.participants),
            started_at=r.started_at,
            ended_at=r.ended_at,
            notice_given_at=r.notice_given_at,
            recording_kind=r.recording_kind,
            copies=[
                CopyRead(
                    use=Use(c.use),
                    purpose=c.purpose,
                    kind=c.kind,
                    kept_from=c.kept_from,
                    expires_on=c.expires_on,
                    extended_by=c.extended_by,
                )
                for c in copies.get(r.id, [])
            ],
            notes=_notes(session, gate, notes.get(r.id, [])),
            transcript=texts.get(r.id),
        )
        for r in rows
    ]

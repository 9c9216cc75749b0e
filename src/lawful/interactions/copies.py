"""Copies over their life: a regulator's longer keeping, the quality sample, transcription, and
their end — the retention job's expiry and the erasure of a person.

The retention job calls `expire` in batches: each person whose copies are past their day is
recorded once in the ledger, under data-subject-rights (the storage limit applied), then the
copies are deleted in one statement. A copy an open complaint holds stays until the complaint is
settled; the recording MiFID II requires is kept through erasure, until its own day.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from lawful.core.errors import Conflict, NotFound, NotPermitted
from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.core.register.models import Register
from lawful.interactions import repository
from lawful.interactions.models import ConversationCopy
from lawful.interactions.reads import open_copies
from lawful.interactions.schemas import (
    ConversationRead,
    CopyContent,
    RecordingKind,
    Transcription,
    Use,
)
from lawful.interactions.service import RECORDING, Event, ask_under, keep_copies, own_conversation
from lawful.interactions.speech import SpeechToText
from lawful.interactions.uses import MIFID, extended_expiry, held_by_complaint

RIGHTS = "data-subject-rights"
SAMPLE_MAX = 50
REVIEWER = "quality-reviewer"


def extend_for_regulator(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    conversation_id: int,
    reference: str,
    today: dt.date,
) -> ConversationRead:
    """MiFID II art. 16(7): the competent authority may ask for up to seven years."""
    from lawful.interactions.reads import read_many

    row = own_conversation(session, actor, conversation_id)
    copy = repository.copy(session, row.id, Use.EVIDENCE.value)
    if copy is None or copy.purpose != MIFID:
        raise Conflict(
            "only the recording MiFID II requires is kept longer at a regulator's request"
        )
    until = extended_expiry(copy.kept_from)
    if copy.expires_on >= until:
        raise Conflict("already kept the longest the law allows")
    ask_under(session, gate, actor, row, MIFID, Event.EXTEND, today, copy.kind, Use.EVIDENCE)
    copy.expires_on, copy.extended_by = until, reference
    session.flush()
    return read_many(session, gate, [row], transcripts=False)[0]


def quality_sample(
    session: Session, *, gate: Gate, actor: Actor, size: int, today: dt.date
) -> list[CopyContent]:
    """A random sample of the entity's quality copies, each person recorded as reviewed under
    conversation-quality in one batch; one who objected is left out of the sample. Advisors keep
    quality copies of the conversations they record; only quality reviewers read the sample."""
    if actor.role != REVIEWER:
        raise NotPermitted("the quality sample is drawn by quality reviewers")
    copies = repository.quality_sample(session, entity=actor.entity, today=today, size=size)
    if not copies:
        return []
    persons = sorted({c.person_id for c in copies})
    ctx = gate.open(session, actor=actor, purpose="conversation-quality")
    kinds = sorted({RECORDING[c.kind] for c in copies})
    details = {
        p: {"conversations": [c.conversation_id for c in copies if c.person_id == p]}
        for p in persons
    }
    outcome = ctx.access_many(
        persons, categories=kinds, event=Event.QUALITY, details=details, as_of=today
    )
    allowed = set(outcome.allowed)
    return open_copies(session, gate, [c for c in copies if c.person_id in allowed])


def transcribe(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    conversation_id: int,
    engine: SpeechToText,
    today: dt.date,
) -> Transcription:
    """The history recording transcribed by the installed engine, kept as the history copy's
    transcript with the same end."""
    row = own_conversation(session, actor, conversation_id)
    audio = repository.copy(session, row.id, Use.HISTORY.value)
    if audio is None or audio.kind != RecordingKind.AUDIO.value:
        raise NotFound(f"no audio recording of conversation {conversation_id}")
    opened = open_copies(session, gate, [audio])[0].content
    if opened is None:
        raise NotFound(f"no audio recording of conversation {conversation_id}")
    text = engine.transcribe(base64.b64decode(opened), language=row.language)
    ask_under(
        session, gate, actor, row, audio.purpose, Event.TRANSCRIBE, today, audio.kind, Use.HISTORY
    )
    kept = keep_copies(
        session,
        gate=gate,
        actor=actor,
        row=row,
        uses=(Use.HISTORY,),
        content=text.encode(),
        today=today,
        kind=RecordingKind.TRANSCRIPT.value,
    )
    for copy in kept:
        copy.expires_on = audio.expires_on
    return Transcription(
        conversation_id=row.id, engine=engine.name, language=row.language, text=text
    )


# --- the end of copies ------------------------------------------------------------------------


@dataclass
class Expiry:
    """What one batch did; `after` is the copy id the next batch starts after (0: done)."""

    after: int = 0
    expired: int = 0
    held: int = 0  # past their day, kept while a complaint is open
    refused: int = 0
    persons: set[str] = field(default_factory=set)


def expire(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    today: dt.date,
    after: int,
    limit: int,
    complaint_held: Collection[str] = (),
) -> Expiry:
    """Delete one batch of copies past their day. `complaint_held(person_ids)` (the caller's,
    from the complaints domain) names who has a complaint open."""
    rows = repository.expired(session, today=today, after=after, limit=limit)
    out = Expiry(after=rows[-1].id if len(rows) == limit else 0)
    if not rows:
        return out
    held = set(complaint_held)
    going = [
        r for r in rows if not (r.person_id in held and held_by_complaint(gate.register, r.purpose))
    ]
    out.held = len(rows) - len(going)
    per_person: dict[str, list[dict[str, object]]] = defaultdict(list)
    for r in going:
        per_person[r.person_id].append(
            {"conversation": r.conversation_id, "use": r.use, "purpose": r.purpose}
        )
    persons = sorted(per_person)
    if not persons:
        return out
    ctx = gate.open(session, actor=actor, purpose=RIGHTS)
    outcome = ctx.access_many(
        persons,
        categories=sorted(set(RECORDING.values())),
        event=Event.EXPIRE,
        details={p: {"copies": per_person[p]} for p in persons},
        as_of=today,
    )
    allowed = set(outcome.allowed)
    ids = [r.id for r in going if r.person_id in allowed]
    out.expired = repository.delete_copies(session, ids)
    out.refused = len(going) - len(ids)
    out.persons = allowed
    return out


def expired_persons(session: Session, *, today: dt.date, after: int, limit: int) -> list[str]:
    """The persons of the next batch of expired copies, for the caller's hold lookup."""
    return sorted(
        {r.person_id for r in repository.expired(session, today=today, after=after, limit=limit)}
    )


def erase(
    session: Session, *, register: Register, person_ids: list[str], complaint_held: Collection[str]
) -> int:
    """Erase the persons' conversations with their file (Art. 17), but the recordings MiFID II
    requires (Art. 17(3)(b)), which go on their own day, and, for a person with a complaint
    open, the copies that complaint holds (Art. 17(3)(e)). No gate of its own: the erasure use
    case asked it and records what was erased. The number of copies erased."""
    held = set(complaint_held)
    by_complaint = [p.id for p in register.purposes if held_by_complaint(register, p.id)]
    free = [p for p in person_ids if p not in held]
    kept = [p for p in person_ids if p in held]
    erased = repository.delete_for(session, free, keep=[MIFID])
    return erased + repository.delete_for(session, kept, keep=[MIFID, *by_complaint])


def copy_rows(session: Session, conversation_id: int) -> list[ConversationCopy]:
    return repository.copies_of(session, [conversation_id]).get(conversation_id, [])

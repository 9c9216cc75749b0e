"""The demo world's conversations: synthetic calls and chats in French, Dutch and English, and
the assistant asked "who did you share my data with?".

Per showcase customer: a call with the bank's adviser about an investment, recorded after the
notice, so that its evidence copy is the recording MiFID II asks for (five years) while its
training copy goes after six months — `lawful rights retention --today` a few months on shows
the one deleted and the other kept; minutes and a task proposed from the transcript, the task
confirmed as the adviser's reminder; then the customer asks the assistant, in their language,
whom their data was shared with (their identification, reused by the insurer, is on record).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Engine

from lawful.complaints import service as complaints
from lawful.core.gate import Gate, unit_of_work
from lawful.core.policy.types import Actor
from lawful.interactions import service as conversations
from lawful.interactions.kate import assistant
from lawful.interactions.schemas import (
    ConversationCreate,
    KateMessage,
    NoteStatus,
    RecordingIn,
    RecordingKind,
    Use,
)

ADVISER = Actor("advisor", "kbc-bank", "adv-demo")
BY = "advisor:adv-demo"

INVESTMENT_CALL = {
    "fr": (
        "Conseiller: Bonjour, cet appel est enregistré pour le suivi, la formation et comme "
        "preuve.\n"
        "Client: Je voudrais placer 5 000 euros dans un fonds d'actions européennes.\n"
        "Conseiller: D'accord, nous avons décidé d'un ordre de 5 000 euros.\n"
        "Conseiller: Je vais vous envoyer le document d'informations clés dans 2 jours."
    ),
    "nl": (
        "Adviseur: Goedemiddag, dit gesprek wordt opgenomen voor opvolging, opleiding en als "
        "bewijs.\n"
        "Klant: Ik wil 5 000 euro beleggen in een Europees aandelenfonds.\n"
        "Adviseur: Afgesproken: een order van 5 000 euro.\n"
        "Adviseur: Ik stuur u binnen 2 dagen het essentiële-informatiedocument."
    ),
    "en": (
        "Adviser: Good afternoon, this call is recorded for follow-up, training and as evidence.\n"
        "Customer: I would like to invest 5,000 euros in a European equity fund.\n"
        "Adviser: Agreed, we decided on an order of 5,000 euros.\n"
        "Adviser: I will send you the key information document within 2 days."
    ),
}
SHARED_QUESTION = {
    "fr": "À qui avez-vous communiqué mes données ?",
    "nl": "Met wie hebben jullie mijn gegevens gedeeld?",
    "en": "Who did you share my data with?",
}


@dataclass(frozen=True)
class Built:
    recorded: int = 0
    mifid_call: int | None = None
    training_until: dt.date | None = None
    evidence_until: dt.date | None = None
    answers: dict[str, str] = field(default_factory=dict)  # language -> the assistant's answer


def build(
    engine: Engine,
    gate: Gate,
    showcase: Sequence[str],
    languages: Mapping[str, str],
    *,
    today: dt.date,
) -> Built:
    recorded, answers = 0, dict[str, str]()
    first: tuple[int, dt.date, dt.date] | None = None
    started = dt.datetime.combine(today, dt.time(10, 0), tzinfo=dt.UTC)
    with unit_of_work(engine) as session:
        for person_id in showcase:
            lang = languages.get(person_id, "fr")
            lang = lang if lang in INVESTMENT_CALL else "fr"
            call = conversations.record_conversation(
                session,
                gate=gate,
                actor=ADVISER,
                person_id=person_id,
                data=ConversationCreate(
                    channel="phone",
                    started_at=started,
                    ended_at=started + dt.timedelta(minutes=9),
                    language=lang,
                    participants=["customer", BY],
                    investment=True,
                    notice_given=True,
                    recording=RecordingIn(
                        kind=RecordingKind.TRANSCRIPT, content=INVESTMENT_CALL[lang]
                    ),
                ),
                today=today,
                by=BY,
            )
            recorded += 1
            for note in conversations.propose_notes(
                session, gate=gate, actor=ADVISER, conversation_id=call.id, today=today
            ):
                status = NoteStatus.OPEN if note.kind == "task" else NoteStatus.KEPT
                conversations.set_note_status(
                    session, gate=gate, actor=ADVISER, note_id=note.id, status=status, today=today
                )
            # The retention example: a customer no open complaint keeps recordings for.
            if first is None and not complaints.holds_for(
                session, register=gate.register, person_ids=[person_id], today=today
            ):
                ends = {c.use: c.expires_on for c in call.copies}
                if Use.TRAINING in ends and Use.EVIDENCE in ends:
                    first = (call.id, ends[Use.TRAINING], ends[Use.EVIDENCE])
            answer = assistant.ask(
                session,
                gate=gate,
                person_id=person_id,
                message=KateMessage(text=SHARED_QUESTION[lang]),
                today=today,
            )
            answers.setdefault(answer.language, answer.text)
            recorded += 1
    if first is None:
        return Built(recorded, answers=answers)
    return Built(recorded, first[0], first[1], first[2], answers)

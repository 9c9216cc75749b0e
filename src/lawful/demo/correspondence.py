"""The demo world's correspondence: one customer's mail through an adviser's mailbox.

A letter announcing a move is registered and analysed; a back-office colleague tries to examine
it without saying why, which is refused and recorded, then examines it to check the process,
which is recorded with the ground and justification. An e-mail complaining about the card's fees
is taken for a complaint and opened in the complaints register, about that card; an answer is
drafted for the adviser to approve.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from lawful.core.errors import InvalidInput
from lawful.core.gate import Gate, unit_of_work
from lawful.core.policy.types import Actor
from lawful.correspondence import service as correspondence
from lawful.correspondence.intent import Classifier
from lawful.correspondence.schemas import Examination, Ground, MessageCreate

Row = Mapping[str, Any]
ADVISER = Actor("advisor", "kbc-bank", "adv-demo")
BACK_OFFICE = Actor("back-office", "kbc-bank", "bo-demo")
LETTER = {
    "fr": "Madame, Monsieur,\nJe déménage le 1er février. Ma nouvelle adresse est rue Neuve 3, "
    "5000 Namur.\nVeuillez agréer mes salutations distinguées.",
    "nl": "Geachte mevrouw, meneer,\nIk verhuis op 1 februari. Mijn nieuwe adres is Veldstraat "
    "12, 9000 Gent.\nMet vriendelijke groeten,",
}
COMPLAINT = {
    "fr": "Bonjour,\nJe suis très mécontente : on m'a prélevé 45 EUR de frais sur ma carte de "
    "crédit se terminant par **** {last} sans aucune explication. Je dépose plainte."
    "\nCordialement,",
    "nl": "Goedendag,\nIk ben zeer ontevreden: er werd 45 EUR kosten aangerekend op mijn "
    "kredietkaart eindigend op **** {last} zonder enige uitleg. Ik wil een klacht indienen."
    "\nMet vriendelijke groeten,",
}


@dataclass(frozen=True)
class Showcase:
    person_id: str
    letter: int
    refused: bool  # the examination without a ground was refused (and recorded)
    complaint_email: int
    complaint: int | None  # the complaint it opened in the register
    draft: int


def build(
    engine: Engine,
    gate: Gate,
    classifier: Classifier,
    cards: Sequence[Row],
    languages: Mapping[str, str],
    showcase: Sequence[str],
    *,
    today: dt.date,
) -> Showcase | None:
    """On the last showcase customer with a bank card (the complaints' showcase takes the first),
    else the first card's holder."""
    card = next((c for p in reversed(showcase) for c in cards if c["person_id"] == p), None)
    card = card or next(iter(cards), None)
    if card is None:
        return None
    person = card["person_id"]
    language = "fr" if languages.get(person) == "fr" else "nl"
    with unit_of_work(engine) as session:
        letter = _register(session, gate, classifier, person, LETTER[language], today)
        try:
            correspondence.examine(
                session,
                gate=gate,
                actor=BACK_OFFICE,
                message_id=letter,
                data=Examination(),
                today=today,
            )
            refused = False
        except InvalidInput:
            refused = True  # recorded in the ledger in this same transaction
        correspondence.examine(
            session,
            gate=gate,
            actor=BACK_OFFICE,
            message_id=letter,
            data=Examination(
                ground=Ground.PROCESS_CONTROL,
                justification="Checking that address changes by letter are handled in a week.",
            ),
            today=today,
        )
        text = COMPLAINT[language].format(last=card["last_digits"])
        email = correspondence.register_message(
            session,
            gate=gate,
            actor=ADVISER,
            person_id=person,
            data=MessageCreate(subject="Frais / Kosten", body=text),
            classifier=classifier,
            today=today,
            by="advisor:adv-demo",
        )
        draft = correspondence.draft_answer(
            session,
            gate=gate,
            actor=ADVISER,
            message_id=email.id,
            today=today,
            by="advisor:adv-demo",
            sender="adv-demo",
        )
    return Showcase(person, letter, refused, email.id, email.complaint_id, draft.id)


def _register(
    session: Any, gate: Gate, classifier: Classifier, person: str, body: str, today: dt.date
) -> int:
    return correspondence.register_message(
        session,
        gate=gate,
        actor=ADVISER,
        person_id=person,
        data=MessageCreate(channel="letter", body=body),
        classifier=classifier,
        today=today,
        by="advisor:adv-demo",
    ).id

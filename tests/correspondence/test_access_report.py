"""The access report (Art. 15) carries a copy of the person's correspondence, in their words: the
text as they wrote it, what it was sorted as, no code shown, no table off the page."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy.orm import Session
from tests.layout import overflowing, render

from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.correspondence import service
from lawful.correspondence.intent import Classifier
from lawful.correspondence.schemas import MessageCreate
from lawful.flows import access_report
from lawful.rights import service as rights

from .conftest import ADVISOR, TODAY, new_person

SELF = Actor("self-service", "kbc-bank")
LETTER = "Bonjour,\nJe déménage le 1er mars. Ma nouvelle adresse est rue Neuve 3, Namur.\nMerci."


def _words(html: str) -> str:
    body = html.split("</style>", 1)[-1]
    text = unescape(re.sub(r"<[^>]+>", " ", body))
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def test_the_report_holds_each_message_as_written_in_the_readers_words(
    session: Session, gate: Gate, classifier: Classifier
) -> None:
    person = new_person(session, gate, region="wallonia", language="fr")
    service.register_message(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=person.id,
        data=MessageCreate(channel="letter", subject="Déménagement", body=LETTER),
        classifier=classifier,
        today=TODAY,
        by="advisor:adv-1",
    )
    data = access_report.access_report(
        session, gate=gate, actor=SELF, person_id=person.id, today=TODAY
    )
    [copy] = data.file["correspondence"]
    assert (copy["subject"], copy["body"], copy["message_intent"]) == (
        "Déménagement",
        LETTER,
        "address-change",
    )
    html = rights.to_html(rights.report_view(gate.register, data))
    text = _words(html)
    assert "Vos courriers, fax et e-mails avec nos collaborateurs" in text
    assert "changement d'adresse" in text and "reçu de vous" in text and "courrier" in text
    assert "rue Neuve 3, Namur" in text
    for code in ("address-change", "incoming", "message_intent", "received_at"):
        assert code not in text, code
    assert overflowing(render(html)) == []

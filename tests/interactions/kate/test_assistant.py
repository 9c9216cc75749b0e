"""The assistant on the real gate: answers drawn from the ledger and the file in the person's
language, a confirmation before an objection, a handover for what it cannot ground, and every
conversation recorded under its purposes."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from tests.rights import factories

from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.interactions import repository
from lawful.interactions import service as conversations
from lawful.interactions.kate import assistant
from lawful.interactions.kate.phrasing import ChatCompletions
from lawful.interactions.schemas import KateAnswer, KateMessage
from lawful.rights import service as rights

from ..conftest import ADVISOR, DPO, TODAY, new_person

HANDLER = Actor("complaint-handler", "kbc-bank", "h-1")


def _ask(
    session: Session, gate: Gate, person_id: str, text: str, conversation: int | None = None
) -> KateAnswer:
    return assistant.ask(
        session,
        gate=gate,
        person_id=person_id,
        message=KateMessage(text=text, conversation_id=conversation),
        today=TODAY,
    )


def _disclose(session: Session, gate: Gate, person_id: str) -> None:
    """A disclosure the ledger records: the card processor asked about a disputed payment."""
    ctx = gate.open(session, actor=HANDLER, purpose="complaint-handling")
    ctx.access(
        person_id,
        categories=("user.name", "user.financial.card_statement"),
        event="complaints.data_request.send",
        recipient="worldline",
        as_of=TODAY,
    )


@pytest.mark.parametrize(
    ("language", "region", "question", "words"),
    [
        (
            "fr",
            "wallonia",
            "À qui avez-vous communiqué mes données ?",
            "nous les avons communiquées à",
        ),
        (
            "nl",
            "flanders",
            "Met wie hebben jullie mijn gegevens gedeeld?",
            "hebben we ze doorgegeven aan",
        ),
        ("en", "brussels", "Who did you share my data with?", "we shared it with"),
    ],
)
def test_who_did_you_share_my_data_with_is_answered_from_the_ledger_in_the_persons_language(
    session: Session, gate: Gate, language: str, region: str, question: str, words: str
) -> None:
    person = new_person(session, gate, region=region, language=language)
    _disclose(session, gate, person.id)
    answer = _ask(session, gate, person.id, question)
    assert answer.intent == "shared" and answer.language == language
    assert words in answer.text and "Worldline" in answer.text
    assert answer.grounded_in == ["ledger", "register"] and not answer.handed_over


def test_no_disclosure_is_said_as_such_and_nothing_is_made_up(session: Session, gate: Gate) -> None:
    person = new_person(session, gate, language="en", region="brussels")
    answer = _ask(session, gate, person.id, "Who did you share my data with?")
    assert "no disclosure" in answer.text
    # The answer in French when the file says French, even to an English question.
    french = new_person(session, gate, language="fr", region="wallonia")
    assert _ask(session, gate, french.id, "Who did you share my data with?").language == "fr"


def test_stop_marketing_waits_for_a_confirmation_then_records_the_objection(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate)
    first = _ask(session, gate, person.id, "Stop met mijn gegevens voor marketing te gebruiken")
    assert first.awaiting_confirmation and "Bevestigt u" in first.text
    assert (
        rights.list_objections(session, gate=gate, actor=DPO, person_id=person.id, today=TODAY)
        == []
    )
    done = _ask(session, gate, person.id, "ja", first.conversation_id)
    assert "geregistreerd" in done.text and not done.awaiting_confirmation
    objections = rights.list_objections(
        session, gate=gate, actor=DPO, person_id=person.id, today=TODAY
    )
    assert [o.kind.value for o in objections] == ["direct_marketing"]
    again = _ask(session, gate, person.id, "Stop met reclame", first.conversation_id)
    assert _ask(session, gate, person.id, "ja", again.conversation_id).text.startswith("Uw bezwaar")


def test_a_no_cancels_the_objection(session: Session, gate: Gate) -> None:
    person = new_person(session, gate, language="en", region="brussels")
    first = _ask(session, gate, person.id, "Stop using my data for marketing")
    answer = _ask(session, gate, person.id, "no", first.conversation_id)
    assert "change nothing" in answer.text
    assert (
        rights.list_objections(session, gate=gate, actor=DPO, person_id=person.id, today=TODAY)
        == []
    )


def test_what_do_you_know_about_me_and_my_products_come_from_the_file(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate, language="fr", region="wallonia")
    customers.add_account(
        session, gate=gate, actor=ADVISOR, person_id=person.id, data=factories.account()
    )
    answer = _ask(session, gate, person.id, "Que savez-vous de moi ?")
    assert "votre nom" in answer.text and "1 compte" in answer.text
    products = _ask(session, gate, person.id, "Quels comptes ai-je ?", answer.conversation_id)
    assert products.text == "D'après votre dossier, vous avez chez nous : 1 compte."


@pytest.mark.parametrize(
    "question", ["Pourquoi ai-je reçu cette offre ?", "Où en est ma simulation ?", "Il pleut ?"]
)
def test_what_it_cannot_ground_is_handed_over(session: Session, gate: Gate, question: str) -> None:
    person = new_person(session, gate, language="fr", region="wallonia")
    answer = _ask(session, gate, person.id, question)
    assert answer.handed_over and "collaborateur" in answer.text


def test_the_conversation_is_recorded_under_history_quality_and_answers(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate)
    first = _ask(session, gate, person.id, "Hallo")
    _ask(session, gate, person.id, "Wat weten jullie over mij?", first.conversation_id)
    staff = Actor("advisor", "kbc-bank", "adv-1")
    read = conversations.get_conversation(
        session, gate=gate, actor=staff, conversation_id=first.conversation_id, today=TODAY
    )
    assert read.channel == "kate" and read.notice_given_at is not None
    assert {c.purpose for c in read.copies} == {
        "recorded-conversations",
        "conversation-quality",
        "answering-questions",
    }
    assert read.transcript is not None
    assert "opgenomen" in read.transcript and "Wat weten jullie over mij?" in read.transcript
    events = ledger.for_subject(session, keys=gate.keys, subject_id=person.id)
    answered = [e for e in events if e.event == assistant.ANSWER]
    assert len(answered) == 2 and all(e.purpose == "answering-questions" for e in answered)


def test_another_persons_conversation_is_not_continued(session: Session, gate: Gate) -> None:
    from lawful.core.errors import NotFound

    one, other = new_person(session, gate), new_person(session, gate)
    first = _ask(session, gate, one.id, "Hallo")
    with pytest.raises(NotFound):
        _ask(session, gate, other.id, "Wat weten jullie over mij?", first.conversation_id)


def test_a_language_model_that_drops_a_fact_is_ignored() -> None:
    unreachable = ChatCompletions("http://127.0.0.1:9/v1/chat/completions", timeout=0.2)
    said = unreachable.phrase("You have 2 accounts.", language="en", facts=["2 accounts"])
    assert said == "You have 2 accounts."


def test_the_conversation_keeps_its_brand_and_reads_the_file_once(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate, language="fr", region="wallonia")

    def file_reads() -> int:
        records = ledger.for_subject(session, keys=gate.keys, subject_id=person.id)
        return sum(r.event == "customers.person.read" for r in records)

    first = _ask(session, gate, person.id, "Bonjour")
    opened = file_reads()
    for question in ("Bonjour", "Quels comptes ai-je ?", "Bonjour"):
        answer = _ask(session, gate, person.id, question, first.conversation_id)
        assert answer.language == "fr"
    assert file_reads() == opened  # later turns speak for the brand kept, without the file
    row = repository.get(session, first.conversation_id)
    assert row is not None and f"assistant:{person.brand}" in row.participants

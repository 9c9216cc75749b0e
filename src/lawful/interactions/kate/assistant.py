"""The assistant's dialogue: one question in, one grounded answer out, both recorded.

Each answer is built from the customer file (products, what the file holds), the register
(names of recipients and purposes, in the person's language) or the ledger (the disclosures it
recorded); a question none of them answers is handed over to a person. "Stop using my data for
marketing" takes a confirmation turn, then records the Art. 21(2) objection as the person's own,
by automated means (Art. 21(5)). The conversation itself is a recorded conversation: its
transcript is kept, sealed, under history, quality review and answers, and each answer is
recorded in the ledger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from babel.dates import format_date
from babel.lists import format_list
from sqlalchemy.orm import Session

from lawful.core.errors import Conflict, NotFound
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.core.register.languages import reading_language
from lawful.core.register.statement import TextBuilder
from lawful.customers import service as customers
from lawful.customers.schemas import PersonRead, ProductsRead
from lawful.interactions import repository
from lawful.interactions import service as conversations
from lawful.interactions.kate.intents import Intent, recognise
from lawful.interactions.kate.phrasing import Offline, Phrasing
from lawful.interactions.kate.replies import FIELD_NAMES, PRODUCT_NAMES, say
from lawful.interactions.models import Conversation
from lawful.interactions.reads import open_copies
from lawful.interactions.schemas import Channel, KateAnswer, KateMessage
from lawful.interactions.uses import ANSWERS, CHANNEL_USES
from lawful.rights import service as rights

ASSISTANT = "assistant"
AWAITING_DM = "confirm-dm-objection"
HANDED_OVER = "handed-over"
ANSWER = "interactions.assistant.answer"
LEDGER_READ = "interactions.assistant.disclosures"
TRANSCRIPT = ("user.content.conversation_transcript",)


@dataclass
class Turn:
    intent: Intent
    text: str
    grounded_in: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    handed_over: bool = False
    pending: str | None = None


def ask(
    session: Session,
    *,
    gate: Gate,
    person_id: str,
    message: KateMessage,
    today: dt.date,
    phrasing: Phrasing | None = None,
) -> KateAnswer:
    """The person's question, answered; a new conversation when none is named."""
    customers.present(session, person_id)
    actor = Actor(ASSISTANT, _entity(session, gate, person_id))
    if message.conversation_id is None:
        person = _person(session, gate, actor, person_id)
        brand = gate.register.brand(person.brand)
        lang = reading_language(gate.register, brand=brand, wanted=person.language)
        row = conversations.open_kate_conversation(
            session,
            gate=gate,
            actor=actor,
            person_id=person_id,
            language=lang,
            today=today,
            brand=person.brand,
        )
        texts = _texts(gate, person.brand, lang)
        opening = say("notice", lang, assistant=texts.brand.assistant)
        conversations.keep_copies(
            session,
            gate=gate,
            actor=actor,
            row=row,
            uses=CHANNEL_USES[Channel.KATE],
            content=f"{texts.brand.assistant}: {opening}".encode(),
            today=today,
        )
    else:
        row = _own(session, person_id, message.conversation_id)
        actor = Actor(ASSISTANT, row.entity)
        lang = row.language
        texts = _texts(gate, _brand(session, gate, actor, row), lang)
    turn = _answer(session, gate, actor, row, texts, message.text, today)
    row.pending = turn.pending
    row.ended_at = _now()
    said = (phrasing or Offline()).phrase(turn.text, language=lang, facts=turn.facts)
    _append(session, gate, row, texts.brand.assistant, message.text, said)
    ctx = gate.open(session, actor=actor, purpose=ANSWERS)
    ctx.access(
        person_id,
        categories=TRANSCRIPT,
        event=ANSWER,
        details={"conversation": row.id, "intent": turn.intent.value, "sources": turn.grounded_in},
        as_of=today,
    )
    return KateAnswer(
        conversation_id=row.id,
        language=lang,
        intent=turn.intent.value,
        text=said,
        handed_over=turn.handed_over,
        awaiting_confirmation=turn.pending == AWAITING_DM,
        grounded_in=turn.grounded_in,
    )


# --- answers ----------------------------------------------------------------------------------


def _answer(
    session: Session,
    gate: Gate,
    actor: Actor,
    row: Conversation,
    texts: TextBuilder,
    question: str,
    today: dt.date,
) -> Turn:
    lang = texts.lang
    recognised = recognise(question, prefer=lang)
    intent = recognised.intent
    if row.pending == AWAITING_DM and intent in (Intent.YES, Intent.NO):
        if intent is Intent.NO:
            return Turn(intent, say("dm_cancelled", lang))
        return _object(session, gate, actor, row, lang, today)
    if intent is Intent.SHARED:
        return _shared(session, gate, actor, row.person_id, texts, today)
    if intent is Intent.MY_DATA:
        return _my_data(session, gate, actor, row.person_id, lang)
    if intent is Intent.PRODUCTS:
        products = customers.products(session, gate=gate, actor=actor, person_id=row.person_id)
        items = _products(products, lang)
        text = say("products", lang, items=items) if items else say("no_products", lang)
        return Turn(intent, text, ["customer-file"], [items] if items else [])
    if intent is Intent.STOP_MARKETING:
        return Turn(intent, say("confirm_dm", lang), ["register"], pending=AWAITING_DM)
    if intent is Intent.GREETING:
        return Turn(intent, say("greeting", lang), ["register"])
    if intent is Intent.OFFER:
        return Turn(intent, say("handover_offer", lang), handed_over=True, pending=HANDED_OVER)
    if intent is Intent.HUMAN:
        return Turn(intent, say("handover_asked", lang), handed_over=True, pending=HANDED_OVER)
    # A simulation, a yes or no out of context, anything no grammar knows: not made up.
    return Turn(intent, say("handover", lang), handed_over=True, pending=HANDED_OVER)


def _shared(
    session: Session, gate: Gate, actor: Actor, person_id: str, texts: TextBuilder, today: dt.date
) -> Turn:
    """The recipients the ledger records a disclosure to, newest first, named in the person's
    language. Reading the person's own record is an access under their right of access."""
    ctx = gate.open(session, actor=actor, purpose=rights.PURPOSE)
    ctx.access(
        person_id,
        categories=gate.register.purpose(rights.PURPOSE).data_categories,
        event=LEDGER_READ,
        as_of=today,
    )
    records = ledger.for_subject(session, keys=gate.keys, subject_id=person_id)
    latest: dict[str, tuple[dt.date, str]] = {}
    for record in records:
        if record.decision == "allow" and record.recipient:
            day = record.occurred_at.date()
            if record.recipient not in latest or latest[record.recipient][0] <= day:
                latest[record.recipient] = (day, record.purpose)
    if not latest:
        return Turn(Intent.SHARED, say("shared_none", texts.lang), ["ledger"])
    names = {r.id: texts.bare(texts.recipient_name(r)) for r in texts.register.recipients}
    items, facts = [], []
    for recipient, (day, purpose) in sorted(latest.items(), key=lambda kv: kv[1][0], reverse=True):
        name = names.get(recipient, recipient)
        date = format_date(day, format="long", locale=texts.locale)
        items.append(
            say(
                "shared_item", texts.lang, recipient=name, date=date, purpose=_title(texts, purpose)
            )
        )
        facts += [name, date]
    listed = format_list(items, locale=texts.locale)
    return Turn(
        Intent.SHARED, say("shared", texts.lang, items=listed), ["ledger", "register"], facts
    )


def _my_data(session: Session, gate: Gate, actor: Actor, person_id: str, lang: str) -> Turn:
    person = _person(session, gate, actor, person_id)
    present = {
        "name": person.first_name or person.last_name,
        "birth_date": person.birth_date,
        "email": person.email,
        "phone": person.phone,
        "address": person.street,
        "national_number": person.national_number,
        "language": person.language,
    }
    fields = [FIELD_NAMES[k][lang] for k, v in present.items() if v]
    products = customers.products(session, gate=gate, actor=actor, person_id=person_id)
    items = _products(products, lang)
    owned = say("products", lang, items=items) if items else say("no_products", lang)
    listed = format_list(fields, locale=lang) if fields else "—"
    text = say("my_data", lang, fields=listed, products=owned)
    return Turn(Intent.MY_DATA, text, ["customer-file"], [items] if items else [])


def _object(
    session: Session, gate: Gate, actor: Actor, row: Conversation, lang: str, today: dt.date
) -> Turn:
    try:
        rights.object(
            session,
            gate=gate,
            actor=actor,
            person_id=row.person_id,
            purpose=None,
            grounds=None,
            channel="api",  # the person's own, by automated means (Art. 21(5))
            registered_by=f"{ASSISTANT}:conversation-{row.id}",
            today=today,
        )
    except Conflict:
        return Turn(Intent.YES, say("dm_already", lang), ["register"])
    return Turn(Intent.YES, say("dm_recorded", lang), ["register"])


# --- helpers ----------------------------------------------------------------------------------


def _products(products: ProductsRead, lang: str) -> str:
    counts = {
        "accounts": len(products.accounts),
        "cards": len(products.cards),
        "loans": len(products.loans),
        "home_policies": len(products.home_policies),
    }
    parts = [
        f"{n} {PRODUCT_NAMES[kind][lang][0 if n == 1 else 1]}" for kind, n in counts.items() if n
    ]
    return format_list(parts, locale=lang) if parts else ""


def _title(texts: TextBuilder, purpose: str) -> str:
    try:
        declared = texts.register.purpose(purpose)
    except KeyError:
        return purpose
    return texts.text(declared.title, f"purposes[{purpose}].title")


def _texts(gate: Gate, brand: str, lang: str) -> TextBuilder:
    return TextBuilder(gate.register, gate.register.brand(brand), lang)


def _entity(session: Session, gate: Gate, person_id: str) -> str:
    """The entity the person deals with that answers for the brand: their first relationship
    in the register's order."""
    related = {r.entity for r in customers.relationships(session, person_id=person_id)}
    for entity in gate.register.entities:
        if entity.id in related:
            return entity.id
    raise NotFound(f"no person {person_id}")


def _person(session: Session, gate: Gate, actor: Actor, person_id: str) -> PersonRead:
    return customers.get_person(
        session, gate=gate, actor=actor, person_id=person_id, purpose=rights.PURPOSE
    )


def _brand(session: Session, gate: Gate, actor: Actor, row: Conversation) -> str:
    """The brand the conversation speaks for, kept from its first turn; a conversation opened
    before it was kept reads the file (recorded) as it did then."""
    prefix = f"{ASSISTANT}:"
    for participant in row.participants or ():
        if isinstance(participant, str) and participant.startswith(prefix):
            brand = participant.removeprefix(prefix)
            if brand in {b.id for b in gate.register.brands}:
                return brand
    return _person(session, gate, actor, row.person_id).brand


def _own(session: Session, person_id: str, conversation_id: int) -> Conversation:
    row = repository.get(session, conversation_id)
    if row is None or row.person_id != person_id or row.channel != Channel.KATE:
        raise NotFound(f"no conversation {conversation_id}")
    return row


def _append(
    session: Session, gate: Gate, row: Conversation, name: str, question: str, answer: str
) -> None:
    copies = [
        c
        for c in repository.copies_of(session, [row.id]).get(row.id, [])
        if c.use in CHANNEL_USES[Channel.KATE]
    ]
    if not copies:
        return
    opened: Sequence[str | None] = [o.content for o in open_copies(session, gate, copies[:1])]
    before = opened[0] or ""
    text = f"{before}\nClient: {question}\n{name}: {answer}".strip()
    conversations.replace_content(session, gate=gate, row=row, copies=copies, text=text)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)

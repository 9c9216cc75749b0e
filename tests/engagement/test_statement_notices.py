"""`lawful jobs run statement-changes`: a changed statement reaches only the customers it concerns,
once, in their language, whatever they switched off."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.core.register.models import Register
from lawful.engagement import service as engagement
from lawful.engagement.models import Notification
from lawful.engagement.schemas import PreferencesUpdate

from .conftest import TODAY, new_person

NOW = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=dt.UTC)
# Controlled by the insurers only, for their prospects and clients.
FLOOD = "flood-data-underwriting"


def reworded(register: Register, purpose_id: str) -> Register:
    """The register with one purpose's English description reworded."""
    purposes = []
    for p in register.purposes:
        if p.id == purpose_id:
            text = {**p.description, "en": p.description["en"] + " We now also use river gauges."}
            p = p.model_copy(update={"description": text})
        purposes.append(p)
    return register.model_copy(update={"purposes": purposes})


def run(session: Session, gate: Gate, old: Register, new: Register) -> engagement.NoticeOutcome:
    plan = engagement.plan_statement_notices(old, new)
    total = engagement.NoticeOutcome(changes=len(plan.changes))
    batches = list(
        engagement.statement_concerned_in_batches(session, plan=plan, today=TODAY, size=2)
    )
    for rows in batches:
        done = engagement.notify_statement_changes(
            session, gate=gate, plan=plan, rows=rows, now=NOW, today=TODAY
        )
        total.concerned += done.concerned
        total.queued += done.queued
        total.already += done.already
        total.refused += done.refused
    return total


def notices(session: Session, person_ids: list[str]) -> dict[str, list[Notification]]:
    found: dict[str, list[Notification]] = {p: [] for p in person_ids}
    query = sa.select(Notification).where(
        Notification.topic == "statement-changes", Notification.person_id.in_(person_ids)
    )
    for n in session.scalars(query):
        found[n.person_id].append(n)
    return found


@pytest.fixture
def people(session: Session, gate: Gate) -> dict[str, str]:
    """Who -> person id: insurance clients in each language, a bank client, a former client."""
    made = {
        "fr": new_person(session, gate, language="fr", region="wallonia", entity="cbc-insurance"),
        "nl": new_person(session, gate, language="nl", entity="kbc-insurance"),
        "en": new_person(session, gate, language="en", entity="kbc-insurance"),
        "bank": new_person(session, gate, language="nl", entity="kbc-bank"),
        "former": new_person(
            session, gate, language="nl", entity="kbc-insurance", state="former_client"
        ),
    }
    return {who: p.id for who, p in made.items()}


def test_only_the_concerned_get_a_notice_in_their_language(
    session: Session, gate: Gate, register: Register, people: dict[str, str]
) -> None:
    outcome = run(session, gate, register, reworded(register, FLOOD))
    found = notices(session, list(people.values()))
    assert outcome.changes == 1
    assert {who for who, pid in people.items() if found[pid]} == {"fr", "nl", "en"}
    title = register.purpose(FLOOD).title
    for lang in ("fr", "nl", "en"):
        (notice,) = found[people[lang]]
        assert notice.language == lang and notice.status == "kept" and notice.channel == "in_app"
        assert title[lang] in notice.body
    french = found[people["fr"]][0]
    assert french.title == "Notre déclaration de confidentialité change"
    assert "dans l'app " in french.body and "n'utilisons" not in french.body
    assert "https://www.cbc.be" in french.body
    assert "https://www.kbc.be" in found[people["nl"]][0].body
    # Recorded under the statement's purpose, by the system that sends it.
    events = ledger.for_subject(session, keys=gate.keys, subject_id=people["nl"])
    sent = [e for e in events if e.event == "engagement.statement_notice.send"]
    assert len(sent) == 1 and sent[0].purpose == "privacy-statement"
    assert (sent[0].actor, sent[0].entity, sent[0].decision.value) == (
        "reminder-service",
        "kbc-insurance",
        "allow",
    )


def test_a_rerun_queues_nothing(
    session: Session, gate: Gate, register: Register, people: dict[str, str]
) -> None:
    new = reworded(register, FLOOD)
    first = run(session, gate, register, new)
    again = run(session, gate, register, new)
    assert first.queued >= 3 and again.queued == 0
    assert again.already == first.concerned
    assert all(len(n) <= 1 for n in notices(session, list(people.values())).values())


def test_switching_every_optional_topic_off_does_not_stop_it(
    session: Session, gate: Gate, register: Register, people: dict[str, str]
) -> None:
    optional = {t.id: [] for t in register.notification_topics if not t.mandatory}
    engagement.set_preferences(
        session,
        gate=gate,
        actor=Actor("self-service", "kbc-insurance"),
        person_id=people["nl"],
        changes=PreferencesUpdate.model_validate({"topics": optional}),
        today=TODAY,
    )
    run(session, gate, register, reworded(register, FLOOD))
    (notice,) = notices(session, [people["nl"]])[people["nl"]]
    assert notice.status == "kept" and notice.body


def test_an_unchanged_register_queues_nothing(
    session: Session, gate: Gate, register: Register, people: dict[str, str]
) -> None:
    outcome = run(session, gate, register, register)
    assert (outcome.changes, outcome.concerned, outcome.queued) == (0, 0, 0)
    assert not any(notices(session, list(people.values())).values())

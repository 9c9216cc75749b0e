"""The retention job (Art. 5(1)(e)): the register's periods applied, on a schedule, to everyone.

Three kinds of work, each in batches that a caller may commit one by one:
- simulations whose retention (the register's, counted from their start) is over: erased, with
  their steps, follow-up, a quote's building and its flood assessment, in one statement per
  table;
- former clients whose file's retention period (the longest of the purposes the file is kept
  for, counted from the end of the relationship) is over, and who are not erased yet: the file is
  erased, except what a legal hold still keeps, which is stored under that hold;
- copies of conversations past their purpose's day (a training copy after six months, a MiFID
  recording after five years or the seven a regulator asked for): deleted, each person recorded,
  except what an open complaint still holds;
- persons with a stored hold whose last day is past: what they keep is decided again from the
  file's frame and the holds still standing, the rest is erased, and the holds are stored anew (a
  review date is no end: a client's holds are renewed).
Set-based throughout: per batch, one gate call recording every decision, a handful of statements
for the file's frame, and the customer file's bulk erasure. A batch leaves nothing half done, so a
run stopped midway and started again finishes the job, and a second run finds nothing to do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from lawful.complaints import service as complaints
from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.core.register.models import Register
from lawful.core.vault import service as vault
from lawful.customers import service as customers
from lawful.engagement import service as engagement
from lawful.flood import service as flood
from lawful.interactions import copies as conversations
from lawful.offers import service as offers
from lawful.rights import service as rights
from lawful.rights.service import Keep, RightsEvent
from lawful.simulations import service as simulations

RETENTION_JOB = "retention-job"
BATCH = 500
SIMULATIONS, FORMER_CLIENTS, EXPIRED_HOLDS, DONE = (
    "simulations",
    "former-clients",
    "expired-holds",
    "done",
)
CONVERSATION_COPIES = "conversation-copies"


@dataclass
class RetentionRun:
    """What a run did so far, and where it is: `phase` and the key the next batch starts after."""

    phase: str = SIMULATIONS
    after_person: str = ""
    after_hold: int = 0
    after_copy: int = 0
    copies_expired: int = 0
    copies_held: int = 0  # past their day, kept while a complaint is open
    former_clients_erased: int = 0
    reviewed: int = 0  # persons whose ended holds were looked at again
    held_data_erased: int = 0  # of whom, persons some of whose held data went
    holds_released: int = 0
    holds_stored: int = 0
    refused: int = 0  # persons the gate refused: untouched, asked again by the next run
    simulations_erased: int = 0  # past their retention, counted from their start
    # of home policies ended longer ago than their retention, and of quotes past theirs
    flood_assessments_erased: int = 0
    batches: int = 0

    @property
    def done(self) -> bool:
        return self.phase == DONE


def file_retention_end(register: Register, today: dt.date) -> dt.date:
    """A client relationship that ended before this day has outlived the file's retention: the
    longest of the purposes the file is kept for."""
    return rights.retention_end(register, customers.FILE_PURPOSES, today)


def retention_batch(
    session: Session,
    *,
    gate: Gate,
    today: dt.date,
    run: RetentionRun,
    actor: Actor | None = None,
    batch: int = BATCH,
) -> RetentionRun:
    """Do one batch of the job and move `run` on; call until `run.done`."""
    actor = actor or Actor(RETENTION_JOB, gate.register.entities[0].id)
    if run.phase == SIMULATIONS:
        # One set-based DELETE per table: nothing of the simulations is read to erase them.
        # A quote's flood assessment goes with the quote: counted here, before the simulation
        # (whose deletion would take it along) goes.
        moment = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC)
        run.flood_assessments_erased += flood.purge(session, gate=gate, today=today)
        run.simulations_erased += simulations.purge(session, gate=gate, now=moment)
        run.phase = FORMER_CLIENTS
    if run.phase == FORMER_CLIENTS:
        persons = customers.former_clients(
            session,
            ended_before=file_retention_end(gate.register, today),
            today=today,
            after=run.after_person,
            limit=batch,
        )
        if not persons:
            run.phase = CONVERSATION_COPIES
            return run
        run.after_person = persons[-1]
        _former_clients(session, gate, actor, persons, today, run)
    elif run.phase == CONVERSATION_COPIES:
        if not _conversation_copies(session, gate, actor, today, run, batch):
            return run
    elif run.phase == EXPIRED_HOLDS:
        persons, run.after_hold = rights.expired_hold_persons(
            session, today=today, after_id=run.after_hold, limit=batch
        )
        if not persons:
            run.phase = DONE
            return run
        _expired_holds(session, gate, actor, persons, today, run)
    run.batches += 1
    return run


def run_retention(
    session: Session,
    *,
    gate: Gate,
    today: dt.date,
    actor: Actor | None = None,
    batch: int = BATCH,
    progress: Callable[[RetentionRun], None] = lambda _: None,
) -> RetentionRun:
    """The whole job in the caller's transaction."""
    run = RetentionRun()
    while not run.done:
        retention_batch(session, gate=gate, today=today, run=run, actor=actor, batch=batch)
        progress(run)
    return run


def _allowed(
    session: Session,
    gate: Gate,
    actor: Actor,
    persons: Sequence[str],
    event: RightsEvent,
    today: dt.date,
) -> list[str]:
    ctx = gate.open(session, actor=actor, purpose=rights.PURPOSE)
    categories = gate.register.purpose(rights.PURPOSE).data_categories
    # No details: an erased person's key is shredded, nothing could be encrypted.
    outcome = ctx.access_many(persons, categories=categories, event=event.value, as_of=today)
    return outcome.allowed


def _former_clients(
    session: Session,
    gate: Gate,
    actor: Actor,
    persons: Sequence[str],
    today: dt.date,
    run: RetentionRun,
) -> None:
    allowed = _allowed(session, gate, actor, persons, RightsEvent.RETENTION_ERASE, today)
    facts = customers.file_facts(session, person_ids=allowed)
    held = complaints.holds_for(session, register=gate.register, person_ids=allowed, today=today)
    plans = rights.plan_holds(session, gate.register, facts, today, also=held)
    erasure = customers.erase_persons(
        session, gate=gate, actor=actor, keep={p: {k.section for k in plans[p]} for p in plans}
    )
    erased = list(erasure.erased)
    engagement.erase(session, person_ids=erased)
    simulations.erase(session, person_ids=erased)
    conversations.erase(
        session, register=gate.register, person_ids=erased, complaint_held=held.keys()
    )
    offers.erase(session, person_ids=erased)
    run.holds_stored += rights.store_holds(session, kept={p: plans[p] for p in erased}, today=today)
    vault.shred_many(session, keys=gate.keys, subject_ids=erased)
    run.former_clients_erased += len(erased)
    run.refused += len(persons) - len(erased)


def _conversation_copies(
    session: Session, gate: Gate, actor: Actor, today: dt.date, run: RetentionRun, batch: int
) -> bool:
    """One batch of conversation copies past their day; a complaint open holds its copies.
    False when there was none left."""
    persons = conversations.expired_persons(session, today=today, after=run.after_copy, limit=batch)
    if not persons:
        run.phase = EXPIRED_HOLDS
        return False
    held = complaints.holds_for(session, register=gate.register, person_ids=persons, today=today)
    done = conversations.expire(
        session,
        gate=gate,
        actor=actor,
        today=today,
        after=run.after_copy,
        limit=batch,
        complaint_held=[p for p, keeps in held.items() if keeps],
    )
    run.copies_expired += done.expired
    run.copies_held += done.held
    if done.after == 0:
        run.phase = EXPIRED_HOLDS
    else:
        run.after_copy = done.after
    return True


def _expired_holds(
    session: Session,
    gate: Gate,
    actor: Actor,
    persons: Sequence[str],
    today: dt.date,
    run: RetentionRun,
) -> None:
    allowed = _allowed(session, gate, actor, persons, RightsEvent.HOLD_RELEASE, today)
    standing = rights.standing_holds(session, person_ids=allowed, today=today)
    facts = customers.file_facts(session, person_ids=allowed)
    held = complaints.holds_for(session, register=gate.register, person_ids=allowed, today=today)
    plans = rights.plan_holds(session, gate.register, facts, today, standing=standing, also=held)
    keep = {p: {k.section for k in kept} for p, kept in plans.items()}
    going = [p for p in plans if facts[p].present - keep[p]]
    refused: set[str] = set()
    if going:
        erasure = customers.erase_persons(
            session, gate=gate, actor=actor, keep={p: keep[p] for p in going}
        )
        refused = set(erasure.denied)
        run.held_data_erased += len(erasure.erased)
    done = [p for p in plans if p not in refused]
    run.holds_released += rights.release_all_holds(session, person_ids=done)
    kept: dict[str, list[Keep]] = {p: plans[p] for p in done}
    run.holds_stored += rights.store_holds(session, kept=kept, today=today)
    run.reviewed += len(done)
    run.refused += len(persons) - len(done)

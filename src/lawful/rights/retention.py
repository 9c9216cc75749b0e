"""The retention job: when a legal hold ends, erase what it kept, unless something still keeps it.

Work goes by batches of expired holds, set-based: one query for the batch, one for the persons'
other holds, one `policy_facts` call, one gate call for every person to erase, one UPDATE and one
INSERT for the holds, and the customer file's bulk erasure (one gate call, DELETE and UPDATE per
group of persons with the same sections to erase). The job is idempotent: a hold is released in
the transaction that erases its data.

Before erasing, each person's holds are looked at again with today's relationships:
- still a client somewhere: every expired hold is renewed (AML retention counts from the end of
  the relationship, which has not come yet; a contract hold is reviewed again later);
- a contract hold ended and the person is no longer a client: the AML holds are extended, where
  needed, to count from the real end of the relationship.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from lawful.core.db import utcnow
from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.core.register.models import Register, RelationshipState
from lawful.customers import service as customers
from lawful.customers.schemas import PolicyFacts
from lawful.customers.service import Section
from lawful.rights import repository
from lawful.rights.dates import add_duration, add_months
from lawful.rights.holds import (
    AML_IDENTIFICATION,
    AML_TRANSACTIONS,
    CONTRACT,
    CONTRACT_REVIEW_MONTHS,
    HOLD_SECTIONS,
)
from lawful.rights.requests import PURPOSE, RightsEvent

RETENTION_JOB = "retention-job"
BATCH = 500


@dataclass(frozen=True, slots=True)
class HeldRow:
    id: int
    hold: str
    reason: str
    until: dt.date


@dataclass
class PersonPlan:
    """What the job does for one person: holds to release, holds to (re)write, sections to erase."""

    release: list[int] = field(default_factory=list)
    write: list[tuple[str, str, dt.date]] = field(default_factory=list)  # hold, reason, until
    erase: set[Section] = field(default_factory=set)
    keep: set[Section] = field(default_factory=set)


def _end(register: Register, hold: str, start: dt.date) -> dt.date:
    if hold == CONTRACT:
        return add_months(start, CONTRACT_REVIEW_MONTHS)
    try:
        return add_duration(start, register.legal_hold(hold).duration)
    except KeyError:
        return start  # a hold the register no longer declares ends now


def plan_person(
    register: Register,
    rows: Sequence[HeldRow],
    facts: PolicyFacts | None,
    today: dt.date,
) -> PersonPlan:
    """Pure: the person's unreleased holds (expired or not) and their relationships, as of today."""
    out = PersonPlan()
    periods = facts.relationships if facts else ()
    clients = [p for p in periods if p.state is RelationshipState.CLIENT]
    still_client = any(p.active_on(today) for p in clients)
    expired = [r for r in rows if r.until < today]
    standing = [r for r in rows if r.until >= today]
    renewed: list[tuple[str, str, dt.date]] = []
    out.release = [r.id for r in expired]
    if still_client:
        renewed = [(r.hold, r.reason, _end(register, r.hold, today)) for r in expired]
    elif any(r.hold == CONTRACT for r in expired):
        ends = [p.until for p in clients if p.until is not None]
        last = max(ends) if ends else today
        for hold in (AML_IDENTIFICATION, AML_TRANSACTIONS):
            mine = [r for r in rows if r.hold == hold]
            target = _end(register, hold, last)
            if mine and target >= today and all(r.until < target for r in mine):
                renewed.append((hold, mine[0].reason, target))
                out.release += [r.id for r in mine if r.id not in out.release]
    out.write = renewed
    released = set(out.release)
    live = [r.hold for r in standing if r.id not in released] + [h for h, _, _ in renewed]
    out.keep = {s for h in live for s in HOLD_SECTIONS.get(h, ())}
    gone = {s for r in rows if r.id in released for s in HOLD_SECTIONS.get(r.hold, ())}
    out.erase = gone - out.keep
    return out


@dataclass
class RetentionRun:
    """What one run did: holds released, of which renewed or extended; persons whose held data
    was erased; persons the gate refused (their holds stay, for the next run)."""

    released: int = 0
    renewed: int = 0
    erased: int = 0
    refused: int = 0


def run_retention(
    session: Session,
    *,
    gate: Gate,
    today: dt.date,
    actor: Actor | None = None,
    batch: int = BATCH,
) -> RetentionRun:
    """Release every hold whose last day is before `today`, erasing what nothing keeps any more."""
    actor = actor or Actor(RETENTION_JOB, gate.register.entities[0].id)
    run = RetentionRun()
    after = 0
    while True:
        expired = repository.expired_holds(session, today=today, after_id=after, limit=batch)
        if not expired:
            return run
        after = expired[-1][0]
        _batch(session, gate, actor, sorted({p for _, p, _ in expired}), today, run)


def _batch(
    session: Session,
    gate: Gate,
    actor: Actor,
    persons: list[str],
    today: dt.date,
    run: RetentionRun,
) -> None:
    rows: dict[str, list[HeldRow]] = defaultdict(list)
    for person, hold_id, hold, reason, until in repository.unreleased_holds_of(session, persons):
        rows[person].append(HeldRow(hold_id, hold, reason, until))
    facts = customers.policy_facts(session, person_ids=persons, as_of=today)
    plans = {p: plan_person(gate.register, rows[p], facts.get(p), today) for p in persons}
    to_erase = [p for p in persons if plans[p].erase]
    refused: set[str] = set()
    if to_erase:
        categories = gate.register.purpose(PURPOSE).data_categories
        ctx = gate.open(session, actor=actor, purpose=PURPOSE)
        # No details: the subjects' keys were shredded at erasure, nothing could be encrypted.
        outcome = ctx.access_many(
            to_erase, categories=categories, event=RightsEvent.HOLD_RELEASE.value, as_of=today
        )
        erasure = customers.erase_persons(
            session, gate=gate, actor=actor, keep={p: plans[p].keep for p in outcome.allowed}
        )
        refused = set(outcome.denied) | set(erasure.denied)
        run.erased += len(erasure.erased)
    done = [p for p in persons if p not in refused]
    now = utcnow()
    repository.release_holds(session, [i for p in done for i in plans[p].release], now=now)
    repository.insert_holds(session, _new_rows(plans, done, now))
    run.released += sum(len(plans[p].release) for p in done)
    run.renewed += sum(len(plans[p].write) for p in done)
    run.refused += len(refused)


def _new_rows(
    plans: Mapping[str, PersonPlan], persons: Iterable[str], now: dt.datetime
) -> list[dict[str, Any]]:
    return [
        {"person_id": p, "hold": h, "reason": r, "until": u, "created_at": now}
        for p in persons
        for h, r, u in plans[p].write
    ]

"""A changed privacy statement reaches the customers it concerns (feature B7).

`plan` compares two registers (`core.register.diff`) and keeps, per purpose that changed, the
entities controlling it (before and after) and the relationship states it applies to. A change
concerns a person with a running relationship with one of those controllers. `concerned_in_batches`
reads those relationships in one statement, by person; `notify` decides a batch as the card
reminders do: one INSERT claims each person's notice under its key
`statement-changes:<register hash>:person:<id>`, unique in the outbox, so a rerun or a killed run
sends nothing twice; then the gate for every person claimed, at once, under the topic's purpose
(`privacy-statement`); then one UPDATE writes each notice. The topic is mandatory: a person's
switches for other topics do not reach it, and its channel is the one they chose for it, else the
register's default.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.core.register.diff import Change, diff
from lawful.core.register.models import Register
from lawful.engagement import repository, texts
from lawful.engagement.preferences import Event
from lawful.engagement.reminders import ROLE

TOPIC = "statement-changes"
PURPOSE = "privacy-statement"
CATEGORIES = ("user.demographic.language", "user.contact")


@dataclass(frozen=True)
class Plan:
    """What changed between two registers, and whom each change may concern."""

    new: Register
    version: str  # the new register's content hash: one notice per person and register
    changes: list[Change]
    kinds: dict[str, str]  # purpose -> added, changed or removed
    titles: dict[str, dict[str, str]]  # purpose -> its title per language
    controllers: dict[str, frozenset[str]]
    states: dict[str, frozenset[str]]  # purpose -> the relationship states it applies to; {} all

    @property
    def entities(self) -> list[str]:
        return sorted(set().union(*self.controllers.values())) if self.controllers else []

    def concerning(self, related: dict[str, set[str]]) -> list[str]:
        """The changed purposes that concern a person with these {entity: states}."""
        return [
            pid
            for pid, controllers in self.controllers.items()
            if any(
                entity in controllers and (not self.states[pid] or states & self.states[pid])
                for entity, states in related.items()
            )
        ]


@dataclass
class NoticeOutcome:
    changes: int = 0
    concerned: int = 0
    queued: int = 0
    already: int = 0  # sent by an earlier run for this register
    refused: int = 0  # refused by the policy (and recorded so)


def plan(old: Register, new: Register) -> Plan:
    changes = [c for c in diff(old, new) if _shown(c.purpose, old, new)]
    kinds: dict[str, str] = {}
    titles: dict[str, dict[str, str]] = {}
    controllers: dict[str, frozenset[str]] = {}
    states: dict[str, frozenset[str]] = {}
    before = {p.id: p for p in old.purposes}
    after = {p.id: p for p in new.purposes}
    for change in changes:
        pid = change.purpose
        versions = [p for p in (before.get(pid), after.get(pid)) if p is not None]
        kinds[pid] = {"purpose_added": "added", "purpose_removed": "removed"}.get(
            change.kind, "changed"
        )
        titles[pid] = dict(versions[-1].title)
        controllers[pid] = frozenset(e for p in versions for e in p.controllers)
        # A purpose applying to every relationship (none declared) concerns them all.
        every = any(not p.relationship for p in versions)
        states[pid] = (
            frozenset() if every else frozenset(s.value for p in versions for s in p.relationship)
        )
    digest = hashlib.sha256(new.model_dump_json().encode()).hexdigest()[:16]
    return Plan(new, digest, changes, kinds, titles, controllers, states)


def _shown(pid: str, old: Register, new: Register) -> bool:
    """A purpose the statement does not show to customers changes nothing they read."""
    for register in (old, new):
        try:
            if register.purpose(pid).statement:
                return True
        except KeyError:
            continue
    return False


def concerned_in_batches(
    session: Session, *, plan: Plan, today: dt.date, size: int
) -> Iterator[list[Row[Any]]]:
    """Relationships with the changes' controllers, about `size` at a time, never splitting one
    person's rows over two batches (their notice lists every change concerning them)."""
    if not plan.changes:
        return
    batch: list[Row[Any]] = []
    for rows in repository.related_in_batches(
        session, entities=plan.entities, today=today, topic=TOPIC, size=size
    ):
        for row in rows:
            if len(batch) >= size and batch[-1].person_id != row.person_id:
                yield batch
                batch = []
            batch.append(row)
    if batch:
        yield batch


def notify(
    session: Session,
    *,
    gate: Gate,
    plan: Plan,
    rows: Iterable[Row[Any]],
    now: dt.datetime,
    today: dt.date,
) -> NoticeOutcome:
    """Decide one batch of people; the caller commits (or the batch is undone whole)."""
    people: dict[str, _Person] = {}
    for row in rows:
        person = people.setdefault(row.person_id, _Person(row))
        person.related[row.entity].add(row.state)
    for person in people.values():
        person.purposes = plan.concerning(person.related)
    concerned = [p for p in people.values() if p.purposes]
    outcome = NoticeOutcome(concerned=len(concerned))
    owned = set(repository.insert_notifications(session, [_claim(plan, p, now) for p in concerned]))
    mine = [p for p in concerned if _key(plan, p.id) in owned]
    outcome.already = len(concerned) - len(mine)
    controllers = set(gate.register.purpose(PURPOSE).controllers)
    by_entity: dict[str, list[_Person]] = defaultdict(list)
    for person in mine:
        by_entity[person.sender(plan, controllers)].append(person)
    default = [c.value for c in gate.register.topic(TOPIC).default_channels]
    settled: list[dict[str, Any]] = []
    for entity, batch in by_entity.items():
        details = {
            p.id: {"register": plan.version, "purposes": p.purposes, "channel": p.channel(default)}
            for p in batch
        }
        decided = gate.open(session, actor=Actor(ROLE, entity), purpose=PURPOSE).access_many(
            [p.id for p in batch],
            categories=CATEGORIES,
            event=Event.STATEMENT_NOTICE_SEND.value,
            details=details,
            as_of=today,
        )
        for person in batch:
            refused = decided.denied.get(person.id)
            settled.append(_settled(gate, plan, person, default, refused, now))
    repository.settle_notifications(session, settled)
    outcome.refused = sum(1 for s in settled if s["status"] == "suppressed")
    outcome.queued = len(settled) - outcome.refused
    return outcome


@dataclass
class _Person:
    row: Row[Any]
    related: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    purposes: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.row.person_id)

    @property
    def language(self) -> str:
        return texts.notice_language(self.row.chosen_language, self.row.file_language)

    def channel(self, default: Sequence[str]) -> str | None:
        # Mandatory: an empty choice cannot switch it off; the register's default stands.
        chosen = repository.split(self.row.channels) or list(default)
        return chosen[0] if chosen else None

    def sender(self, plan: Plan, controllers: set[str]) -> str:
        """The entity the notice goes out for: one the person is related to that controls a
        changed purpose and the statement purpose, else any they are related to."""
        concerned = set().union(*(plan.controllers[p] for p in self.purposes))
        related = sorted(self.related)
        for pool in (concerned & controllers, concerned, set(related)):
            among = [e for e in related if e in pool]
            if among:
                return among[0]
        return related[0]


def _key(plan: Plan, person_id: str) -> str:
    return f"{TOPIC}:{plan.version}:person:{person_id}"


def _claim(plan: Plan, person: _Person, now: dt.datetime) -> dict[str, Any]:
    return {
        "person_id": person.id,
        "topic": TOPIC,
        "idempotency_key": _key(plan, person.id),
        "channel": None,
        "language": person.language,
        "title": "",
        "body": "",
        "status": "deciding",
        "reason": None,
        "attempts": 0,
        "created_at": now,
        "delivered_at": None,
    }


def _settled(
    gate: Gate,
    plan: Plan,
    person: _Person,
    default: Sequence[str],
    refused: tuple[str, ...] | None,
    now: dt.datetime,
) -> dict[str, Any]:
    language = person.language
    base = {"idempotency_key": _key(plan, person.id), "language": language}
    channel = person.channel(default)
    if refused is not None or channel is None:
        return {
            **base,
            "channel": None,
            "title": "",
            "body": "",
            "status": "suppressed",
            "reason": ",".join(refused or ("no_channel",)),
            "delivered_at": None,
        }
    titles: dict[str, list[str]] = {"added": [], "changed": [], "removed": []}
    for pid in person.purposes:
        title = plan.titles[pid]
        titles[plan.kinds[pid]].append(title.get(language) or title.get("en") or pid)
    brand = gate.register.brand(person.row.brand)
    message = texts.statement_notice(language, **titles, app=brand.app, website=brand.website)
    in_app = channel == "in_app"
    return {
        **base,
        "channel": channel,
        "title": message.title,
        "body": message.body,
        "status": "kept" if in_app else "pending",
        "reason": None,
        "delivered_at": now if in_app else None,
    }

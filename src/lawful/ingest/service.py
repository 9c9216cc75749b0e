"""Recording the processing done by the group's other systems, and answering their questions.

A system (a register role of kind system, acting for one entity) records events in batches: a
JSONL file (`lawful ledger ingest`) or an HTTP batch (`POST /api/v1/events`). Each event is held
against the register — a purpose the system may pursue for its entity, categories and recipient
declared for that purpose, a subject the installation knows — and every problem is reported with
its line (or index) and field. One bad event and nothing of the batch is recorded: the caller's
transaction is rolled back. An event whose key the system already had recorded (a retried batch)
is not recorded again.

Everything is set-based: the persons on file, the vault's keys and the keys already recorded are
each read in a few statements per batch; the entries are encrypted, encoded and inserted in bulk.
The ledger records what the system says it did; a system asks `decide` beforehand.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

import msgspec
from sqlalchemy.orm import Session

from lawful.core.db import utc_text, utcnow
from lawful.core.errors import InvalidInput, InvalidItems, ItemProblem
from lawful.core.gate import Gate
from lawful.core.ledger import entry as encoding
from lawful.core.ledger import service as ledger
from lawful.core.policy.compile import CompiledPurpose, compile_purposes, covered
from lawful.core.policy.types import Actor
from lawful.core.register.models import ActorKind
from lawful.core.vault import service as vault
from lawful.customers import service as customers
from lawful.ingest import repository
from lawful.ingest.schemas import (
    DecisionAnswers,
    DecisionQuestion,
    EventLine,
    IngestEvent,
    IngestResult,
    SubjectDecision,
)

CHUNK = 50_000  # lines decoded, checked and written at a time: memory stays flat
MAX_PROBLEMS = 1_000  # reported; past that, a file is wrong as a whole
CLOCK_SKEW = dt.timedelta(minutes=5)  # an event cannot have happened later than now + this
_PSEUDONYM = re.compile(r"^[0-9a-f]{64}$")
_EVENT_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_AT = re.compile(r"^(.*) - at `\$\.?([^`]*)`$")
_FIELD = re.compile(r"^Object (missing required|contains unknown) field `([^`]*)`$")
_decoder = msgspec.json.Decoder(EventLine)


# --- recording events ----------------------------------------------------------------------------


def ingest_lines(
    session: Session, *, gate: Gate, system: str, entity: str, lines: Iterable[bytes]
) -> IngestResult:
    """Record the events of a JSONL stream, one per line (blank lines are skipped); problems are
    reported by line number, from 1."""
    batch = _Batch(session, gate, system, entity, unit="line")
    numbered = ((n, line) for n, line in enumerate(lines, start=1) if line.strip())
    for chunk in _chunks(numbered, CHUNK):
        batch.add([(n, event) for n, line in chunk if (event := batch.decode(n, line))])
    return batch.finish()


def ingest_events(
    session: Session, *, gate: Gate, system: str, entity: str, events: Sequence[EventLine]
) -> IngestResult:
    """Record a batch already decoded (the HTTP API); problems are reported by index, from 0."""
    batch = _Batch(session, gate, system, entity, unit="item")
    batch.add(list(enumerate(events)))
    return batch.finish()


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


@dataclass(frozen=True, slots=True)
class _Rule:
    """What the register says of one (purpose, categories, recipient) for the recording system."""

    problems: tuple[tuple[str, str], ...]
    templates: dict[tuple[str, str], encoding.Template]  # (event, decision) -> entry template


class _Batch:
    def __init__(self, session: Session, gate: Gate, system: str, entity: str, unit: str) -> None:
        role = next((r for r in gate.register.roles if r.id == system), None)
        if role is None or role.kind is not ActorKind.SYSTEM:
            raise InvalidInput(f"'{system}' is not a system of the register", field="system")
        self.session, self.gate, self.unit = session, gate, unit
        self.actor = Actor(system, entity)
        self.purposes = compile_purposes(gate.register)
        self.bases = {p.id: p.legal_basis.value for p in gate.register.purposes}
        self.rules: dict[tuple[str, tuple[str, ...], str | None], _Rule] = {}
        self.problems: list[ItemProblem] = []
        self.seen: dict[str, int] = {}
        self.now = utcnow()
        self.horizon = self.now + CLOCK_SKEW
        self.pseudonymise = gate.keys.pseudonymiser()
        self.recorded = self.already = 0

    def problem(self, at: int, field: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(ItemProblem(at, field, message))
        else:
            self.more = True

    more = False

    def decode(self, at: int, line: bytes) -> EventLine | None:
        try:
            return _decoder.decode(line)
        except msgspec.ValidationError as exc:
            self.problem(at, *_where(str(exc)))
        except msgspec.DecodeError as exc:
            self.problem(at, "line", f"not a JSON object: {exc}")
        return None

    def add(self, events: list[tuple[int, EventLine]]) -> None:
        """Check the events; record them if nothing so far was wrong."""
        persons: set[str] = set()
        pseudonyms: set[str] = set()
        for at, event in events:
            self._check(at, event, persons, pseudonyms)
        on_file = customers.on_file(self.session, person_ids=persons) if persons else {}
        live = vault.key_states(self.session, pseudonyms=pseudonyms) if pseudonyms else {}
        for at, event in events:
            if event.subject is not None and event.pseudonym is None:
                erased = on_file.get(event.subject)
                if erased is None:
                    self.problem(at, "subject", f"no person {event.subject} on file")
                    continue
            elif event.subject is None and event.pseudonym in pseudonyms:
                state = live.get(event.pseudonym)
                if state is None:
                    self.problem(at, "pseudonym", "no subject of this installation has it")
                    continue
                erased = not state
            else:
                continue
            if erased and _details(event) is not None:
                self.problem(
                    at, "details", "the subject was erased: record the event without details"
                )
        if not self.problems:
            self._write([event for _, event in events])

    def _check(self, at: int, event: EventLine, persons: set[str], pseudonyms: set[str]) -> None:
        key = event.key
        first = self.seen.get(key)
        if first is not None:
            self.problem(at, "key", f"the key of {self.unit} {first} again")
        elif not key.isprintable():
            self.problem(at, "key", "must not contain control characters")
        else:
            self.seen[key] = at
        rule_key = (event.purpose, tuple(event.categories), event.recipient)
        rule = self.rules.get(rule_key) or self._rule(*rule_key)
        for field, message in rule.problems:
            self.problem(at, field, message)
        if (event.event, event.decision) not in rule.templates and not _EVENT_NAME.match(
            event.event
        ):
            self.problem(at, "event", f"'{event.event}' is not of the form domain.entity.verb")
        details = _details(event)
        if details is not None and details[:1] != b"{":
            self.problem(at, "details", "Expected `object`")
        if event.occurred_at > self.horizon:
            self.problem(at, "occurred_at", "is in the future")
        if event.subject is not None:
            if event.pseudonym is not None:
                self.problem(at, "pseudonym", "give the subject or its pseudonym, not both")
            else:
                persons.add(event.subject)
        elif event.pseudonym is None:
            self.problem(at, "subject", "required: the person's id, or `pseudonym`")
        elif not _PSEUDONYM.match(event.pseudonym):
            self.problem(at, "pseudonym", "64 lowercase hexadecimal characters")
        else:
            pseudonyms.add(event.pseudonym)

    def _rule(self, purpose: str, categories: tuple[str, ...], recipient: str | None) -> _Rule:
        problems: list[tuple[str, str]] = []
        p: CompiledPurpose | None = self.purposes.get(purpose)
        if p is None:
            problems.append(("purpose", f"'{purpose}' is not a purpose of the register"))
        else:
            if not self.gate.policy.may_pursue(self.actor, purpose):
                problems.append(
                    (
                        "purpose",
                        f"system {self.actor.role} acting for {self.actor.entity} may not "
                        f"pursue '{purpose}'",
                    )
                )
            undeclared = [c for c in categories if not covered(c, p.categories)]
            if undeclared:
                problems.append(
                    ("categories", f"not declared for '{purpose}': {', '.join(undeclared)}")
                )
            if recipient is not None and recipient not in p.recipients:
                problems.append(("recipient", f"'{recipient}' is not declared for '{purpose}'"))
        rule = self.rules[(purpose, categories, recipient)] = _Rule(tuple(problems), {})
        return rule

    def _template(self, event: EventLine) -> encoding.Template:
        rule = self.rules[(event.purpose, tuple(event.categories), event.recipient)]
        template = rule.templates.get((event.event, event.decision))
        if template is None:
            template = rule.templates[(event.event, event.decision)] = encoding.Template(
                event=event.event,
                decision=event.decision,
                entity=self.actor.entity,
                actor=self.actor.role,
                actor_kind=ActorKind.SYSTEM.value,
                actor_ref=None,
                purpose=event.purpose,
                legal_basis=self.bases[event.purpose],
                data_categories=encoding.json_list(event.categories),
                recipient=event.recipient,
                reasons="[]",
                obligations="[]",
            )
        return template

    def _write(self, events: list[EventLine]) -> None:
        system = self.actor.role
        known = repository.existing_keys(self.session, system, [e.key for e in events])
        fresh = [e for e in events if e.key not in known] if known else events
        self.already += len(events) - len(fresh)
        if not fresh:
            return
        pseudonymise = self.pseudonymise
        refs: dict[str, str] = {}
        subjects: list[str] = []
        secrets: list[tuple[str, vault.Plaintext]] = []
        json_text = vault.JsonText
        for event in fresh:
            ref = event.pseudonym
            if ref is None:
                subject = event.subject or ""
                ref = refs.get(subject)
                if ref is None:
                    ref = refs[subject] = pseudonymise(subject)
            details = _details(event)
            if details is not None:
                secrets.append((ref, json_text(details)))
            else:
                ref = "!" + ref  # no details: nothing to take from the sealed ones
            subjects.append(ref)
        sealed = iter(
            vault.encrypt_for_pseudonyms(self.session, keys=self.gate.keys, items=secrets)
        )
        instants: dict[dt.datetime, bytes] = {}
        entries: list[bytes] = []
        append = entries.append
        for event, ref in zip(fresh, subjects, strict=True):
            at = instants.get(event.occurred_at)
            if at is None:
                at = instants[event.occurred_at] = utc_text(event.occurred_at).encode()
            if ref[0] == "!":
                append(self._template(event).encode(at, ref[1:].encode(), None))
            else:
                append(self._template(event).encode(at, ref.encode(), next(sealed)))
        repository.insert_keys(self.session, system, [e.key for e in fresh], self.now)
        ledger.append_entries(self.session, entries=entries)
        self.recorded += len(entries)

    def finish(self) -> IngestResult:
        if self.problems:
            problems = sorted(self.problems, key=lambda p: p.at)  # stable: a line's in order
            if self.more:
                problems.append(
                    ItemProblem(problems[-1].at, self.unit, "and more problems after this one")
                )
            raise InvalidItems(problems, unit=self.unit)
        return IngestResult(recorded=self.recorded, already_recorded=self.already)


def _details(event: EventLine) -> bytes | None:
    """The details' JSON text as sent; None when absent or null."""
    if not event.details:
        return None
    text = bytes(event.details)
    return None if text == b"null" else text


def _where(message: str) -> tuple[str, str]:
    """(field, message) of a msgspec validation error."""
    found = _AT.match(message)
    if found:
        return found.group(2) or "line", found.group(1)
    found = _FIELD.match(message)
    if found:
        missing = found.group(1) == "missing required"
        return found.group(2), "required" if missing else "not a field of an event"
    return "line", message


# --- decisions ---------------------------------------------------------------------------------


def decide(
    session: Session, *, gate: Gate, actor: Actor, question: DecisionQuestion
) -> DecisionAnswers:
    """Decide for every subject at once (the policy's bulk path, one read of the subjects'
    states) and record each decision in the ledger, in one batch."""
    subjects = list(dict.fromkeys(question.subjects))
    context = gate.open(session, actor=actor, purpose=question.purpose)
    outcome = context.access_many(
        subjects,
        categories=question.categories,
        event=IngestEvent.DECISION.value,
        recipient=question.recipient,
    )
    answers = [
        SubjectDecision(
            subject=subject,
            allowed=decision.allowed,
            reasons=[r.value for r in decision.reasons],
            obligations=[o.value for o in decision.obligations],
        )
        for subject, decision in outcome.decisions.items()
    ]
    return DecisionAnswers(
        purpose=question.purpose,
        allowed=len(outcome.allowed),
        denied=len(outcome.denied),
        decisions=answers,
    )

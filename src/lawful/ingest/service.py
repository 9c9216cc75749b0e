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
from itertools import islice
from typing import Any

import msgspec
from sqlalchemy.orm import Session

from lawful.core.bulk import no_cycle_collection
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
_OPEN_BRACE = ord("{")
JsonText = vault.JsonText


# --- recording events ----------------------------------------------------------------------------


def ingest_lines(
    session: Session, *, gate: Gate, system: str, entity: str, lines: Iterable[bytes]
) -> IngestResult:
    """Record the events of a JSONL stream, one per line (blank lines are skipped); problems are
    reported by line number, from 1."""
    batch = _Batch(session, gate, system, entity, unit="line")
    numbered = ((n, line) for n, line in enumerate(lines, start=1) if line.strip())
    with no_cycle_collection():
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


# What the register says of one shape of event — (purpose, categories, recipient, event name,
# decision) — for the recording system: its problems, or the template its entries are made with.
_Shape = tuple[str, tuple[str, ...], str | None, str, str]
_Judged = tuple[tuple[tuple[str, str], ...], encoding.Template | None]
# An event once checked: (key, its template, person id, pseudonym, details as sent, instant).
_Checked = tuple[str, encoding.Template | None, str | None, str | None, bytes | None, dt.datetime]


class _Batch:
    def __init__(self, session: Session, gate: Gate, system: str, entity: str, unit: str) -> None:
        role = next((r for r in gate.register.roles if r.id == system), None)
        if role is None or role.kind is not ActorKind.SYSTEM:
            raise InvalidInput(f"'{system}' is not a system of the register", field="system")
        if entity not in {e.id for e in gate.register.entities}:
            raise InvalidInput(f"'{entity}' is not an entity of the register", field="entity")
        self.session, self.gate, self.unit = session, gate, unit
        self.actor = Actor(system, entity)
        self.purposes = compile_purposes(gate.register)
        self.bases = {p.id: p.legal_basis.value for p in gate.register.purposes}
        self.shapes: dict[_Shape, _Judged] = {}
        self.problems: list[ItemProblem] = []
        self.seen: dict[str, int] = {}
        self.now = utcnow()
        self.horizon = self.now + CLOCK_SKEW
        self.pseudonymise = gate.keys.pseudonymiser()
        self.pseudonyms: dict[str, str] = {}
        self.instants: dict[dt.datetime, bytes] = {}
        # What earlier chunks learnt of the subjects: a file names the same people again.
        self.on_file: dict[str, bool] = {}
        self.live: dict[str, bool] = {}
        self.sealer = vault.Sealer(session, gate.keys)
        self.recorded = self.already = 0
        self.more = False

    def problem(self, at: int, field: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(ItemProblem(at, field, message))
        else:
            self.more = True

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
        check = self._check
        checked = [check(at, event, persons, pseudonyms) for at, event in events]
        on_file, live = self.on_file, self.live
        new = persons.difference(on_file)
        if new:
            on_file.update(customers.on_file(self.session, person_ids=new))
        new = pseudonyms.difference(live)
        if new:
            live.update(vault.key_states(self.session, pseudonyms=new))
        # Per subject, not per event: only when one is unknown or erased are the events looked at.
        if any(on_file.get(p) is not False for p in persons) or not all(
            live.get(p) for p in pseudonyms
        ):
            self._subjects(events, checked)
        if not self.problems:
            self._write(checked, pseudonyms)

    def _subjects(self, events: list[tuple[int, EventLine]], checked: list[_Checked]) -> None:
        """The problems of events about subjects unknown, or erased (with details)."""
        on_file, live = self.on_file, self.live
        for (at, _), (_, _, subject, pseudonym, details, _) in zip(events, checked, strict=True):
            if subject is not None:
                erased = on_file.get(subject)
                if erased is None:
                    self.problem(at, "subject", f"no person {subject} on file")
                    continue
            elif pseudonym is not None:
                state = live.get(pseudonym)
                if state is None:
                    self.problem(at, "pseudonym", "no subject of this installation has it")
                    continue
                erased = not state
            else:
                continue
            if erased and details is not None:
                self.problem(
                    at, "details", "the subject was erased: record the event without details"
                )

    def _check(
        self, at: int, event: EventLine, persons: set[str], pseudonyms: set[str]
    ) -> _Checked:
        """The event's problems noted; the subject to look up (person or pseudonym) collected."""
        key = event.key
        first = self.seen.get(key)
        if first is not None:
            self.problem(at, "key", f"the key of {self.unit} {first} again")
        elif not key.isprintable():
            self.problem(at, "key", "must not contain control characters")
        else:
            self.seen[key] = at
        shape = (event.purpose, event.categories, event.recipient, event.event, event.decision)
        problems, template = self.shapes.get(shape) or self._judge(shape)
        if problems:
            for field, message in problems:
                self.problem(at, field, message)
        details = JsonText(event.details) if event.details else None
        if details is not None and details[0] != _OPEN_BRACE:
            if details == b"null":
                details = None
            else:
                self.problem(at, "details", "Expected `object`")
        if event.occurred_at > self.horizon:
            self.problem(at, "occurred_at", "is in the future")
        subject, pseudonym = event.subject, event.pseudonym
        if subject is not None:
            if not subject.isprintable():
                self.problem(at, "subject", "must not contain control characters")
                subject = pseudonym = None
            elif pseudonym is not None:
                self.problem(at, "pseudonym", "give the subject or its pseudonym, not both")
                subject = pseudonym = None
            else:
                persons.add(subject)
        elif pseudonym is None:
            self.problem(at, "subject", "required: the person's id, or `pseudonym`")
        elif not _PSEUDONYM.match(pseudonym):
            self.problem(at, "pseudonym", "64 lowercase hexadecimal characters")
            pseudonym = None
        else:
            pseudonyms.add(pseudonym)
        return key, template, subject, pseudonym, details, event.occurred_at

    def _judge(self, shape: _Shape) -> _Judged:
        purpose, categories, recipient, event, decision = shape
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
        if not _EVENT_NAME.match(event):
            problems.append(("event", f"'{event}' is not of the form domain.entity.verb"))
        template = None
        if not problems:
            template = encoding.Template(
                event=event,
                decision=decision,
                entity=self.actor.entity,
                actor=self.actor.role,
                actor_kind=ActorKind.SYSTEM.value,
                actor_ref=None,
                purpose=purpose,
                legal_basis=self.bases[purpose],
                data_categories=encoding.json_list(categories),
                recipient=recipient,
                reasons="[]",
                obligations="[]",
            )
        judged = self.shapes[shape] = (tuple(problems), template)
        return judged

    def _write(self, checked: list[_Checked], pseudonyms: set[str]) -> None:
        """Record the events whose key is new: keys and entries, each in one bulk insert.

        The subjects' pseudonyms and vault keys are worked out once per subject, then each event
        is encrypted and encoded in one pass."""
        system = self.actor.role
        known = repository.existing_keys(self.session, system, [c[0] for c in checked])
        fresh = [c for c in checked if c[0] not in known] if known else checked
        self.already += len(checked) - len(fresh)
        if not fresh:
            return
        refs, pseudonymise = self.pseudonyms, self.pseudonymise
        for someone in self.on_file.keys() - refs.keys():
            refs[someone] = pseudonymise(someone)
        # Erased subjects have no key left, and get no details (checked above).
        alive = {refs[p] for p, erased in self.on_file.items() if not erased}
        alive.update(p for p in pseudonyms if self.live.get(p))
        seal = self.sealer.sealing(alive)
        instants = self.instants
        entries: list[bytes] = []
        append = entries.append
        for _, template, person, pseudonym, details, occurred_at in fresh:
            ref = pseudonym or refs[person or ""]
            at = instants.get(occurred_at)
            if at is None:
                at = instants[occurred_at] = utc_text(occurred_at).encode()
            sealed = None if details is None else seal(ref, details)
            # Only a batch without a problem is written: every event has its template.
            append(template.encode(at, ref.encode(), sealed))  # type: ignore[union-attr]
        repository.insert_keys(self.session, system, [c[0] for c in fresh], self.now)
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

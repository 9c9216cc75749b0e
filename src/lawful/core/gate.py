"""The gate: the one way domain code reads or discloses personal data.

A domain service opens a processing context for one purpose and one actor, inside the caller's
transaction. Each access asks the policy and appends its ledger event in that same transaction:
no access without a record, no record of an access that was rolled back. A refused access is
recorded too, then raised as `ProcessingDenied`; `unit_of_work` keeps that refusal on record even
when the caller's transaction is rolled back because of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, NoReturn, Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lawful.core.db import session_scope
from lawful.core.errors import LawfulError, NotOnFile, ProcessingDenied
from lawful.core.ledger import group
from lawful.core.ledger import service as ledger
from lawful.core.policy.engine import Policy, compile_policy
from lawful.core.policy.types import Actor, Decision, Obligation, Request, SubjectState
from lawful.core.register.models import Register
from lawful.core.vault.keys import Keyring

_DENIALS = "lawful.gate.denials"
Details = Mapping[str, Any]
_REFUSED = Decision(False, (), (Obligation.RECORD,))


class SubjectStates(Protocol):
    """What the policy must know of each subject: relationships, objections, consents…"""

    def load(
        self, session: Session, subject_ids: Collection[str], *, as_of: dt.date
    ) -> Mapping[str, SubjectState]: ...


@dataclass(frozen=True)
class BulkOutcome:
    """The subjects a bulk job may process, and why the others were refused."""

    allowed: list[str]
    denied: dict[str, tuple[str, ...]]
    # Every subject's decision, with its obligations, in the order asked.
    decisions: dict[str, Decision] = field(default_factory=dict)


@dataclass(frozen=True)
class Gate:
    register: Register
    policy: Policy
    states: SubjectStates
    keys: Keyring = field(repr=False)
    _basis: dict[str, str] = field(default_factory=dict, repr=False)
    _kinds: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, register: Register, states: SubjectStates, keys: Keyring) -> Gate:
        return cls(
            register=register,
            policy=compile_policy(register),
            states=states,
            keys=keys,
            _basis={p.id: p.legal_basis.value for p in register.purposes},
            _kinds={r.id: r.kind.value for r in register.roles},
        )

    def open(self, session: Session, *, actor: Actor, purpose: str) -> ProcessingContext:
        return ProcessingContext(
            gate=self,
            session=session,
            actor=actor,
            purpose=purpose,
            legal_basis=self._basis.get(purpose, "undeclared"),
            actor_kind=self._kinds.get(actor.role, "unknown"),
        )


@dataclass
class ProcessingContext:
    """Processing for one purpose by one actor, inside one transaction."""

    gate: Gate
    session: Session
    actor: Actor
    purpose: str
    legal_basis: str
    actor_kind: str

    def access(
        self,
        subject_id: str,
        *,
        categories: Sequence[str],
        event: str,
        details: Details | None = None,
        recipient: str | None = None,
        as_of: dt.date | None = None,
        on_file: bool = False,
    ) -> Decision:
        """Ask, record, and return the decision; raise `ProcessingDenied` when refused.

        An erased subject's key is destroyed: what is still done for it (answering its rights,
        erasing what a hold kept) is recorded without details. With `on_file`, a subject the
        state source does not know, or knows as erased, raises `NotOnFile` before anything is
        decided or recorded: there is no file to process (the state answers that in the same
        round trip as everything else the policy needs).
        """
        day = as_of or dt.date.today()
        known = self.gate.states.load(self.session, [subject_id], as_of=day)
        state = known.get(subject_id)
        if on_file and (state is None or state.erased):
            raise NotOnFile(f"no person {subject_id}" if state is None else "erased")
        if state is None:
            state = SubjectState(as_of=day)
        decision = self.gate.policy.decide(self._request(subject_id, categories, recipient), state)
        payload = None if state.erased else details
        new = self._event(subject_id, categories, event, payload, recipient, decision)
        ledger.append(self.session, keys=self.gate.keys, events=[new])
        if not decision.allowed:
            self.session.info.setdefault(_DENIALS, []).append((self.gate.keys, new))
            raise ProcessingDenied(self.purpose, [r.value for r in decision.reasons])
        return decision

    def refuse(
        self,
        subject_id: str,
        *,
        categories: Sequence[str],
        event: str,
        reasons: Sequence[str],
        recipient: str | None = None,
        error: LawfulError | None = None,
    ) -> NoReturn:
        """Record a refusal the domain decides, as the policy's own refusals are recorded, and
        raise it (`error`, or a `ProcessingDenied` with `reasons`).

        For a precondition the policy cannot see, such as an application the person never filed:
        the attempt is on record with who made it, like any other refusal.
        """
        new = replace(
            self._event(subject_id, categories, event, None, recipient, _REFUSED),
            reasons=tuple(reasons),
        )
        ledger.append(self.session, keys=self.gate.keys, events=[new])
        self.session.info.setdefault(_DENIALS, []).append((self.gate.keys, new))
        raise error or ProcessingDenied(self.purpose, reasons)

    def survey(
        self, *, categories: Sequence[str], event: str, as_of: dt.date | None = None
    ) -> Decision:
        """An access to many subjects' data that is about none of them (a work queue): one event,
        without a subject, whatever the number of rows; raise `ProcessingDenied` when refused.

        The policy decides for a subject of whom nothing is known, so only a purpose that asks
        nothing of the subject (no relationship, consent or preference) can pass. No details:
        they are encrypted with a subject's key.
        """
        day = as_of or dt.date.today()
        decision = self.gate.policy.decide(
            self._request("", categories, None), SubjectState(as_of=day)
        )
        new = replace(self._event("", categories, event, None, None, decision), subject_id=None)
        ledger.append(self.session, keys=self.gate.keys, events=[new])
        if not decision.allowed:
            self.session.info.setdefault(_DENIALS, []).append((self.gate.keys, new))
            raise ProcessingDenied(self.purpose, [r.value for r in decision.reasons])
        return decision

    def access_many(
        self,
        subject_ids: Sequence[str],
        *,
        categories: Sequence[str],
        event: str,
        details: Mapping[str, Details] | None = None,
        recipient: str | None = None,
        as_of: dt.date | None = None,
        states: Mapping[str, SubjectState] | None = None,
    ) -> BulkOutcome:
        """Decide for many subjects at once and record every decision in one batch.

        Refusals do not raise: a job processes `allowed` and reports `denied`. `states`: the
        subjects' states as the caller loaded them in this transaction, as of `as_of` (a job
        that needed them to plan its batch), instead of loading them again.
        """
        day = as_of or dt.date.today()
        states = self._states(subject_ids, day, states)
        cats = tuple(categories)
        decisions = self.gate.policy.decide_subjects(
            self.actor, self.purpose, cats, [states[s] for s in subject_ids], recipient
        )
        events = []
        allowed: list[str] = []
        denied: dict[str, tuple[str, ...]] = {}
        for subject_id, decision in zip(subject_ids, decisions, strict=True):
            erased = states[subject_id].erased
            payload = (
                details.get(subject_id) if details and decision.allowed and not erased else None
            )
            events.append(self._event(subject_id, cats, event, payload, recipient, decision))
            if decision.allowed:
                allowed.append(subject_id)
            else:
                denied[subject_id] = tuple(r.value for r in decision.reasons)
        ledger.append(self.session, keys=self.gate.keys, events=events)
        return BulkOutcome(allowed, denied, dict(zip(subject_ids, decisions, strict=True)))

    def disclose_many(
        self,
        subject_ids: Sequence[str],
        *,
        categories: Sequence[str],
        event: str,
        recipient: str,
        about: Mapping[str, str],
        as_of: dt.date | None = None,
        states: Mapping[str, SubjectState] | None = None,
    ) -> BulkOutcome:
        """Decide for many subjects at once, as `access_many`, for one disclosure of their data
        to `recipient`; record it as ONE batch disclosure whose members are the subjects allowed
        (each can prove their membership and the batch's place in the log), and each refusal
        as an event of its own. `about` says what was disclosed, in clear: nothing personal.
        """
        day = as_of or dt.date.today()
        states = self._states(subject_ids, day, states)
        cats = tuple(categories)
        decisions = self.gate.policy.decide_subjects(
            self.actor, self.purpose, cats, [states[s] for s in subject_ids], recipient
        )
        refusals = []
        allowed: list[str] = []
        denied: dict[str, tuple[str, ...]] = {}
        # Subjects allowed on the same grounds share one batch (nearly always all of them).
        batches: dict[Decision, list[str]] = {}
        for subject_id, decision in zip(subject_ids, decisions, strict=True):
            if decision.allowed:
                allowed.append(subject_id)
                batches.setdefault(decision, []).append(subject_id)
            else:
                denied[subject_id] = tuple(r.value for r in decision.reasons)
                refusals.append(self._event(subject_id, cats, event, None, recipient, decision))
        ledger.append(self.session, keys=self.gate.keys, events=refusals)
        for decision, members in batches.items():
            new = replace(self._event("", cats, event, None, recipient, decision), subject_id=None)
            ledger.append_batch(
                self.session, keys=self.gate.keys, event=new, subject_ids=members, about=about
            )
        return BulkOutcome(allowed, denied, dict(zip(subject_ids, decisions, strict=True)))

    def _states(
        self,
        subject_ids: Sequence[str],
        day: dt.date,
        loaded: Mapping[str, SubjectState] | None = None,
    ) -> Mapping[str, SubjectState]:
        states = (
            loaded
            if loaded is not None
            else self.gate.states.load(self.session, subject_ids, as_of=day)
        )
        # A subject the state source does not know has no relationship, objection or consent.
        missing = [s for s in subject_ids if s not in states]
        if not missing:
            return states
        return {**states, **{s: SubjectState(as_of=day) for s in missing}}

    def _request(
        self, subject_id: str, categories: Sequence[str], recipient: str | None
    ) -> Request:
        return Request(self.actor, self.purpose, subject_id, tuple(categories), recipient)

    def _event(
        self,
        subject_id: str,
        categories: Sequence[str],
        event: str,
        details: Details | None,
        recipient: str | None,
        decision: Decision,
    ) -> ledger.NewEvent:
        return ledger.NewEvent(
            event=event,
            actor=self.actor.role,
            actor_kind=self.actor_kind,
            entity=self.actor.entity,
            purpose=self.purpose,
            legal_basis=self.legal_basis,
            decision="allow" if decision.allowed else "deny",
            subject_id=subject_id,
            data_categories=tuple(categories),
            recipient=recipient,
            reasons=tuple(r.value for r in decision.reasons),
            obligations=tuple(o.value for o in decision.obligations),
            # A refused access touched no data: its record carries no details.
            details=details if decision.allowed else None,
            actor_ref=self.actor.ref,
        )


@contextmanager
def unit_of_work(engine: Engine, *, commits: group.Commits | None = None) -> Iterator[Session]:
    """The entrypoints' transaction: committed at the end, rolled back on error.

    Refusals recorded in a transaction that is then rolled back are recorded again in a
    transaction of their own: a refused attempt stays on record, the work around it does not.

    With `commits`, for work that mostly reads (a GET): the transaction begins without SQLite's
    write lock, and if it wrote nothing but ledger entries, those are written by the group commit
    once it has ended; either way this returns only once they are committed. Without, the ledger
    entries of the unit's accesses are written together, in one INSERT before it commits.
    """
    refused: list[tuple[Keyring, ledger.NewEvent]] = []
    held: list[Mapping[str, Any]] = []
    try:
        with session_scope(engine, deferred=commits is not None) as session:
            if commits is not None:
                group.hold(session)
            else:
                ledger.gather_appends(session)
            try:
                yield session
                if commits is not None:
                    held = group.release(session)
                else:
                    ledger.flush_appends(session)
            except BaseException:
                refused = list(session.info.get(_DENIALS, []))
                raise
    except BaseException:
        if refused:
            with session_scope(engine) as again:
                for keys, event in refused:
                    ledger.append(again, keys=keys, events=[event])
        raise
    if held and commits is not None:
        commits.submit(held)


@dataclass(frozen=True)
class StaticStates:
    """Subject states held in memory: for the demonstration and for tests of the gate itself."""

    states: Mapping[str, SubjectState]

    def load(
        self, session: Session, subject_ids: Collection[str], *, as_of: dt.date
    ) -> Mapping[str, SubjectState]:
        return {s: self.states[s] for s in subject_ids if s in self.states}

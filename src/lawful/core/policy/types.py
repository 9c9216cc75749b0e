"""What the policy engine is asked, what it knows about the subject, and what it answers.

Everything is a frozen, slotted dataclass so that questions and subject states can be shared between
threads, used as dictionary keys and built by the million without surprise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from lawful.core.register.models import RelationshipState


class Reason(StrEnum):
    """Why a request is denied; a decision lists them in this declaration order."""

    PURPOSE_UNKNOWN = "purpose_unknown"
    ROLE_UNKNOWN = "role_unknown"
    ROLE_NOT_PERMITTED = "role_not_permitted"
    ENTITY_NOT_CONTROLLER = "entity_not_controller"
    CATEGORY_NOT_DECLARED = "category_not_declared"
    RECIPIENT_NOT_DECLARED = "recipient_not_declared"
    ERASED = "erased"
    DM_OBJECTION = "dm_objection"
    OBJECTION_PENDING = "objection_pending"
    OBJECTION_UPHELD = "objection_upheld"
    RESTRICTED = "restricted"  # Art. 18: stored only, until the restriction is lifted
    NO_RELATIONSHIP = "no_relationship"
    CONSENT_MISSING = "consent_missing"
    PREFERENCE_OFF = "preference_off"


class Obligation(StrEnum):
    """What the caller must do when acting on a decision; listed in this declaration order."""

    RECORD = "record"  # every decision, allow or deny, goes to the ledger
    HUMAN_REVIEW = "human_review"  # Art. 22: a person confirms before the outcome takes effect
    MINIMISE = "minimise"  # disclose only the requested categories, no "while we are at it"
    PSEUDONYMISE = "pseudonymise"  # replace the subject's identity by a pseudonym on disclosure
    LEGAL_HOLD = "legal_hold"  # the subject is erased: only the held data, only for the hold


class ObjectionStatus(StrEnum):
    """An Art. 21(1) objection: it restricts processing at once, until the DPO decides."""

    PENDING = "pending"
    UPHELD = "upheld"
    REJECTED = "rejected"  # the DPO found compelling legitimate grounds


@dataclass(frozen=True, slots=True)
class Actor:
    role: str
    entity: str  # the group entity the actor acts for
    # Who acts, for the record (a staff member's id); decisions never depend on it.
    ref: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Request:
    actor: Actor
    purpose: str
    subject: str  # recorded by the caller; the decision depends only on the subject's state
    categories: tuple[str, ...] | frozenset[str]
    recipient: str | None = None


@dataclass(frozen=True, slots=True)
class Relationship:
    """A period in one state with one entity; `until` is the last day, None while it lasts."""

    entity: str
    state: RelationshipState
    since: dt.date | None = None
    until: dt.date | None = None

    def active_on(self, day: dt.date) -> bool:
        started = self.since is None or self.since <= day
        return started and (self.until is None or day <= self.until)


@dataclass(frozen=True, slots=True)
class Objection:
    purpose: str
    status: ObjectionStatus


@dataclass(frozen=True, slots=True)
class Hold:
    """A legal hold kept on this subject's data; `until` is its last day."""

    hold: str
    until: dt.date


@dataclass(frozen=True, slots=True)
class SubjectState:
    """What the engine knows about one subject, as of one day.

    The date is part of the state, not a clock read inside the engine, so that a decision is a pure
    function of its inputs and a bulk job decides every subject as of the same day.
    """

    as_of: dt.date
    relationships: tuple[Relationship, ...] = ()
    objections: frozenset[Objection] = frozenset()
    dm_objection: bool = False  # Art. 21(2): every direct-marketing purpose, profiling for it too
    preferences_off: frozenset[str] = frozenset()
    consents: frozenset[str] = frozenset()  # purpose ids
    legal_holds: frozenset[Hold] = frozenset()
    erased: bool = False
    # Art. 18: an approved restriction request is in force (lifted when the request is closed).
    restricted_processing: bool = False

    # Derived once here because a state is built once per subject and asked about many times.
    restricted: frozenset[str] = field(init=False, repr=False, compare=False)
    objected: frozenset[str] = field(init=False, repr=False, compare=False)
    relationships_by_entity: dict[str, frozenset[RelationshipState]] = field(
        init=False, repr=False, compare=False
    )
    relationship_states: frozenset[RelationshipState] = field(init=False, repr=False, compare=False)
    holds: frozenset[str] = field(init=False, repr=False, compare=False)
    _signature: str | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        day = self.as_of
        by_entity: dict[str, set[RelationshipState]] = {}
        for rel in self.relationships:
            if rel.active_on(day):
                by_entity.setdefault(rel.entity, set()).add(rel.state)
        frozen = {entity: frozenset(states) for entity, states in by_entity.items()}
        restricted = frozenset(
            o.purpose for o in self.objections if o.status is not ObjectionStatus.REJECTED
        )
        objected = frozenset(o.purpose for o in self.objections)
        holds = frozenset(h.hold for h in self.legal_holds if day <= h.until)
        set_ = object.__setattr__
        set_(self, "restricted", restricted)
        set_(self, "objected", objected)
        set_(self, "relationships_by_entity", frozen)
        set_(self, "relationship_states", frozenset().union(*frozen.values()))
        set_(self, "holds", holds)
        set_(self, "_signature", None)

    @property
    def signature(self) -> str:
        """Equal for two states exactly when the engine cannot tell them apart; strings cache
        their hash, which makes this a cheap key for the bulk caches. Made on first use: a single
        decision never asks for it."""
        made = self._signature
        if made is None:
            made = repr(
                (
                    self.erased,
                    self.restricted_processing,
                    self.dm_objection,
                    sorted((o.purpose, o.status.value) for o in self.objections),
                    sorted(
                        (e, sorted(s.value for s in states))
                        for e, states in self.relationships_by_entity.items()
                    ),
                    sorted(self.preferences_off),
                    sorted(self.consents),
                    sorted(self.holds),
                )
            )
            object.__setattr__(self, "_signature", made)
        return made


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reasons: tuple[Reason, ...]
    obligations: tuple[Obligation, ...]

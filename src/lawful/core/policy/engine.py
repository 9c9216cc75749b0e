"""The policy engine: may this actor use these categories of this subject for this purpose?

A decision splits into a static part — purpose, role, entity, categories, recipient: the question
— and a subject part: the state, read for one purpose and one entity. Both are worked out once and
cached: the static part per distinct question, the subject part per (purpose, entity, state
signature), since many subjects are in states the engine cannot tell apart. Reasons are bits, so a
decision is two dictionary lookups, an `or` of two ints and a preallocated `Decision`. `explain`
works everything out afresh with no cache, and the tests hold the two equal.

Erasure denies every purpose except processing under a legal hold the subject still has, and a
purpose that survives erasure (data-subject rights), which is judged as if the subject were not
erased: a hold that ended must not stop the erasure of what it kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from lawful.core.policy.compile import (
    BIT,
    Categories,
    CompiledPurpose,
    Grant,
    compile_purposes,
    compile_roles,
    covered,
    reasons_of,
)
from lawful.core.policy.types import (
    Actor,
    Decision,
    ObjectionStatus,
    Obligation,
    Reason,
    Request,
    SubjectState,
)
from lawful.core.register.models import Register

_NOTHING: frozenset[str] = frozenset()
# The per-purpose grant cache is keyed by what callers ask, which code (not users) decides; the
# bound only guards against a caller that builds category tuples from unbounded input.
_GRANT_CACHE_LIMIT = 4096

_PURPOSE_UNKNOWN = BIT[Reason.PURPOSE_UNKNOWN]
_ROLE_UNKNOWN = BIT[Reason.ROLE_UNKNOWN]
_ROLE_NOT_PERMITTED = BIT[Reason.ROLE_NOT_PERMITTED]
_ENTITY_NOT_CONTROLLER = BIT[Reason.ENTITY_NOT_CONTROLLER]
_ERASED = BIT[Reason.ERASED]
_DM_OBJECTION = BIT[Reason.DM_OBJECTION]
_OBJECTION_PENDING = BIT[Reason.OBJECTION_PENDING]
_OBJECTION_UPHELD = BIT[Reason.OBJECTION_UPHELD]
_NO_RELATIONSHIP = BIT[Reason.NO_RELATIONSHIP]
_CONSENT_MISSING = BIT[Reason.CONSENT_MISSING]
_PREFERENCE_OFF = BIT[Reason.PREFERENCE_OFF]
_RESTRICTED = BIT[Reason.RESTRICTED]

_SubjectMasks = dict[str, int]  # state signature -> the reasons that state gives, as bits
# What a question says before any subject is looked at: its purpose (None when unknown), the
# reasons it is denied whoever the subject, the purpose's grant for its categories and recipient,
# the decision to hand out when nothing at all stands against it, and the subject-mask cache of its
# (purpose, entity) pair.
_Static = tuple[CompiledPurpose | None, int, Grant | None, Decision | None, _SubjectMasks]
_StaticKey = tuple[str, str, str, Categories, str | None]
# Questions come from code paths and states repeat across subjects, so both caches stay small; the
# bounds only guard against callers feeding them unbounded input.
_STATIC_CACHE_LIMIT = 1 << 16
_SUBJECT_CACHE_LIMIT = 1 << 14


class Policy:
    """The register compiled for decisions; build it with `compile_policy`."""

    __slots__ = (
        "_denials",
        "_for_subject",
        "_for_subject_roles",
        "_grants",
        "_purposes",
        "_roles",
        "_statics",
        "_subjects",
    )

    def __init__(
        self,
        purposes: dict[str, CompiledPurpose],
        roles: dict[str, frozenset[str]],
        for_the_subject: frozenset[str] = frozenset(),
    ) -> None:
        self._purposes = purposes
        self._roles = roles
        # Roles acting at the person's own request: an Art. 18 restriction does not stop them.
        self._for_subject = {p.id: replace(p, survives_restriction=True) for p in purposes.values()}
        self._for_subject_roles = for_the_subject
        self._statics: dict[_StaticKey, _Static] = {}
        self._subjects: dict[tuple[str, str, bool], _SubjectMasks] = {}
        # purpose -> categories, or (categories, recipient) -> its grant
        self._grants: dict[str, dict[object, Grant]] = {p: {} for p in purposes}
        # reason mask -> the one shared denial, filled on first use
        self._denials: list[Decision | None] = [None] * (1 << len(BIT))

    @property
    def purposes(self) -> frozenset[str]:
        return frozenset(self._purposes)

    @property
    def roles(self) -> dict[str, frozenset[str]]:
        return dict(self._roles)

    def may_pursue(self, actor: Actor, purpose: str) -> bool:
        """Whether the actor may pursue the purpose at all, before any subject or data counts:
        a declared purpose, a known role permitted it, an entity among its controllers."""
        permitted = self._roles.get(actor.role)
        p = self._purposes.get(purpose)
        return (
            permitted is not None
            and p is not None
            and purpose in permitted
            and actor.entity in p.controllers
        )

    def decide(self, request: Request, state: SubjectState) -> Decision:
        actor = request.actor
        key = (request.purpose, actor.role, actor.entity, request.categories, request.recipient)
        static = self._statics.get(key) or self._remember(key, request)
        p, mask, _, allowed, masks = static
        if p is None or (state.erased and not p.survives_erasure):
            return self._finish(static, request, state)
        subject = masks.get(state.signature)
        if subject is None:
            subject = _remember_subject(masks, p, actor.entity, state)
        mask |= subject
        if mask:
            return self._denials[mask] or self._denial(mask)
        if allowed is None:  # no reason at all: the grant's decision exists
            raise RuntimeError(f"no decision compiled for {request.purpose}")
        return allowed

    def explain(self, request: Request, state: SubjectState) -> Decision:
        """Every rule, each adding its reason, with no cache on the way; `decide` must agree."""
        return self._finish(self._static(request, cached=False), request, state)

    def decide_many(self, questions: Iterable[tuple[Request, SubjectState]]) -> list[Decision]:
        """`[decide(r, s) for r, s in questions]`, with the loop and its lookups inlined.

        Whether an erased subject's holds keep the categories asked is cached per call, by
        (purpose, categories, holds); everything else uses the caches `decide` uses.
        """
        statics = self._statics
        remember = self._remember
        denials = self._denials
        denial = self._denial
        kept_by_holds: dict[tuple[str, Categories, frozenset[str]], bool] = {}
        out: list[Decision] = []
        append = out.append
        for request, state in questions:
            actor = request.actor
            categories = request.categories
            key = (request.purpose, actor.role, actor.entity, categories, request.recipient)
            p, mask, grant, allowed, masks = statics.get(key) or remember(key, request)
            if p is None or grant is None:
                append(denial(mask | _ERASED if state.erased else mask))
                continue
            subject = masks.get(state.signature)
            if subject is None:
                subject = _remember_subject(masks, p, actor.entity, state)
            mask |= subject
            if state.erased and not p.survives_erasure:
                holds_key = (p.id, categories, state.holds)
                kept = kept_by_holds.get(holds_key)
                if kept is None:
                    kept = kept_by_holds[holds_key] = _under_hold(p, categories, state)
                if not kept:
                    mask |= _ERASED
                elif not mask:
                    append(grant.allowed_under_hold or denial(mask))
                    continue
            append((denials[mask] if mask else allowed) or denial(mask))
        return out

    def decide_subjects(
        self,
        actor: Actor,
        purpose: str,
        categories: Categories,
        states: Sequence[SubjectState],
        recipient: str | None = None,
    ) -> list[Decision]:
        """One question asked for many subjects at once: the shape of a bulk job."""
        request = Request(actor, purpose, "", categories, recipient)
        by_signature: dict[str, Decision] = {}
        get = by_signature.get
        out: list[Decision] = []
        append = out.append
        for state in states:
            decision = get(state.signature)
            if decision is None:
                decision = by_signature[state.signature] = self.decide(request, state)
            append(decision)
        return out

    def _finish(self, static: _Static, request: Request, state: SubjectState) -> Decision:
        """The subject's part of the rules, worked out afresh and added to the static part."""
        p, mask, grant, _, _ = static
        if p is None or grant is None:
            # Nothing else can be judged without the purpose, but erasure stands on its own.
            return self._denial(mask | (_ERASED if state.erased else 0))
        mask |= _subject_mask(p, request.actor.entity, state)
        under_hold = False
        if state.erased and not p.survives_erasure:
            under_hold = _under_hold(p, request.categories, state)
            if not under_hold:
                mask |= _ERASED
        if mask:
            return self._denial(mask)
        allowed = grant.allowed_under_hold if under_hold else grant.allowed
        if allowed is None:  # a grant with no reasons always has its decision
            raise RuntimeError(f"no decision compiled for {request.purpose}")
        return allowed

    def _remember(self, key: _StaticKey, request: Request) -> _Static:
        if len(self._statics) >= _STATIC_CACHE_LIMIT:
            self._statics.clear()
            self._subjects.clear()
        static = self._statics[key] = self._static(request, cached=True)
        return static

    def _static(self, request: Request, *, cached: bool) -> _Static:
        actor = request.actor
        permitted = self._roles.get(actor.role)
        mask = _ROLE_UNKNOWN if permitted is None else 0
        by_subject = actor.role in self._for_subject_roles
        p = (self._for_subject if by_subject else self._purposes).get(request.purpose)
        if p is None:
            return None, mask | _PURPOSE_UNKNOWN, None, None, {}
        if permitted is not None and p.id not in permitted:
            mask |= _ROLE_NOT_PERMITTED
        if actor.entity not in p.controllers:
            mask |= _ENTITY_NOT_CONTROLLER
        categories, recipient = request.categories, request.recipient
        if cached:
            grant = self._grant(p, categories, recipient)
            masks = self._subjects.setdefault((p.id, actor.entity, by_subject), {})
        else:
            grant, masks = Grant(p, categories, recipient), {}
        mask |= grant.mask
        return p, mask, grant, None if mask else grant.allowed, masks

    def _grant(self, p: CompiledPurpose, categories: Categories, recipient: str | None) -> Grant:
        grants = self._grants[p.id]
        # A bare category collection never equals a (categories, recipient) pair.
        key: object = categories if recipient is None else (categories, recipient)
        grant = grants.get(key)
        if grant is None:
            if len(grants) >= _GRANT_CACHE_LIMIT:
                grants.clear()
            grant = grants[key] = Grant(p, categories, recipient)
        return grant

    def _denial(self, mask: int) -> Decision:
        denial = self._denials[mask]
        if denial is None:
            denial = self._denials[mask] = Decision(False, reasons_of(mask), (Obligation.RECORD,))
        return denial


def _remember_subject(
    masks: _SubjectMasks, p: CompiledPurpose, entity: str, state: SubjectState
) -> int:
    # Clearing keeps the dict's identity, which cached statics hold on to.
    if len(masks) >= _SUBJECT_CACHE_LIMIT:
        masks.clear()
    mask = masks[state.signature] = _subject_mask(p, entity, state)
    return mask


def _subject_mask(p: CompiledPurpose, entity: str, state: SubjectState) -> int:
    """The reasons the subject's state gives against this purpose, erasure aside."""
    mask = _RESTRICTED if state.restricted_processing and not p.survives_restriction else 0
    if p.state_free:
        return mask
    purpose = p.id
    if p.direct_marketing and state.dm_objection:
        mask |= _DM_OBJECTION
    if p.absolute:
        # Art. 21(3): no balancing, so whatever status was recorded, the objection stands.
        if purpose in state.objected:
            mask |= _OBJECTION_UPHELD
    elif p.balancing and purpose in state.restricted:
        for objection in state.objections:
            if objection.purpose == purpose:
                if objection.status is ObjectionStatus.PENDING:
                    mask |= _OBJECTION_PENDING
                elif objection.status is ObjectionStatus.UPHELD:
                    mask |= _OBJECTION_UPHELD
    if p.relationship and p.relationship.isdisjoint(
        state.relationship_states
        if p.group_scope
        else state.relationships_by_entity.get(entity, _NOTHING)
    ):
        mask |= _NO_RELATIONSHIP
    if p.consent and purpose not in state.consents:
        mask |= _CONSENT_MISSING
    if p.preference is not None and p.preference in state.preferences_off:
        mask |= _PREFERENCE_OFF
    return mask


def _under_hold(p: CompiledPurpose, categories: Categories, state: SubjectState) -> bool:
    """Whether holds the subject still has, and the purpose declares, keep every category asked."""
    kept = [cats for hold, cats in p.holds.items() if hold in state.holds]
    if not kept:
        return False
    keeps = frozenset().union(*kept)
    return all(covered(c, keeps) for c in categories)


def compile_policy(register: Register) -> Policy:
    return Policy(
        compile_purposes(register),
        compile_roles(register),
        frozenset(r.id for r in register.roles if r.for_the_subject),
    )

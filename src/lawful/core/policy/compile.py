"""Turn the register into the flat tables the engine reads on every decision.

The register is rich Pydantic; a decision must not walk it. Everything the engine needs per purpose
is computed here once into strings, frozensets, dicts, booleans and reason bit masks; what a purpose
says about one set of categories and one recipient is compiled on first use into a `Grant`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from lawful.core.policy.types import Decision, Obligation, Reason
from lawful.core.register.models import (
    LegalBasis,
    ObjectionMode,
    Purpose,
    RecipientKind,
    Register,
    RelationshipScope,
    RelationshipState,
)

Categories = tuple[str, ...] | frozenset[str]

# Reasons travel as bits while a decision is being made: combining, caching and comparing ints is
# what keeps a decision within a microsecond. Bit order is the order reasons are reported in.
BIT: Final = {reason: 1 << rank for rank, reason in enumerate(Reason)}


def reasons_of(mask: int) -> tuple[Reason, ...]:
    return tuple(reason for reason, bit in BIT.items() if mask & bit)


# Categories that name the person. A disclosure to a third party that asks for none of them gets the
# subject's key pseudonymised: a reinsurer needs the risk, not who carries it.
IDENTIFYING_CATEGORIES = ("user.name", "user.contact", "user.government_id", "user.unique_id")
PSEUDONYMOUS_CATEGORY = "user.unique_id.pseudonymous"  # under an identifying key, yet not one


def ancestry(category: str) -> tuple[str, ...]:
    """The category and every key above it; the register enforces that a child's key extends its
    parent's with a dot, so the hierarchy is readable from the key alone."""
    parts = category.split(".")
    return tuple(".".join(parts[:i]) for i in range(len(parts), 0, -1))


def covered(category: str, declared: frozenset[str]) -> bool:
    return not declared.isdisjoint(ancestry(category))


def identifying(category: str) -> bool:
    if category == PSEUDONYMOUS_CATEGORY or category.startswith(PSEUDONYMOUS_CATEGORY + "."):
        return False
    return overlaps(category, IDENTIFYING_CATEGORIES)


def overlaps(category: str, others: Iterable[str]) -> bool:
    """Whether one of the two keys lies under (or is) the other."""
    return any(
        category == o or category.startswith(o + ".") or o.startswith(category + ".")
        for o in others
    )


@dataclass(frozen=True, slots=True)
class CompiledPurpose:
    id: str
    controllers: frozenset[str]
    categories: frozenset[str]
    recipients: dict[str, RecipientKind | None]  # None: declared but absent from the register
    direct_marketing: bool
    balancing: bool
    absolute: bool
    relationship: frozenset[RelationshipState]  # any one of them will do; empty: none needed
    group_scope: bool
    consent: bool
    preference: str | None
    holds: dict[str, frozenset[str]]  # declared legal hold -> the categories it keeps
    human_review: bool
    # Carries out or answers data-subject rights: erasure does not stop it, the other rules do.
    survives_erasure: bool
    # Goes on under an Art. 18 restriction: a legal obligation, the person's consent, or the
    # answer to their rights (18(2)); everything else waits, the data only stored.
    survives_restriction: bool
    # True when nothing about the subject but erasure can stop this purpose: the fast path then
    # skips every per-state check.
    state_free: bool


_OBJECTABLE = frozenset({LegalBasis.LEGITIMATE_INTERESTS, LegalBasis.PUBLIC_TASK})
_SURVIVE_RESTRICTION = frozenset(
    {LegalBasis.LEGAL_OBLIGATION, LegalBasis.VITAL_INTERESTS, LegalBasis.PUBLIC_TASK}
)


def compile_purpose(register: Register, purpose: Purpose) -> CompiledPurpose:
    kinds = {r.id: r.kind for r in register.recipients}
    hold_categories = {h.id: frozenset(h.data_categories) for h in register.legal_holds}
    mode = purpose.objection.mode
    consent = purpose.requires_consent or purpose.legal_basis is LegalBasis.CONSENT
    relationship = frozenset(purpose.relationship)
    return CompiledPurpose(
        id=purpose.id,
        controllers=frozenset(purpose.controllers),
        categories=frozenset(purpose.data_categories),
        recipients={r: kinds.get(r) for r in purpose.recipients},
        direct_marketing=purpose.direct_marketing,
        # Art. 21(1) reaches legitimate interest and public task only; the register check refuses
        # anything else, and a register that slipped through still cannot lock out a contract.
        balancing=mode is ObjectionMode.BALANCING and purpose.legal_basis in _OBJECTABLE,
        absolute=mode is ObjectionMode.ABSOLUTE and purpose.legal_basis in _OBJECTABLE,
        relationship=relationship,
        group_scope=purpose.relationship_scope is RelationshipScope.GROUP,
        consent=consent,
        preference=purpose.preference,
        holds={h: hold_categories[h] for h in purpose.legal_holds if h in hold_categories},
        human_review=purpose.automated_decision is not None,
        survives_erasure=purpose.survives_erasure,
        survives_restriction=purpose.survives_erasure
        or purpose.legal_claims
        or consent
        or purpose.legal_basis in _SURVIVE_RESTRICTION,
        state_free=not (
            purpose.direct_marketing
            or mode is not ObjectionMode.NONE
            or relationship
            or consent
            or purpose.preference
        ),
    )


def compile_purposes(register: Register) -> dict[str, CompiledPurpose]:
    return {p.id: compile_purpose(register, p) for p in register.purposes}


def compile_roles(register: Register) -> dict[str, frozenset[str]]:
    return {role.id: frozenset(role.purposes) for role in register.roles}


class Grant:
    """What a purpose says about one (categories, recipient) pair, whoever asks about whom."""

    __slots__ = ("allowed", "allowed_under_hold", "mask")

    def __init__(self, p: CompiledPurpose, categories: Categories, recipient: str | None) -> None:
        mask = 0
        if not all(covered(c, p.categories) for c in categories):
            mask |= BIT[Reason.CATEGORY_NOT_DECLARED]
        if recipient is not None and recipient not in p.recipients:
            mask |= BIT[Reason.RECIPIENT_NOT_DECLARED]
        obligations = [Obligation.RECORD]
        if p.human_review:
            obligations.append(Obligation.HUMAN_REVIEW)
        obligations.extend(disclosure_obligations(p, categories, recipient))
        self.mask = mask
        # Preallocated: the fast path hands out these very objects.
        self.allowed = None if mask else Decision(True, (), tuple(obligations))
        self.allowed_under_hold = (
            None if mask else Decision(True, (), (*obligations, Obligation.LEGAL_HOLD))
        )


def disclosure_obligations(
    p: CompiledPurpose, categories: Categories, recipient: str | None
) -> tuple[Obligation, ...]:
    """Processors and third parties sit outside the group's control, so they receive only what was
    asked; a third party that asked for no identifying category gets a pseudonym, not a person.
    Group entities are co-controllers under this register and authorities receive what the law
    prescribes, so neither adds an obligation."""
    kind = p.recipients.get(recipient) if recipient is not None else None
    if kind is RecipientKind.PROCESSOR:
        return (Obligation.MINIMISE,)
    if kind is RecipientKind.THIRD_PARTY:
        if any(identifying(c) for c in categories):
            return (Obligation.MINIMISE,)
        return (Obligation.MINIMISE, Obligation.PSEUDONYMISE)
    return ()

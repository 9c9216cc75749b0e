"""Invariants of the engine over arbitrary questions, on the sample and the reference register."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lawful.core.policy import (
    Actor,
    Decision,
    Hold,
    Objection,
    ObjectionStatus,
    Obligation,
    Reason,
    Relationship,
    Request,
    SubjectState,
    compile_policy,
)
from lawful.core.register.models import LegalBasis, ObjectionMode, Register, RelationshipState

TODAY = dt.date(2025, 6, 1)
GHOST = "ghost"  # an id that no register declares
REASON_ORDER = list(Reason)


class World:
    """Strategies drawing from one register's ids, plus ids it does not know."""

    def __init__(self, register: Register) -> None:
        self.register = register
        self.policy = compile_policy(register)
        self.purposes = {p.id: p for p in register.purposes}
        declared = sorted({c for p in register.purposes for c in p.data_categories})
        pool = set(declared) | {c + ".detail" for c in declared}
        pool |= {c.rsplit(".", 1)[0] for c in declared} | {"user.health_and_medical"}
        self.categories = sorted(pool)
        self.entities = [e.id for e in register.entities] + [GHOST]
        self.roles = [r.id for r in register.roles] + [GHOST]
        self.recipients = [r.id for r in register.recipients] + [GHOST]
        self.preferences = sorted({p.preference for p in register.purposes if p.preference})
        self.holds = [h.id for h in register.legal_holds]

    def purpose_ids(self) -> st.SearchStrategy[str]:
        return st.sampled_from([*self.purposes, GHOST])

    def requests(self, purpose: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Request]:
        """Half plausible, so that allowed decisions are common, half arbitrary."""
        purposes = self.purpose_ids() if purpose is None else purpose
        return st.one_of(purposes.flatmap(self._plausible), purposes.flatmap(self._arbitrary))

    def _arbitrary(self, purpose: str) -> st.SearchStrategy[Request]:
        actors = st.builds(Actor, st.sampled_from(self.roles), st.sampled_from(self.entities))
        return st.builds(
            Request,
            actors,
            st.just(purpose),
            st.just("s"),
            st.lists(st.sampled_from(self.categories), max_size=3).map(tuple),
            st.none() | st.sampled_from(self.recipients),
        )

    def _plausible(self, purpose_id: str) -> st.SearchStrategy[Request]:
        purpose = self.purposes.get(purpose_id)
        if purpose is None:
            return self._arbitrary(purpose_id)
        roles = [r.id for r in self.register.roles if purpose_id in r.purposes] or self.roles
        categories = purpose.data_categories + [c + ".detail" for c in purpose.data_categories]
        return st.builds(
            Request,
            st.builds(Actor, st.sampled_from(roles), st.sampled_from(purpose.controllers)),
            st.just(purpose_id),
            st.just("s"),
            st.lists(st.sampled_from(categories), max_size=3).map(tuple),
            st.none() | st.sampled_from(purpose.recipients or [GHOST]),
        )

    def states(self) -> st.SearchStrategy[SubjectState]:
        days = st.none() | st.dates(dt.date(2015, 1, 1), dt.date(2035, 1, 1))
        relationships = st.builds(
            Relationship,
            st.sampled_from(self.entities),
            st.sampled_from(list(RelationshipState)),
            days,
            days,
        )
        objections = st.builds(
            Objection, st.sampled_from([*self.purposes, GHOST]), st.sampled_from(ObjectionStatus)
        )
        holds = st.builds(
            Hold,
            st.sampled_from([*self.holds, GHOST]),
            st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)),
        )
        return st.builds(
            SubjectState,
            as_of=st.just(TODAY),
            relationships=st.lists(relationships, max_size=3).map(tuple),
            objections=st.frozensets(objections, max_size=1),
            dm_objection=st.sampled_from([False, False, True]),
            preferences_off=st.frozensets(st.sampled_from([*self.preferences, GHOST])),
            consents=st.frozensets(st.sampled_from([*self.purposes, GHOST])),
            legal_holds=st.frozensets(holds, max_size=2),
            erased=st.sampled_from([False, False, False, True]),
        )

    def purposes_where(self, keep: Callable[[Any], bool]) -> list[str]:
        return [pid for pid, p in self.purposes.items() if keep(p)]


@pytest.fixture(scope="session")
def world(any_register: Register) -> World:
    return World(any_register)


def decide(world: World, request: Request, state: SubjectState) -> Decision:
    return world.policy.decide(request, state)


@settings(max_examples=300)
@given(data=st.data())
def test_decision_is_well_formed_and_matches_the_reference_rules(
    world: World, data: st.DataObject
) -> None:
    request, state = data.draw(world.requests()), data.draw(world.states())
    decision = decide(world, request, state)
    assert decision == world.policy.explain(request, state)
    assert decision.allowed == (decision.reasons == ())
    assert decision.obligations[0] is Obligation.RECORD
    assert list(decision.reasons) == sorted(set(decision.reasons), key=REASON_ORDER.index)
    if not decision.allowed:
        assert decision.obligations == (Obligation.RECORD,)


@given(data=st.data())
def test_unknown_purpose_is_always_denied(world: World, data: st.DataObject) -> None:
    request = data.draw(world.requests(st.just(GHOST)))
    decision = decide(world, request, data.draw(world.states()))
    assert not decision.allowed
    assert decision.reasons[0] is Reason.PURPOSE_UNKNOWN


@given(data=st.data())
def test_dm_objection_denies_every_direct_marketing_purpose(
    world: World, data: st.DataObject
) -> None:
    marketing = world.purposes_where(lambda p: p.direct_marketing)
    if not marketing:
        return
    request = data.draw(world.requests(st.sampled_from(marketing)))
    state = dataclasses.replace(data.draw(world.states()), dm_objection=True)
    decision = decide(world, request, state)
    assert not decision.allowed
    assert Reason.DM_OBJECTION in decision.reasons


@given(data=st.data())
def test_erased_subject_is_denied_unless_under_a_held_hold_except_purposes_surviving_erasure(
    world: World, data: st.DataObject
) -> None:
    request = data.draw(world.requests())
    state = dataclasses.replace(data.draw(world.states()), erased=True)
    decision = decide(world, request, state)
    purpose = world.purposes.get(request.purpose)
    if purpose is not None and purpose.survives_erasure:
        # Judged as if the subject were not erased: no `erased`, no hold obligation.
        assert decision == decide(world, request, dataclasses.replace(state, erased=False))
        return
    declared = set(purpose.legal_holds) if purpose else set()
    if not declared & state.holds:
        assert Reason.ERASED in decision.reasons
    if decision.allowed:
        assert Obligation.LEGAL_HOLD in decision.obligations


@given(data=st.data())
def test_balancing_objection_denies_that_purpose_and_only_that_one(
    world: World, data: st.DataObject
) -> None:
    balancing = world.purposes_where(lambda p: p.objection.mode is ObjectionMode.BALANCING)
    if not balancing:
        return
    target = data.draw(st.sampled_from(balancing))
    status = data.draw(st.sampled_from([ObjectionStatus.PENDING, ObjectionStatus.UPHELD]))
    before = data.draw(world.states())
    after = dataclasses.replace(before, objections=before.objections | {Objection(target, status)})
    request = data.draw(world.requests())
    if request.purpose == target:
        decision = decide(world, request, after)
        assert not decision.allowed
        expected = {ObjectionStatus.PENDING: Reason.OBJECTION_PENDING}.get(
            status, Reason.OBJECTION_UPHELD
        )
        assert expected in decision.reasons
    else:
        assert decide(world, request, after) == decide(world, request, before)


@given(data=st.data())
def test_objection_on_a_purpose_without_the_right_has_no_effect(
    world: World, data: st.DataObject
) -> None:
    exempt = world.purposes_where(lambda p: p.objection.mode is ObjectionMode.NONE)
    if not exempt:
        return
    objection = Objection(
        data.draw(st.sampled_from(exempt)), data.draw(st.sampled_from(ObjectionStatus))
    )
    before = data.draw(world.states())
    after = dataclasses.replace(before, objections=before.objections | {objection})
    request = data.draw(world.requests())
    assert decide(world, request, after) == decide(world, request, before)


@given(data=st.data())
def test_objections_to_legitimate_interest_never_deny_a_purpose_on_another_basis(
    world: World, data: st.DataObject
) -> None:
    """Art. 21 reaches legitimate-interest processing only: however many objections to those
    purposes stand, pending or upheld, a contract, legal-obligation or consent purpose decides as
    if there were none (the direct-marketing objection aside, asked for on its own)."""
    li = world.purposes_where(lambda p: p.legal_basis is LegalBasis.LEGITIMATE_INTERESTS)
    other = world.purposes_where(lambda p: p.legal_basis is not LegalBasis.LEGITIMATE_INTERESTS)
    if not li or not other:
        return
    targets = data.draw(st.lists(st.sampled_from(li), min_size=1, unique=True))
    statuses = st.sampled_from([ObjectionStatus.PENDING, ObjectionStatus.UPHELD])
    objections = {Objection(t, data.draw(statuses)) for t in targets}
    before = data.draw(world.states())
    after = dataclasses.replace(before, objections=before.objections | objections)
    request = data.draw(world.requests(st.sampled_from(other)))
    assert decide(world, request, after) == decide(world, request, before)


@given(data=st.data())
def test_adding_a_category_never_turns_deny_into_allow(world: World, data: st.DataObject) -> None:
    request, state = data.draw(world.requests()), data.draw(world.states())
    extra = data.draw(st.sampled_from(world.categories))
    wider = dataclasses.replace(request, categories=(*request.categories, extra))
    narrow, wide = decide(world, request, state), decide(world, wider, state)
    if not narrow.allowed:
        assert not wide.allowed
    assert set(narrow.reasons) <= set(wide.reasons)


@settings(max_examples=50)
@given(data=st.data())
def test_bulk_decisions_equal_single_decisions(world: World, data: st.DataObject) -> None:
    states = data.draw(st.lists(world.states(), min_size=1, max_size=4))
    # few distinct states and requests so that the bulk caches are actually hit
    questions = data.draw(
        st.lists(st.tuples(world.requests(), st.sampled_from(states)), max_size=40)
    )
    assert world.policy.decide_many(questions) == [decide(world, r, s) for r, s in questions]


@settings(max_examples=50)
@given(data=st.data())
def test_decide_subjects_equals_single_decisions(world: World, data: st.DataObject) -> None:
    request = data.draw(world.requests())
    states = data.draw(st.lists(world.states(), max_size=10))
    got = world.policy.decide_subjects(
        request.actor, request.purpose, request.categories, states, request.recipient
    )
    assert got == [decide(world, request, s) for s in states]


STATIC_REASONS = {
    Reason.PURPOSE_UNKNOWN,
    Reason.ROLE_UNKNOWN,
    Reason.ROLE_NOT_PERMITTED,
    Reason.ENTITY_NOT_CONTROLLER,
}


@given(data=st.data())
def test_may_pursue_is_decide_without_the_subject_and_the_data(
    world: World, data: st.DataObject
) -> None:
    """What `may_pursue` answers is exactly the absence of the reasons no subject can change."""
    request, state = data.draw(world.requests()), data.draw(world.states())
    decision = decide(world, request, state)
    static = STATIC_REASONS.intersection(decision.reasons)
    assert world.policy.may_pursue(request.actor, request.purpose) == (not static)

"""One example per reason code and obligation, on the sample register of conftest.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from lawful.core.policy import (
    Actor,
    Decision,
    Hold,
    Objection,
    ObjectionStatus,
    Obligation,
    Policy,
    Reason,
    Relationship,
    Request,
    SubjectState,
)
from lawful.core.register.models import RelationshipState

TODAY = dt.date(2025, 6, 1)
CLIENT = RelationshipState.CLIENT
CLIENT_STATE = SubjectState(
    as_of=TODAY,
    relationships=(Relationship("bank", CLIENT), Relationship("insurer", CLIENT)),
)
R = Obligation.RECORD


def ask(
    policy: Policy,
    purpose: str,
    categories: tuple[str, ...],
    *,
    role: str = "advisor",
    entity: str = "bank",
    recipient: str | None = None,
    state: SubjectState = CLIENT_STATE,
) -> Decision:
    request = Request(Actor(role, entity), purpose, "subject-1", categories, recipient)
    decision = policy.decide(request, state)
    assert decision == policy.explain(request, state)
    return decision


def with_state(**changes: Any) -> SubjectState:
    return dataclasses.replace(CLIENT_STATE, **changes)


def test_allowed_request_carries_only_record(policy: Policy) -> None:
    decision = ask(policy, "customer-file", ("user.name", "user.contact.email"))
    assert decision == Decision(True, (), (R,))


def test_fast_path_returns_a_shared_decision(policy: Policy) -> None:
    first = ask(policy, "customer-file", ("user.name",))
    assert ask(policy, "customer-file", ("user.name",)) is first


def test_purpose_unknown(policy: Policy) -> None:
    assert ask(policy, "astrology", ("user.name",)).reasons == (Reason.PURPOSE_UNKNOWN,)


def test_role_unknown(policy: Policy) -> None:
    decision = ask(policy, "customer-file", ("user.name",), role="intern")
    assert decision.reasons == (Reason.ROLE_UNKNOWN,)


def test_role_not_permitted(policy: Policy) -> None:
    decision = ask(policy, "profiling", ("user.behavior",))
    assert decision.reasons == (Reason.ROLE_NOT_PERMITTED,)


def test_entity_not_controller(policy: Policy) -> None:
    decision = ask(policy, "customer-file", ("user.name",), entity="cbc-insurer")
    assert Reason.ENTITY_NOT_CONTROLLER in decision.reasons


def test_category_descendant_is_covered_but_not_ancestor(policy: Policy) -> None:
    assert ask(policy, "card-reminder", ("user.contact.mobile",)).allowed
    decision = ask(policy, "card-reminder", ("user.contact",))
    assert decision.reasons == (Reason.CATEGORY_NOT_DECLARED,)


def test_category_not_declared(policy: Policy) -> None:
    decision = ask(policy, "customer-file", ("user.name", "user.health_and_medical"))
    assert decision.reasons == (Reason.CATEGORY_NOT_DECLARED,)


def test_recipient_not_declared(policy: Policy) -> None:
    decision = ask(policy, "complaints", ("user.name",), recipient="stranger")
    assert decision.reasons == (Reason.RECIPIENT_NOT_DECLARED,)
    decision = ask(policy, "complaints", ("user.name",), recipient="nobody-we-know")
    assert decision.reasons == (Reason.RECIPIENT_NOT_DECLARED,)


def test_objection_pending_restricts_at_once(policy: Policy) -> None:
    state = with_state(objections=frozenset({Objection("customer-file", ObjectionStatus.PENDING)}))
    decision = ask(policy, "customer-file", ("user.name",), state=state)
    assert decision.reasons == (Reason.OBJECTION_PENDING,)


def test_objection_upheld(policy: Policy) -> None:
    state = with_state(objections=frozenset({Objection("customer-file", ObjectionStatus.UPHELD)}))
    decision = ask(policy, "customer-file", ("user.name",), state=state)
    assert decision.reasons == (Reason.OBJECTION_UPHELD,)


def test_objection_rejected_by_the_dpo_lets_processing_resume(policy: Policy) -> None:
    objection = Objection("customer-file", ObjectionStatus.REJECTED)
    state = with_state(objections=frozenset({objection}))
    assert ask(policy, "customer-file", ("user.name",), state=state).allowed


def test_a_restriction_stops_all_but_law_consent_rights_and_the_person_themselves(
    policy: Policy,
) -> None:
    """Art. 18(2): restricted data is only stored, save for a legal obligation, the person's
    consent, the answer to their rights, and what the person does in their own space."""
    state = with_state(restricted_processing=True)
    assert ask(policy, "customer-file", ("user.name",), state=state).reasons == (Reason.RESTRICTED,)
    assert ask(policy, "profiling", ("user.behavior",), role="marketing", state=state).reasons == (
        Reason.RESTRICTED,
    )
    assert ask(policy, "aml", ("user.name",), role="compliance", state=state).allowed
    assert ask(policy, "rights", ("user.name",), role="dpo", state=state).allowed
    assert ask(policy, "customer-file", ("user.name",), role="own-space", state=state).allowed
    # 18(2): the defence of legal claims goes on (a complaint the person made, a dispute).
    disputes = ask(policy, "disputes", ("user.name",), role="complaints-handler", state=state)
    assert disputes.allowed
    # The same state without the restriction: nothing else stood in the way.
    assert ask(policy, "customer-file", ("user.name",)).allowed


def test_objection_to_absolute_purpose_stands_whatever_its_status(policy: Policy) -> None:
    state = with_state(objections=frozenset({Objection("offers", ObjectionStatus.REJECTED)}))
    decision = ask(policy, "offers", ("user.contact",), state=state)
    assert decision.reasons == (Reason.OBJECTION_UPHELD,)


def test_dm_objection(policy: Policy) -> None:
    decision = ask(policy, "offers", ("user.contact",), state=with_state(dm_objection=True))
    assert decision.reasons == (Reason.DM_OBJECTION,)
    assert ask(policy, "customer-file", ("user.name",), state=with_state(dm_objection=True)).allowed


def test_no_relationship_with_the_acting_entity(policy: Policy) -> None:
    state = with_state(relationships=(Relationship("insurer", CLIENT),))
    decision = ask(policy, "customer-file", ("user.name",), state=state)
    assert decision.reasons == (Reason.NO_RELATIONSHIP,)


def test_group_scope_accepts_a_relationship_with_any_entity(policy: Policy) -> None:
    state = with_state(relationships=(Relationship("insurer", CLIENT),))
    assert ask(policy, "offers", ("user.contact",), state=state).allowed
    decision = ask(policy, "offers", ("user.contact",), state=with_state(relationships=()))
    assert decision.reasons == (Reason.NO_RELATIONSHIP,)


def test_relationship_dates_are_read_as_of_the_state_day(policy: Policy) -> None:
    ended = Relationship("bank", CLIENT, since=dt.date(2010, 1, 1), until=dt.date(2020, 1, 1))
    later = Relationship("bank", CLIENT, since=dt.date(2030, 1, 1))
    state = with_state(relationships=(ended, later))
    assert ask(policy, "customer-file", ("user.name",), state=state).reasons == (
        Reason.NO_RELATIONSHIP,
    )
    state = with_state(relationships=(ended, later), as_of=dt.date(2019, 1, 1))
    assert ask(policy, "customer-file", ("user.name",), state=state).allowed


def test_consent_missing(policy: Policy) -> None:
    decision = ask(policy, "partner-offers", ("user.contact",), role="marketing")
    assert decision.reasons == (Reason.CONSENT_MISSING,)
    state = with_state(consents=frozenset({"partner-offers"}))
    assert ask(policy, "partner-offers", ("user.contact",), role="marketing", state=state).allowed


def test_preference_off(policy: Policy) -> None:
    state = with_state(preferences_off=frozenset({"card-balance-reminders"}))
    decision = ask(policy, "card-reminder", ("user.contact.mobile",), state=state)
    assert decision.reasons == (Reason.PREFERENCE_OFF,)


def test_erased_subject_is_denied(policy: Policy) -> None:
    decision = ask(policy, "customer-file", ("user.contact",), state=with_state(erased=True))
    assert decision.reasons == (Reason.ERASED,)


def test_erased_subject_under_a_held_legal_hold(policy: Policy) -> None:
    held = with_state(erased=True, legal_holds=frozenset({Hold("aml", dt.date(2035, 1, 1))}))
    decision = ask(policy, "aml", ("user.government_id",), role="compliance", state=held)
    assert decision == Decision(True, (), (R, Obligation.LEGAL_HOLD))
    # the hold keeps identity and finances, not contact details
    decision = ask(policy, "customer-file", ("user.contact",), role="compliance", state=held)
    assert decision.reasons == (Reason.ERASED,)


def test_expired_or_undeclared_hold_does_not_keep_data(policy: Policy) -> None:
    expired = with_state(erased=True, legal_holds=frozenset({Hold("aml", dt.date(2024, 1, 1))}))
    decision = ask(policy, "aml", ("user.name",), role="compliance", state=expired)
    assert decision.reasons == (Reason.ERASED,)
    claims = with_state(erased=True, legal_holds=frozenset({Hold("claims", dt.date(2035, 1, 1))}))
    decision = ask(policy, "aml", ("user.name",), role="compliance", state=claims)
    assert decision.reasons == (Reason.ERASED,)


def test_a_purpose_that_survives_erasure_acts_on_the_erased_once_the_hold_ended(
    policy: Policy,
) -> None:
    ended = with_state(erased=True, legal_holds=frozenset({Hold("aml", dt.date(2024, 1, 1))}))
    asked = ("user.name", "user.contact", "user.financial")
    decision = ask(policy, "rights", asked, role="dpo", state=ended)
    assert decision == Decision(True, (), (R,))
    assert decision == ask(policy, "rights", asked, role="dpo", state=with_state())
    # Erasure is lifted for that purpose only; every other rule still applies.
    assert ask(policy, "aml", ("user.name",), role="compliance", state=ended).reasons == (
        Reason.ERASED,
    )
    decision = ask(
        policy, "rights", ("user.content",), role="advisor", entity="cbc-insurer", state=ended
    )
    assert decision.reasons == (Reason.ROLE_NOT_PERMITTED, Reason.CATEGORY_NOT_DECLARED)


def test_every_applicable_reason_is_listed_in_order(policy: Policy) -> None:
    state = with_state(dm_objection=True, erased=True, relationships=())
    decision = ask(
        policy,
        "offers",
        ("user.contact", "user.health_and_medical"),
        entity="cbc-insurer",
        recipient="reinsurer",
        state=state,
    )
    assert decision.reasons == (
        Reason.ENTITY_NOT_CONTROLLER,
        Reason.CATEGORY_NOT_DECLARED,
        Reason.RECIPIENT_NOT_DECLARED,
        Reason.ERASED,
        Reason.DM_OBJECTION,
        Reason.NO_RELATIONSHIP,
    )
    assert decision.obligations == (R,)


def test_automated_decision_needs_human_review(policy: Policy) -> None:
    decision = ask(
        policy, "flood-underwriting", ("user.location",), role="underwriter", entity="insurer"
    )
    assert decision.obligations == (R, Obligation.HUMAN_REVIEW)


@pytest.mark.parametrize(
    ("purpose", "recipient", "categories", "obligations"),
    [
        ("reinsurance", "reinsurer", ("user.financial",), (R, "minimise", "pseudonymise")),
        ("reinsurance", "reinsurer", ("user.name",), (R, "minimise")),
        (
            "reinsurance",
            "reinsurer",
            ("user.unique_id.pseudonymous", "user.financial"),
            (R, "minimise", "pseudonymise"),
        ),
        ("reinsurance", "broker-processor", ("user.financial",), (R, "minimise")),
        ("complaints", "card-processor", ("user.financial",), (R, "minimise")),
        ("complaints", "insurer-entity", ("user.name",), (R,)),
        ("complaints", "regulator", ("user.name",), (R,)),
    ],
)
def test_disclosure_obligations(
    policy: Policy,
    purpose: str,
    recipient: str,
    categories: tuple[str, ...],
    obligations: tuple[str, ...],
) -> None:
    role = "underwriter" if purpose == "reinsurance" else "complaints-handler"
    decision = ask(policy, purpose, categories, role=role, entity="insurer", recipient=recipient)
    assert decision.allowed
    assert decision.obligations == obligations


def test_decide_subjects_matches_decide(policy: Policy) -> None:
    states = [CLIENT_STATE, with_state(dm_objection=True), with_state(erased=True)] * 3
    for actor, purpose in ((Actor("advisor", "bank"), "offers"), (Actor("dpo", "bank"), "rights")):
        decisions = policy.decide_subjects(actor, purpose, ("user.contact",), states)
        request = Request(actor, purpose, "", ("user.contact",))
        assert decisions == [policy.decide(request, s) for s in states]
        assert decisions == policy.decide_many((request, s) for s in states)


def test_states_are_hashable_and_equal_by_content() -> None:
    a = with_state(consents=frozenset({"x"}))
    b = with_state(consents=frozenset({"x"}))
    assert a == b
    assert hash(a) == hash(b)
    assert a.signature == b.signature

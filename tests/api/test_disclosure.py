"""Nobody learns whether a person they may not see exists, and refused attempts are on record.

One behaviour, everywhere: a customer asking for any other person's data gets 403 not-permitted,
whether that person exists or not; a staff member whose role or entity may not pursue the route's
purpose at all gets 403 processing-denied before anyone is looked up; and another entity's
customer answers a staff member as an unknown id does (404). The attempt is recorded: a
customer's as a security event on their own record, a staff member's as a refusal.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from lawful.core.ledger import service as ledger
from lawful.web.security import REFUSED, SECURITY_PURPOSE

from .conftest import INSURER, STAFF, Api, Subject, problem
from .test_matrix import NF, ROLE, ROUTES, _subject, body_of, observed

UNKNOWN = "0" * 32  # well formed, on file nowhere


def _person_routes() -> list[str]:
    return [name for name, route in ROUTES.items() if "{person}" in route.path]


def _arranged(api: Api, name: str, subject: Subject) -> dict[str, Any]:
    route = ROUTES[name]
    return {"person": subject.id, **(route.arrange(api, subject) if route.arrange else {})}


def _call(api: Api, name: str, values: dict[str, Any], person: str, token: str | None) -> Any:
    route = ROUTES[name]
    return api.call(
        route.method,
        route.path.format(**{**values, "person": person}),
        token=token,
        json=body_of(route, values),
    )


@pytest.mark.parametrize("name", _person_routes())
def test_a_customer_gets_the_same_403_for_anyone_else_existing_or_not(api: Api, name: str) -> None:
    subject = _subject(api, ROUTES[name].subject)
    values = _arranged(api, name, subject)
    existing = _call(api, name, values, subject.id, api.bob.token)
    missing = _call(api, name, values, UNKNOWN, api.bob.token)
    assert existing.status_code == missing.status_code == 403
    assert problem(existing)["detail"] == problem(missing)["detail"]
    assert "reasons" not in problem(existing)


@pytest.mark.parametrize("role", list(STAFF))
@pytest.mark.parametrize("name", _person_routes())
def test_staff_refused_a_person_get_the_same_answer_for_one_not_on_file(
    api: Api, name: str, role: str
) -> None:
    token = api.staff_tokens[role]
    # The unknown id first: the call about the person may change what a second one would see.
    values = _arranged(api, name, _subject(api, ROUTES[name].subject))
    unseen = observed(_call(api, name, values, UNKNOWN, token))
    seen = observed(_call(api, name, values, values["person"], token))
    if seen.status >= 400:
        assert unseen == seen, f"{role} can tell an existing person from a missing one"
    else:
        assert unseen.status < 500 and unseen.status != seen.status


def test_a_client_of_another_entity_looks_like_nobody(api: Api) -> None:
    """The bank's advisor cannot tell an insurance-only client from an id nobody has."""
    insured = api.person(entity=INSURER)
    token = api.staff_tokens["advisor"]
    there = api.call("GET", f"/persons/{insured.id}", token=token)
    nowhere = api.call("GET", f"/persons/{UNKNOWN}", token=token)
    assert observed(there) == observed(nowhere) == NF


def _events(api: Api, subject_id: str) -> list[Any]:
    with Session(api.runtime.engine) as session:
        return list(ledger.for_subject(session, keys=api.runtime.keys, subject_id=subject_id))


def test_a_customer_asking_for_another_persons_data_is_on_record(api: Api) -> None:
    caller = api.person()
    target = api.person()
    before = len(_events(api, caller.id))
    response = api.call("GET", f"/persons/{target.id}/kyc", token=caller.token)
    assert response.status_code == 403
    new = _events(api, caller.id)[before:]
    assert [(e.event, e.purpose, e.decision) for e in new] == [(REFUSED, SECURITY_PURPOSE, "allow")]
    with Session(api.runtime.engine) as session:
        details = ledger.details(session, keys=api.runtime.keys, record=new[0])
    assert details == {"method": "GET", "route": "/persons/{person_id}/kyc", "target": target.id}
    # The person asked about has nothing new on their record: it is not their doing.
    assert not [e for e in _events(api, target.id) if e.event == REFUSED]


def test_a_role_refused_before_any_lookup_is_on_record(api: Api) -> None:
    """The complaint handler may not use the customer file at all: refused, recorded against the
    id asked for, the same whether anyone has it."""
    token = api.staff_tokens["complaint-handler"]
    for person in (api.alice.id, UNKNOWN):
        before = len(_events(api, person))
        response = api.call("GET", f"/persons/{person}/kyc", token=token)
        assert observed(response) == ROLE
        new = _events(api, person)[before:]
        assert [(e.event, e.decision, list(e.reasons)) for e in new] == [
            (REFUSED, "deny", ["role_not_permitted"])
        ]

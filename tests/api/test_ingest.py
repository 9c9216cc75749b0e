"""`POST /api/v1/events` and `POST /api/v1/decisions`: who may call them, what they answer, and
that what they record is in the ledger."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lawful.auth import service as auth
from lawful.core.gate import unit_of_work
from lawful.core.ledger import service as ledger
from lawful.ingest.schemas import MAX_EVENTS, MAX_SUBJECTS

from .conftest import Api, problem

CARD = ["user.financial.card_statement"]


def system_token(api: Api, system: str = "card-processor", entity: str = "kbc-bank") -> str:
    rt = api.runtime
    with unit_of_work(rt.engine) as session:
        issued = auth.issue_system_token(
            session, register=rt.register, system=system, entity=entity
        )
    return issued.token


def event(key: str, subject: str, **fields: Any) -> dict[str, Any]:
    return {
        "key": key,
        "event": "cards.statement.sent",
        "purpose": "customer-notifications",
        "categories": CARD,
        "subject": subject,
        "occurred_at": "2026-11-30T09:15:00+01:00",
        "details": {"statement": key},
    } | fields


def pending(api: Api) -> int:
    with unit_of_work(api.runtime.engine) as session:
        return ledger.counts(session).total


def test_a_system_records_its_events_once(api: Api) -> None:
    token = system_token(api)
    batch = {"events": [event(f"api-{i}", api.alice.id) for i in range(3)]}
    before = pending(api)
    first = api.call("POST", "/events", token=token, json=batch)
    assert first.status_code == 200, first.text
    assert first.json() == {"recorded": 3, "already_recorded": 0}
    again = api.call("POST", "/events", token=token, json=batch)
    assert again.json() == {"recorded": 0, "already_recorded": 3}
    assert pending(api) == before + 3
    with unit_of_work(api.runtime.engine) as session:
        records = ledger.for_subject(session, keys=api.runtime.keys, subject_id=api.alice.id)
    mine = [r for r in records if r.actor == "card-processor"]
    assert len(mine) == 3 and {r.entity for r in mine} == {"kbc-bank"}


def test_bad_events_are_listed_by_index_and_nothing_is_recorded(api: Api) -> None:
    token = system_token(api)
    batch = {
        "events": [
            event("api-bad-0", api.alice.id),
            event("api-bad-1", api.alice.id, purpose="reinsurance-transfer"),
            event("api-bad-2", "nobody"),
        ]
    }
    before = pending(api)
    response = api.call("POST", "/events", token=token, json=batch)
    assert response.status_code == 422
    body = problem(response)
    assert [(e["index"], e["field"]) for e in body["errors"]] == [
        (1, "purpose"),
        (1, "categories"),
        (2, "subject"),
    ]
    assert pending(api) == before


def test_malformed_events_are_422_naming_the_item_and_field(api: Api) -> None:
    token = system_token(api)
    naive = event("api-naive", api.alice.id, occurred_at="2026-11-30T09:15:00")
    response = api.call("POST", "/events", token=token, json={"events": [naive]})
    assert response.status_code == 422
    assert [e["field"] for e in problem(response)["errors"]] == ["events.0.occurred_at"]
    empty = api.call("POST", "/events", token=token, json={"events": []})
    assert empty.status_code == 422


@pytest.mark.parametrize("who", ["customer-own", "advisor", "dpo"])
def test_only_a_system_token_records_events(api: Api, who: str) -> None:
    response = api.call(
        "POST",
        "/events",
        token=api.token(who, api.alice),
        json={"events": [event(f"api-{who}", api.alice.id)]},
    )
    assert response.status_code == 403, response.text
    assert problem(response)["type"] == "/problems/not-permitted"


def test_events_need_a_token(api: Api) -> None:
    response = api.call("POST", "/events", json={"events": [event("anon", api.alice.id)]})
    assert response.status_code == 401


def test_a_system_token_reads_no_file(api: Api) -> None:
    token = system_token(api, "onboarding-service")
    response = api.call("GET", f"/persons/{api.alice.id}", token=token)
    assert response.status_code == 403
    assert problem(response)["type"] == "/problems/not-permitted"


def test_a_system_asks_for_many_subjects_at_once_and_every_answer_is_recorded(api: Api) -> None:
    token = system_token(api, "reminder-service")
    subjects = [api.alice.id, api.bob.id, "nobody-on-file"]
    before = pending(api)
    response = api.call(
        "POST",
        "/decisions",
        token=token,
        json={"purpose": "customer-notifications", "categories": CARD, "subjects": subjects},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    answers = {d["subject"]: d for d in body["decisions"]}
    assert list(answers) == subjects
    assert answers[api.alice.id]["allowed"] and answers[api.bob.id]["allowed"]
    assert answers[api.alice.id]["obligations"] == ["record"]
    assert answers["nobody-on-file"] == {
        "subject": "nobody-on-file",
        "allowed": False,
        "reasons": ["no_relationship"],
        "obligations": ["record"],
    }
    assert (body["allowed"], body["denied"]) == (2, 1)
    assert pending(api) == before + 3


def test_a_purpose_the_caller_may_not_pursue_is_denied_for_everyone(api: Api) -> None:
    response = api.call(
        "POST",
        "/decisions",
        token=api.staff_tokens["advisor"],
        json={"purpose": "reinsurance-transfer", "categories": ["user.name"],
              "subjects": [api.alice.id]},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    (answer,) = response.json()["decisions"]
    assert not answer["allowed"] and "role_not_permitted" in answer["reasons"]


def test_decisions_are_not_for_customers(api: Api) -> None:
    response = api.call(
        "POST",
        "/decisions",
        token=api.alice.token,
        json={"purpose": "customer-file", "categories": ["user.name"], "subjects": [api.alice.id]},
    )
    assert response.status_code == 403


def test_too_many_subjects_is_refused_before_anything_is_decided(api: Api) -> None:
    before = pending(api)
    response = api.call(
        "POST",
        "/decisions",
        token=system_token(api, "reminder-service"),
        json={
            "purpose": "customer-notifications",
            "categories": CARD,
            "subjects": [f"p{i}" for i in range(MAX_SUBJECTS + 1)],
        },
    )
    assert response.status_code in (413, 422)
    assert pending(api) == before


def test_what_no_database_stores_is_refused_naming_the_field(api: Api) -> None:
    token = system_token(api)
    for bad, field in (
        ({"details": {"note": "\ud800"}}, "events.0.details"),
        ({"subject": "P\u0000"}, "events.0.subject"),
        ({"key": "k\u0000"}, "events.0.key"),
    ):
        body = json.dumps({"events": [event("nul", api.alice.id) | bad]})  # \ud800 escaped
        response = api.client.post(
            "/api/v1/events",
            content=body.encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        assert response.status_code == 422, response.text
        assert [e["field"] for e in problem(response)["errors"]] == [field]


def test_a_batch_longer_than_allowed_is_422_before_anything_is_recorded(api: Api) -> None:
    before = pending(api)
    events = [event(f"long-{i}", api.alice.id, details=None) for i in range(MAX_EVENTS + 1)]
    response = api.call("POST", "/events", token=system_token(api), json={"events": events})
    assert response.status_code == 422
    assert problem(response)["errors"][0]["field"] == "events"
    assert pending(api) == before

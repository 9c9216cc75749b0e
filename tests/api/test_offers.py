"""Offers over HTTP, as the customer, another customer, another entity's staff and no one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lawful.auth import service as auth
from lawful.core.gate import unit_of_work
from lawful.core.ledger import service as ledger
from lawful.entrypoints.cli_offers import offers_job

from .conftest import Api, Subject, problem

MARKETING = {"personalised-offers", "third-party-offers", "commercial-profiling", "partnerships"}


def _with_offers(api: Api) -> Subject:
    """A new bank client with a current account and a card: a savings account is offered."""
    subject = api.person(products=True)
    now = dt.datetime.now(dt.UTC)
    offers_job(api.runtime, today=now.date(), now=now, only=[subject.id])
    return subject


def _offers(api: Api, subject: Subject, **query: str) -> list[dict[str, Any]]:
    path = f"/persons/{subject.id}/offers"
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    response = api.call("GET", path, token=subject.token)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body: list[dict[str, Any]] = response.json()
    return body


def _insurer_advisor(api: Api) -> str:
    with unit_of_work(api.runtime.engine) as session:
        return auth.issue_staff_token(
            session,
            register=api.runtime.register,
            staff_id="advisor-insurer-1",
            display_name="Insurer Advisor",
            role="advisor",
            entity="kbc-insurance",
        ).token


def test_the_customer_reads_their_offers_and_why(api: Api) -> None:
    subject = _with_offers(api)
    offers = _offers(api, subject)
    savings = next(o for o in offers if o["product"] == "savings-account")
    assert savings["why"]["rule"].startswith("savings-for-current-account/")
    assert {f["fact"] for f in savings["why"]["facts"]} == {"current_accounts", "savings_accounts"}
    assert savings["language"] == "nl" and "spaarrekening" in savings["why"]["text"]
    english = _offers(api, subject, lang="en")
    assert "savings account" in next(o for o in english if o["id"] == savings["id"])["title"]


def test_no_token_is_401(api: Api) -> None:
    subject = _with_offers(api)
    response = api.call("GET", f"/persons/{subject.id}/offers")
    assert response.status_code == 401
    problem(response)


def test_another_customer_is_refused_the_same_whether_the_person_exists_or_not(api: Api) -> None:
    subject = _with_offers(api)
    for path in (f"/persons/{subject.id}/offers", "/persons/no-such-person/offers"):
        response = api.call("GET", path, token=api.bob.token)
        assert response.status_code == 403, response.text
        assert problem(response)["type"] == "/problems/not-permitted"


def test_another_customers_offer_is_not_found_under_ones_own_id(api: Api) -> None:
    victim = _with_offers(api)
    attacker = _with_offers(api)
    theirs = _offers(api, victim)[0]["id"]
    for action in ("accept", "decline"):
        response = api.call(
            "POST", f"/persons/{attacker.id}/offers/{theirs}/{action}", token=attacker.token
        )
        assert response.status_code == 404, response.text
        problem(response)
    assert _offers(api, victim)[0]["status"] == "open"


def test_another_entitys_staff_see_nothing(api: Api) -> None:
    subject = _with_offers(api)
    token = _insurer_advisor(api)
    response = api.call("GET", f"/persons/{subject.id}/offers", token=token)
    assert response.status_code == 404, response.text
    unknown = api.call("GET", "/persons/no-such-person/offers", token=token)
    assert unknown.status_code == 404
    assert problem(response)["detail"].startswith("no person")
    assert problem(unknown)["type"] == problem(response)["type"]


def test_the_banks_advisor_sees_the_banks_offers(api: Api) -> None:
    subject = _with_offers(api)
    response = api.call("GET", f"/persons/{subject.id}/offers", token=api.staff_tokens["advisor"])
    assert response.status_code == 200, response.text
    assert {o["entity"] for o in response.json()} == {"kbc-bank"}


@pytest.mark.parametrize(
    "path",
    ["/offers/0/accept", "/offers/99999999999/accept", "/offers/abc/decline", "/offers?lang=xx"],
)
def test_bad_input_is_a_problem_not_an_error(api: Api, path: str) -> None:
    subject = _with_offers(api)
    method = "GET" if "lang" in path else "POST"
    response = api.call(method, f"/persons/{subject.id}{path}", token=subject.token)
    assert response.status_code == 422, response.text
    problem(response)


def test_an_objection_via_the_app_empties_the_offers_and_stops_marketing(api: Api) -> None:
    subject = _with_offers(api)
    assert _offers(api, subject)
    objected = api.call(
        "POST", f"/persons/{subject.id}/objections", token=subject.token, json={"purpose": None}
    )
    assert objected.status_code == 201, objected.text
    with Session(api.runtime.engine) as session:
        before = [
            e
            for e in ledger.for_subject(session, keys=api.runtime.keys, subject_id=subject.id)
            if e.purpose in MARKETING
        ]
    assert _offers(api, subject) == []
    now = dt.datetime.now(dt.UTC)
    outcome = offers_job(api.runtime, today=now.date(), now=now, only=[subject.id])
    assert outcome.by_objection == 1 and outcome.offers_made == 0
    assert _offers(api, subject) == []
    with Session(api.runtime.engine) as session:
        after = [
            e
            for e in ledger.for_subject(session, keys=api.runtime.keys, subject_id=subject.id)
            if e.purpose in MARKETING
        ]
    assert len(after) == len(before)


def test_the_strategy_report_is_staffs_and_k_anonymous(api: Api) -> None:
    _with_offers(api)
    response = api.call("GET", "/offers/report", token=api.staff_tokens["advisor"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["k"] == 10
    for cell in body["segments"]:
        assert cell["suppressed"] == (cell["customers"] is None)
        assert cell["customers"] is None or cell["customers"] >= 10
    assert {c["entity"] for c in body["segments"]} <= {"kbc-bank"}
    assert api.call("GET", "/offers/report", token=api.alice.token).status_code == 403
    assert api.call("GET", "/offers/report").status_code == 401

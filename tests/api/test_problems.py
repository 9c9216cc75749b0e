"""Errors as RFC 9457 problem details, the rights' documents, and an objection that acts at once."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lawful.core.errors import (
    ConfigurationError,
    Conflict,
    LawfulError,
    LedgerTampered,
    NotFound,
    ProcessingDenied,
    RenderError,
)
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.web import problems

from .conftest import BANK, OWN, Api, national_number, person_data, problem

OFFER_ENGINE = Actor("offer-engine", BANK)


# --- the problem types --------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "lwf_not-a-token"], ids=["no token", "unknown token"])
def test_401_is_a_problem_with_a_bearer_challenge(api: Api, token: str | None) -> None:
    response = api.call("GET", f"/persons/{api.alice.id}", token=token)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    body = problem(response)
    assert body["type"] == "/problems/unauthenticated"
    assert body["title"] == "Unauthorized"
    assert body["instance"] == f"/api/v1/persons/{api.alice.id}"


def test_without_a_token_even_a_bad_request_is_401(api: Api) -> None:
    """Nobody learns what a route expects before showing a token."""
    response = api.call("POST", "/persons", json={"first_name": 42})
    assert response.status_code == 401
    assert problem(response)["type"] == "/problems/unauthenticated"


def test_a_route_runs_as_one_unit_of_work(api: Api) -> None:
    """Authenticated, carried out and committed in one step: what it wrote is there afterwards."""
    created = api.as_("advisor", "POST", "/persons", json=person_data())
    assert created.status_code == 201, created.text
    person_id = created.json()["id"]
    assert api.as_("advisor", "GET", f"/persons/{person_id}").status_code == 200
    with Session(api.runtime.engine) as session:
        events = [
            e.event
            for e in ledger.for_subject(session, keys=api.runtime.keys, subject_id=person_id)
        ]
    assert events == ["customers.person.create", "customers.person.read"]


def test_403_processing_denied_lists_the_policys_reasons(api: Api) -> None:
    # Identification records are kept under the AML law, a purpose complaint handlers do not have.
    purpose, reasons = "customer-identification", ["role_not_permitted"]
    response = api.as_("complaint-handler", "GET", f"/persons/{api.alice.id}/kyc")
    assert response.status_code == 403
    body = problem(response)
    assert body["type"] == "/problems/processing-denied"
    assert (body["purpose"], body["reasons"]) == (purpose, reasons)
    # The refusal is on record, with the same reasons, although the request's work rolled back.
    with Session(api.runtime.engine) as session:
        last = ledger.for_subject(session, keys=api.runtime.keys, subject_id=api.alice.id)[-1]
    assert (last.decision, last.purpose, list(last.reasons)) == ("deny", purpose, reasons)


def test_403_not_permitted_for_another_persons_data(api: Api) -> None:
    response = api.call("GET", f"/persons/{api.alice.id}", token=api.bob.token)
    assert response.status_code == 403
    body = problem(response)
    assert body["type"] == "/problems/not-permitted"
    assert "reasons" not in body


def test_404_a_person_not_on_file_where_the_policy_would_have_shown_one(api: Api) -> None:
    """The DPO answers rights across the group: for them, an unknown id is simply not on file.
    (For staff who would need a relationship, see test_disclosure.)"""
    response = api.as_("dpo", "GET", "/persons/nobody-here/objections")
    assert response.status_code == 404
    assert problem(response)["type"] == "/problems/not-found"


@pytest.mark.parametrize(
    ("method", "path", "status", "slug"),
    [("GET", "/no-such-route", 404, "not-found"), ("DELETE", "/me", 405, "method-not-allowed")],
)
def test_the_frameworks_own_errors_are_problems_too(
    api: Api, method: str, path: str, status: int, slug: str
) -> None:
    response = api.as_("advisor", method, path)
    assert response.status_code == status
    assert problem(response)["type"] == f"/problems/{slug}"


def test_409_a_second_direct_marketing_objection(api: Api) -> None:
    subject = api.person()
    path = f"/persons/{subject.id}/objections"
    first = api.call("POST", path, token=subject.token, json={})
    assert first.status_code == 201
    assert (first.json()["kind"], first.json()["status"]) == ("direct_marketing", "upheld")
    second = api.call("POST", path, token=subject.token, json={})
    assert second.status_code == 409
    body = problem(second)
    assert body["type"] == "/problems/conflict"
    assert "direct marketing" in body["detail"]


def test_422_bad_national_number_names_the_field(api: Api) -> None:
    data = person_data()
    good = data["national_number"]
    data["national_number"] = good[:-2] + f"{(int(good[-2:]) + 1) % 100:02d}"
    response = api.as_("advisor", "POST", "/persons", json=data)
    assert response.status_code == 422
    body = problem(response)
    assert body["type"] == "/problems/invalid-input"
    assert [e["field"] for e in body["errors"]] == ["national_number"]
    assert body["errors"][0]["message"]


def test_422_every_bad_field_is_listed(api: Api) -> None:
    data = person_data(email="not-an-address", postcode="99")
    response = api.as_("advisor", "POST", "/persons", json=data)
    assert response.status_code == 422
    assert {e["field"] for e in problem(response)["errors"]} == {"email", "postcode"}


@pytest.mark.parametrize(
    "body",
    [{"changes": {"city": "Gent"}}, {"changes": {"city": "Gent"}, "reason": "   "}],
    ids=["missing", "blank"],
)
def test_422_rectification_without_a_reason_names_reason(api: Api, body: dict[str, object]) -> None:
    response = api.as_("advisor", "PATCH", f"/persons/{api.alice.id}", json=body)
    assert response.status_code == 422
    errors = problem(response)["errors"]
    assert [e["field"] for e in errors] == ["reason"]
    assert not errors[0]["message"].startswith("reason:")


def test_422_a_missing_body_still_names_where(api: Api) -> None:
    response = api.as_("advisor", "POST", "/persons")
    assert response.status_code == 422
    assert [e["field"] for e in problem(response)["errors"]] == ["body"]


def test_422_a_national_number_that_does_not_encode_the_birth_date(api: Api) -> None:
    """A rule the service checks against the file: a domain InvalidInput, same problem shape."""
    other = national_number(dt.date(1950, 2, 3))
    asked = {"type": "rectification", "changes": {"national_number": other}}
    response = api.as_(OWN, "POST", f"/persons/{api.alice.id}/requests", json=asked)
    assert response.status_code == 422
    errors = problem(response)["errors"]
    message = "the national number does not encode the date of birth"
    assert errors == [{"field": "national_number", "message": message}]


@pytest.mark.parametrize("purpose", ["data-subject-rights", "mifid-call-recording"])
def test_objecting_where_the_register_gives_no_right_returns_its_reason(
    api: Api, purpose: str
) -> None:
    response = api.call(
        "POST",
        f"/persons/{api.alice.id}/objections",
        token=api.alice.token,
        json={"purpose": purpose},
    )
    assert response.status_code == 409
    reason = api.runtime.register.purpose(purpose).objection.reason
    assert reason is not None
    # Alice lives in Ghent and speaks Dutch: the register's Dutch reason, word for word.
    assert problem(response)["detail"] == reason["nl"]


# --- the rights' documents ----------------------------------------------------------------------


def test_access_report_as_json(api: Api) -> None:
    response = api.call("GET", f"/persons/{api.alice.id}/access-report", token=api.alice.token)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    report = response.json()
    assert report["person_id"] == api.alice.id
    assert report["lang"] == "nl"
    assert report["data"]["identity"]["first_name"] == "Alice"
    assert len(report["data"]["accounts"]) == 1
    assert report["timeline"], "what was done with the data is part of the answer"


def test_access_report_as_html(api: Api) -> None:
    asked = api.as_("dpo", "POST", f"/persons/{api.alice.id}/requests", json={"type": "access"})
    path = f"/persons/{api.alice.id}/access-report?format=html&request_id={asked.json()['id']}"
    response = api.as_("dpo", "GET", path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text.lstrip().lower().startswith("<!doctype html>")
    assert "Alice" in response.text


def test_access_report_as_pdf(api: Api) -> None:
    path = f"/persons/{api.alice.id}/access-report?format=pdf"
    response = api.call("GET", path, token=api.alice.token)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_access_report_in_an_unknown_format_is_422(api: Api) -> None:
    path = f"/persons/{api.alice.id}/access-report?format=xml"
    response = api.call("GET", path, token=api.alice.token)
    assert response.status_code == 422
    assert [e["field"] for e in problem(response)["errors"]] == ["format"]


def test_portability_is_a_zip_with_json_and_csv(api: Api) -> None:
    response = api.call("GET", f"/persons/{api.alice.id}/portability", token=api.alice.token)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert f'filename="data-{api.alice.id}.zip"' in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = archive.namelist()
        document = json.loads(archive.read("data.json"))
        csvs = {n: archive.read(n).decode("utf-8-sig") for n in names if n.endswith(".csv")}
    assert document["person_id"] == api.alice.id
    assert document["provided"]["identity"]["first_name"] == "Alice"
    assert "provided/identity.csv" in csvs
    assert "observed/accounts.csv" in csvs
    assert "Alice" in csvs["provided/identity.csv"]


# --- an objection acts at once ------------------------------------------------------------------


def _offer(api: Api, person_id: str) -> None:
    """The offer engine asks to personalise an offer; raises ProcessingDenied when refused.

    Asked in a transaction that is rolled back: a probe, not processing to keep on record.
    """
    categories = api.runtime.register.purpose("personalised-offers").data_categories[:2]
    with Session(api.runtime.engine) as session:
        try:
            ctx = api.runtime.gate.open(session, actor=OFFER_ENGINE, purpose="personalised-offers")
            ctx.access(person_id, categories=categories, event="engagement.offer.personalise")
        finally:
            session.rollback()


def test_a_direct_marketing_objection_stops_personalised_offers_at_once(api: Api) -> None:
    subject = api.person()
    _offer(api, subject.id)  # a client of the bank: offers may be personalised

    response = api.call("POST", f"/persons/{subject.id}/objections", token=subject.token, json={})
    assert response.status_code == 201

    with pytest.raises(ProcessingDenied) as refused:
        _offer(api, subject.id)
    assert refused.value.reasons == ("dm_objection",)
    with Session(api.runtime.engine) as session:
        events = [
            (e.event, e.decision)
            for e in ledger.for_subject(session, keys=api.runtime.keys, subject_id=subject.id)
        ]
    assert ("rights.objection.receive", "allow") in events


def test_a_request_names_the_staff_member_who_registered_it(api: Api) -> None:
    person = api.person("Greet", identified=True)
    dpo = api.staff_tokens["dpo"]
    asked = api.call("POST", f"/persons/{person.id}/requests", token=dpo, json={"type": "erasure"})
    without = api.call("POST", f"/persons/{person.id}/erasure", token=dpo)
    assert without.status_code == 422, "staff erase a file only to answer a request"
    assert problem(without)["errors"][0]["field"] == "request_id"
    path = f"/persons/{person.id}/erasure?request_id={asked.json()['id']}"
    erased = api.call("POST", path, token=dpo)
    assert erased.status_code == 200, erased.text
    listed = api.call("GET", f"/persons/{person.id}/requests", token=dpo)
    erasure = next(r for r in listed.json() if r["type"] == "erasure")
    assert erasure["registered_by"] == "dpo:dpo-1"


@pytest.mark.parametrize(
    ("error", "status", "slug"),
    [
        (RenderError("a template leaked a placeholder"), 500, "server-error"),
        (LedgerTampered("sequence 12 does not chain"), 500, "server-error"),
        (
            ConfigurationError("the vault key file /srv/keys/pseudonym.key is damaged"),
            500,
            "server-error",
        ),
        (Conflict("already withdrawn"), 409, "conflict"),
        (NotFound("no objection 7"), 404, "not-found"),
    ],
)
def test_a_domain_error_maps_to_the_status_that_says_whose_fault_it_is(
    error: LawfulError, status: int, slug: str
) -> None:
    """A fault of the installation is a 5xx, never a 400 that tells the caller to fix the call."""
    app = FastAPI()
    problems.install(app)

    @app.get("/boom")
    def boom() -> None:
        raise error

    answer = TestClient(app).get("/boom")
    assert answer.status_code == status
    assert answer.headers["content-type"] == problems.MEDIA_TYPE
    assert answer.json()["type"] == f"/problems/{slug}"
    if status >= 500:  # the installation's own words (a file, a sequence) stay in its log
        assert str(error) not in answer.text and "/srv" not in answer.text

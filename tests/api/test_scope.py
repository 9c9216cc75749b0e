"""Who reaches whose file over HTTP: another entity's staff learn nothing until the person applies.

The takeover this guards against: an advisor of the insurer calls identity reuse for a client of
the bank who never asked to join, then reads the whole file.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.orm import Session

from lawful.auth import service as auth
from lawful.core.gate import unit_of_work
from lawful.core.ledger import service as ledger

from .conftest import BANK, INSURER, Api, Subject, problem

FILE_READS = ("", "/products", "/kyc", "/history", "/applications")


def insurer_advisor(api: Api) -> str:
    with unit_of_work(api.runtime.engine) as session:
        return auth.issue_staff_token(
            session,
            register=api.runtime.register,
            staff_id="ins-advisor-7",
            display_name="Insurance Advisor",
            role="advisor",
            entity=INSURER,
        ).token


def shape(response: httpx.Response, person_id: str) -> tuple[int, dict[str, Any]]:
    """Status and problem body with the one thing that may differ, the id asked for, blanked."""
    body = {k: str(v).replace(person_id, "ID") for k, v in problem(response).items()}
    return response.status_code, body


def events(api: Api, person_id: str) -> list[ledger.LedgerRecord]:
    with Session(api.runtime.engine) as session:
        return ledger.for_subject(session, keys=api.runtime.keys, subject_id=person_id)


def test_another_entitys_client_is_indistinguishable_from_an_unknown_id(api: Api) -> None:
    token = insurer_advisor(api)
    client = api.person("Nora", identified=True, products=True)
    unknown = "0123456789abcdef0123456789abcdef"
    for tail in FILE_READS:
        theirs = api.call("GET", f"/persons/{client.id}{tail}", token=token)
        nobody = api.call("GET", f"/persons/{unknown}{tail}", token=token)
        assert shape(theirs, client.id) == shape(nobody, unknown), tail
        assert theirs.status_code == 404
    # Each attempt is on record as a refusal, under the insurer's name.
    refused = [e for e in events(api, client.id) if e.entity == INSURER]
    assert len(refused) == len(FILE_READS)
    assert {(e.decision, e.reasons) for e in refused} == {("deny", ("no_relationship",))}


def test_reuse_without_an_application_is_refused_recorded_and_opens_nothing(api: Api) -> None:
    token = insurer_advisor(api)
    client = api.person("Omer", identified=True)
    response = api.call("POST", f"/persons/{client.id}/identity-reuse", token=token)
    assert response.status_code == 403
    body = problem(response)
    assert (body["purpose"], body["reasons"]) == ("intra-group-identity-reuse", ["no_application"])
    assert "has not applied to become a client of kbc-insurance" in body["detail"]
    last = events(api, client.id)[-1]
    assert (last.event, last.decision, last.recipient) == (
        "customers.identity.reuse",
        "deny",
        "group-kbc-insurance",
    )
    assert api.call("GET", f"/persons/{client.id}", token=token).status_code == 404


def test_after_the_persons_application_reuse_works_and_the_ledger_shows_the_disclosures(
    api: Api,
) -> None:
    token = insurer_advisor(api)
    client = api.person("Pia", identified=True, products=True)
    applied = api.call(
        "POST", f"/persons/{client.id}/applications", token=client.token, json={"entity": INSURER}
    )
    assert applied.status_code == 201, applied.text
    assert (applied.json()["entity"], applied.json()["status"]) == (INSURER, "open")
    # An applicant is not yet a client: the file stays closed until the identification is reused.
    assert api.call("GET", f"/persons/{client.id}", token=token).status_code == 404

    reused = api.call("POST", f"/persons/{client.id}/identity-reuse", token=token)
    assert reused.status_code == 200, reused.text
    assert (reused.json()["reused"], reused.json()["from_entity"]) == (True, BANK)

    assert api.call("GET", f"/persons/{client.id}", token=token).status_code == 200
    # The bank's products stay the bank's.
    products = api.call("GET", f"/persons/{client.id}/products", token=token).json()
    assert products["accounts"] == [] and products["cards"] == []
    disclosed = [
        (e.event, e.recipient)
        for e in events(api, client.id)
        if e.entity == INSURER and e.decision == "allow" and e.recipient
    ]
    assert disclosed == [
        ("customers.kyc_record.screen", "group-kbc-insurance"),
        ("customers.identity.reuse", "group-kbc-insurance"),
    ]
    mine = api.call("GET", f"/persons/{client.id}/applications", token=client.token).json()
    assert [(a["entity"], a["status"]) for a in mine] == [(INSURER, "completed")]


def test_staff_say_why_they_open_a_file(api: Api) -> None:
    subject: Subject = api.person("Quinten")
    advisor = api.staff_tokens["advisor"]
    silent = api.client.get(
        f"/api/v1/persons/{subject.id}", headers={"Authorization": f"Bearer {advisor}"}
    )
    assert silent.status_code == 422
    assert problem(silent)["errors"][0]["field"] == "reason"
    said = api.client.get(
        f"/api/v1/persons/{subject.id}",
        headers={"Authorization": f"Bearer {advisor}", "X-Lawful-Reason": "mortgage file 2026-118"},
    )
    assert said.status_code == 200
    with Session(api.runtime.engine) as session:
        read = ledger.for_subject(session, keys=api.runtime.keys, subject_id=subject.id)[-1]
        assert read.event == "customers.person.read"
        details = ledger.details(session, keys=api.runtime.keys, record=read)
    assert isinstance(details, dict) and details["reason"] == "mortgage file 2026-118"
    # The customer reading their own file gives no reason.
    own = api.client.get(
        f"/api/v1/persons/{subject.id}", headers={"Authorization": f"Bearer {subject.token}"}
    )
    assert own.status_code == 200


def test_the_reason_header_is_documented(api: Api) -> None:
    schema = api.call("GET", "/openapi.json").json()
    parameters = schema["paths"]["/api/v1/persons/{person_id}"]["get"]["parameters"]
    header = next(p for p in parameters if p["in"] == "header")
    assert header["name"] == "X-Lawful-Reason" and "ledger" in header["description"]


def test_another_entitys_dpo_does_not_see_a_persons_rights_records(api: Api) -> None:
    with unit_of_work(api.runtime.engine) as session:
        token = auth.issue_staff_token(
            session,
            register=api.runtime.register,
            staff_id="ins-dpo-2",
            display_name="Insurance DPO",
            role="dpo",
            entity=INSURER,
        ).token
    client = api.person("Roos")
    objected = api.call("POST", f"/persons/{client.id}/objections", token=client.token, json={})
    assert objected.status_code == 201
    for tail in ("/objections", "/requests"):
        assert api.call("GET", f"/persons/{client.id}{tail}", token=token).status_code == 404
        bank = api.call("GET", f"/persons/{client.id}{tail}", token=api.staff_tokens["dpo"])
        assert bank.status_code == 200 and bank.json()
    refused = [e for e in events(api, client.id) if e.entity == INSURER]
    assert [(e.event, e.decision) for e in refused] == [
        ("rights.objection.read", "deny"),
        ("rights.request.read", "deny"),
    ]


def test_a_decision_names_the_staff_member_who_took_it(api: Api) -> None:
    client = api.person("Saar")
    objection = {"purpose": "call-recording", "grounds": "I was threatened on a recorded line."}
    made = api.call("POST", f"/persons/{client.id}/objections", token=client.token, json=objection)
    decided = api.call(
        "POST",
        f"/objections/{made.json()['id']}/decision",
        token=api.staff_tokens["dpo"],
        json={"upheld": True},
    )
    assert decided.status_code == 200
    assert decided.json()["decided_by"] == "dpo:dpo-1"


def test_another_entitys_dpo_cannot_decide_an_objection(api: Api) -> None:
    with unit_of_work(api.runtime.engine) as session:
        token = auth.issue_staff_token(
            session,
            register=api.runtime.register,
            staff_id="ins-dpo-3",
            display_name="Insurance DPO",
            role="dpo",
            entity=INSURER,
        ).token
    client = api.person("Tijl")
    objection = {"purpose": "call-recording", "grounds": "A recorded line frightens me."}
    made = api.call("POST", f"/persons/{client.id}/objections", token=client.token, json=objection)
    path = f"/objections/{made.json()['id']}/decision"
    foreign = api.call("POST", path, token=token, json={"upheld": False, "grounds": "No."})
    unknown = api.call("POST", "/objections/987654/decision", token=token, json={"upheld": True})
    assert foreign.status_code == unknown.status_code == 404
    # Answered exactly like an id that does not exist: nothing tells it is someone's.
    assert problem(foreign)["title"] == problem(unknown)["title"]
    assert problem(foreign)["detail"] == f"no objection {made.json()['id']}"
    still = api.call("GET", f"/persons/{client.id}/objections", token=client.token).json()
    assert [o["status"] for o in still] == ["pending"]
    bank = api.call("POST", path, token=api.staff_tokens["dpo"], json={"upheld": True})
    assert bank.status_code == 200 and bank.json()["status"] == "upheld"

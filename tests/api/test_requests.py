"""Requests over HTTP: identity changed against a document, requests decided, closed, paged."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import httpx
from sqlalchemy.orm import Session

from lawful.core.ledger import service as ledger

from .conftest import Api, Subject, national_number, problem

EID = {"type": "eid", "number": "592-0000042-17"}


def dpo(api: Api, method: str, path: str, json: Any = None) -> httpx.Response:
    return api.call(method, path, token=api.staff_tokens["dpo"], json=json)


def ask(api: Api, subject: Subject, body: dict[str, Any]) -> httpx.Response:
    return api.call("POST", f"/persons/{subject.id}/requests", token=subject.token, json=body)


def rectification(api: Api, subject: Subject, **changes: Any) -> httpx.Response:
    return ask(api, subject, {"type": "rectification", "changes": changes})


def person(api: Api, subject: Subject) -> dict[str, Any]:
    response = api.call("GET", f"/persons/{subject.id}", token=subject.token)
    body: dict[str, Any] = response.json()
    return body


def test_a_customer_corrects_contact_data_but_not_identity_data(api: Api) -> None:
    subject = api.person("Rik")
    path = f"/persons/{subject.id}"
    moved = {"changes": {"email": "rik.new@example.be", "city": "Gentbrugge"}, "reason": "moved"}
    assert api.call("PATCH", path, token=subject.token, json=moved).status_code == 200
    for field, value in (("last_name", "Peeters"), ("birth_date", "1970-01-01")):
        renamed = {"changes": {field: value}, "reason": "my real name"}
        refused = api.call("PATCH", path, token=subject.token, json=renamed)
        assert refused.status_code == 422, refused.text
        body = problem(refused)
        assert body["errors"][0]["field"] == field
        assert "rectification request" in body["detail"]
    assert person(api, subject)["last_name"] == "Maes"


def test_asking_for_a_taken_or_a_free_national_number_answers_alike(api: Api) -> None:
    subject, holder = api.person("Sien"), api.person("Tuur")
    born = dt.date.fromisoformat(person(api, subject)["birth_date"])
    taken_number = person(api, holder)["national_number"]
    # Sien claims Tuur's number (with his birth date), or a number nobody holds (with hers).
    taken = rectification(
        api,
        subject,
        birth_date=person(api, holder)["birth_date"],
        national_number=taken_number,
    )
    free = rectification(
        api, subject, birth_date=born.isoformat(), national_number=national_number(born)
    )
    assert taken.status_code == free.status_code == 201, (taken.text, free.text)
    varying = {"id", "received_on", "deadline", "original_deadline"}
    assert taken.json().keys() == free.json().keys()
    assert {k: v for k, v in taken.json().items() if k not in varying} == {
        k: v for k, v in free.json().items() if k not in varying
    }
    assert "Tuur" not in taken.text and taken_number not in taken.text
    # The DPO, checking Sien's eID, cannot record the number on her file; her file is unchanged.
    approve = {"approved": True, "grounds": "Checked against the eID.", "document": EID}
    clash = dpo(api, "POST", f"/requests/{taken.json()['id']}/decision", approve)
    assert clash.status_code == 409
    assert "Tuur" not in clash.text and holder.id not in clash.text
    assert person(api, subject)["national_number"] != taken_number


def test_the_dpo_approves_a_rectification_against_a_document_with_history(api: Api) -> None:
    subject = api.person("Ursula")
    asked = rectification(api, subject, last_name="Maes-Peeters")
    request_id = asked.json()["id"]
    assert person(api, subject)["last_name"] == "Maes"  # nothing changes before the check

    no_document = {"approved": True, "grounds": "Checked."}
    refused = dpo(api, "POST", f"/requests/{request_id}/decision", no_document)
    assert refused.status_code == 422 and problem(refused)["errors"][0]["field"] == "document"

    approve = {
        "approved": True,
        "grounds": "Marriage certificate and eID checked.",
        "document": EID,
    }
    decided = dpo(api, "POST", f"/requests/{request_id}/decision", approve)
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert (body["status"], body["decided_by"], body["outcome"]["fields"]) == (
        "completed",
        "dpo:dpo-1",
        ["last_name"],
    )
    assert body["decision_grounds"] == "Marriage certificate and eID checked."
    assert person(api, subject)["last_name"] == "Maes-Peeters"
    history = api.call("GET", f"/persons/{subject.id}/history", token=subject.token).json()
    assert [(h["field"], h["before"], h["after"]) for h in history] == [
        ("last_name", "Maes", "Maes-Peeters")
    ]
    assert "eid 592-0000042-17" in history[0]["reason"]
    again = dpo(api, "POST", f"/requests/{request_id}/decision", approve)
    assert again.status_code == 409


def test_a_rejected_rectification_changes_nothing_and_says_why(api: Api) -> None:
    subject = api.person("Vik")
    request_id = rectification(api, subject, first_name="Viktor").json()["id"]
    reject = {"approved": False, "grounds": "The eID shown reads Vik."}
    decided = dpo(api, "POST", f"/requests/{request_id}/decision", reject)
    assert decided.status_code == 200
    assert (decided.json()["status"], decided.json()["decision_grounds"]) == (
        "refused",
        "The eID shown reads Vik.",
    )
    assert person(api, subject)["first_name"] == "Vik"


def test_a_restriction_is_approved_then_lifted_by_closing_it(api: Api) -> None:
    subject = api.person("Wout")
    request_id = ask(api, subject, {"type": "restriction", "statement": "Wrong address."}).json()[
        "id"
    ]
    early = dpo(api, "POST", f"/requests/{request_id}/closure", {"grounds": "Nothing to lift."})
    assert early.status_code == 409
    approve = {"approved": True, "grounds": "Restricted while we check the address."}
    decided = dpo(api, "POST", f"/requests/{request_id}/decision", approve)
    assert decided.json()["status"] == "in_progress"
    assert decided.json()["outcome"]["restricted_from"] == dt.date.today().isoformat()
    # Art. 18(2): while restricted the file is only stored; the person still reads their own.
    advisor = api.staff_tokens["advisor"]
    held = api.call("GET", f"/persons/{subject.id}", token=advisor)
    assert held.status_code == 403, held.text
    assert "restricted" in problem(held)["reasons"]
    assert api.call("GET", f"/persons/{subject.id}", token=subject.token).status_code == 200
    closed = dpo(
        api, "POST", f"/requests/{request_id}/closure", {"grounds": "Address confirmed by mail."}
    )
    assert closed.status_code == 200
    assert closed.json()["status"] == "completed"
    assert closed.json()["closing_grounds"] == "Address confirmed by mail."
    assert api.call("GET", f"/persons/{subject.id}", token=advisor).status_code == 200
    access = ask(api, subject, {"type": "access"}).json()["id"]
    not_decided = dpo(api, "POST", f"/requests/{access}/decision", approve)
    assert not_decided.status_code == 409


def test_downloading_the_access_report_again_opens_no_new_request(api: Api) -> None:
    subject = api.person("Xavier")
    path = f"/persons/{subject.id}/access-report"
    first = api.call("GET", path, token=subject.token)
    second = api.call("GET", path + "?format=html", token=subject.token)
    assert first.status_code == second.status_code == 200
    requests = api.call("GET", f"/persons/{subject.id}/requests", token=subject.token).json()
    assert [(r["type"], r["status"]) for r in requests] == [("access", "completed")]
    assert first.json()["request_id"] == requests[0]["id"]


def test_the_request_queue_pages_and_is_one_event_per_page(api: Api) -> None:
    for name in ("Yana", "Zeno", "Arne"):
        ask(api, api.person(name), {"type": "access"})
    with Session(api.runtime.engine) as session:
        before = ledger.counts(session).total
    first = dpo(api, "GET", "/requests?limit=2")
    assert first.status_code == 200, first.text
    with Session(api.runtime.engine) as session:
        assert ledger.counts(session).total == before + 1
        [event] = ledger.recent(session, limit=1)
    assert (event.event, event.subject_pseudonym, event.entity) == (
        "rights.request_queue.read",
        None,
        "kbc-bank",
    )
    page = first.json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    seen = [r["id"] for r in page["items"]]
    while page["next_cursor"]:
        page = dpo(api, "GET", f"/requests?limit=2&cursor={page['next_cursor']}").json()
        seen += [r["id"] for r in page["items"]]
    assert len(seen) == len(set(seen)) >= 3
    deadlines = [r["deadline"] for r in dpo(api, "GET", "/requests?limit=200").json()["items"]]
    assert deadlines == sorted(deadlines)
    assert dpo(api, "GET", "/requests?limit=201").status_code == 422
    assert dpo(api, "GET", "/requests?cursor=bm9wZQ").status_code == 422
    # Forged cursors: ids and dates out of range, a NUL, a cursor the size of a page.
    for forged in (
        "2026-01-01|99999999999999999999999",
        "2026-01-01|-1",
        "9999-12-31|1\x00",
        "0001-01-01|9223372036854775808",
        "2026-13-40|1",
        "2026-01-01|" + "9" * 5000,
    ):
        cursor = base64.urlsafe_b64encode(forged.encode()).decode().rstrip("=")
        refused = dpo(api, "GET", f"/requests?cursor={cursor}")
        assert refused.status_code == 422, (forged[:40], refused.status_code, refused.text[:200])
        assert problem(refused)["errors"][0]["field"] == "cursor"
    # The bank's DPO sees the requests made to the bank, and only those.
    assert all(r["entity"] == "kbc-bank" for r in dpo(api, "GET", "/requests").json()["items"])

"""Complaints over HTTP, tried as an attacker would: another entity's staff, another customer,
no token, malformed and oversize input. (Every route × principal is in tests/api/test_matrix.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.api.conftest import Api, Subject, problem

from lawful.auth import service as auth
from lawful.core.gate import unit_of_work

TODAY = dt.date.today()


def _card_of(api: Api, subject: Subject) -> int:
    products = api.call("GET", f"/persons/{subject.id}/products", token=subject.token).json()
    return int(products["cards"][0]["id"])


def _body(card: int, **fields: Any) -> dict[str, Any]:
    return {
        "product_kind": "card",
        "product_id": card,
        "root_cause": "disputed-transaction",
        "summary": "Two payments of 19.99 EUR to a shop I never visited.",
        **fields,
    }


@pytest.fixture(scope="module")
def insurer_handler(api: Api) -> str:
    """A complaint handler of the insurer: the bank's complaints are none of theirs."""
    with unit_of_work(api.runtime.engine) as session:
        return auth.issue_staff_token(
            session,
            register=api.runtime.register,
            staff_id="handler-ins-1",
            display_name="Insurance handler",
            role="complaint-handler",
            entity="kbc-insurance",
        ).token


def _filed(api: Api, **fields: Any) -> tuple[Subject, dict[str, Any]]:
    subject = api.person(products=True)
    response = api.call(
        "POST",
        f"/persons/{subject.id}/complaints",
        token=api.staff_tokens["complaint-handler"],
        json=_body(_card_of(api, subject), source="branch", **fields),
    )
    assert response.status_code == 201, response.text
    return subject, response.json()


def test_another_entitys_handler_gets_the_answer_an_unknown_number_gets(
    api: Api, insurer_handler: str
) -> None:
    _, complaint = _filed(api)
    for path, body in [
        ("/complaints/{n}", None),
        ("/complaints/{n}/transitions", {"to": "acknowledged"}),
        ("/complaints/{n}/data-requests", {"to": "worldline", "reason": "the card's log"}),
    ]:
        method = "GET" if body is None else "POST"
        theirs = api.call(method, path.format(n=complaint["id"]), token=insurer_handler, json=body)
        nobodys = api.call(method, path.format(n=2**31 - 1), token=insurer_handler, json=body)
        assert theirs.status_code == nobodys.status_code == 404
        assert problem(theirs)["detail"].split()[:2] == problem(nobodys)["detail"].split()[:2]
    listed = api.call("GET", "/complaints?limit=100", token=insurer_handler).json()
    assert complaint["id"] not in [c["id"] for c in listed["items"]]


def test_another_customer_neither_reads_nor_files_for_someone_else(api: Api) -> None:
    subject, _ = _filed(api)
    path = f"/persons/{subject.id}/complaints"
    assert api.call("GET", path, token=api.bob.token).status_code == 403
    filed = api.call("POST", path, token=api.bob.token, json=_body(_card_of(api, subject)))
    assert filed.status_code == 403
    assert api.call("GET", path).status_code == 401


def test_the_customer_files_about_their_own_card_and_follows_it(api: Api) -> None:
    subject = api.person(products=True)
    path = f"/persons/{subject.id}/complaints"
    filed = api.call("POST", path, token=subject.token, json=_body(_card_of(api, subject)))
    assert filed.status_code == 201, filed.text
    assert filed.json()["regime"] == "payment-service"
    mine = api.call("GET", path, token=subject.token).json()
    assert [c["id"] for c in mine] == [filed.json()["id"]]
    assert mine[0]["steps"][0]["step"] == "received"
    # Not someone else's card, nor one that does not exist.
    other_card = _card_of(api, api.person(products=True))
    wrong = api.call("POST", path, token=subject.token, json=_body(other_card))
    assert wrong.status_code == 422
    assert [e["field"] for e in problem(wrong)["errors"]] == ["product_id"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"source": "ombudsfin", "source_ref": "OF-1", "ombudsman_due": "2027-01-04"}, "source"),
        ({"product_kind": "bike"}, "product_kind"),
        ({"root_cause": "x" * 40}, "root_cause"),
        ({"summary": "x" * 2001}, "summary"),
        ({"summary": "no\u0000pe"}, "summary"),
        ({"product_id": 2**31}, "product_id"),
        ({"extra": 1}, "extra"),
    ],
)
def test_a_customers_malformed_complaint_is_422_naming_the_field(
    api: Api, fields: dict[str, Any], field: str
) -> None:
    subject = api.alice
    response = api.call(
        "POST",
        f"/persons/{subject.id}/complaints",
        token=subject.token,
        json=_body(_card_of(api, subject), **fields),
    )
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in problem(response)["errors"]], response.text


def test_an_ombudsman_case_needs_its_reference_and_deadline(api: Api) -> None:
    subject = api.person(products=True)
    response = api.call(
        "POST",
        f"/persons/{subject.id}/complaints",
        token=api.staff_tokens["complaint-handler"],
        json=_body(_card_of(api, subject), source="ombudsfin"),
    )
    assert response.status_code == 422
    assert "reference" in problem(response)["detail"]


def test_a_step_the_status_does_not_allow_is_409(api: Api) -> None:
    _, complaint = _filed(api)
    path = f"/complaints/{complaint['id']}/transitions"
    handler = api.staff_tokens["complaint-handler"]
    response = api.call("POST", path, token=handler, json={"to": "closed"})
    assert response.status_code == 409
    assert problem(response)["type"] == "/problems/conflict"
    assert "received cannot become closed" in problem(response)["detail"]
    # Nothing was half-applied: the complaint is as it was.
    again = api.call("GET", f"/complaints/{complaint['id']}", token=handler).json()
    assert again["status"] == "received" and len(again["steps"]) == 1


def test_overdue_complaints_are_surfaced_to_the_entitys_staff(
    api: Api, insurer_handler: str
) -> None:
    late_on = (TODAY - dt.timedelta(days=45)).isoformat()
    _, late = _filed(api, received_on=late_on)
    _, fresh = _filed(api)
    handler = api.staff_tokens["complaint-handler"]
    seen: list[int] = []
    after = 0
    while True:
        page = api.call("GET", f"/complaints?overdue=true&limit=2&after={after}", token=handler)
        assert page.status_code == 200, page.text
        seen += [c["id"] for c in page.json()["items"]]
        assert all(c["overdue"] for c in page.json()["items"])
        if page.json()["next_after"] is None:
            break
        after = page.json()["next_after"]
    assert late["id"] in seen and fresh["id"] not in seen
    theirs = api.call("GET", "/complaints?overdue=true", token=insurer_handler).json()
    assert late["id"] not in [c["id"] for c in theirs["items"]]


@pytest.mark.parametrize("query", ["after=-1", "limit=0", "limit=101", "overdue=maybe"])
def test_a_malformed_page_is_422(api: Api, query: str) -> None:
    response = api.call("GET", f"/complaints?{query}", token=api.staff_tokens["complaint-handler"])
    assert response.status_code == 422
    assert problem(response)["errors"]


def test_another_entitys_handler_cannot_tell_a_customer_from_nobody(
    api: Api, insurer_handler: str
) -> None:
    subject, _ = _filed(api)
    body = _body(_card_of(api, subject), source="branch")
    for method, json in (("GET", None), ("POST", body)):
        there = api.call(
            method, f"/persons/{subject.id}/complaints", token=insurer_handler, json=json
        )
        nowhere = api.call(
            method, f"/persons/{'0' * 32}/complaints", token=insurer_handler, json=json
        )
        assert there.status_code == nowhere.status_code == 404
        assert problem(there)["title"] == problem(nowhere)["title"]

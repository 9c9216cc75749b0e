"""Correspondence over HTTP, tried as an attacker would: another entity's staff, a customer, no
token, a missing ground, oversize and malformed input. (Every route × principal is in
tests/api/test_matrix.)"""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.conftest import Api, Subject, problem

from lawful.auth import service as auth
from lawful.core.gate import unit_of_work
from lawful.core.ledger import service as ledger
from lawful.correspondence.schemas import BODY_MAX
from lawful.web.middleware import DEFAULT_MAX_BODY_BYTES

COMPLAINT = (
    "Goedendag,\nIk ben zeer ontevreden: er werd 35 EUR kosten van mijn kredietkaart afgehaald "
    "zonder enige uitleg. Ik wil een klacht indienen.\nMet vriendelijke groeten,"
)
EXAMINE = {"ground": "evidence", "justification": "The customer disputes what was agreed."}


@pytest.fixture(scope="module")
def insurer_adviser(api: Api) -> str:
    """An adviser of the insurer: the bank's mail is none of theirs."""
    with unit_of_work(api.runtime.engine) as session:
        return auth.issue_staff_token(
            session,
            register=api.runtime.register,
            staff_id="adv-ins-1",
            display_name="Insurance adviser",
            role="advisor",
            entity="kbc-insurance",
        ).token


def _message(api: Api, subject: Subject, body: str = "Je déménage le 1er mars à Namur.") -> int:
    response = api.call(
        "POST",
        f"/persons/{subject.id}/correspondence",
        token=api.staff_tokens["advisor"],
        json={"channel": "email", "subject": "Adres", "body": body},
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_another_entitys_staff_get_the_answer_an_unknown_number_gets(
    api: Api, insurer_adviser: str
) -> None:
    number = _message(api, api.alice)
    for path, body in [
        ("/correspondence/{n}/examinations", EXAMINE),
        ("/correspondence/{n}/drafts", None),
    ]:
        theirs = api.call("POST", path.format(n=number), token=insurer_adviser, json=body)
        nobodys = api.call("POST", path.format(n=2**31 - 1), token=insurer_adviser, json=body)
        assert theirs.status_code == nobodys.status_code == 404
        assert problem(theirs)["detail"].split()[:2] == problem(nobodys)["detail"].split()[:2]
    listed = api.call("GET", f"/persons/{api.alice.id}/correspondence", token=insurer_adviser)
    assert listed.status_code == 404


def test_no_token_is_401_and_a_customer_is_403(api: Api) -> None:
    number = _message(api, api.alice)
    assert (
        api.call("POST", f"/correspondence/{number}/examinations", json=EXAMINE).status_code == 401
    )
    assert api.call("GET", f"/persons/{api.alice.id}/correspondence").status_code == 401
    own = api.call("GET", f"/persons/{api.alice.id}/correspondence", token=api.alice.token)
    assert own.status_code == 403
    mine = api.call(
        "POST", f"/correspondence/{number}/examinations", token=api.alice.token, json=EXAMINE
    )
    assert mine.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "ground"),
        ({"ground": "assignment"}, "justification"),
        ({"justification": "x y z"}, "ground"),
    ],
)
def test_examining_without_a_ground_is_a_422_problem_and_recorded(
    api: Api, body: dict[str, Any], field: str
) -> None:
    subject = api.person()
    number = _message(api, subject)
    path = f"/correspondence/{number}/examinations"
    response = api.call("POST", path, token=api.staff_tokens["advisor"], json=body)
    assert response.status_code == 422
    assert [e["field"] for e in problem(response)["errors"]] == [field]
    with unit_of_work(api.runtime.engine) as session:
        events = ledger.for_subject(session, keys=api.runtime.keys, subject_id=subject.id)
    refused = [e for e in events if e.event == "correspondence.message.examine"]
    assert [(e.decision, e.reasons) for e in refused] == [("deny", ("examination_ground_missing",))]
    # With a ground, the text is read and the examination recorded.
    read = api.call("POST", path, token=api.staff_tokens["advisor"], json=EXAMINE)
    assert read.status_code == 200, read.text
    assert read.json()["body"] == "Je déménage le 1er mars à Namur."
    assert read.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"body": "x" * (BODY_MAX + 1)}, "body"),
        ({"body": ""}, "body"),
        ({"body": "no\u0000pe"}, "body"),
        ({"body": "ok", "subject": "x" * 201}, "subject"),
        ({"body": "ok", "channel": "pigeon"}, "channel"),
        ({"body": "ok", "mailbox": "a b"}, "mailbox"),
        ({"body": "ok", "extra": 1}, "extra"),
    ],
)
def test_a_malformed_or_oversize_message_is_422_naming_the_field(
    api: Api, fields: dict[str, Any], field: str
) -> None:
    response = api.call(
        "POST",
        f"/persons/{api.alice.id}/correspondence",
        token=api.staff_tokens["advisor"],
        json=fields,
    )
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in problem(response)["errors"]]


def test_a_body_over_the_apps_limit_is_413(api: Api) -> None:
    response = api.call(
        "POST",
        f"/persons/{api.alice.id}/correspondence",
        token=api.staff_tokens["advisor"],
        json={"body": "x" * DEFAULT_MAX_BODY_BYTES},
    )
    assert response.status_code == 413
    assert problem(response)["type"] == "/problems/content-too-large"


def test_an_incoming_complaint_is_routed_to_the_complaints_register(api: Api) -> None:
    subject = api.person(products=True)
    number = _message(api, subject, COMPLAINT)
    listed = api.call(
        "GET", f"/persons/{subject.id}/correspondence", token=api.staff_tokens["advisor"]
    ).json()
    [message] = [m for m in listed if m["id"] == number]
    assert (message["language"], message["intent"], message["topic"]) == ("nl", "complaint", "card")
    assert "body" not in message  # listing shows the analysis, never the text
    complaint = api.call(
        "GET", f"/complaints/{message['complaint_id']}", token=api.staff_tokens["complaint-handler"]
    )
    assert complaint.status_code == 200, complaint.text
    assert (complaint.json()["source"], complaint.json()["product_kind"]) == ("customer", "card")


def test_a_drafted_answer_waits_for_approval(api: Api) -> None:
    number = _message(api, api.alice)
    drafted = api.call(
        "POST", f"/correspondence/{number}/drafts", token=api.staff_tokens["advisor"]
    )
    assert drafted.status_code == 201, drafted.text
    assert drafted.json()["status"] == "proposed"
    path = f"/correspondence/drafts/{drafted.json()['id']}/decision"
    rejected = api.call(
        "POST", path, token=api.staff_tokens["back-office"], json={"approve": False}
    )
    assert rejected.json()["status"] == "rejected"
    again = api.call("POST", path, token=api.staff_tokens["back-office"], json={"approve": True})
    assert again.status_code == 422

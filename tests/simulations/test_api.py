"""Simulations and pre-filled forms over HTTP, tried as an attacker would: another customer,
another entity's staff, no token, malformed and oversize input. (Every route × principal is in
tests/api/test_matrix.)"""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.conftest import Api, Subject, problem

from lawful.auth import service as auth
from lawful.core.gate import unit_of_work
from lawful.core.ledger import service as ledger


def _start(api: Api, subject: Subject, **fields: Any) -> dict[str, Any]:
    response = api.call(
        "POST",
        f"/persons/{subject.id}/simulations",
        token=subject.token,
        json={"product": "loan", "language": "nl", **fields},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _step(api: Api, subject: Subject, simulation: int, **answers: Any) -> Any:
    return api.call(
        "POST",
        f"/persons/{subject.id}/simulations/{simulation}/steps",
        token=subject.token,
        json={"name": "amount", "answers": answers},
    )


@pytest.fixture(scope="module")
def insurer_advisor(api: Api) -> str:
    with unit_of_work(api.runtime.engine) as session:
        return auth.issue_staff_token(
            session,
            register=api.runtime.register,
            staff_id="advisor-ins-1",
            display_name="Insurance adviser",
            role="advisor",
            entity="kbc-insurance",
        ).token


def test_the_person_starts_steps_and_abandons_and_the_banks_adviser_reads_it(api: Api) -> None:
    alice = api.alice
    made = _start(api, alice)
    assert (made["status"], made["entity"], made["steps"]) == ("in_progress", "kbc-bank", [])
    stepped = _step(api, alice, made["id"], amount=25_000, duration_months=60)
    assert stepped.status_code == 200, stepped.text
    assert stepped.json()["steps"][0]["answers"] == {"amount": 25_000, "duration_months": 60}
    path = f"/persons/{alice.id}/simulations/{made['id']}"
    closed = api.call("POST", f"{path}/closure", token=alice.token, json={"outcome": "abandoned"})
    assert closed.json()["status"] == "abandoned"
    again = api.call("POST", f"{path}/closure", token=alice.token, json={"outcome": "finished"})
    assert again.status_code == 409
    assert _step(api, alice, made["id"], amount=1).status_code == 409
    read = api.call("GET", path, token=api.staff_tokens["advisor"])
    assert read.status_code == 200 and read.json()["steps"][0]["name"] == "amount"
    listed = api.call("GET", f"/persons/{alice.id}/simulations", token=alice.token)
    assert made["id"] in [s["id"] for s in listed.json()]
    with unit_of_work(api.runtime.engine) as session:
        events = [
            r.event for r in ledger.for_subject(session, keys=api.runtime.keys, subject_id=alice.id)
        ]
    assert {"simulations.simulation.start", "simulations.simulation.step"} <= set(events)


def test_another_customers_simulation_answers_as_an_unknown_number(api: Api) -> None:
    made = _start(api, api.alice)
    bob = api.bob
    for method, suffix, body in [
        ("GET", "", None),
        ("POST", "/steps", {"name": "amount", "answers": {"amount": 1}}),
        ("POST", "/closure", {"outcome": "finished"}),
    ]:
        theirs = api.call(
            method,
            f"/persons/{bob.id}/simulations/{made['id']}{suffix}",
            token=bob.token,
            json=body,
        )
        nobodys = api.call(
            method, f"/persons/{bob.id}/simulations/{2**31 - 1}{suffix}", token=bob.token, json=body
        )
        assert theirs.status_code == nobodys.status_code == 404
        assert problem(theirs)["detail"].split()[:2] == problem(nobodys)["detail"].split()[:2]
    # Through alice's path with bob's token: refused before anything is looked up.
    path = f"/persons/{api.alice.id}/simulations/{made['id']}"
    assert api.call("GET", path, token=bob.token).status_code == 403


def test_no_token_is_401_whatever_the_input(api: Api) -> None:
    alice = api.alice
    for method, path, body in [
        ("POST", f"/persons/{alice.id}/simulations", {"product": "loan"}),
        ("POST", f"/persons/{alice.id}/simulations", {"product": "x" * 10_000}),
        ("GET", f"/persons/{alice.id}/simulations", None),
        ("GET", f"/persons/{alice.id}/simulations/1", None),
        ("POST", f"/persons/{alice.id}/simulations/1/steps", {"name": "a"}),
        ("POST", f"/persons/{alice.id}/simulations/1/closure", {"outcome": "finished"}),
        ("GET", "/simulation-follow-up-tasks", None),
        ("POST", f"/persons/{alice.id}/application-forms", {"form": "loan-application"}),
    ]:
        response = api.call(method, path, json=body)
        assert response.status_code == 401, path
        assert problem(response)["type"] == "/problems/unauthenticated"


def test_another_entitys_staff_get_the_answer_an_unknown_id_gets(
    api: Api, insurer_advisor: str
) -> None:
    made = _start(api, api.alice)
    alice = api.alice
    theirs = api.call("GET", f"/persons/{alice.id}/simulations/{made['id']}", token=insurer_advisor)
    nobodys = api.call("GET", f"/persons/{alice.id}/simulations/{2**31 - 1}", token=insurer_advisor)
    assert theirs.status_code == nobodys.status_code == 404
    listed = api.call("GET", f"/persons/{alice.id}/simulations", token=insurer_advisor)
    unknown = api.call("GET", "/persons/nobody-at-all/simulations", token=insurer_advisor)
    assert listed.status_code == unknown.status_code == 404
    form = api.call(
        "POST",
        f"/persons/{alice.id}/application-forms",
        token=insurer_advisor,
        json={"form": "home-insurance-application"},
    )
    assert form.status_code == 404, form.text
    # Staff do not make simulations for the person.
    started = api.call(
        "POST",
        f"/persons/{alice.id}/simulations",
        token=api.staff_tokens["advisor"],
        json={"product": "loan"},
    )
    assert started.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"product": "mortgage-of-the-moon"}, "product"),
        ({"product": "loan", "entity": "kbc-insurance"}, "entity"),
        ({"product": "loan", "contact_email": "not-an-address"}, "contact_email"),
        ({"product": "loan", "contact_phone": "12"}, "contact_phone"),
        ({"product": "loan", "contact_email": "a@example.be\u0000"}, "contact_email"),
        ({"product": "loan", "language": "xx"}, "language"),
        ({"product": "loan", "surprise": 1}, "surprise"),
    ],
)
def test_malformed_simulations_are_422_naming_the_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    response = api.call(
        "POST", f"/persons/{api.alice.id}/simulations", token=api.alice.token, json=body
    )
    assert response.status_code == 422, response.text
    assert field in response.text
    problem(response)


def test_oversize_or_malformed_steps_are_422(api: Api) -> None:
    made = _start(api, api.alice)
    path = f"/persons/{api.alice.id}/simulations/{made['id']}/steps"
    token = api.alice.token
    for body in [
        {"name": "amount", "answers": {"note": "x" * 201}},
        {"name": "amount", "answers": {f"f{i}": i for i in range(21)}},
        {"name": "Amount Step!", "answers": {}},
        {"name": "amount", "answers": {"amount": {"nested": 1}}},
        {"name": "amount", "answers": {"amount": 10**13}},
        {"name": "amount", "answers": {"Bad Key": 1}},
        {"name": "amount", "answers": []},
    ]:
        response = api.call("POST", path, token=token, json=body)
        assert response.status_code == 422, body
        problem(response)
    big = api.call("POST", f"/persons/{api.alice.id}/simulations/abc/steps", token=token, json={})
    assert big.status_code == 422


def test_a_prospect_who_asks_to_be_contacted_gives_where(api: Api) -> None:
    response = api.call(
        "POST",
        f"/persons/{api.bob.id}/simulations",
        token=api.bob.token,
        json={"product": "home-insurance", "contact_me": True},
    )
    # bob is a client of the bank, not of the insurer: a prospect there, who must say where.
    assert response.status_code == 422
    assert problem(response)["detail"].startswith("contact_me")
    made = _start(
        api, api.bob, product="home-insurance", contact_me=True, contact_phone="0470 12 34 56"
    )
    assert made["contact_phone"] == "+32470123456" and made["entity"] == "kbc-insurance"


def test_a_prefilled_loan_application_names_the_source_of_every_field(api: Api) -> None:
    alice = api.alice
    made = _start(api, alice)
    _step(api, alice, made["id"], amount=18_000, duration_months=48)
    response = api.call(
        "POST",
        f"/persons/{alice.id}/application-forms",
        token=alice.token,
        json={"form": "loan-application", "simulation_id": made["id"]},
    )
    assert response.status_code == 200, response.text
    fields = {f["name"]: f for f in response.json()["fields"]}
    assert fields["first_name"]["value"] == "Alice"
    assert fields["first_name"]["source"] == {
        "kind": "customer_file",
        "record": "your file at kbc-bank",
        "purpose": "process-optimisation",
    }
    assert fields["iban"]["source"]["record"].startswith("current account ")
    assert fields["amount"]["value"] == 18_000
    assert fields["amount"]["source"]["record"] == f"simulation {made['id']}, step amount"
    assert fields["monthly_income"] == {"name": "monthly_income", "value": None, "source": None}
    with unit_of_work(api.runtime.engine) as session:
        records = ledger.for_subject(session, keys=api.runtime.keys, subject_id=alice.id)
    prefills = [r for r in records if r.event == "simulations.application_form.prefill"]
    assert prefills and prefills[-1].purpose == "process-optimisation"
    assert "user.financial.bank_account" in prefills[-1].data_categories
    # Another person's simulation cannot feed alice's form.
    bobs = _start(api, api.bob)
    other = api.call(
        "POST",
        f"/persons/{alice.id}/application-forms",
        token=alice.token,
        json={"form": "loan-application", "simulation_id": bobs["id"]},
    )
    assert other.status_code == 404


def test_the_bank_advisers_tasks_need_the_purpose(api: Api) -> None:
    assert api.call("GET", "/simulation-follow-up-tasks", token=api.alice.token).status_code == 403
    ok = api.call("GET", "/simulation-follow-up-tasks", token=api.staff_tokens["advisor"])
    assert ok.status_code == 200 and isinstance(ok.json(), list)
    refused = api.call("GET", "/simulation-follow-up-tasks", token=api.staff_tokens["dpo"])
    assert refused.status_code == 403

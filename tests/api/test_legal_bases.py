"""Over HTTP: an objection to the legitimate-interest file never locks anyone out of a running
contract, the customer can take an objection back, and the customer's own view shows every
product, bank and insurance alike."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from lawful.core.gate import unit_of_work
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.customers.schemas import HomePolicyCreate, LoanCreate

from .conftest import INSURER, Api, problem

GROUNDS = {"purpose": "customer-file", "grounds": "My ex-partner works at the branch."}


def test_an_objection_to_the_file_leaves_the_contract_to_advisor_dpo_and_customer(
    api: Api,
) -> None:
    client = api.person("Nora", identified=True, products=True)
    made = api.call("POST", f"/persons/{client.id}/objections", token=client.token, json=GROUNDS)
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "pending"
    for token in (api.staff_tokens["advisor"], api.staff_tokens["dpo"], client.token):
        for path in ("", "/products", "/kyc"):
            answer = api.call("GET", f"/persons/{client.id}{path}", token=token)
            assert answer.status_code == 200, (path, answer.text)
    decided = api.call(
        "POST",
        f"/objections/{made.json()['id']}/decision",
        token=api.staff_tokens["dpo"],
        json={"upheld": True},
    )
    assert decided.json()["status"] == "upheld"
    answer = api.call("GET", f"/persons/{client.id}", token=api.staff_tokens["advisor"])
    assert answer.status_code == 200
    with Session(api.runtime.engine) as session:
        last = ledger.for_subject(session, keys=api.runtime.keys, subject_id=client.id)[-1]
    assert (last.purpose, last.decision) == ("customer-contract", "allow")


def test_no_objection_to_the_contract_itself(api: Api) -> None:
    client = api.person("Oona")
    body = {"purpose": "customer-contract", "grounds": "I do not want this"}
    answer = api.call("POST", f"/persons/{client.id}/objections", token=client.token, json=body)
    assert answer.status_code == 409, answer.text
    assert problem(answer)["type"] == "/problems/conflict"


def test_the_customer_withdraws_an_objection_and_it_no_longer_restricts(api: Api) -> None:
    client = api.person("Pieter")
    body = {"purpose": "call-recording", "grounds": "I was threatened on a recorded line."}
    made = api.call("POST", f"/persons/{client.id}/objections", token=client.token, json=body)
    objection = made.json()["id"]
    path = f"/persons/{client.id}/objections/{objection}"
    assert api.call("DELETE", path, token=api.bob.token).status_code == 403
    elsewhere = f"/persons/{api.bob.id}/objections/{objection}"
    assert api.call("DELETE", elsewhere, token=api.bob.token).status_code == 404
    withdrawn = api.call("DELETE", path, token=client.token)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    assert api.call("DELETE", path, token=client.token).status_code == 409
    listed = api.call("GET", f"/persons/{client.id}/objections", token=client.token).json()
    assert [o["status"] for o in listed] == ["withdrawn"]
    # Nothing stands any more: the same objection can be made again.
    again = api.call("POST", f"/persons/{client.id}/objections", token=client.token, json=body)
    assert again.status_code == 201, again.text
    requests = api.call("GET", f"/persons/{client.id}/requests", token=client.token).json()
    statuses = sorted(r["status"] for r in requests if r["type"] == "objection")
    assert statuses == ["completed", "in_progress"]
    with Session(api.runtime.engine) as session:
        events = [
            r.event
            for r in ledger.for_subject(session, keys=api.runtime.keys, subject_id=client.id)
        ]
    assert "rights.objection.withdraw" in events


def test_the_customers_own_view_shows_insurance_policies_too(api: Api) -> None:
    client = api.person("Quinten", products=True)
    today = dt.date.today()
    rt = api.runtime
    with unit_of_work(rt.engine) as session:
        insurer = Actor("advisor", INSURER)
        customers.add_relationship(
            session,
            gate=rt.gate,
            actor=insurer,
            person_id=client.id,
            entity=INSURER,
            state="client",
            since=today,
        )
        customers.add_home_policy(
            session,
            gate=rt.gate,
            actor=insurer,
            person_id=client.id,
            data=HomePolicyCreate(
                policy_number="HP-7781",
                street="Kouter 12",
                postcode="9000",
                city="Gent",
                latitude=51.05,
                longitude=3.72,
                construction_year=1978,
                start_on=today,
            ),
        )
        customers.add_loan(
            session,
            gate=rt.gate,
            actor=Actor("advisor", "kbc-bank"),
            person_id=client.id,
            data=LoanCreate(
                kind="mortgage",
                principal_cents=20_000_000,
                rate_bp=325,
                start_on=today,
                end_on=today.replace(year=today.year + 20),
            ),
        )
    mine = api.call("GET", f"/persons/{client.id}/products", token=client.token)
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert [p["policy_number"] for p in body["home_policies"]] == ["HP-7781"]
    assert len(body["accounts"]) == 1 and len(body["cards"]) == 1 and len(body["loans"]) == 1
    assert set(body) == {"accounts", "cards", "loans", "home_policies"}
    # Staff still see their own entity's products only.
    bank = api.call("GET", f"/persons/{client.id}/products", token=api.staff_tokens["advisor"])
    assert bank.json()["home_policies"] == [] and len(bank.json()["accounts"]) == 1

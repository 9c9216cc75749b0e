"""A home-insurance quote's flood outcome over HTTP: the prospect who made the quote reads it in
their language and contests it; the insurer's underwriter reads and reviews it; another
customer, another insurer's underwriter and malformed numbers get problems, never a 5xx.
(Every route × principal is in tests/api/test_matrix.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.api.conftest import Api, Subject, problem
from tests.rights import factories

from lawful.auth import service as auth
from lawful.core.gate import unit_of_work
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.flood import service

from .conftest import INSIDE, INSURER, partner_file

BUILDING = {
    "street": "Coupure Links",
    "number": "12",
    "postcode": "9000",
    "municipality": "Gent",
    "latitude": INSIDE[0],
    "longitude": INSIDE[1],
    "construction_year": 2021,
}


def prospect(api: Api) -> Subject:
    """A prospect of the insurer, with a customer token of their own."""
    rt = api.runtime
    with unit_of_work(rt.engine) as session:
        person = customers.create_person(
            session,
            gate=rt.gate,
            actor=Actor("advisor", INSURER),
            data=factories.person(language="fr"),
            entity_state="prospect",
            today=dt.date.today() - dt.timedelta(days=3),
        )
        token = auth.issue_customer_token(session, states=rt.gate.states, person_id=person.id)
    return Subject(person.id, token.token)


def start_quote(api: Api, subject: Subject, building: dict[str, Any] = BUILDING) -> int:
    response = api.call(
        "POST",
        f"/persons/{subject.id}/simulations",
        token=subject.token,
        json={
            "product": "home-insurance",
            "entity": INSURER,
            "language": "fr",
            "building": building,
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["building"]["construction_year"] == building["construction_year"]
    return int(response.json()["id"])


@pytest.fixture(scope="module")
def quoted(api: Api, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A prospect's quote for a house in the zone built 2021 (refusal proposed), assessed."""
    subject = prospect(api)
    simulation = start_quote(api, subject)
    path = partner_file(tmp_path_factory.mktemp("flood-quotes"))
    with unit_of_work(api.runtime.engine) as session:
        service.import_file(session, path=path, now=dt.datetime.now(dt.UTC))
        summary = service.assign(session, gate=api.runtime.gate, today=dt.date.today())
    assert summary.quotes == 1
    return {"subject": subject, "simulation": simulation}


def _staff(api: Api, staff_id: str, entity: str) -> str:
    with unit_of_work(api.runtime.engine) as session:
        return auth.issue_staff_token(
            session,
            register=api.runtime.register,
            staff_id=staff_id,
            display_name=staff_id,
            role="underwriter",
            entity=entity,
        ).token


def _path(quoted: dict[str, Any], lang: str = "fr") -> str:
    subject = quoted["subject"]
    return f"/persons/{subject.id}/simulations/{quoted['simulation']}/flood-assessment?lang={lang}"


def test_the_prospect_reads_why_the_underwriter_reviews_and_the_prospect_contests(
    api: Api, quoted: dict[str, Any]
) -> None:
    subject = quoted["subject"]
    mine = api.call("GET", _path(quoted), token=subject.token)
    assert mine.status_code == 200, mine.text
    read = mine.json()["assessment"]
    assert (read["simulation_id"], read["policy_id"]) == (quoted["simulation"], None)
    assert (read["proposed"], read["status"], read["decided"]) == ("refuse", "pending_review", None)
    assert "un souscripteur l'examine" in read["explanation"]
    assert "Bureau de tarification Catastrophes naturelles" in read["explanation"]

    underwriter = _staff(api, "uw-kbc-quotes", INSURER)
    seen = api.call("GET", _path(quoted, "en"), token=underwriter)
    assert seen.status_code == 200 and seen.json()["assessment"]["id"] == read["id"]
    reviewed = api.call(
        "POST",
        f"/flood/assessments/{read['id']}/review",
        token=underwriter,
        json={"outcome": "refuse", "reasons": "Built in 2021 in the zone, on the flood plain."},
    )
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["decided"] == "refuse"

    contested = api.call(
        "POST",
        f"/persons/{subject.id}/flood-assessments/{read['id']}/contest?lang=fr",
        token=subject.token,
        json={"text": "La maison est surélevée de deux mètres depuis 2022."},
    )
    assert contested.status_code == 200, contested.text
    assert contested.json()["status"] == "contested"
    assert "Vous avez contesté ce résultat" in contested.json()["explanation"]


def test_a_quote_not_assessed_yet_reads_as_none(api: Api, quoted: dict[str, Any]) -> None:
    subject = prospect(api)
    simulation = start_quote(api, subject)
    path = f"/persons/{subject.id}/simulations/{simulation}/flood-assessment"
    response = api.call("GET", path, token=subject.token)
    assert response.status_code == 200, response.text
    assert response.json() == {"simulation_id": simulation, "assessment": None}


def test_others_get_problems_never_the_assessment(api: Api, quoted: dict[str, Any]) -> None:
    other_insurer = _staff(api, "uw-cbc-quotes", "cbc-insurance")
    response = api.call("GET", _path(quoted), token=other_insurer)
    assert response.status_code == 404
    assert problem(response)["type"].endswith("not-found")
    other_customer = api.call("GET", _path(quoted), token=api.bob.token)
    assert other_customer.status_code == 403
    problem(other_customer)
    anonymous = api.call("GET", _path(quoted))
    assert anonymous.status_code == 401
    problem(anonymous)
    # Someone else's simulation number under one's own id answers as an unknown one.
    theirs = api.call(
        "GET",
        f"/persons/{api.alice.id}/simulations/{quoted['simulation']}/flood-assessment",
        token=api.alice.token,
    )
    assert theirs.status_code == 404
    problem(theirs)
    subject = quoted["subject"]
    for bad in ("abc", "0", "-1", "99999999999999999999"):
        path = f"/persons/{subject.id}/simulations/{bad}/flood-assessment"
        malformed = api.call("GET", path, token=subject.token)
        assert malformed.status_code in (404, 422), (bad, malformed.text)
        problem(malformed)
    bad_lang = api.call("GET", _path(quoted, "de"), token=subject.token)
    assert bad_lang.status_code == 422
    problem(bad_lang)

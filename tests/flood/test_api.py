"""Flood underwriting over HTTP: the underwriter reviews with their name on it, the customer
reads the reasons in their language and contests; another insurer's underwriter finds nothing.
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

from .conftest import INSIDE, INSIDE_TOO, partner_file

INSURER = "kbc-insurance"


@pytest.fixture(scope="module")
def assessed(api: Api, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """An insurer's client whose house stands in the zone, built 2021 (refusal proposed), and
    another's built 1985 (loading proposed); the partner's data imported and assigned."""
    rt = api.runtime
    made: dict[str, Any] = {}
    for key, at, year in (
        ("late", INSIDE, 2021),
        ("early", INSIDE_TOO, 1985),
        ("early_too", INSIDE_TOO, 1990),
    ):
        subject = api.person(entity=INSURER, identified=True)
        with unit_of_work(rt.engine) as session:
            customers.add_home_policy(
                session,
                gate=rt.gate,
                actor=Actor("underwriter", INSURER),
                person_id=subject.id,
                data=factories.home_policy(latitude=at[0], longitude=at[1], construction_year=year),
            )
        made[key] = subject
    path = partner_file(tmp_path_factory.mktemp("flood"))
    with unit_of_work(rt.engine) as session:
        service.import_file(session, path=path, now=dt.datetime.now(dt.UTC))
        service.assign(session, gate=rt.gate, today=dt.date.today())
    return made


def _theirs(api: Api, subject: Subject, lang: str = "en") -> dict[str, Any]:
    path = f"/persons/{subject.id}/flood-assessments?lang={lang}"
    response = api.call("GET", path, token=subject.token)
    assert response.status_code == 200, response.text
    (one,) = response.json()
    return dict(one)


@pytest.fixture(scope="module")
def other_underwriter(api: Api) -> str:
    with unit_of_work(api.runtime.engine) as session:
        return auth.issue_staff_token(
            session,
            register=api.runtime.register,
            staff_id="uw-cbc-1",
            display_name="CBC underwriter",
            role="underwriter",
            entity="cbc-insurance",
        ).token


def test_the_underwriter_reviews_and_the_customer_reads_why(
    api: Api, assessed: dict[str, Any]
) -> None:
    late = assessed["late"]
    before = _theirs(api, late)
    assert (before["proposed"], before["status"], before["decided"]) == (
        "refuse",
        "pending_review",
        None,
    )
    queue = api.call("GET", "/flood/assessments", token=api.staff_tokens["underwriter"]).json()
    assert before["id"] in [a["id"] for a in queue]
    reviewed = api.call(
        "POST",
        f"/flood/assessments/{before['id']}/review",
        token=api.staff_tokens["underwriter"],
        json={"outcome": "refuse", "reasons": "Built in 2021 in the zone, ground floor level."},
    )
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["reviewed_by"] == "underwriter-1"
    for lang, word in (
        ("fr", "Bureau de tarification"),
        ("nl", "Tariferingsbureau"),
        ("en", "Bureau"),
    ):
        after = _theirs(api, late, lang)
        assert after["decided"] == "refuse" and word in after["explanation"]
        assert "Built in 2021 in the zone, ground floor level." in after["explanation"]


def test_the_customer_contests_and_the_underwriter_reviews_again(
    api: Api, assessed: dict[str, Any]
) -> None:
    early = assessed["early"]
    mine = _theirs(api, early)
    path = f"/persons/{early.id}/flood-assessments/{mine['id']}/contest"
    body = {"text": "The house was raised by a metre in 2020; plans attached."}
    assert api.call("POST", path, token=api.bob.token, json=body).status_code == 403
    staff = api.call("POST", path, token=api.staff_tokens["underwriter"], json=body)
    assert staff.status_code == 403
    contested = api.call("POST", path, token=early.token, json=body)
    assert contested.status_code == 200, contested.text
    assert contested.json()["status"] == "contested"
    again = api.call(
        "POST",
        f"/flood/assessments/{mine['id']}/review",
        token=api.staff_tokens["underwriter"],
        json={"outcome": "cover", "reasons": "The raised floor is on the building plans."},
    )
    assert again.status_code == 200 and again.json()["decided"] == "cover"


def test_another_insurers_underwriter_gets_the_answer_an_unknown_number_gets(
    api: Api, assessed: dict[str, Any], other_underwriter: str
) -> None:
    number = _theirs(api, assessed["late"])["id"]
    body = {"outcome": "cover", "reasons": "Trying someone else's file."}
    theirs = api.call(
        "POST", f"/flood/assessments/{number}/review", token=other_underwriter, json=body
    )
    nobodys = api.call(
        "POST", f"/flood/assessments/{2**31 - 1}/review", token=other_underwriter, json=body
    )
    assert theirs.status_code == nobodys.status_code == 404
    listed = api.call("GET", "/flood/assessments", token=other_underwriter).json()
    assert number not in [a["id"] for a in listed]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "refuse", "reasons": "short"}, "reasons"),
        ({"outcome": "maybe", "reasons": "Not an outcome at all."}, "outcome"),
        ({"outcome": "loading", "reasons": "A loading without a figure."}, None),
        ({"outcome": "cover", "reasons": "x" * 2001}, "reasons"),
        ({"outcome": "cover", "reasons": "Fine by me, really.", "extra": 1}, "extra"),
    ],
)
def test_a_malformed_review_is_422(
    api: Api, assessed: dict[str, Any], body: dict[str, Any], field: str | None
) -> None:
    number = _theirs(api, assessed["late"])["id"]
    response = api.call(
        "POST",
        f"/flood/assessments/{number}/review",
        token=api.staff_tokens["underwriter"],
        json=body,
    )
    assert response.status_code == 422, response.text
    if field:
        assert field in [e["field"] for e in problem(response)["errors"]]


def test_a_refusal_art_129_forbids_is_422_and_changes_nothing(
    api: Api, assessed: dict[str, Any]
) -> None:
    early = assessed["early_too"]
    number = _theirs(api, early)["id"]
    before = _theirs(api, early)
    response = api.call(
        "POST",
        f"/flood/assessments/{number}/review",
        token=api.staff_tokens["underwriter"],
        json={"outcome": "refuse", "reasons": "We would rather not cover it."},
    )
    assert response.status_code == 422, response.text
    assert problem(response)["detail"].endswith("(Law of 4 April 2014, art. 129)")
    assert _theirs(api, early) == before

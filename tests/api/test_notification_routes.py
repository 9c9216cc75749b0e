"""Notification preferences and the inbox over HTTP, tried as the people who should not get in,
with malformed and oversized input, and end to end with the card-reminder job."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from lawful.core.gate import unit_of_work
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.customers.schemas import CardStatementCreate
from lawful.entrypoints.cli_jobs import card_reminders_job

from .conftest import BANK, TODAY, Api, problem

PREFS = "/persons/{}/notification-preferences"


def test_a_customer_reads_and_changes_their_own(api: Api) -> None:
    me = api.person("Nina")
    got = api.call("GET", PREFS.format(me.id), token=me.token)
    assert got.status_code == 200 and got.headers["cache-control"] == "no-store"
    assert {t["topic"] for t in got.json()["topics"]} >= {"card-balance-reminder", "offers"}
    put = api.call(
        "PUT",
        PREFS.format(me.id),
        token=me.token,
        json={"language": "fr", "topics": {"offers": ["in_app"]}, "card_reminder_days": 5},
    )
    assert put.status_code == 200, put.text
    body = put.json()
    assert (body["language"], body["card_reminder_days"]) == ("fr", 5)
    offers = next(t for t in body["topics"] if t["topic"] == "offers")
    assert offers["channels"] == ["in_app"] and offers["title"] == "Offres du groupe"


def test_a_mandatory_notice_switched_off_is_refused_with_a_clear_problem(api: Api) -> None:
    me = api.person("Noor")
    response = api.call(
        "PUT", PREFS.format(me.id), token=me.token, json={"topics": {"security-alerts": []}}
    )
    assert response.status_code == 422
    body = problem(response)
    assert body["errors"][0]["field"] == "topics.security-alerts"
    assert "mandatory notice" in body["errors"][0]["message"]
    assert "cannot be switched off" in body["detail"]


def test_another_customer_is_refused_exactly_as_for_an_unknown_id(api: Api) -> None:
    """Nothing tells bob whether alice exists: the same refusal as for an id nobody has."""
    for method, path, body in (
        ("GET", PREFS, None),
        ("PUT", PREFS, {"language": "en"}),
        ("GET", "/persons/{}/notifications", None),
    ):
        known = api.call(method, path.format(api.alice.id), token=api.bob.token, json=body)
        unknown = api.call(method, path.format("f" * 32), token=api.bob.token, json=body)
        assert known.status_code == unknown.status_code == 403
        assert problem(known)["detail"] == problem(unknown)["detail"]
    # alice's choices are untouched.
    mine = api.call("GET", PREFS.format(api.alice.id), token=api.alice.token).json()
    assert mine["language"] is None


def test_staff_of_another_entity_get_the_answer_of_an_unknown_id(api: Api) -> None:
    insurer = api.staff_tokens["underwriter"]
    for path in (PREFS, "/persons/{}/notifications"):
        known = api.call("GET", path.format(api.alice.id), token=insurer)
        unknown = api.call("GET", path.format("f" * 32), token=insurer)
        assert known.status_code == unknown.status_code == 404
        assert problem(known)["type"] == problem(unknown)["type"] == "/problems/not-found"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"colour": "blue"}, "colour"),
        ({"language": "xx"}, "language"),
        ({"card_reminder_days": 99}, "card_reminder_days"),
        ({"card_reminder_days": -1}, "card_reminder_days"),
        ({"quiet_hours": {"start": "22:00", "end": "22:00"}}, "quiet_hours"),
        ({"quiet_hours": {"start": "25:00", "end": "07:00"}}, "quiet_hours.start"),
        ({"topics": {"offers": ["fax"]}}, "topics.offers.0"),
        ({"topics": {"Offers!": ["email"]}}, "topics.Offers!.[key]"),
        ({"topics": {f"t{i}": [] for i in range(21)}}, "topics"),
        ({"topics": {"offers": ["email"] * 6}}, "topics.offers"),
        ({"topics": {"newsletter": ["email"]}}, "topics.newsletter"),
        ([1, 2, 3], ""),
    ],
)
def test_malformed_input_is_refused_field_by_field(api: Api, body: Any, field: str) -> None:
    response = api.call("PUT", PREFS.format(api.alice.id), token=api.alice.token, json=body)
    assert response.status_code == 422, response.text
    fields = [e["field"] for e in problem(response)["errors"]]
    assert any(f.startswith(field) for f in fields), fields


def test_an_oversized_body_is_refused_before_it_is_read(api: Api) -> None:
    huge = {"topics": {"offers": ["email"]}, "padding": "x" * (2 << 20)}
    response = api.call("PUT", PREFS.format(api.alice.id), token=api.alice.token, json=huge)
    assert response.status_code == 413
    problem(response)


def test_the_reminder_reaches_the_customers_inbox_once(api: Api) -> None:
    me = api.person("Lieve", products=True)
    card = api.call("GET", f"/persons/{me.id}/products", token=me.token).json()["cards"][0]
    due = TODAY + dt.timedelta(days=2)
    with unit_of_work(api.runtime.engine) as session:
        customers.add_card_statement(
            session,
            gate=api.runtime.gate,
            actor=Actor("advisor", BANK),
            person_id=me.id,
            data=CardStatementCreate(
                card_id=card["id"],
                period_end=due - dt.timedelta(days=20),
                balance_cents=15_000,
                minimum_due_cents=1_500,
                due_date=due,
            ),
        )
    now = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=dt.UTC)
    for _ in range(2):
        card_reminders_job(api.runtime, day=TODAY, now=now)
    inbox = api.call("GET", f"/persons/{me.id}/notifications", token=me.token)
    assert inbox.status_code == 200
    mine = [m for m in inbox.json() if m["topic"] == "card-balance-reminder"]
    assert len(mine) == 1
    assert mine[0]["language"] == "nl" and "150,00" in mine[0]["body"]
    assert mine[0]["status"] == "kept"  # push has no service here: kept in the app

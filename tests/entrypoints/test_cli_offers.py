"""`lawful jobs run offers`, `lawful offers compute | report` on a database file of its own."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.rights import factories
from typer.testing import CliRunner

from lawful.core.gate import unit_of_work
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.entrypoints import bootstrap
from lawful.entrypoints.cli import app

runner = CliRunner()
ADVISOR = Actor("advisor", "kbc-bank")


@pytest.fixture
def clients(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Twelve bank clients with a current account only: each is offered a savings account."""
    monkeypatch.setenv("LAWFUL_DATABASE_URL", f"sqlite:///{tmp_path / 'offers.db'}")
    bootstrap.init()
    runtime = bootstrap.open_runtime()
    gate, since = runtime.gate, dt.date.today() - dt.timedelta(days=800)
    ids = []
    try:
        with unit_of_work(runtime.engine) as session:
            for _ in range(12):
                person = customers.create_person(
                    session,
                    gate=gate,
                    actor=ADVISOR,
                    data=factories.person(),
                    entity_state="client",
                    today=since,
                )
                customers.add_account(
                    session, gate=gate, actor=ADVISOR, person_id=person.id, data=factories.account()
                )
                ids.append(person.id)
    finally:
        runtime.engine.dispose()
    return ids


def test_the_job_summarises_and_the_report_suppresses_small_cells(clients: list[str]) -> None:
    ran = runner.invoke(app, ["jobs", "run", "offers"])
    assert ran.exit_code == 0, ran.output
    for line in ("customers considered", "offers made", "left out by objection"):
        assert line in ran.output
    assert "savings-account 12" in ran.output
    again = runner.invoke(app, ["offers", "compute"])
    assert again.exit_code == 0, again.output
    report = runner.invoke(app, ["offers", "report", "--entity", "kbc-bank"])
    assert report.exit_code == 0, report.output
    assert "savings-account" in report.output and "12" in report.output
    assert "suppressed" in report.output  # the credit-card offers: fewer than 10
    assert not any(person in report.output for person in clients)


def test_a_bad_entity_is_one_line_and_a_non_zero_exit(clients: list[str]) -> None:
    result = runner.invoke(app, ["offers", "report", "--entity", "nope"])
    assert result.exit_code != 0
    assert "not an entity of the register" in result.output
    assert "Traceback" not in result.output

"""`lawful complaints overdue | statistics` on a database file of its own."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.rights import factories
from typer.testing import CliRunner

from lawful.complaints import service
from lawful.complaints.schemas import ComplaintCreate
from lawful.core.gate import unit_of_work
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.entrypoints import bootstrap
from lawful.entrypoints.cli import app

runner = CliRunner()
ADVISOR = Actor("advisor", "kbc-bank")
HANDLER = Actor("complaint-handler", "kbc-bank", "handler-1")


@pytest.fixture
def late(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """A database of the test's own with one card complaint received 40 days ago."""
    monkeypatch.setenv("LAWFUL_DATABASE_URL", f"sqlite:///{tmp_path / 'complaints.db'}")
    bootstrap.init()
    runtime = bootstrap.open_runtime()
    gate, today = runtime.gate, dt.date.today()
    try:
        with unit_of_work(runtime.engine) as session:
            person = customers.create_person(
                session, gate=gate, actor=ADVISOR, data=factories.person(), today=today
            )
            account = customers.add_account(
                session, gate=gate, actor=ADVISOR, person_id=person.id, data=factories.account()
            )
            card = customers.add_card(
                session,
                gate=gate,
                actor=ADVISOR,
                person_id=person.id,
                data=factories.card(account_id=account.id),
            )
            data = ComplaintCreate(
                source="branch",
                product_kind="card",
                product_id=card.id,
                root_cause="fees",
                summary="Charged twice for the yearly card fee.",
                received_on=today - dt.timedelta(days=40),
            )
            return service.file_complaint(
                session,
                gate=gate,
                actor=HANDLER,
                person_id=person.id,
                data=data,
                today=today,
                by="complaint-handler:handler-1",
                staff=True,
            ).id
    finally:
        runtime.engine.dispose()


def test_overdue_lists_the_entitys_late_complaints_and_exits_1(late: int) -> None:
    result = runner.invoke(app, ["complaints", "overdue", "--entity", "kbc-bank"])
    assert result.exit_code == 1, result.output
    assert f"#{late}\tcard\tpayment-service\treceived" in result.output
    assert "1 overdue complaint(s) of kbc-bank" in result.output
    other = runner.invoke(app, ["complaints", "overdue", "--entity", "kbc-insurance"])
    assert other.exit_code == 0 and "0 overdue" in other.output


def test_an_unknown_entity_is_refused(late: int) -> None:
    result = runner.invoke(app, ["complaints", "overdue", "--entity", "kbc-bnak"])
    assert result.exit_code == 2
    assert "not an entity of the register" in result.output


def test_statistics_hide_a_cell_of_one(late: int) -> None:
    result = runner.invoke(app, ["complaints", "statistics"])
    assert result.exit_code == 0, result.output
    assert "1 complaint(s) in 1 cell(s) under 10 not shown" in result.output
    assert "fees" not in result.output

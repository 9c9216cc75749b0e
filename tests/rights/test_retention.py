"""The retention job: what it erases when a hold ends, and what it renews or extends instead."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from lawful.core.db import create_engine, upgrade
from lawful.core.gate import Gate, unit_of_work
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Relationship
from lawful.core.register.models import Register, RelationshipState
from lawful.core.vault.keys import Keyring
from lawful.customers import repository as customer_file
from lawful.customers import service as customers
from lawful.customers.models import Account, KycRecord
from lawful.customers.schemas import PersonRead, PolicyFacts, Section
from lawful.entrypoints import cli
from lawful.rights import repository, service
from lawful.rights.dates import add_months
from lawful.rights.retention import HeldRow, plan_person
from lawful.rights.state import DbSubjectStates

from . import factories
from .conftest import ADVISOR, DPO, OFFERS, TODAY, new_person, registered

DAY = dt.date(2031, 3, 1)
ENDED = dt.date(2020, 6, 30)
CLIENT = RelationshipState.CLIENT


def _facts(*periods: Relationship) -> PolicyFacts:
    return PolicyFacts(periods, frozenset(), frozenset(), erased=True)


def test_expired_aml_identification_erases_identity_not_what_others_keep(
    register: Register,
) -> None:
    rows = [
        HeldRow(1, "aml-identification", "id", dt.date(2030, 6, 30)),
        HeldRow(2, "aml-transactions", "tx", dt.date(2031, 7, 20)),
    ]
    plan = plan_person(register, rows, _facts(Relationship("kbc-bank", CLIENT, None, ENDED)), DAY)
    assert plan.release == [1] and plan.write == []
    assert plan.erase == {Section.IDENTITY, Section.KYC}
    assert plan.keep == {Section.ACCOUNTS, Section.CARDS, Section.LOANS}


def test_a_client_still_is_one_so_expired_holds_are_renewed(register: Register) -> None:
    rows = [
        HeldRow(1, "aml-identification", "id", dt.date(2030, 6, 30)),
        HeldRow(2, "contract", "c", dt.date(2031, 1, 1)),
    ]
    plan = plan_person(register, rows, _facts(Relationship("kbc-bank", CLIENT, None)), DAY)
    assert plan.release == [1, 2] and plan.erase == set()
    assert plan.write == [
        ("aml-identification", "id", dt.date(2041, 3, 1)),
        ("contract", "c", dt.date(2032, 3, 1)),
    ]


def test_when_the_contract_ends_aml_counts_from_the_real_end(register: Register) -> None:
    ended = dt.date(2028, 9, 30)
    rows = [
        HeldRow(1, "aml-identification", "id", dt.date(2036, 11, 25)),
        HeldRow(2, "aml-transactions", "tx", dt.date(2036, 11, 25)),
        HeldRow(3, "contract", "c", dt.date(2029, 1, 1)),
    ]
    plan = plan_person(register, rows, _facts(Relationship("kbc-bank", CLIENT, None, ended)), DAY)
    assert plan.write == [
        ("aml-identification", "id", dt.date(2038, 9, 30)),
        ("aml-transactions", "tx", dt.date(2038, 9, 30)),
    ]
    assert sorted(plan.release) == [1, 2, 3]
    # The relationship, the contact details and the home policies were kept only for the contract.
    assert plan.erase == {Section.RELATIONSHIPS, Section.CONTACT, Section.HOME_POLICIES}


def test_running_contract_is_reviewed_not_erased(session: Session, gate: Gate) -> None:
    person = new_person(session, gate, since=dt.date(2015, 3, 2))
    customers.add_account(
        session, gate=gate, actor=ADVISOR, person_id=person.id, data=factories.account()
    )
    service.erase(
        session,
        gate=gate,
        actor=DPO,
        person_id=person.id,
        today=TODAY,
        request_id=registered(session, gate, person.id),
    )
    later = add_months(TODAY, 13)
    assert service.run_retention(session, gate=gate, today=later).released == 1
    holds = repository.holds_of_person(session, person.id, active_only=True)
    assert {(h.hold, h.until) for h in holds} == {
        ("aml-identification", add_months(TODAY, 120)),
        ("aml-transactions", add_months(TODAY, 120)),
        ("contract", add_months(later, 12)),
    }
    assert service.run_retention(session, gate=gate, today=later).released == 0  # idempotent


def _former_client_erased(session: Session, gate: Gate) -> PersonRead:
    person = new_person(session, gate, since=dt.date(2012, 2, 1))
    customers.add_account(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=person.id,
        data=factories.account(closed_on=ENDED),
    )
    customers.end_relationship(
        session, gate=gate, actor=ADVISOR, person_id=person.id, entity="kbc-bank", until=ENDED
    )
    service.erase(
        session,
        gate=gate,
        actor=DPO,
        person_id=person.id,
        today=TODAY,
        request_id=registered(session, gate, person.id),
    )
    return person


def test_retention_job_erases_after_the_hold_date(session: Session, gate: Gate) -> None:
    person = _former_client_erased(session, gate)
    assert service.run_retention(session, gate=gate, today=dt.date(2030, 6, 30)).released == 0
    run = service.run_retention(session, gate=gate, today=dt.date(2030, 7, 1))
    assert (run.released, run.renewed, run.erased, run.refused) == (2, 0, 1, 0)
    assert repository.holds_of_person(session, person.id, active_only=True) == []
    # What the holds kept (identity, identifications, accounts) is gone now.
    kept = customer_file.person(session, person.id)
    assert kept is not None and kept.national_number is None and kept.last_name is None
    assert customer_file.rows_of(session, Account, person.id) == []
    assert customer_file.rows_of(session, KycRecord, person.id) == []
    events = ledger.for_subject(session, keys=gate.keys, subject_id=person.id)
    erase = events[-1]
    assert (erase.event, erase.decision, erase.details) == ("customers.person.erase", "allow", None)
    assert {"user.name", "user.financial.bank_account"} <= set(erase.data_categories)
    assert ledger.verify(session, keys=gate.keys).ok


def test_retention_job_refuses_what_the_gate_refuses_and_keeps_the_hold(
    session: Session, gate: Gate
) -> None:
    """An actor the register does not let act on rights erases and releases nothing."""
    person = _former_client_erased(session, gate)
    day = dt.date(2030, 7, 1)
    run = service.run_retention(session, gate=gate, today=day, actor=OFFERS)
    assert (run.released, run.erased, run.refused) == (0, 0, 1)
    holds = repository.holds_of_person(session, person.id, active_only=True)
    assert {h.hold for h in holds} == {"aml-identification", "aml-transactions"}
    refused = ledger.for_subject(session, keys=gate.keys, subject_id=person.id)[-1]
    assert (refused.decision, refused.reasons) == ("deny", ("role_not_permitted",))
    kept = customer_file.person(session, person.id)
    assert kept is not None and kept.national_number is not None


def test_the_retention_job_runs_from_the_command_line(
    database_of_its_own: Callable[[str], AbstractContextManager[str]],
    register: Register,
    monkeypatch: pytest.MonkeyPatch,
    keyring: Keyring,
) -> None:
    with database_of_its_own("retention") as url:
        engine = create_engine(url)
        upgrade(engine)
        with unit_of_work(engine) as session:
            person = _former_client_erased(
                session, Gate.build(register, DbSubjectStates(), keyring)
            )
        monkeypatch.setenv("LAWFUL_DATABASE_URL", url)
        runner = CliRunner()
        result = runner.invoke(cli.app, ["rights", "retention", "--today", "2030-06-30"])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("retention as of 2030-06-30: 0 hold(s) ended")
        result = runner.invoke(cli.app, ["rights", "retention", "--today", "2030-07-01"])
        assert result.exit_code == 0, result.output
        assert result.output.strip() == (
            "retention as of 2030-07-01: 2 hold(s) ended — 0 renewed or extended, "
            "held data of 1 person(s) erased"
        )
        with unit_of_work(engine) as session:
            assert repository.holds_of_person(session, person.id, active_only=True) == []
            assert ledger.verify(session, keys=keyring).ok
        again = runner.invoke(cli.app, ["rights", "retention", "--today", "2030-07-01"])
        assert "0 hold(s) ended" in again.output  # nothing left to do
        bad = runner.invoke(cli.app, ["rights", "retention", "--today", "1 July"])
        assert bad.exit_code == 2 and "Traceback" not in bad.output
        engine.dispose()

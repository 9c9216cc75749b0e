"""Legal holds and the retention job: hold ends count from the end of what they protect; former
clients are erased once their file's period is over; what an ended hold kept goes unless
something still keeps it; every run can stop anywhere and be run again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from sqlalchemy.orm import Session
from tests.rights import factories
from typer.testing import CliRunner

from lawful.core.db import create_engine, upgrade
from lawful.core.gate import Gate, unit_of_work
from lawful.core.ledger import service as ledger
from lawful.core.register.models import Register, RelationshipState
from lawful.core.vault.keys import Keyring
from lawful.customers import repository as customer_file
from lawful.customers import service as customers
from lawful.customers.facts import Period
from lawful.customers.models import Account, KycRecord
from lawful.customers.schemas import PersonRead, Section
from lawful.customers.service import FileFacts, Product
from lawful.entrypoints import cli
from lawful.flows import erasure
from lawful.flows import retention as job
from lawful.rights import repository, service
from lawful.rights.dates import add_months
from lawful.rights.state import DbSubjectStates

from .conftest import ADVISOR, DPO, OFFERS, TODAY, new_person, registered

DAY = dt.date(2026, 6, 1)
ENDED = dt.date(2020, 6, 30)
CLIENT = RelationshipState.CLIENT
FORMER = RelationshipState.FORMER_CLIENT
EVERYTHING = frozenset(Section)


def _plan(session: Session, register: Register, facts: FileFacts, **kw: object) -> set[tuple]:  # type: ignore[type-arg]
    kept = service.plan_holds(session, register, {"p": facts}, DAY, **kw)["p"]  # type: ignore[arg-type]
    return {(k.section.value, k.hold, k.until) for k in kept}


def test_a_fixed_term_contract_is_kept_until_it_ends_and_aml_from_then(
    session: Session, register: Register
) -> None:
    # A client until the mortgage is paid off; nothing else runs.
    end = dt.date(2040, 3, 31)
    facts = FileFacts(
        relationships=(Period("kbc-bank", CLIENT, dt.date(2015, 3, 2), end),),
        products={Section.LOANS: (Product("kbc-bank", end),)},
        present=frozenset(
            {Section.IDENTITY, Section.CONTACT, Section.RELATIONSHIPS, Section.LOANS}
        ),
    )
    assert _plan(session, register, facts) == {
        ("identity", "running-contract", end),
        ("contact", "running-contract", end),
        ("relationships", "running-contract", end),
        ("loans", "running-contract", end),
        # Still a client: the relationship's end, which AML counts from, has not come.
        ("identity", "aml-identification", None),
        ("relationships", "aml-identification", None),
        ("loans", "aml-transactions", dt.date(2050, 3, 31)),
    }


def test_insurance_is_kept_three_years_after_the_policy_ends(
    session: Session, register: Register
) -> None:
    ended = dt.date(2025, 3, 31)
    facts = FileFacts(
        relationships=(
            Period("kbc-insurance", CLIENT, dt.date(2010, 4, 1), ended),
            Period("kbc-insurance", FORMER, ended + dt.timedelta(days=1), None),
        ),
        products={Section.HOME_POLICIES: (Product("kbc-insurance", ended),)},
        present=frozenset({Section.IDENTITY, Section.CONTACT, Section.HOME_POLICIES}),
    )
    assert _plan(session, register, facts) == {
        ("identity", "insurance-contract", dt.date(2028, 3, 31)),
        ("home_policies", "insurance-contract", dt.date(2028, 3, 31)),
        ("identity", "aml-identification", dt.date(2035, 3, 31)),
    }


def test_a_stored_hold_is_never_shortened(session: Session, register: Register) -> None:
    # The relationship it counted from was erased since: the stored end still stands.
    facts = FileFacts(present=frozenset({Section.IDENTITY, Section.KYC}))
    standing = {
        "p": service.standing_holds_from([("aml-identification", dt.date(2031, 1, 31))], DAY)
    }
    assert _plan(session, register, facts, standing=standing) == {
        ("identity", "aml-identification", dt.date(2031, 1, 31)),
        ("kyc", "aml-identification", dt.date(2031, 1, 31)),
    }


def test_a_running_contract_is_reviewed_and_renewed_while_it_runs(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate, since=dt.date(2015, 3, 2))
    customers.add_account(
        session, gate=gate, actor=ADVISOR, person_id=person.id, data=factories.account()
    )
    erasure.erase(
        session,
        gate=gate,
        actor=DPO,
        person_id=person.id,
        today=TODAY,
        request_id=registered(session, gate, person.id),
    )
    later = add_months(TODAY, 13)
    run = job.run_retention(session, gate=gate, today=later)
    assert (run.reviewed, run.held_data_erased, run.holds_released) == (1, 0, 3)
    holds = repository.holds_of_person(session, person.id, active_only=True)
    review = add_months(later, 12)
    assert {(h.hold, h.until, h.ends_on) for h in holds} == {
        ("aml-identification", review, None),
        ("aml-transactions", review, None),
        ("running-contract", review, None),
    }
    assert job.run_retention(session, gate=gate, today=later).reviewed == 0  # idempotent


def test_when_the_contract_ends_its_data_goes_and_aml_counts_from_the_real_end(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate, since=dt.date(2015, 3, 2))
    erasure.erase(
        session,
        gate=gate,
        actor=DPO,
        person_id=person.id,
        today=TODAY,
        request_id=registered(session, gate, person.id),
    )
    # The erased client's contract is still served: the bank can end the relationship.
    ended = TODAY + dt.timedelta(days=30)
    customers.end_relationship(
        session, gate=gate, actor=ADVISOR, person_id=person.id, entity="kbc-bank", until=ended
    )
    later = add_months(TODAY, 13)
    run = job.run_retention(session, gate=gate, today=later)
    assert (run.reviewed, run.held_data_erased) == (1, 1)
    holds = repository.holds_of_person(session, person.id, active_only=True)
    ten_years = add_months(ended, 120)
    assert {(h.hold, h.until, h.ends_on) for h in holds} == {
        ("aml-identification", ten_years, ten_years)
    }
    row = customer_file.person(session, person.id)
    assert row is not None and row.email is None and row.last_name == person.last_name


def _former_client(
    session: Session, gate: Gate, *, ended: dt.date, since: dt.date = dt.date(2009, 2, 1)
) -> PersonRead:
    person = new_person(session, gate, since=since)
    customers.add_kyc_record(
        session, gate=gate, actor=ADVISOR, person_id=person.id, data=factories.kyc(since)
    )
    customers.add_account(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=person.id,
        data=factories.account(opened_on=since, closed_on=ended),
    )
    customers.end_relationship(
        session, gate=gate, actor=ADVISOR, person_id=person.id, entity="kbc-bank", until=ended
    )
    return person


def test_former_clients_past_their_files_period_are_erased_and_only_them(
    session: Session, gate: Gate
) -> None:
    day = dt.date(2026, 6, 1)
    old = _former_client(session, gate, ended=dt.date(2019, 6, 30))
    recent = _former_client(session, gate, ended=dt.date(2022, 6, 30))
    client = new_person(session, gate, since=dt.date(2009, 2, 1))
    run = job.run_retention(session, gate=gate, today=day)
    assert (run.former_clients_erased, run.refused) == (1, 0)
    assert customer_file.presence(session, old.id).erased_at is not None  # type: ignore[union-attr]
    for kept in (recent, client):
        assert customer_file.presence(session, kept.id).erased_at is None  # type: ignore[union-attr]
    # What the law still needs stays, counted from the end of the relationship.
    holds = repository.holds_of_person(session, old.id, active_only=True)
    assert {(h.hold, h.ends_on) for h in holds} == {
        ("aml-identification", dt.date(2029, 6, 30)),
        ("aml-transactions", dt.date(2029, 6, 30)),
    }
    row = customer_file.person(session, old.id)
    assert row is not None and row.email is None and row.national_number == old.national_number
    events = [e.event for e in ledger.for_subject(session, keys=gate.keys, subject_id=old.id)]
    assert events[-2:] == ["rights.retention.erase", "customers.person.erase"]
    again = job.run_retention(session, gate=gate, today=day)
    assert (again.former_clients_erased, again.reviewed, again.batches) == (0, 0, 0)
    # Ten years after the end, the AML holds end and what they kept goes too.
    end = job.run_retention(session, gate=gate, today=dt.date(2029, 7, 1))
    # (the recent former client's period is over by then too)
    assert (end.reviewed, end.held_data_erased, end.former_clients_erased) == (1, 1, 1)
    assert repository.holds_of_person(session, old.id, active_only=True) == []
    assert customer_file.rows_of(session, Account, old.id) == []
    assert customer_file.rows_of(session, KycRecord, old.id) == []
    assert ledger.verify(session, keys=gate.keys).ok


def test_a_run_stopped_midway_finishes_when_started_again(session: Session, gate: Gate) -> None:
    day = dt.date(2026, 6, 1)
    first = _former_client(session, gate, ended=dt.date(2018, 6, 30))
    second = _former_client(session, gate, ended=dt.date(2019, 6, 30))
    stopped = job.retention_batch(session, gate=gate, today=day, run=job.RetentionRun(), batch=1)
    assert stopped.former_clients_erased == 1 and not stopped.done
    rerun = job.run_retention(session, gate=gate, today=day, batch=1)
    assert rerun.former_clients_erased == 1
    for person in (first, second):
        assert customer_file.presence(session, person.id).erased_at is not None  # type: ignore[union-attr]


def test_retention_refuses_what_the_gate_refuses_and_keeps_everything(
    session: Session, gate: Gate
) -> None:
    """An actor the register does not let act on rights erases and releases nothing."""
    person = _former_client(session, gate, ended=dt.date(2018, 6, 30))
    run = job.run_retention(session, gate=gate, today=dt.date(2026, 6, 1), actor=OFFERS)
    assert (run.former_clients_erased, run.refused) == (0, 1)
    refused = ledger.for_subject(session, keys=gate.keys, subject_id=person.id)[-1]
    assert (refused.decision, refused.reasons) == ("deny", ("role_not_permitted",))
    kept = customer_file.person(session, person.id)
    assert kept is not None and kept.erased_at is None and kept.email is not None


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
            gate = Gate.build(register, DbSubjectStates(), keyring)
            person = _former_client(session, gate, ended=dt.date(2018, 6, 30))
        monkeypatch.setenv("LAWFUL_DATABASE_URL", url)
        runner = CliRunner()
        result = runner.invoke(cli.app, ["rights", "retention", "--today", "2026-06-01"])
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == (
            "retention as of 2026-06-01: 1 former client(s) erased past their file's retention;"
            " 0 person(s) with ended holds reviewed, held data of 0 erased; 0 hold(s) released,"
            " 2 stored"
        )
        with unit_of_work(engine) as session:
            assert len(repository.holds_of_person(session, person.id, active_only=True)) == 2
            assert ledger.verify(session, keys=keyring).ok
        again = runner.invoke(cli.app, ["rights", "retention", "--today", "2026-06-01"])
        assert again.stdout.startswith("retention as of 2026-06-01: 0 former client(s) erased")
        bad = runner.invoke(cli.app, ["rights", "retention", "--today", "1 July"])
        assert bad.exit_code == 2 and "Traceback" not in bad.output
        engine.dispose()

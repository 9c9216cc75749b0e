"""The gate: no access without a record, no record of a rolled-back access, refusals recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lawful.core.db import create_engine, session_scope, upgrade
from lawful.core.errors import NotOnFile, ProcessingDenied
from lawful.core.gate import Gate, StaticStates, unit_of_work
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor, Objection, ObjectionStatus, Relationship, SubjectState
from lawful.core.register.load import load_register
from lawful.core.register.models import RelationshipState
from lawful.core.vault.keys import Keyring

TODAY = dt.date(2026, 11, 25)
CLIENT = SubjectState(
    as_of=TODAY,
    relationships=(Relationship("kbc-bank", RelationshipState.CLIENT, dt.date(2020, 1, 1)),),
)
ADVISOR = Actor("advisor", "kbc-bank")
FILE_DATA = ["user.name", "user.contact.email"]


@pytest.fixture(scope="module")
def gate(keyring: Keyring) -> Gate:
    states = {
        "alice": CLIENT,
        "bob": SubjectState(as_of=TODAY, relationships=CLIENT.relationships, dm_objection=True),
        "erin": SubjectState(as_of=TODAY, relationships=CLIENT.relationships, erased=True),
        "carol": SubjectState(
            as_of=TODAY,
            relationships=CLIENT.relationships,
            objections=frozenset({Objection("customer-file", ObjectionStatus.PENDING)}),
        ),
    }
    return Gate.build(load_register(), StaticStates(states), keyring)


def events(session: Session) -> list[ledger.LedgerRecord]:
    return ledger.recent(session, limit=1000)


def test_allowed_access_is_recorded_with_pseudonym_and_encrypted_details(
    session: Session, gate: Gate
) -> None:
    ctx = gate.open(session, actor=ADVISOR, purpose="customer-file")
    decision = ctx.access(
        "alice",
        categories=FILE_DATA,
        event="customers.person.read",
        details={"fields": ["name", "email"]},
        as_of=TODAY,
    )
    assert decision.allowed
    record = events(session)[0]
    assert (record.purpose, record.actor, record.entity, record.decision) == (
        "customer-file",
        "advisor",
        "kbc-bank",
        "allow",
    )
    assert record.legal_basis == "legitimate_interests"
    assert record.subject_pseudonym and "alice" not in record.subject_pseudonym
    assert record.details is not None and b"email" not in record.details
    assert ledger.details(session, keys=gate.keys, record=record) == {"fields": ["name", "email"]}
    assert "record" in record.obligations


def test_denied_access_raises_with_reasons_and_is_recorded(session: Session, gate: Gate) -> None:
    ctx = gate.open(session, actor=ADVISOR, purpose="customer-file")
    with pytest.raises(ProcessingDenied) as refused:
        ctx.access("carol", categories=FILE_DATA, event="customers.person.read", as_of=TODAY)
    assert refused.value.reasons == ("objection_pending",)
    record = events(session)[0]
    assert record.decision == "deny" and record.reasons == ("objection_pending",)
    assert record.details is None


@pytest.mark.parametrize(
    ("subject", "message"), [("nobody", "no person nobody"), ("erin", "erased")]
)
def test_on_file_refuses_unknown_or_erased_subject_before_deciding(
    session: Session, gate: Gate, subject: str, message: str
) -> None:
    before = ledger.counts(session).total
    ctx = gate.open(session, actor=ADVISOR, purpose="customer-file")
    with pytest.raises(NotOnFile, match=message):
        ctx.access(subject, categories=FILE_DATA, event="customers.person.read", on_file=True)
    assert ledger.counts(session).total == before  # nothing decided, nothing recorded
    # Without `on_file` the same subject is decided on, refused and recorded.
    with pytest.raises(ProcessingDenied):
        ctx.access(subject, categories=FILE_DATA, event="customers.person.read", as_of=TODAY)
    assert ledger.counts(session).total == before + 1


def test_unknown_purpose_is_refused(session: Session, gate: Gate) -> None:
    ctx = gate.open(session, actor=ADVISOR, purpose="selling-lists")
    with pytest.raises(ProcessingDenied) as refused:
        ctx.access("alice", categories=FILE_DATA, event="customers.person.read", as_of=TODAY)
    assert "purpose_unknown" in refused.value.reasons
    assert events(session)[0].legal_basis == "undeclared"


def test_bulk_job_records_every_decision_in_one_batch(session: Session, gate: Gate) -> None:
    before = ledger.counts(session).total
    ctx = gate.open(session, actor=Actor("offer-engine", "kbc-bank"), purpose="personalised-offers")
    outcome = ctx.access_many(
        ["alice", "bob", "dave"],
        categories=["user.financial.loan"],
        event="engagement.offer.select",
        as_of=TODAY,
    )
    assert outcome.allowed == ["alice"]
    assert outcome.denied["bob"] == ("dm_objection",)
    assert outcome.denied["dave"] == ("no_relationship",)
    assert ledger.counts(session).total == before + 3


def test_a_bulk_disclosure_is_one_batch_of_the_subjects_the_gate_allows(
    session: Session, gate: Gate
) -> None:
    before = ledger.counts(session).total
    ctx = gate.open(session, actor=ADVISOR, purpose="customer-file")
    outcome = ctx.disclose_many(
        ["alice", "carol", "dave"],
        categories=FILE_DATA,
        event="customers.person.disclose",
        recipient="print-mail",
        about={"run": "2026-11"},
        as_of=TODAY,
    )
    # Carol's objection and Dave's absence are decided per subject, and recorded on their own.
    assert outcome.allowed == ["alice"]
    assert outcome.denied == {"carol": ("objection_pending",), "dave": ("no_relationship",)}
    assert ledger.counts(session).total == before + 3  # two refusals and ONE batch
    (alice,) = ledger.for_subject(session, keys=gate.keys, subject_id="alice")
    assert alice.batch is not None and alice.batch.members == 1 and alice.member is not None
    assert alice.recipient == "print-mail" and alice.batch.about == {"run": "2026-11"}
    (carol,) = ledger.for_subject(session, keys=gate.keys, subject_id="carol")
    assert carol.decision == "deny" and carol.batch is None


@pytest.fixture
def fresh_engine(
    database_of_its_own: Callable[[str], AbstractContextManager[str]],
) -> Iterator[Engine]:
    """A database of its own: these tests commit, and ledger rows can never be deleted."""
    with database_of_its_own("gate") as url:
        engine = create_engine(url)
        upgrade(engine)
        yield engine
        engine.dispose()


def count(engine: Engine) -> int:
    with engine.connect() as connection:
        return sum(
            int(connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in ("ledger_pending", "ledger_leaf")
        )


def test_rolled_back_access_leaves_no_record(fresh_engine: Engine, gate: Gate) -> None:
    with pytest.raises(RuntimeError), unit_of_work(fresh_engine) as session:
        gate.open(session, actor=ADVISOR, purpose="customer-file").access(
            "alice", categories=FILE_DATA, event="customers.person.read", as_of=TODAY
        )
        raise RuntimeError("the work around the access failed")
    assert count(fresh_engine) == 0


def test_a_unit_of_work_writes_its_accesses_records_in_one_insert_and_reads_its_own(
    fresh_engine: Engine, gate: Gate
) -> None:
    inserts: list[int] = []

    def seen(_c: object, _cur: object, statement: str, params: object, *_: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO LEDGER_PENDING"):
            inserts.append(len(params) if isinstance(params, list) else 1)

    sa.event.listen(fresh_engine, "before_cursor_execute", seen)
    try:
        with unit_of_work(fresh_engine) as session:
            ctx = gate.open(session, actor=ADVISOR, purpose="customer-file")
            for _ in range(3):
                ctx.access("alice", categories=FILE_DATA, event="customers.person.read")
            assert inserts == []  # gathered, not yet written
            # Reading the pending entries writes the gathered ones first: the unit sees its own.
            assert len(events(session)) == 3
            assert inserts == [3]
            ctx.access("alice", categories=FILE_DATA, event="customers.person.read")
        assert inserts == [3, 1]  # the rest before the commit
    finally:
        sa.event.remove(fresh_engine, "before_cursor_execute", seen)
    assert count(fresh_engine) == 4


def test_refusal_stays_recorded_when_its_transaction_rolls_back(
    fresh_engine: Engine, gate: Gate
) -> None:
    with pytest.raises(ProcessingDenied), unit_of_work(fresh_engine) as session:
        ctx = gate.open(session, actor=ADVISOR, purpose="customer-file")
        ctx.access("alice", categories=FILE_DATA, event="customers.person.read", as_of=TODAY)
        ctx.access("carol", categories=FILE_DATA, event="customers.person.read", as_of=TODAY)
    with session_scope(fresh_engine) as session:
        recorded = events(session)
        assert [(r.decision, r.reasons) for r in recorded] == [("deny", ("objection_pending",))]
        assert ledger.verify(session, keys=gate.keys).ok


def test_a_refusal_the_domain_decides_is_recorded_like_the_policys_and_survives_rollback(
    fresh_engine: Engine, gate: Gate
) -> None:
    with pytest.raises(ProcessingDenied) as refused, unit_of_work(fresh_engine) as session:
        ctx = gate.open(session, actor=ADVISOR, purpose="intra-group-identity-reuse")
        ctx.refuse(
            "alice",
            categories=["user.government_id.kyc_record"],
            event="customers.identity.reuse",
            reasons=("no_application",),
            recipient="group-kbc-bank",
        )
    assert refused.value.reasons == ("no_application",)
    with session_scope(fresh_engine) as session:
        [record] = events(session)
        assert (record.decision, record.reasons, record.recipient, record.details) == (
            "deny",
            ("no_application",),
            "group-kbc-bank",
            None,
        )
        assert record.obligations == ("record",)


def last(session: Session) -> ledger.LedgerRecord:
    return ledger.recent(session, limit=1)[-1]


def test_a_survey_is_one_event_without_a_subject(session: Session, gate: Gate) -> None:
    before = ledger.counts(session).total
    dpo = Actor("dpo", "kbc-bank")
    ctx = gate.open(session, actor=dpo, purpose="data-subject-rights")
    assert ctx.survey(categories=["user.unique_id"], event="rights.request_queue.read").allowed
    assert ledger.counts(session).total == before + 1
    record = last(session)
    assert (record.event, record.subject_pseudonym, record.decision) == (
        "rights.request_queue.read",
        None,
        "allow",
    )
    # A role without the purpose is refused, and that is on record too.
    ctx = gate.open(session, actor=ADVISOR, purpose="data-subject-rights")
    with pytest.raises(ProcessingDenied, match="role_not_permitted"):
        ctx.survey(categories=["user.unique_id"], event="rights.request_queue.read")
    assert last(session).decision == "deny"
    # A purpose that needs something of the subject cannot be surveyed.
    ctx = gate.open(session, actor=ADVISOR, purpose="customer-file")
    with pytest.raises(ProcessingDenied, match="no_relationship"):
        ctx.survey(categories=["user.name"], event="customers.person.list")

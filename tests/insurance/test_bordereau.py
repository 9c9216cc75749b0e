"""Bordereaux: minimised rows, a pseudonym per reinsurer, every transfer in the ledger."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import uuid
from pathlib import Path
from types import ModuleType

import pyarrow.parquet as pq
import pytest
from sqlalchemy.orm import Session
from tests.rights.conftest import SELF, TODAY, access_report

from lawful.core.errors import InvalidInput
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.customers import service as customers
from lawful.insurance import export, service
from lawful.insurance.schemas import COLUMNS, TreatyCreate

from .conftest import DPO, INSURER, policyholder

YEAR = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


def treaty(
    session: Session, gate: Gate, reinsurer: str, kind: str = "quota_share", **terms: object
) -> str:
    code = f"T-{uuid.uuid4().hex[:10].upper()}"
    defaults: dict[str, object] = {"share_bp": 4000} if kind == "quota_share" else {}
    service.create_treaty(
        session,
        gate=gate,
        data=TreatyCreate.model_validate(
            {
                "code": code,
                "kind": kind,
                "entity": INSURER,
                "reinsurer": reinsurer,
                "starts_on": YEAR[0],
                "ends_on": YEAR[1],
                **defaults,
                **terms,
            }
        ),
    )
    return code


def read_back(path: Path, fmt: str) -> list[dict[str, str]]:
    if fmt == "csv":
        with path.open(newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))
    table = pq.read_table(path)
    return [{k: "" if v is None else str(v) for k, v in r.items()} for r in table.to_pylist()]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_no_direct_identifier_in_a_bordereau(
    session: Session, gate: Gate, tmp_path: Path, fmt: str
) -> None:
    people = [policyholder(session, gate, policies=2) for _ in range(3)]
    code = treaty(session, gate, "reinsurers-treaty")
    made = service.bordereau(session, gate=gate, treaty_code=code, period="2026-Q4")
    out = tmp_path / f"b.{fmt}"
    export.write(made, out, fmt)
    rows = read_back(out, fmt)
    assert set(rows[0]) == set(COLUMNS)
    text = out.read_bytes()
    for person, _ in people:
        for value in (
            person.first_name,
            person.last_name,
            person.national_number,
            person.street,
            person.email,
            person.phone,
            person.id,
        ):
            assert value and value.encode() not in text, value
    for forbidden in (b"Kouter", b"Gent", b"HP-"):  # the policy's street, city, number
        assert forbidden not in text
    pseudonym = gate.keys.recipient_pseudonymiser("reinsurers-treaty")
    for person, policies in people:
        theirs = [r for r in rows if r["policyholder"] == pseudonym(person.id)]
        assert len(theirs) == len(policies)
        assert all(r["postcode"] == "9000" and r["sum_insured_cents"] == "35000000" for r in theirs)
        assert all(r["premium_cents"] == "61500" and r["flood_class"] == "" for r in theirs)


def test_two_reinsurers_cannot_link_their_files_one_reinsurer_links_its_periods(
    session: Session, gate: Gate
) -> None:
    person, _ = policyholder(session, gate)
    treaty_code = treaty(session, gate, "reinsurers-treaty")
    facultative = treaty(session, gate, "rhenus-re", "facultative")
    service.place_policies(
        session,
        treaty_code=facultative,
        policy_ids=customers_policies(session, gate, person.id),
        on=YEAR[0],
    )

    def holders(code: str, period: str) -> set[str]:
        made = service.bordereau(session, gate=gate, treaty_code=code, period=period)
        return {r.policyholder for r in made.rows}

    q3, q4 = holders(treaty_code, "2026-Q3"), holders(treaty_code, "2026-Q4")
    rhenus = holders(facultative, "2026-Q4")
    assert len(rhenus) == 1
    assert rhenus.isdisjoint(q4)
    theirs = gate.keys.recipient_pseudonymiser("reinsurers-treaty")(person.id)
    assert theirs in q3 and theirs in q4
    # Nor does the ledger's own pseudonym of the person appear in either file.
    assert gate.keys.pseudonymise(person.id) not in q4 | rhenus


def customers_policies(session: Session, gate: Gate, person_id: str) -> list[int]:
    found = customers.home_risks(session, entity=INSURER, start=YEAR[0], end=YEAR[1])
    return [r.policy_id for r in found if r.person_id == person_id]


def test_each_transfer_is_a_disclosure_to_the_reinsurer_in_the_ledger(
    session: Session, gate: Gate
) -> None:
    people = [policyholder(session, gate, policies=2) for _ in range(2)]
    code = treaty(session, gate, "reinsurers-treaty")
    made = service.bordereau(session, gate=gate, treaty_code=code, period="2026-Q4")
    assert made.refused == 0
    for person, _ in people:
        transfers = [
            e
            for e in ledger.for_subject(session, keys=gate.keys, subject_id=person.id)
            if e.event == service.EVENT
        ]
        assert len(transfers) == 1  # one per policyholder, however many policies
        (event,) = transfers
        assert event.purpose == "reinsurance-transfer"
        assert event.recipient == "reinsurers-treaty"
        assert event.decision == "allow"
        assert "user.location.property" in event.data_categories


def test_an_erased_persons_policy_is_not_transferred(session: Session, gate: Gate) -> None:
    kept, _ = policyholder(session, gate)
    erased, _ = policyholder(session, gate)
    customers.erase_person(session, gate=gate, actor=DPO, person_id=erased.id, keep=())
    code = treaty(session, gate, "reinsurers-treaty")
    made = service.bordereau(session, gate=gate, treaty_code=code, period="2026-Q4")
    pseudonym = gate.keys.recipient_pseudonymiser("reinsurers-treaty")
    holders = {r.policyholder for r in made.rows}
    assert pseudonym(kept.id) in holders and pseudonym(erased.id) not in holders
    events = ledger.for_subject(session, keys=gate.keys, subject_id=erased.id)
    assert not [e for e in events if e.event == service.EVENT]


def test_excess_of_loss_takes_only_risks_above_the_retention(session: Session, gate: Gate) -> None:
    small, _ = policyholder(session, gate, sum_insured_cents=20_000_000)
    large, _ = policyholder(session, gate, sum_insured_cents=90_000_000)
    code = treaty(session, gate, "reinsurers-treaty", "excess_of_loss", retention_cents=50_000_000)
    made = service.bordereau(session, gate=gate, treaty_code=code, period="2026-Q4")
    pseudonym = gate.keys.recipient_pseudonymiser("reinsurers-treaty")
    holders = {r.policyholder for r in made.rows}
    assert pseudonym(large.id) in holders and pseudonym(small.id) not in holders


def test_claims_are_counted_in_the_period(session: Session, gate: Gate) -> None:
    person, (policy,) = policyholder(session, gate)
    service.record_claims(
        session,
        [
            {"policy_id": policy, "occurred_on": dt.date(2026, 10, 3), "paid_cents": 120_000},
            {"policy_id": policy, "occurred_on": dt.date(2026, 11, 9), "paid_cents": 80_000},
            {"policy_id": policy, "occurred_on": dt.date(2026, 5, 1), "paid_cents": 1_000},
        ],
    )
    code = treaty(session, gate, "reinsurers-treaty")
    made = service.bordereau(session, gate=gate, treaty_code=code, period="2026-Q4")
    mine = gate.keys.recipient_pseudonymiser("reinsurers-treaty")(person.id)
    assert [r.claims for r in made.rows if r.policyholder == mine] == [2]


def test_a_reinsurer_the_register_does_not_declare_is_refused(session: Session, gate: Gate) -> None:
    with pytest.raises(InvalidInput, match="not a reinsurer the register declares"):
        treaty(session, gate, "worldline")


@pytest.mark.parametrize(
    ("code", "period", "message"),
    [
        ("NO-SUCH", "2026-Q4", "NO-SUCH is not a treaty on record"),
        (None, "2026-Q5", "is not a quarter like 2026-Q4"),
        (None, "2027-Q1", "does not cover 2027-Q1"),
    ],
)
def test_a_bad_treaty_or_period_is_refused(
    session: Session, gate: Gate, code: str | None, period: str, message: str
) -> None:
    real = treaty(session, gate, "reinsurers-treaty")
    with pytest.raises(InvalidInput, match=message):
        service.bordereau(session, gate=gate, treaty_code=code or real, period=period)


def test_each_policyholders_access_report_proves_the_transfer(
    session: Session, gate: Gate, rfc9162: ModuleType
) -> None:
    people = [policyholder(session, gate)[0] for _ in range(3)]
    code = treaty(session, gate, "reinsurers-treaty")
    service.bordereau(session, gate=gate, treaty_code=code, period="2026-Q4")
    while ledger.sequence(session, keys=gate.keys).sequenced:
        pass
    for person in people:
        report = access_report(session, gate, actor=SELF, person_id=person.id, today=TODAY)
        head = report.ledger.tree_head
        assert head is not None
        (transfer,) = [e for e in report.ledger.events if e.event == service.EVENT]
        assert transfer.status == "included" and transfer.leaf_index is not None
        entry = base64.b64decode(transfer.entry)
        root = bytes.fromhex(head.root_hash)
        path = [bytes.fromhex(h) for h in transfer.inclusion_path]
        assert rfc9162.inclusion_holds(transfer.leaf_index, head.tree_size, entry, path, root)
        member = transfer.member
        assert member is not None and member.members >= 3
        assert rfc9162.member_holds(
            entry,
            member.member_index,
            base64.b64decode(member.member),
            [bytes.fromhex(h) for h in member.inclusion_path],
            gate.keys.pseudonymise(person.id),
        )
        # The timeline says to whom, for what.
        line = next(t for t in report.timeline if service.EVENT in t.events)
        assert line.purpose == "reinsurance-transfer" and line.recipient


def test_a_members_proof_names_no_other_member_of_the_transfer(
    session: Session, gate: Gate
) -> None:
    """A policyholder's access report proves their own membership with sibling hashes only:
    no other member's id, ledger pseudonym or reinsurer pseudonym is in it, nor a member entry
    (whose pseudonym a keyed hash hides) other than their own."""
    people = [policyholder(session, gate)[0] for _ in range(4)]
    code = treaty(session, gate, "reinsurers-treaty")
    service.bordereau(session, gate=gate, treaty_code=code, period="2026-Q4")
    while ledger.sequence(session, keys=gate.keys).sequenced:
        pass
    reinsurer = gate.keys.recipient_pseudonymiser("reinsurers-treaty")
    for person in people:
        report = access_report(session, gate, actor=SELF, person_id=person.id, today=TODAY)
        text = report.model_dump_json()
        (transfer,) = [e for e in report.ledger.events if e.event == service.EVENT]
        assert transfer.member is not None and transfer.member.members >= 4
        own = base64.b64decode(transfer.member.member)
        assert own.endswith(gate.keys.pseudonymise(person.id).encode())
        for other in (p for p in people if p.id != person.id):
            for trace in (other.id, gate.keys.pseudonymise(other.id), reinsurer(other.id)):
                assert trace not in text

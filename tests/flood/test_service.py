"""Proposals from the partner's data, the underwriter's review before anything adverse takes
effect, the customer's explanation and contest, the ledger's record, the bordereau's class."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from tests.rights.conftest import access_report

from lawful.core.errors import Conflict, InvalidInput, NotFound
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.core.vault import service as vault
from lawful.flood import service
from lawful.flood.schemas import AssessmentRead, ContestCreate, ReviewCreate
from lawful.insurance import service as insurance

from .conftest import (
    INSIDE,
    INSIDE_TOO,
    OTHER_UNDERWRITER,
    OUTSIDE,
    UNDERWRITER,
    insured,
    partner_file,
)

TODAY = dt.date(2026, 12, 7)
NOW = dt.datetime(2026, 12, 7, 10, 30, tzinfo=dt.UTC)


def _assess(
    session: Session, gate: Gate, tmp: Path, **file: object
) -> tuple[dict[str, tuple[str, int]], service.AssignSummary]:
    """Late: in the zone, built 2021 (decree 2019-03-01: 22 months on); early: in the zone,
    built 1985; dry: outside any zone."""
    made = {
        "late": insured(session, gate, INSIDE, 2021),
        "early": insured(session, gate, INSIDE_TOO, 1985),
        "dry": insured(session, gate, OUTSIDE, 1999),
    }
    service.import_file(session, path=partner_file(tmp, **file), now=NOW)  # type: ignore[arg-type]
    return made, service.assign(session, gate=gate, today=TODAY)


def _mine(session: Session, gate: Gate, person: str, lang: str = "en") -> AssessmentRead:
    (read,) = service.person_assessments(
        session, gate=gate, actor=UNDERWRITER, person_id=person, lang=lang, staff=False
    )
    return read


def test_proposals_follow_art_129_and_the_class(
    session: Session, gate: Gate, tmp_path: Path
) -> None:
    made, summary = _assess(session, gate, tmp_path)
    assert summary.in_zone == 2 and summary.classed == 3
    assert summary.proposed == {"cover": 1, "loading": 1, "refuse": 1}
    assert summary.pending_review == 2
    late, early, dry = (_mine(session, gate, made[k][0]) for k in ("late", "early", "dry"))
    assert (late.proposed, late.refusable, late.zone) == ("refuse", True, "RZ-GENT-1")
    assert (early.proposed, early.proposed_loading_bp, early.flood_class) == ("loading", 2_500, "C")
    assert (dry.proposed, dry.zone, dry.status, dry.decided) == (
        "cover",
        None,
        "in_effect",
        "cover",
    )


def test_a_refusal_or_surcharge_takes_no_effect_before_an_underwriters_review(
    session: Session, gate: Gate, tmp_path: Path
) -> None:
    made, _ = _assess(session, gate, tmp_path)
    for key in ("late", "early"):
        read = _mine(session, gate, made[key][0])
        assert read.status == "pending_review"
        assert read.decided is None and read.reviewed_by is None
        assert "only a proposal" in read.explanation
    queue = service.queue(session, gate=gate, actor=UNDERWRITER)
    assert {r.policy_id for r in queue} == {made["late"][1], made["early"][1]}
    late = _mine(session, gate, made["late"][0])
    reviewed = service.review(
        session,
        gate=gate,
        actor=UNDERWRITER,
        assessment_id=late.id,
        data=ReviewCreate(outcome="refuse", reasons="Built in 2021 on the river's flood plain."),
        by="u-0001",
        now=NOW,
    )
    assert (reviewed.status, reviewed.decided, reviewed.reviewed_by) == (
        "in_effect",
        "refuse",
        "u-0001",
    )
    assert reviewed.review_reasons == "Built in 2021 on the river's flood plain."
    with pytest.raises(Conflict, match="nothing to review"):
        service.review(
            session,
            gate=gate,
            actor=UNDERWRITER,
            assessment_id=late.id,
            data=ReviewCreate(outcome="cover", reasons="Changing my mind afterwards."),
            by="u-0001",
            now=NOW,
        )


def test_an_underwriter_may_not_refuse_where_art_129_forbids_it(
    session: Session, gate: Gate, tmp_path: Path
) -> None:
    made, _ = _assess(session, gate, tmp_path)
    early = _mine(session, gate, made["early"][0])
    with pytest.raises(InvalidInput, match=r"art\. 129"):
        service.review(
            session,
            gate=gate,
            actor=UNDERWRITER,
            assessment_id=early.id,
            data=ReviewCreate(outcome="refuse", reasons="Too close to the river for us."),
            by="u-0001",
            now=NOW,
        )


def test_another_insurers_underwriter_finds_nothing(
    session: Session, gate: Gate, tmp_path: Path
) -> None:
    made, _ = _assess(session, gate, tmp_path)
    late = _mine(session, gate, made["late"][0])
    with pytest.raises(NotFound):
        service.review(
            session,
            gate=gate,
            actor=OTHER_UNDERWRITER,
            assessment_id=late.id,
            data=ReviewCreate(outcome="refuse", reasons="Built in 2021 in the zone."),
            by="u-0002",
            now=NOW,
        )
    assert service.queue(session, gate=gate, actor=OTHER_UNDERWRITER) == []


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("royal decree published on 1 March 2019", "built in 2021", "u-0001", "Bureau")),
        (
            "fr",
            (
                "arrêté royal publié le 1 mars 2019",
                "construite en 2021",
                "u-0001",
                "Bureau de tarification",
            ),
        ),
        ("nl", ("bekendgemaakt op 1 maart 2019", "gebouwd in 2021", "u-0001", "Tariferingsbureau")),
    ],
)
def test_the_customer_reads_the_reasons_in_plain_words(
    session: Session, gate: Gate, tmp_path: Path, lang: str, words: tuple[str, ...]
) -> None:
    made, _ = _assess(session, gate, tmp_path)
    late = _mine(session, gate, made["late"][0])
    service.review(
        session,
        gate=gate,
        actor=UNDERWRITER,
        assessment_id=late.id,
        data=ReviewCreate(
            outcome="refuse", reasons="Ground floor 40 cm below the 2021 flood line."
        ),
        by="u-0001",
        now=NOW,
    )
    text = _mine(session, gate, made["late"][0], lang).explanation
    for word in words:
        assert word in text, (word, text)
    assert "Ground floor 40 cm below the 2021 flood line." in text


def test_a_contest_sends_the_decision_back_to_an_underwriter(
    session: Session, gate: Gate, tmp_path: Path
) -> None:
    made, _ = _assess(session, gate, tmp_path)
    person, _ = made["early"]
    early = _mine(session, gate, person)
    service.review(
        session,
        gate=gate,
        actor=UNDERWRITER,
        assessment_id=early.id,
        data=ReviewCreate(outcome="loading", loading_bp=2_500, reasons="Class C confirmed."),
        by="u-0001",
        now=NOW,
    )
    contested = service.contest(
        session,
        gate=gate,
        person_id=person,
        assessment_id=early.id,
        data=ContestCreate(text="The house was raised by a metre in 2020."),
        now=NOW,
        lang="en",
    )
    assert contested.status == "contested" and contested.contested
    assert early.id in {r.id for r in service.queue(session, gate=gate, actor=UNDERWRITER)}
    again = service.review(
        session,
        gate=gate,
        actor=UNDERWRITER,
        assessment_id=early.id,
        data=ReviewCreate(outcome="cover", reasons="Raised floor seen on the plans."),
        by="u-0001",
        now=NOW,
    )
    assert (again.decided, again.decided_loading_bp) == ("cover", 0)
    # Someone else's assessment is not found, whoever asks.
    with pytest.raises(NotFound):
        service.contest(
            session,
            gate=gate,
            person_id=made["late"][0],
            assessment_id=early.id,
            data=ContestCreate(text="Not my house, but let me try."),
            now=NOW,
            lang="en",
        )


def test_a_building_known_by_its_year_is_refusable_only_past_18_months(
    session: Session, gate: Gate, tmp_path: Path
) -> None:
    # Built "2021" counts as 1 January 2021: exactly 18 months after 1 July 2019.
    made, summary = _assess(session, gate, tmp_path, decree=dt.date(2019, 7, 1))
    assert summary.proposed["refuse"] == 0
    assert _mine(session, gate, made["late"][0]).proposed == "loading"
    service.import_file(
        session, path=partner_file(tmp_path, decree=dt.date(2019, 6, 30), name="b.gpkg"), now=NOW
    )
    again = service.assign(session, gate=gate, today=TODAY)
    assert again.proposed["refuse"] == 1 and again.unchanged == 2
    assert _mine(session, gate, made["late"][0]).proposed == "refuse"


def test_each_owner_is_recorded_with_the_partner_as_source(
    session: Session, gate: Gate, tmp_path: Path
) -> None:
    made, _ = _assess(session, gate, tmp_path)
    person, policy = made["late"]
    recorded = ledger.subject_ledger(session, keys=gate.keys, subject_id=person)
    proposals = [p.record for p in recorded.events if p.record.event == service.Event.PROPOSE]
    assert len(proposals) == 1
    event = proposals[0]
    assert (event.purpose, event.legal_basis, event.actor) == (
        service.PURPOSE,
        "contract",
        service.JOB_ROLE,
    )
    assert event.details is not None
    details = vault.decrypt_json(
        session, keys=gate.keys, subject_id=person, ciphertext=event.details
    )
    assert details == {"source": "flood-partner", "policies": [policy], "proposed": ["refuse"]}


def test_a_second_run_keeps_what_did_not_change(
    session: Session, gate: Gate, tmp_path: Path
) -> None:
    made, _ = _assess(session, gate, tmp_path)
    late = _mine(session, gate, made["late"][0])
    service.review(
        session,
        gate=gate,
        actor=UNDERWRITER,
        assessment_id=late.id,
        data=ReviewCreate(outcome="refuse", reasons="Built in 2021 in the zone."),
        by="u-0001",
        now=NOW,
    )
    again = service.assign(session, gate=gate, today=TODAY)
    assert again.unchanged == 3 and again.pending_review == 0
    assert _mine(session, gate, made["late"][0]).decided == "refuse"


def test_assigning_needs_data(session: Session, gate: Gate) -> None:
    with pytest.raises(InvalidInput, match="no flood data"):
        service.assign(session, gate=gate, today=TODAY)


def test_the_bordereau_carries_the_partners_class(
    session: Session, gate: Gate, tmp_path: Path
) -> None:
    _assess(session, gate, tmp_path)
    insurance.create_treaty(
        session,
        gate=gate,
        data=insurance.treaty_from(
            {
                "code": "QS-FLOOD-TEST",
                "kind": "quota_share",
                "share_bp": 4000,
                "entity": "kbc-insurance",
                "reinsurer": "reinsurers-treaty",
                "starts_on": dt.date(2026, 1, 1),
                "ends_on": dt.date(2026, 12, 31),
            }
        ),
    )
    made_b = insurance.bordereau(
        session, gate=gate, treaty_code="QS-FLOOD-TEST", period="2026-Q4", today=TODAY
    )
    assert sorted(str(r.flood_class) for r in made_b.rows) == ["A", "C", "D"]


def test_the_access_report_lists_each_assessment_and_explains_the_logic(
    session: Session, gate: Gate, tmp_path: Path
) -> None:
    made, _ = _assess(session, gate, tmp_path)
    person, policy = made["late"]
    late = _mine(session, gate, person)
    service.review(
        session,
        gate=gate,
        actor=UNDERWRITER,
        assessment_id=late.id,
        data=ReviewCreate(outcome="refuse", reasons="Built in 2021 in the zone."),
        by="u-0001",
        now=NOW,
    )
    report = access_report(
        session, gate, actor=Actor("self-service", "kbc-insurance"), person_id=person, today=TODAY
    )
    (listed,) = report.data["flood_assessments"]
    assert (listed["policy_id"], listed["flood_outcome"], listed["reviewed_by"]) == (
        policy,
        "refuse",
        "u-0001",
    )
    assert "Built in 2021 in the zone." in listed["explanation"]
    (purpose,) = [p for p in report.purposes if p.id == service.PURPOSE]
    assert purpose.automated_logic and "18" in purpose.automated_logic
    assert purpose.automated_safeguards and "acceptant" in purpose.automated_safeguards  # Dutch
    assert any(e.purpose == service.PURPOSE for e in report.timeline)


def test_the_retention_job_erases_assessments_three_years_after_the_contract(
    session: Session, gate: Gate, tmp_path: Path
) -> None:
    """The register keeps flood data three years after the contract's end: the retention job
    erases the assessments of a policy ended longer ago, and keeps those of one ended since."""
    import sqlalchemy as sa

    from lawful.flows import retention

    made, _ = _assess(session, gate, tmp_path)
    (_, ended_long_ago), (_, ended_lately) = made["early"], made["late"]
    policy = sa.table("home_policy", sa.column("id", sa.Integer), sa.column("end_on", sa.Date))
    for policy_id, ended in (
        (ended_long_ago, TODAY - dt.timedelta(days=3 * 365 + 2)),
        (ended_lately, TODAY - dt.timedelta(days=365)),
    ):
        session.execute(sa.update(policy).where(policy.c.id == policy_id).values(end_on=ended))
    run = retention.run_retention(session, gate=gate, today=TODAY)
    assert run.flood_assessments_erased == 1
    left = {c for c in service.classes_of(session, policy_ids=[ended_long_ago, ended_lately])}
    assert left == {ended_lately}

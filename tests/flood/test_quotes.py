"""Home-insurance quotes in flood underwriting: the quoted building is placed with the insured
ones in the same run, the prospect's processing recorded with the partner as source; a refusal
or loading waits for an underwriter, the person reads why and contests; the assessment goes
with the quote (its retention, its erasure) and the access report explains it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.rights import factories
from tests.rights.conftest import access_report

from lawful.core.errors import NotFound
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.core.vault import service as vault
from lawful.customers import service as customers
from lawful.flood import service
from lawful.flood.models import FloodAssessment
from lawful.flood.schemas import AssessmentRead, ContestCreate, ReviewCreate
from lawful.flows import retention
from lawful.simulations import service as simulations
from lawful.simulations.schemas import BuildingCreate, Closure, Outcome, SimulationCreate

from .conftest import INSIDE, INSIDE_TOO, INSURER, OTHER_UNDERWRITER, UNDERWRITER, insured
from .conftest import partner_file as partner

TODAY = dt.date(2026, 12, 7)
NOW = dt.datetime(2026, 12, 7, 10, 30, tzinfo=dt.UTC)


def prospect(session: Session, gate: Gate) -> str:
    """A person the insurer knows only as a prospect."""
    return customers.create_person(
        session,
        gate=gate,
        actor=Actor("advisor", INSURER),
        data=factories.person(),
        entity_state="prospect",
        today=dt.date(2026, 11, 1),
    ).id


def quote(
    session: Session,
    gate: Gate,
    person: str,
    at: tuple[float, float] = INSIDE,
    *,
    year: int | None = 2021,
    day: dt.date | None = None,
    product: str = "home-insurance",
    started: dt.datetime = NOW,
) -> int:
    """The person's home-insurance quote for a house at `at`, built in `year` (or on `day`)."""
    building = BuildingCreate(
        street="Coupure Links",
        number="12 bus 3",
        postcode="9000",
        municipality="Gent",
        latitude=at[0],
        longitude=at[1],
        construction_year=year,
        construction_date=day,
    )
    data = SimulationCreate.model_validate(
        {
            "product": product,
            "entity": INSURER,
            "language": "fr",
            "building": building if product == "home-insurance" else None,
        }
    )
    made = simulations.start(
        session,
        gate=gate,
        actor=Actor("self-service", INSURER),
        person_id=person,
        data=data,
        now=started,
    )
    return made.id


def _assign(session: Session, gate: Gate, tmp: Path) -> service.AssignSummary:
    service.import_file(session, path=partner(tmp), now=NOW)
    return service.assign(session, gate=gate, today=TODAY)


def _of_quote(session: Session, gate: Gate, person: str, lang: str = "en") -> AssessmentRead:
    reads = service.person_assessments(
        session, gate=gate, actor=UNDERWRITER, person_id=person, lang=lang, staff=False
    )
    (read,) = [r for r in reads if r.simulation_id is not None]
    return read


def test_a_quoted_house_is_assigned_in_the_same_run_as_the_insured_ones(
    session: Session, gate: Gate, tmp_path: Path
) -> None:
    person = prospect(session, gate)
    simulation = quote(session, gate, person)  # in the zone, built 2021: refusable
    _, policy = insured(session, gate, INSIDE_TOO, 1985)
    summary = _assign(session, gate, tmp_path)
    assert (summary.properties, summary.quotes, summary.refused_by_gate) == (2, 1, 0)
    assert summary.proposed == {"cover": 0, "loading": 1, "refuse": 1}
    read = _of_quote(session, gate, person)
    assert (read.simulation_id, read.policy_id, read.zone) == (simulation, None, "RZ-GENT-1")
    assert (read.proposed, read.refusable, read.status, read.decided) == (
        "refuse",
        True,
        "pending_review",
        None,
    )
    queued = service.queue(session, gate=gate, actor=UNDERWRITER)
    assert {(r.policy_id, r.simulation_id) for r in queued} == {(policy, None), (None, simulation)}
    # Nothing changed: the next run keeps both.
    assert service.assign(session, gate=gate, today=TODAY).unchanged == 2


def test_the_prospect_is_recorded_with_the_partner_as_source(
    session: Session, gate: Gate, tmp_path: Path
) -> None:
    person = prospect(session, gate)
    simulation = quote(session, gate, person)
    _assign(session, gate, tmp_path)
    recorded = ledger.subject_ledger(session, keys=gate.keys, subject_id=person)
    (event,) = [e.record for e in recorded.events if e.record.event == service.Event.PROPOSE]
    assert (event.purpose, event.legal_basis, event.actor) == (
        service.PURPOSE,
        "contract",
        service.JOB_ROLE,
    )
    assert event.details is not None
    details = vault.decrypt_json(
        session, keys=gate.keys, subject_id=person, ciphertext=event.details
    )
    assert details == {"source": "flood-partner", "quotes": [simulation], "proposed": ["refuse"]}
    # The building itself was collected under the simulation's purpose, named as property data.
    started = simulations.Event.START.value
    (start,) = [e.record for e in recorded.events if e.record.event == started]
    assert start.purpose == simulations.PURPOSE
    assert "user.location.property" in start.data_categories


def test_a_quotes_refusal_waits_for_review_then_points_to_the_bureau_and_may_be_contested(
    session: Session, gate: Gate, tmp_path: Path
) -> None:
    person = prospect(session, gate)
    quote(session, gate, person)
    _assign(session, gate, tmp_path)
    pending = _of_quote(session, gate, person, "fr")
    assert "un souscripteur l'examine avant que notre offre ne s'y fonde" in pending.explanation
    assert "Notre offre ne comprend pas la couverture inondation" in pending.explanation
    with pytest.raises(NotFound):  # another insurer's underwriter finds nothing
        service.review(
            session,
            gate=gate,
            actor=OTHER_UNDERWRITER,
            assessment_id=pending.id,
            data=ReviewCreate(outcome="cover", reasons="Not ours to decide on."),
            by="u-0002",
            now=NOW,
        )
    reviewed = service.review(
        session,
        gate=gate,
        actor=UNDERWRITER,
        assessment_id=pending.id,
        data=ReviewCreate(outcome="refuse", reasons="Built in 2021 on the Leie's flood plain."),
        by="u-0001",
        now=NOW,
    )
    assert (reviewed.status, reviewed.decided, reviewed.simulation_id) == (
        "in_effect",
        "refuse",
        pending.simulation_id,
    )
    read = _of_quote(session, gate, person, "fr")
    assert "Bureau de tarification Catastrophes naturelles" in read.explanation
    assert "Built in 2021 on the Leie's flood plain." in read.explanation
    assert "vous pouvez contester ce résultat" in read.explanation
    contested = service.contest(
        session,
        gate=gate,
        person_id=person,
        assessment_id=read.id,
        data=ContestCreate(text="The house stands on a mound two metres above the river."),
        now=NOW,
        lang="nl",
    )
    assert contested.status == "contested"
    assert contested.id in {r.id for r in service.queue(session, gate=gate, actor=UNDERWRITER)}


def test_a_quote_read_is_the_owners_or_the_insurers_underwriters(
    session: Session, gate: Gate, tmp_path: Path
) -> None:
    person, other = prospect(session, gate), prospect(session, gate)
    simulation = quote(session, gate, person)
    before = service.quote_assessment(
        session,
        gate=gate,
        actor=Actor("self-service", INSURER),
        person_id=person,
        simulation_id=simulation,
        lang="nl",
        staff=False,
    )
    assert before.assessment is None  # not assessed yet
    _assign(session, gate, tmp_path)
    mine = service.quote_assessment(
        session,
        gate=gate,
        actor=Actor("self-service", INSURER),
        person_id=person,
        simulation_id=simulation,
        lang="nl",
        staff=False,
    )
    assert mine.assessment is not None and mine.assessment.proposed == "refuse"
    assert "Tariferingsbureau Natuurrampen" in mine.assessment.explanation
    staff = service.quote_assessment(
        session,
        gate=gate,
        actor=UNDERWRITER,
        person_id=person,
        simulation_id=simulation,
        lang="en",
        staff=True,
    )
    assert staff.assessment is not None and staff.assessment.id == mine.assessment.id
    for actor, who, staffed in (
        (OTHER_UNDERWRITER, person, True),  # another insurer's underwriter
        (Actor("self-service", INSURER), other, False),  # someone else's quote
    ):
        with pytest.raises(NotFound):
            service.quote_assessment(
                session,
                gate=gate,
                actor=actor,
                person_id=who,
                simulation_id=simulation,
                lang="en",
                staff=staffed,
            )


def test_a_day_of_construction_counts_where_the_year_alone_would_not(
    session: Session, gate: Gate, tmp_path: Path
) -> None:
    """Decree of 1 March 2019: 18 months on is 1 September 2020. Known by its year, a house of
    2020 counts as built on 1 January (not refusable); finished on 2 September 2020, it is."""
    by_year, by_day = prospect(session, gate), prospect(session, gate)
    quote(session, gate, by_year, year=2020)
    quote(session, gate, by_day, year=None, day=dt.date(2020, 9, 2))
    _assign(session, gate, tmp_path)
    assert _of_quote(session, gate, by_year).refusable is False
    assert _of_quote(session, gate, by_day).refusable is True
    assert _of_quote(session, gate, by_day).construction_year == 2020


def test_abandoned_quotes_other_products_and_quotes_past_retention_are_not_assessed(
    session: Session, gate: Gate, tmp_path: Path
) -> None:
    abandoned, loan, old = (prospect(session, gate) for _ in range(3))
    left = quote(session, gate, abandoned)
    simulations.close(
        session,
        gate=gate,
        actor=Actor("self-service", INSURER),
        person_id=abandoned,
        simulation_id=left,
        closure=Closure(outcome=Outcome.ABANDONED),
        now=NOW,
    )
    customers_loan = SimulationCreate.model_validate({"product": "loan"})
    simulations.start(
        session,
        gate=gate,
        actor=Actor("self-service", "kbc-bank"),
        person_id=loan,
        data=customers_loan,
        now=NOW,
    )
    quote(session, gate, old, started=NOW - dt.timedelta(days=31))
    summary = _assign(session, gate, tmp_path)
    assert (summary.properties, summary.quotes) == (0, 0)


def test_a_quotes_assessment_goes_when_the_quotes_retention_ends(
    session: Session, gate: Gate, tmp_path: Path
) -> None:
    """Simulations are kept 30 days from their start (the register's); the retention job erases
    an older quote's assessment with it, and keeps a recent one."""
    expiring, recent = prospect(session, gate), prospect(session, gate)
    old_quote = quote(session, gate, expiring, started=NOW - dt.timedelta(days=29))
    new_quote = quote(session, gate, recent)
    _assign(session, gate, tmp_path)
    a = FloodAssessment.__table__.c
    quoted = sa.select(a.simulation_id).where(a.simulation_id.is_not(None))
    assert set(session.scalars(quoted)) == {old_quote, new_quote}
    # Two days later, the first quote is 31 days old: it goes, its assessment with it.
    run = retention.run_retention(session, gate=gate, today=TODAY + dt.timedelta(days=2))
    assert (run.flood_assessments_erased, run.simulations_erased) == (1, 1)
    assert set(session.scalars(quoted)) == {new_quote}
    # The flood job alone erases a quote's assessment past the quote's retention, too.
    assert service.purge(session, gate=gate, today=TODAY + dt.timedelta(days=31)) == 1
    assert set(session.scalars(quoted)) == set()


def test_an_erased_quote_takes_its_assessment_along(
    session: Session, gate: Gate, tmp_path: Path
) -> None:
    person = prospect(session, gate)
    quote(session, gate, person)
    _assign(session, gate, tmp_path)
    assert simulations.erase(session, person_ids=[person]) == 1
    a = FloodAssessment.__table__.c
    assert session.scalar(sa.select(sa.func.count()).where(a.person_id == person)) == 0


def test_the_access_report_explains_a_quotes_assessment(
    session: Session, gate: Gate, tmp_path: Path
) -> None:
    person = prospect(session, gate)
    simulation = quote(session, gate, person)
    _assign(session, gate, tmp_path)
    report = access_report(
        session, gate, actor=Actor("self-service", INSURER), person_id=person, today=TODAY
    )
    (listed,) = report.data["flood_assessments"]
    assert (listed["quote"], listed["policy_id"], listed["flood_outcome"]) == (
        simulation,
        None,
        "refuse",
    )
    assert listed["flood_status"] == "pending_review"
    assert "Tariferingsbureau Natuurrampen" in listed["explanation"]  # in Dutch
    (purpose,) = [p for p in report.purposes if p.id == service.PURPOSE]
    assert purpose.automated_logic and "18" in purpose.automated_logic
    assert purpose.automated_safeguards


def test_a_bank_client_who_quotes_with_the_insurer_is_its_prospect_while_the_quote_is_kept(
    session: Session, gate: Gate, tmp_path: Path
) -> None:
    """A client of the bank asking the insurer to price their house takes pre-contractual steps
    with it: they are the insurer's prospect from the quote's start to the end of its retention
    (recorded with the start), and the quote is assessed; a second quote lengthens the period."""
    bank_client = customers.create_person(
        session,
        gate=gate,
        actor=Actor("advisor", "kbc-bank"),
        data=factories.person(),
        entity_state="client",
        today=dt.date(2026, 11, 1),
    ).id
    quote(session, gate, bank_client)
    kept = (NOW + simulations.retention(gate)).date()
    periods = [
        (p.entity, p.state, p.since, p.until)
        for p in customers.relationships(session, person_id=bank_client)
    ]
    assert periods == [
        ("kbc-bank", "client", dt.date(2026, 11, 1), None),
        (INSURER, "prospect", TODAY, kept),
    ]
    recorded = ledger.for_subject(session, keys=gate.keys, subject_id=bank_client)
    (started,) = [r for r in recorded if r.event == simulations.Event.START.value]
    assert ledger.details(session, keys=gate.keys, record=started) == {
        "product": "home-insurance",
        "entity": INSURER,
        "contact_me": False,
        "building": True,
        "prospect_until": kept.isoformat(),
    }
    summary = _assign(session, gate, tmp_path)
    assert (summary.quotes, summary.refused_by_gate) == (1, 0)
    assert _of_quote(session, gate, bank_client).simulation_id is not None
    # A later quote keeps them a prospect until its own end; the bank relationship is untouched.
    later = NOW + dt.timedelta(days=10)
    quote(session, gate, bank_client, started=later)
    insurer = [
        (p.since, p.until)
        for p in customers.relationships(session, person_id=bank_client)
        if p.entity == INSURER
    ]
    assert insurer == [(TODAY, (later + simulations.retention(gate)).date())]
    # Once the quotes are no longer kept, neither is the tie: the insurer has none left.
    after = (later + simulations.retention(gate)).date() + dt.timedelta(days=1)
    state = gate.states.load(session, [bank_client], as_of=after)[bank_client]
    assert INSURER not in state.relationships_by_entity


def test_an_insurers_client_quoting_stays_its_client(session: Session, gate: Gate) -> None:
    """A quote opens nothing for someone the insurer already serves."""
    person = customers.create_person(
        session,
        gate=gate,
        actor=Actor("advisor", INSURER),
        data=factories.person(),
        entity_state="client",
        today=dt.date(2026, 11, 1),
    ).id
    quote(session, gate, person)
    periods = [(p.state, p.until) for p in customers.relationships(session, person_id=person)]
    assert periods == [("client", None)]

"""Flood underwriting (activity 14): the partner's data in, a proposal per insured building,
an underwriter's review before anything adverse takes effect, the customer's contest.

- `import_file` replaces the partner's data set whole, or raises InvalidInput and changes nothing.
- `assign` places every home policy in force, and the building of every home-insurance quote
  still kept (a simulation the person has not abandoned), in its risk zone and on the partner's
  building (an STRtree over polygons cut into cells), and proposes cover, a loading by class or,
  under art. 129 only, a refusal. Each owner's processing is recorded in bulk under the
  purpose, with the partner as the source, before any proposal is written. A quote's proposal
  is reviewed, explained and contested exactly as a policy's, and goes with the quote.
- A proposal that refuses or loads waits for an underwriter (`review`): their name and reasons
  are kept, and only then does it take effect. Cover at the tariff takes effect at once.
- The customer reads each assessment in plain words and may contest it (`contest`), which sends
  it back to an underwriter.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Collection
from pathlib import Path
from typing import NamedTuple

from sqlalchemy.orm import Session

from lawful.core.errors import Conflict, InvalidInput, NotFound
from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.core.vault import service as vault
from lawful.customers import service as customers
from lawful.flood import repository, rules, words
from lawful.flood.models import FloodAssessment
from lawful.flood.schemas import (
    AssessmentRead,
    AssignSummary,
    ContestCreate,
    ImportSummary,
    QuoteFloodRead,
    ReviewCreate,
)
from lawful.simulations import service as simulations

PURPOSE = "flood-data-underwriting"
JOB_ROLE = "flood-service"
SELF_SERVICE = "self-service"
SOURCE = "flood-partner"
PROPERTY_DATA = (
    "user.location.property",
    "user.location.property.flood_exposure",
    "user.financial.insurance_policy",
)
# A quote's building is asked for no contract yet: no policy data is read for it.
QUOTE_DATA = ("user.location.property", "user.location.property.flood_exposure")
POLICY, QUOTE = "policy_id", "simulation_id"
REVIEWABLE = ("pending_review", "contested")
Progress = Callable[[str, int, int], None]


class Event:
    PROPOSE = "flood.assessment.propose"
    READ = "flood.assessment.read"
    QUEUE = "flood.assessment.queue"
    REVIEW = "flood.assessment.review"
    CONTEST = "flood.assessment.contest"


def _quiet(step: str, done: int, total: int) -> None:
    return None


def import_file(session: Session, *, path: Path, now: dt.datetime) -> ImportSummary:
    """Replace the partner's data with the file's: all of it, or nothing (InvalidInput)."""
    # The geometry stack (GDAL, GEOS, PROJ) loads only for the jobs that need it, not with the API.
    import shapely

    from lawful.flood import geo

    data = geo.read(path)
    z, b = data.zones, data.buildings
    zones = [
        {"ref": ref, "region": region, "decree_published_on": decree, "geometry": wkb}
        for ref, region, decree, wkb in zip(
            z.refs, z.regions, z.decrees, shapely.to_wkb(z.geometries), strict=True
        )
    ]
    buildings = [
        {"ref": ref, "x": float(x), "y": float(y), "flood_class": cls}
        for ref, x, y, cls in zip(b.refs, b.x, b.y, b.classes, strict=True)
    ]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    record = {
        "file_name": path.name[:200],
        "sha256": digest,
        "zones": len(zones),
        "buildings": len(buildings),
        "imported_at": now,
    }
    made = repository.replace_data(session, zones=zones, buildings=buildings, record=record)
    return ImportSummary(made, path.name, len(zones), len(buildings))


class _Property(NamedTuple):
    """A building to place: a home policy's or a home-insurance quote's."""

    key: str  # policy_id or simulation_id
    id: int
    person_id: str
    entity: str
    latitude: float
    longitude: float
    construction_year: int
    built_on: dt.date


def _properties(
    session: Session, gate: Gate, today: dt.date, entity: str | None
) -> list[_Property]:
    policies = customers.insured_properties(session, as_of=today, entity=entity)
    since = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC)
    quotes = simulations.quoted_buildings(session, gate=gate, now=since, entity=entity)
    return [
        _Property(
            POLICY,
            p.policy_id,
            p.person_id,
            p.entity,
            p.latitude,
            p.longitude,
            p.construction_year,
            rules.built_on(p.construction_year),
        )
        for p in policies
    ] + [
        _Property(
            QUOTE,
            q.simulation_id,
            q.person_id,
            q.entity,
            q.latitude,
            q.longitude,
            q.construction_year,
            q.construction_date or rules.built_on(q.construction_year),
        )
        for q in quotes
    ]


def assign(
    session: Session,
    *,
    gate: Gate,
    today: dt.date,
    entity: str | None = None,
    progress: Progress = _quiet,
) -> AssignSummary:
    """Propose flood cover for every home policy in force and every home-insurance quote still
    kept, set-based (see the module)."""
    import numpy as np
    import shapely

    from lawful.flood import geo

    if repository.last_import(session) is None:
        raise InvalidInput("no flood data imported yet (lawful insurance flood import FILE)")
    properties = _properties(session, gate, today, entity)
    summary = AssignSummary(properties=len(properties))
    summary.quotes = sum(p.key == QUOTE for p in properties)
    if not properties:
        return summary
    progress("placing buildings in zones", 0, len(properties))
    zone_rows = repository.zones(session)
    index = geo.ZoneIndex(shapely.from_wkb([r[3] for r in zone_rows]), [r[2] for r in zone_rows])
    lon = np.array([p.longitude for p in properties], dtype=np.float64)
    lat = np.array([p.latitude for p in properties], dtype=np.float64)
    x, y = geo.to_lambert(lon, lat)
    zone_of = index.zone_of(x, y)
    building_rows = repository.buildings(session)
    bx = np.array([r[0] for r in building_rows], dtype=np.float64)
    by = np.array([r[1] for r in building_rows], dtype=np.float64)
    building_of = geo.nearest_building(bx, by, x, y)
    progress("placing buildings in zones", len(properties), len(properties))

    earlier = {
        key: repository.current(session, [p.id for p in properties if p.key == key], key=key)
        for key in (POLICY, QUOTE)
    }
    rows_by_owner: dict[tuple[str, str], list[dict[str, object]]] = defaultdict(list)
    for p, zi, bi in zip(properties, zone_of, building_of, strict=True):
        zone = zone_rows[zi] if zi >= 0 else None
        cls = building_rows[bi][2] if bi >= 0 else None
        facts = rules.Facts(
            built_on=p.built_on,
            flood_class=cls,
            zone=zone[0] if zone else None,
            decree_published_on=zone[2] if zone else None,
        )
        proposal = rules.propose(facts)
        summary.in_zone += zone is not None
        summary.classed += cls is not None
        summary.proposed[proposal.outcome.value] += 1
        key = (facts.zone, cls, p.construction_year, proposal.outcome.value)
        if earlier[p.key].get(p.id) == key:
            summary.unchanged += 1
            continue
        summary.pending_review += proposal.needs_review
        rows_by_owner[(p.entity, p.key)].append(
            {
                "policy_id": p.id if p.key == POLICY else None,
                "simulation_id": p.id if p.key == QUOTE else None,
                "person_id": p.person_id,
                "entity": p.entity,
                "zone_ref": facts.zone,
                "decree_published_on": facts.decree_published_on,
                "flood_class": cls,
                "construction_year": p.construction_year,
                "proposed": proposal.outcome.value,
                "proposed_loading_bp": proposal.loading_bp,
                "refusable": proposal.refusable,
                "status": "pending_review" if proposal.needs_review else "in_effect",
                "decided": None if proposal.needs_review else proposal.outcome.value,
                "decided_loading_bp": None if proposal.needs_review else proposal.loading_bp,
                "assessed_on": today,
            }
        )
    done, total = 0, sum(len(v) for v in rows_by_owner.values())
    for (owner_entity, kind), rows in sorted(rows_by_owner.items()):
        owners = list(dict.fromkeys(str(r["person_id"]) for r in rows))
        ctx = gate.open(session, actor=Actor(JOB_ROLE, owner_entity), purpose=PURPOSE)
        listed = "policies" if kind == POLICY else "quotes"
        details: dict[str, dict[str, object]] = defaultdict(lambda: {"source": SOURCE})
        for r in rows:
            d = details[str(r["person_id"])]
            d.setdefault(listed, []).append(r[kind])  # type: ignore[attr-defined]
            d.setdefault("proposed", []).append(r["proposed"])  # type: ignore[attr-defined]
        outcome = ctx.access_many(
            owners,
            categories=PROPERTY_DATA if kind == POLICY else QUOTE_DATA,
            event=Event.PROPOSE,
            details=details,
            as_of=today,
        )
        allowed = set(outcome.allowed)
        kept = [r for r in rows if r["person_id"] in allowed]
        summary.refused_by_gate += len(rows) - len(kept)
        repository.replace_assessments(session, kept)
        done += len(rows)
        progress("recording proposals", done, total)
    return summary


def classes_of(session: Session, *, policy_ids: Collection[int]) -> dict[int, str]:
    """The partner's vulnerability class per policy's building, where known: a fact about the
    building the reinsurance bordereau carries; whoever sends it records the disclosure."""
    return repository.classes(session, policy_ids)


def person_assessments(
    session: Session, *, gate: Gate, actor: Actor, person_id: str, lang: str, staff: bool
) -> list[AssessmentRead]:
    """The person's assessments, each explained in plain words. Staff see their entity's only;
    the customer sees all of theirs, read for them by each insurer that made one."""
    rows = repository.of_person(session, person_id, actor.entity if staff else None)
    readers = (
        [actor] if staff else [Actor(SELF_SERVICE, e) for e in sorted({r.entity for r in rows})]
    )
    for reader in readers:
        gate.open(session, actor=reader, purpose=PURPOSE).access(
            person_id,
            categories=PROPERTY_DATA,
            event=Event.READ,
            details={"assessments": [r.id for r in rows if r.entity == reader.entity]},
        )
    return _reads(session, gate, rows, lang)


def queue(session: Session, *, gate: Gate, actor: Actor, limit: int = 100) -> list[AssessmentRead]:
    """The actor's entity's proposals waiting for an underwriter (new or contested)."""
    rows = repository.queue(session, actor.entity, REVIEWABLE, limit)
    owners = list(dict.fromkeys(r.person_id for r in rows))
    # Each owner whose proposal is shown is recorded; one the policy refuses is left out.
    outcome = gate.open(session, actor=actor, purpose=PURPOSE).access_many(
        owners,
        categories=PROPERTY_DATA,
        event=Event.QUEUE,
        details={o: {"assessments": [r.id for r in rows if r.person_id == o]} for o in owners},
    )
    allowed = set(outcome.allowed)
    return _reads(session, gate, [r for r in rows if r.person_id in allowed], "en")


def review(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    assessment_id: int,
    data: ReviewCreate,
    by: str,
    now: dt.datetime,
) -> AssessmentRead:
    """An underwriter's decision: confirms or changes the proposal, with reasons; only now does
    a refusal or a loading take effect. A refusal only where art. 129 allows it."""
    row = _of_entity(session, actor, assessment_id)
    if row.status not in REVIEWABLE:
        raise Conflict(f"assessment {assessment_id} is {row.status}: nothing to review")
    if data.outcome == rules.Outcome.REFUSE.value and not row.refusable:
        raise InvalidInput(
            "flood cover may be refused only for a building erected in a risk zone more than "
            "18 months after the decree's publication (Law of 4 April 2014, art. 129)",
            field="outcome",
        )
    gate.open(session, actor=actor, purpose=PURPOSE).access(
        row.person_id,
        categories=PROPERTY_DATA,
        event=Event.REVIEW,
        details={"assessment": row.id, "outcome": data.outcome, "loading_bp": data.loading_bp},
    )
    row.decided = data.outcome
    row.decided_loading_bp = data.loading_bp
    row.reviewed_by = by[:64]
    row.reviewed_at = now
    row.review_reasons = vault.encrypt(
        session, keys=gate.keys, subject_id=row.person_id, plaintext=data.reasons.encode()
    )
    row.status = "in_effect"
    session.flush()
    return _reads(session, gate, [row], "en")[0]


def contest(
    session: Session,
    *,
    gate: Gate,
    person_id: str,
    assessment_id: int,
    data: ContestCreate,
    now: dt.datetime,
    lang: str,
) -> AssessmentRead:
    """The customer contests a proposal or decision: it goes back to an underwriter."""
    row = repository.assessment(session, assessment_id)
    if row is None or row.person_id != person_id:
        raise NotFound(f"no flood assessment {assessment_id}")
    actor = Actor(SELF_SERVICE, row.entity)
    gate.open(session, actor=actor, purpose=PURPOSE).access(
        person_id,
        categories=PROPERTY_DATA,
        event=Event.CONTEST,
        details={"assessment": row.id},
    )
    row.contest = vault.encrypt(
        session, keys=gate.keys, subject_id=person_id, plaintext=data.text.encode()
    )
    row.contested_at = now
    row.status = "contested"
    session.flush()
    return _reads(session, gate, [row], lang)[0]


def export_person(
    session: Session, *, gate: Gate, person_id: str, lang: str
) -> list[dict[str, object]]:
    """The person's assessments for the access report (Art. 15, including the decision's logic
    in their case), JSON-ready; the report's own reading of the file records the access."""
    out: list[dict[str, object]] = []
    for r in _reads(session, gate, repository.of_person(session, person_id), lang):
        out.append(
            {
                "policy_id": r.policy_id,
                "quote": r.simulation_id,
                "flood_zone": r.zone,
                "decree_published_on": r.decree_published_on,
                "flood_class": r.flood_class,
                "construction_year": r.construction_year,
                "flood_outcome": r.decided or r.proposed,
                "flood_status": r.status,
                "reviewed_by": r.reviewed_by,
                "reviewed_on": r.reviewed_at.date() if r.reviewed_at else None,
                "explanation": r.explanation,
            }
        )
    return [
        {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in o.items()} for o in out
    ]


def _of_entity(session: Session, actor: Actor, assessment_id: int) -> FloodAssessment:
    row = repository.assessment(session, assessment_id)
    # Another entity's assessment does not exist for this actor.
    if row is None or row.entity != actor.entity:
        raise NotFound(f"no flood assessment {assessment_id}")
    return row


def _reads(
    session: Session, gate: Gate, rows: list[FloodAssessment], lang: str
) -> list[AssessmentRead]:
    sealed = [(r.person_id, r.review_reasons) for r in rows if r.review_reasons is not None]
    opened = iter(vault.decrypt_items(session, keys=gate.keys, items=sealed))
    out = []
    for r in rows:
        reasons = None
        if r.review_reasons is not None:
            value = next(opened)
            reasons = value.decode() if isinstance(value, bytes) else None
        out.append(
            AssessmentRead(
                id=r.id,
                policy_id=r.policy_id,
                simulation_id=r.simulation_id,
                status=r.status,
                proposed=r.proposed,
                proposed_loading_bp=r.proposed_loading_bp,
                decided=r.decided,
                decided_loading_bp=r.decided_loading_bp,
                zone=r.zone_ref,
                decree_published_on=r.decree_published_on,
                flood_class=r.flood_class,
                construction_year=r.construction_year,
                refusable=r.refusable,
                reviewed_by=r.reviewed_by,
                reviewed_at=r.reviewed_at,
                review_reasons=reasons,
                contested=r.contested_at is not None,
                assessed_on=r.assessed_on,
                explanation=words.explain(r, lang, reasons),
            )
        )
    return out


def purge(session: Session, *, gate: Gate, today: dt.date) -> int:
    """Erase the assessments of home policies that ended longer ago than the register's
    retention for flood underwriting (counted from the contract's end), and those of quotes
    whose simulation's own retention is over (a quote's assessment lives no longer than the
    quote): one set-based statement each, nothing read. How many went."""
    kept = gate.register.purpose(PURPOSE).retention.duration.total_days()
    policies = repository.delete_for_policies_ended_before(
        session, before=today - dt.timedelta(days=kept)
    )
    start = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC)
    quotes = repository.delete_for_quotes_started_before(
        session, before=start - simulations.retention(gate)
    )
    return policies + quotes


def quote_assessment(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    simulation_id: int,
    lang: str,
    staff: bool,
) -> QuoteFloodRead:
    """The flood assessment of the person's home-insurance quote, explained; None while it has
    not been assessed. The person's own quote, or for staff a quote made with their entity;
    any other number answers as an unknown one does."""
    owner = simulations.owner_of(session, simulation_id=simulation_id)
    if owner is None or owner[0] != person_id or (staff and owner[1] != actor.entity):
        raise NotFound(f"no simulation {simulation_id}")
    row = repository.of_quote(session, simulation_id)
    # Staff looking are recorded, found or not; the person reads what there is about them.
    if staff or row is not None:
        reader = actor if staff else Actor(SELF_SERVICE, owner[1])
        gate.open(session, actor=reader, purpose=PURPOSE).access(
            person_id,
            categories=QUOTE_DATA,
            event=Event.READ,
            details={"assessments": [row.id] if row else [], "quote": simulation_id},
        )
    read = None if row is None else _reads(session, gate, [row], lang)[0]
    return QuoteFloodRead(simulation_id=simulation_id, assessment=read)

"""Reinsurance: treaties with declared reinsurers, facultative placements, and bordereaux.

A bordereau is made set-based: one read of the portfolio from the customer file, one read of
the claims, one bulk decision of the gate for every policyholder, then the rows of those
allowed. The transfer is recorded as one batch disclosure to the reinsurer under
`reinsurance-transfer` whose members are the policyholders allowed (each can prove they are one,
and where the transfer stands in the signed log); a refusal is recorded on its own. The
policyholder appears under a pseudonym keyed for that reinsurer alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from pydantic import ValidationError
from sqlalchemy.orm import Session

from lawful.core.bulk import no_cycle_collection
from lawful.core.errors import Conflict, InvalidInput, NotFound
from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.flood import service as flood
from lawful.insurance import repository
from lawful.insurance.schemas import (
    Bordereau,
    BordereauRow,
    Period,
    TreatyCreate,
    TreatyRead,
)

PURPOSE = "reinsurance-transfer"
ACTOR_ROLE = "reinsurance-service"
EVENT = "insurance.bordereau.transfer"


def create_treaty(session: Session, *, gate: Gate, data: TreatyCreate) -> TreatyRead:
    """Record a treaty; the reinsurer must be a recipient the register declares for reinsurance
    and the entity one of its controllers, so that what the statement names is what is sent."""
    purpose = gate.register.purpose(PURPOSE)
    if data.reinsurer not in purpose.recipients:
        raise InvalidInput(
            f"{data.reinsurer!r} is not a reinsurer the register declares "
            f"({', '.join(purpose.recipients)})",
            field="reinsurer",
        )
    if data.entity not in purpose.controllers:
        raise InvalidInput(
            f"{data.entity!r} does not reinsure ({', '.join(purpose.controllers)})", field="entity"
        )
    if repository.treaty(session, data.code) is not None:
        raise Conflict(f"treaty {data.code} already exists")
    repository.add_treaty(session, data.model_dump())
    return TreatyRead.model_validate(data.model_dump())


def treaty_from(values: dict[str, object]) -> TreatyCreate:
    """A TreatyCreate, or InvalidInput naming the first field in error."""
    try:
        return TreatyCreate.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or None
        raise InvalidInput(first["msg"], field=where) from None


def get_treaty(session: Session, code: str) -> TreatyRead:
    row = repository.treaty(session, code)
    if row is None:
        raise NotFound(f"no treaty {code}")
    return TreatyRead.model_validate(row)


def list_treaties(session: Session) -> list[TreatyRead]:
    return [TreatyRead.model_validate(t) for t in repository.treaties(session)]


def place_policies(
    session: Session, *, treaty_code: str, policy_ids: Collection[int], on: dt.date
) -> None:
    """Place home policies under a facultative treaty."""
    treaty = get_treaty(session, treaty_code)
    if treaty.kind != "facultative":
        raise InvalidInput(
            f"treaty {treaty_code} is {treaty.kind}, not facultative", field="treaty"
        )
    repository.place(
        session, treaty_code, set(policy_ids) - repository.placed(session, treaty_code), on
    )


def record_claims(session: Session, rows: list[dict[str, object]]) -> None:
    """Claims on home policies (policy_id, occurred_on, paid_cents), in bulk."""
    repository.add_claims(session, rows)


def bordereau(
    session: Session, *, gate: Gate, treaty_code: str, period: str, today: dt.date | None = None
) -> Bordereau:
    """The bordereau of a treaty for a quarter, every policyholder in it recorded as disclosed
    to the treaty's reinsurer. InvalidInput for an unknown treaty or a period it does not cover."""
    quarter = Period.parse(period)
    row = repository.treaty(session, treaty_code)
    if row is None:
        raise InvalidInput(f"{treaty_code} is not a treaty on record", field="treaty")
    treaty = TreatyRead.model_validate(row)
    if quarter.end < treaty.starts_on or quarter.start > treaty.ends_on:
        raise InvalidInput(
            f"treaty {treaty_code} runs from {treaty.starts_on} to {treaty.ends_on}: "
            f"it does not cover {quarter.label}",
            field="period",
        )
    with no_cycle_collection():
        return _bordereau(session, gate=gate, treaty=treaty, quarter=quarter, today=today)


def _bordereau(
    session: Session, *, gate: Gate, treaty: TreatyRead, quarter: Period, today: dt.date | None
) -> Bordereau:
    risks = customers.home_risks(
        session,
        entity=treaty.entity,
        start=max(quarter.start, treaty.starts_on),
        end=min(quarter.end, treaty.ends_on),
        min_sum_insured_cents=treaty.retention_cents if treaty.kind == "excess_of_loss" else None,
        policy_ids=repository.placed(session, treaty.code)
        if treaty.kind == "facultative"
        else None,
    )
    holders = list(dict.fromkeys(r.person_id for r in risks))
    ctx = gate.open(session, actor=Actor(ACTOR_ROLE, treaty.entity, treaty.code), purpose=PURPOSE)
    outcome = ctx.disclose_many(
        holders,
        categories=gate.register.purpose(PURPOSE).data_categories,
        event=EVENT,
        recipient=treaty.reinsurer,
        about={"treaty": treaty.code, "period": quarter.label},
        as_of=today,
    )
    allowed = set(outcome.allowed)
    claims = repository.claim_counts(
        session, [r.policy_id for r in risks], quarter.start, quarter.end
    )
    classes = flood.classes_of(session, policy_ids=[r.policy_id for r in risks])
    pseudonym = gate.keys.recipient_pseudonymiser(treaty.reinsurer)
    rows = [
        BordereauRow(
            policyholder=pseudonym(r.person_id),
            postcode=r.postcode,
            sum_insured_cents=r.sum_insured_cents,
            premium_cents=r.premium_cents,
            # The flood partner's class of the building, where its data placed it.
            flood_class=classes.get(r.policy_id),
            claims=claims.get(r.policy_id, 0),
        )
        for r in risks
        if r.person_id in allowed
    ]
    return Bordereau(treaty, quarter, rows, len(allowed), len(outcome.denied))

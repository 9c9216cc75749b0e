"""The group's other systems over HTTP: record their events, ask for decisions in bulk."""

from __future__ import annotations

from lawful.ingest import service
from lawful.ingest.schemas import DecisionAnswers, DecisionQuestion, EventBatch, IngestResult
from lawful.web.deps import (
    PrincipalDep,
    RuntimeDep,
    SessionDep,
    actor_of,
    require_system,
    require_system_or_staff,
)
from lawful.web.routing import UnitOfWorkRouter

router = UnitOfWorkRouter(tags=["systems"])


@router.post(
    "/events",
    summary="Record a batch of a system's events in the ledger",
    description=(
        "A system token only. Each event is checked against the register (a purpose the system "
        "may pursue for its entity, categories and recipient declared for it, a subject on "
        "file); if one is not, nothing is recorded and the answer (422) lists every bad event by "
        "`index` and `field`. An event whose `key` was recorded before is skipped: a retried "
        "batch is not recorded twice."
    ),
)
def record_events(
    batch: EventBatch, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> IngestResult:
    require_system(who)
    return service.ingest_events(
        session,
        gate=rt.gate,
        system=who.role,
        entity=who.entity,
        events=[event.line() for event in batch.events],
    )


@router.post(
    "/decisions",
    summary="May the caller use these categories of these subjects for this purpose?",
    description=(
        "A system or staff token. One answer per subject, with the policy's reasons and "
        "obligations; every decision is recorded in the ledger."
    ),
)
def decide(
    question: DecisionQuestion, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> DecisionAnswers:
    require_system_or_staff(who)
    return service.decide(session, gate=rt.gate, actor=actor_of(who), question=question)

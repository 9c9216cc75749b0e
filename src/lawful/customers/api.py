"""The customer file over HTTP: each route checks who may reach whom, then calls the service."""

from __future__ import annotations

import datetime as dt

from fastapi import status
from pydantic import BaseModel, Field

from lawful.customers import service
from lawful.customers.schemas import (
    ConsentRead,
    KycRecordRead,
    PersonCreate,
    PersonRead,
    PersonUpdate,
    PreferenceRead,
    ProductsRead,
    RectificationRead,
    ReuseOutcome,
)
from lawful.web.deps import (
    PrincipalDep,
    RuntimeDep,
    SessionDep,
    actor_of,
    require_person_access,
    require_staff,
)
from lawful.web.routing import UnitOfWorkRouter

router = UnitOfWorkRouter(prefix="/persons", tags=["customer file"])


class Rectify(BaseModel):
    changes: PersonUpdate
    reason: str = Field(min_length=3, description="Why the file changes; kept in its history.")


class PreferenceSet(BaseModel):
    enabled: bool


@router.post("", status_code=status.HTTP_201_CREATED, summary="Open a customer file")
def create_person(
    data: PersonCreate, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> PersonRead:
    require_staff(who)
    return service.create_person(
        session, gate=rt.gate, actor=actor_of(who), data=data, today=dt.date.today()
    )


@router.get("/{person_id}", summary="Read a customer file")
def get_person(
    person_id: str, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> PersonRead:
    require_person_access(who, person_id)
    return service.get_person(session, gate=rt.gate, actor=actor_of(who), person_id=person_id)


@router.patch("/{person_id}", summary="Rectify a customer file (kept with its history)")
def rectify(
    person_id: str, body: Rectify, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> PersonRead:
    require_person_access(who, person_id)
    return service.rectify(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        person_id=person_id,
        changes=body.changes,
        reason=body.reason,
        changed_by=who.label,
    )


@router.get("/{person_id}/history", summary="Every rectification: who, when, what, why")
def history(
    person_id: str, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> list[RectificationRead]:
    require_person_access(who, person_id)
    return service.history(session, gate=rt.gate, actor=actor_of(who), person_id=person_id)


@router.get("/{person_id}/products", summary="Accounts, cards, loans and home policies")
def products(
    person_id: str, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> ProductsRead:
    require_person_access(who, person_id)
    return service.products(session, gate=rt.gate, actor=actor_of(who), person_id=person_id)


@router.get("/{person_id}/kyc", summary="Identification records")
def kyc(
    person_id: str, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> list[KycRecordRead]:
    require_person_access(who, person_id)
    return service.kyc_records(session, gate=rt.gate, actor=actor_of(who), person_id=person_id)


@router.post(
    "/{person_id}/identity-reuse",
    summary="Reuse a group entity's identification for the caller's entity",
)
def reuse_identity(
    person_id: str, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> ReuseOutcome:
    require_staff(who)  # onboarding is done by the receiving entity, not by the customer
    return service.reuse_identity(
        session, gate=rt.gate, actor=actor_of(who), person_id=person_id, today=dt.date.today()
    )


@router.put("/{person_id}/preferences/{key}", summary="Switch a notification on or off")
def set_preference(
    person_id: str,
    key: str,
    body: PreferenceSet,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
) -> PreferenceRead:
    require_person_access(who, person_id)
    return service.set_preference(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        person_id=person_id,
        key=key,
        enabled=body.enabled,
    )


@router.put("/{person_id}/consents/{purpose}", summary="Give consent for a purpose")
def give_consent(
    person_id: str, purpose: str, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> ConsentRead:
    require_person_access(who, person_id)
    return service.give_consent(
        session, gate=rt.gate, actor=actor_of(who), person_id=person_id, purpose=purpose
    )


@router.delete("/{person_id}/consents/{purpose}", summary="Withdraw consent for a purpose")
def withdraw_consent(
    person_id: str,
    purpose: str,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
) -> ConsentRead:
    require_person_access(who, person_id)
    return service.withdraw_consent(
        session, gate=rt.gate, actor=actor_of(who), person_id=person_id, purpose=purpose
    )

"""The customer file over HTTP: each route checks who may reach whom, then calls the service."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import status
from pydantic import BaseModel, ConfigDict, Field

from lawful.core.text import ShortText
from lawful.customers import applications, service
from lawful.customers.access import (
    FILE_READ_PURPOSES,
    IDENTIFICATION_READ_PURPOSES,
    IDENTITY_REUSE,
)
from lawful.customers.schemas import (
    ApplicationCreate,
    ApplicationRead,
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
    KeyId,
    PersonId,
    PrincipalDep,
    ReasonHeader,
    RowId,
    RuntimeDep,
    SessionDep,
    actor_of,
    reach,
    require_staff,
)
from lawful.web.routing import UnitOfWorkRouter

router = UnitOfWorkRouter(prefix="/persons", tags=["customer file"])


class Rectify(BaseModel):
    model_config = ConfigDict(extra="forbid")

    changes: PersonUpdate
    reason: Annotated[ShortText, Field(min_length=3)] = Field(
        description="Why the file changes; kept in its history."
    )


class PreferenceSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool


@router.post("", status_code=status.HTTP_201_CREATED, summary="Open a customer file")
def create_person(
    data: PersonCreate, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> PersonRead:
    require_staff(who)
    return service.create_person(
        session, gate=rt.gate, actor=actor_of(who), data=data, today=dt.date.today()
    )


@router.get(
    "/{person_id}",
    summary="Read a customer file",
    description=(
        "Staff give the reason in `X-Lawful-Reason`, and reach only their entity's customers: "
        "any other id answers 404, as an unknown one does."
    ),
)
def get_person(
    person_id: PersonId,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
    reason: ReasonHeader = None,
) -> PersonRead:
    reach(rt, session, who, person_id, purpose=FILE_READ_PURPOSES)
    return service.get_person(
        session, gate=rt.gate, actor=actor_of(who), person_id=person_id, reason=reason
    )


@router.patch(
    "/{person_id}",
    summary="Rectify a customer file (kept with its history)",
    description=(
        "Contact data (e-mail, phone, address, language). Names, birth date and national number "
        "change only through a rectification request (`POST /persons/{id}/requests`, type "
        "`rectification`), which staff check against an identity document."
    ),
)
def rectify(
    person_id: PersonId, body: Rectify, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> PersonRead:
    reach(rt, session, who, person_id, purpose=FILE_READ_PURPOSES)
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
    person_id: PersonId,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
    reason: ReasonHeader = None,
) -> list[RectificationRead]:
    reach(rt, session, who, person_id, purpose=FILE_READ_PURPOSES)
    return service.history(
        session, gate=rt.gate, actor=actor_of(who), person_id=person_id, reason=reason
    )


@router.get("/{person_id}/products", summary="Accounts, cards, loans and home policies")
def products(
    person_id: PersonId,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
    reason: ReasonHeader = None,
) -> ProductsRead:
    reach(rt, session, who, person_id, purpose=FILE_READ_PURPOSES)
    return service.products(
        session, gate=rt.gate, actor=actor_of(who), person_id=person_id, reason=reason
    )


@router.get("/{person_id}/kyc", summary="Identification records")
def kyc(
    person_id: PersonId,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
    reason: ReasonHeader = None,
) -> list[KycRecordRead]:
    reach(rt, session, who, person_id, purpose=IDENTIFICATION_READ_PURPOSES)
    return service.kyc_records(
        session, gate=rt.gate, actor=actor_of(who), person_id=person_id, reason=reason
    )


@router.post(
    "/{person_id}/applications",
    status_code=status.HTTP_201_CREATED,
    summary="Apply to become a client of an entity of the group",
    description=(
        "A customer applies to any entity of the group (`entity`). Staff record an application "
        "to their own entity at a branch, with the identity document they checked (`document`) "
        "and the national number read on it (`national_number`). An open application is what "
        "lets the entity reuse the group's identification of the person."
    ),
)
def apply(
    person_id: PersonId,
    body: ApplicationCreate,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
) -> ApplicationRead:
    reach(rt, session, who, person_id, purpose=IDENTITY_REUSE)
    return applications.file_application(
        session, gate=rt.gate, actor=actor_of(who), person_id=person_id, data=body
    )


@router.get(
    "/{person_id}/applications",
    summary="The person's applications (staff: those to their entity)",
)
def list_applications(
    person_id: PersonId, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> list[ApplicationRead]:
    reach(rt, session, who, person_id, purpose=IDENTITY_REUSE)
    return applications.list_applications(
        session, gate=rt.gate, actor=actor_of(who), person_id=person_id
    )


@router.post(
    "/{person_id}/applications/{application_id}/withdrawal",
    summary="Withdraw an open application",
)
def withdraw_application(
    person_id: PersonId,
    application_id: RowId,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
) -> ApplicationRead:
    reach(rt, session, who, person_id)  # staff never withdraw: the domain answers
    return applications.withdraw_application(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        person_id=person_id,
        application_id=application_id,
    )


@router.post(
    "/{person_id}/identity-reuse",
    summary="Reuse a group entity's identification for the caller's entity",
    description=(
        "Only for a person with an open application to the caller's entity: otherwise refused "
        "(403, reason `no_application`) and the refusal recorded. Reading the group's "
        "identification status and copying the record are each recorded as a disclosure to "
        "the caller's entity."
    ),
)
def reuse_identity(
    person_id: PersonId, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> ReuseOutcome:
    require_staff(who)  # onboarding is done by the receiving entity, not by the customer
    reach(rt, session, who, person_id, purpose=IDENTITY_REUSE)
    return service.reuse_identity(
        session, gate=rt.gate, actor=actor_of(who), person_id=person_id, today=dt.date.today()
    )


@router.put("/{person_id}/preferences/{key}", summary="Switch a notification on or off")
def set_preference(
    person_id: PersonId,
    key: KeyId,
    body: PreferenceSet,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
) -> PreferenceRead:
    reach(rt, session, who, person_id, purpose=FILE_READ_PURPOSES)
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
    person_id: PersonId, purpose: KeyId, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> ConsentRead:
    reach(rt, session, who, person_id, purpose=FILE_READ_PURPOSES)
    return service.give_consent(
        session, gate=rt.gate, actor=actor_of(who), person_id=person_id, purpose=purpose
    )


@router.delete("/{person_id}/consents/{purpose}", summary="Withdraw consent for a purpose")
def withdraw_consent(
    person_id: PersonId,
    purpose: KeyId,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
) -> ConsentRead:
    reach(rt, session, who, person_id, purpose=FILE_READ_PURPOSES)
    return service.withdraw_consent(
        session, gate=rt.gate, actor=actor_of(who), person_id=person_id, purpose=purpose
    )

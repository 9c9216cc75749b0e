"""Notification preferences and the app's inbox over HTTP: who may reach whom, then the service."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Query

from lawful.customers.service import FILE_READ_PURPOSES
from lawful.engagement import service
from lawful.engagement.schemas import NotificationRead, PreferencesRead, PreferencesUpdate
from lawful.web.deps import PersonId, PrincipalDep, RuntimeDep, SessionDep, actor_of, reach
from lawful.web.routing import UnitOfWorkRouter

router = UnitOfWorkRouter(prefix="/persons", tags=["notifications"])
_SCOPE = (
    "A customer reaches their own only; staff reach their entity's customers, any other id "
    "answering 404 as an unknown one does."
)


@router.get(
    "/{person_id}/notification-preferences",
    summary="Notification topics, channels, quiet hours and language (Profile > Notifications)",
    description=_SCOPE,
)
def get_preferences(
    person_id: PersonId, rt: RuntimeDep, session: SessionDep, who: PrincipalDep
) -> PreferencesRead:
    reach(rt, session, who, person_id, purpose=FILE_READ_PURPOSES)
    return service.get_preferences(
        session, gate=rt.gate, actor=actor_of(who), person_id=person_id, today=dt.date.today()
    )


@router.put(
    "/{person_id}/notification-preferences",
    summary="Change notification preferences (only what is given)",
    description=(
        "Topics take their channels in order of preference; `[]` switches a topic off, which a "
        "mandatory notice (security alerts, changes to the privacy statement) refuses with 422. "
        "Choosing e-mail or SMS for a marketing topic is the person's opt-in; a direct-marketing "
        "objection overrides every choice. " + _SCOPE
    ),
)
def put_preferences(
    person_id: PersonId,
    body: PreferencesUpdate,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
) -> PreferencesRead:
    reach(rt, session, who, person_id, purpose=FILE_READ_PURPOSES)
    return service.set_preferences(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        person_id=person_id,
        changes=body,
        today=dt.date.today(),
    )


@router.get(
    "/{person_id}/notifications",
    summary="Messages sent to the person or kept in the app, newest first",
    description=_SCOPE,
)
def notifications(
    person_id: PersonId,
    rt: RuntimeDep,
    session: SessionDep,
    who: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[NotificationRead]:
    reach(rt, session, who, person_id, purpose=FILE_READ_PURPOSES)
    return service.notifications(
        session,
        gate=rt.gate,
        actor=actor_of(who),
        person_id=person_id,
        today=dt.date.today(),
        limit=limit,
    )

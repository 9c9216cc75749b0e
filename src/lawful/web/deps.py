"""Request-scoped plumbing shared by every domain's API: session, gate, principal.

Routes declare what they need with `SessionDep`, `PrincipalDep` and `RuntimeDep`. The first two
are supplied by `routing.UnitOfWorkRouter` (every router of the app), in the route's own
worker-thread step: one unit of work per request, one way.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from lawful.auth import service as auth
from lawful.auth.schemas import Principal, PrincipalKind
from lawful.core.errors import NotPermitted
from lawful.core.policy.types import Actor
from lawful.core.register.models import Register
from lawful.core.runtime import Runtime


async def runtime(request: Request) -> Runtime:
    # async: no I/O here, so FastAPI need not hand it to a worker thread as it does a plain def.
    state: Runtime = request.app.state.lawful
    return state


bearer = HTTPBearer(auto_error=False, description="A staff or customer token.")


def db_session() -> Session:
    """Marks a route parameter as the request's unit of work; `routing.UnitOfWorkRouter`
    supplies it (FastAPI never calls this)."""
    raise RuntimeError(_OFF_ROUTER)


def principal() -> Principal:
    """Marks a route parameter as the authenticated caller; `routing.UnitOfWorkRouter`
    supplies it (FastAPI never calls this)."""
    raise RuntimeError(_OFF_ROUTER)


_OFF_ROUTER = "SessionDep and PrincipalDep are supplied on a UnitOfWorkRouter only"


def authenticate(
    session: Session, register: Register, credentials: HTTPAuthorizationCredentials
) -> Principal:
    return auth.authenticate(session, register=register, token=credentials.credentials)


def require_person_access(who: Principal, person_id: str) -> None:
    """A customer sees and acts on their own data only; staff are left to the policy."""
    if who.kind is PrincipalKind.CUSTOMER and who.person_id != person_id:
        raise NotPermitted("a customer can only reach their own data")


def require_staff(who: Principal) -> None:
    if who.kind is not PrincipalKind.STAFF:
        raise NotPermitted("this is done by staff, not by a customer")


def actor_of(who: Principal) -> Actor:
    """The policy's actor; a staff member's id rides along so the record names who acted."""
    return Actor(who.role, who.entity, who.staff_id)


# A header, not a query parameter: reasons may name a case or an appointment, and query strings end
# up in access logs and browser histories.
ReasonHeader = Annotated[
    str | None,
    Header(
        alias="X-Lawful-Reason",
        max_length=200,
        description=(
            "Why a staff member opens this file: the case, request or appointment it serves "
            "(e.g. 'loan renewal, appointment 2026-12-07'). Required from staff, kept in the "
            "ledger encrypted with the customer's key; customers reading their own data leave "
            "it out."
        ),
    ),
]
SessionDep = Annotated[Session, Depends(db_session)]
RuntimeDep = Annotated[Runtime, Depends(runtime)]
PrincipalDep = Annotated[Principal, Depends(principal)]

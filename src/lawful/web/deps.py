"""Request-scoped plumbing shared by every domain's API: session, gate, principal.

Routes declare what they need with `SessionDep`, `PrincipalDep` and `RuntimeDep`. The first two
are supplied by `routing.UnitOfWorkRouter` (every router of the app), in the route's own
worker-thread step: one unit of work per request, one way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lawful.auth import service as auth
from lawful.auth.schemas import Principal, PrincipalKind
from lawful.core.errors import NotPermitted
from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.core.register.models import Register


@dataclass(frozen=True)
class Runtime:
    """What a running app holds for its whole life; built once by the entrypoint."""

    engine: Engine
    register: Register
    gate: Gate


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
    return Actor(who.role, who.entity, ref=who.staff_id)


SessionDep = Annotated[Session, Depends(db_session)]
RuntimeDep = Annotated[Runtime, Depends(runtime)]
PrincipalDep = Annotated[Principal, Depends(principal)]

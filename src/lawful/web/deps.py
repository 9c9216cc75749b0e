"""Request-scoped plumbing shared by every domain's API: session, gate, principal.

Routes declare what they need with `SessionDep`, `PrincipalDep` and `RuntimeDep`. On a
`routing.UnitOfWorkRouter` (the domains' routers) the first two are supplied in the route's own
worker-thread step; anywhere else they are ordinary FastAPI dependencies, defined here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from lawful.auth import service as auth
from lawful.auth.schemas import Principal, PrincipalKind
from lawful.core.errors import LawfulError, NotPermitted, Unauthenticated
from lawful.core.gate import Gate, unit_of_work
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
_CALLER = "lawful.web.caller"


def db_session(
    rt: Annotated[Runtime, Depends(runtime)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Iterator[Session]:
    """One unit of work per request: committed after the route, rolled back if it raises.

    The bearer token is checked here too, in the same worker-thread step that opens the unit of
    work (one hand-over fewer per request); `principal` turns the outcome into the caller or the
    error, so a route that needs no caller never fails on a bad token.
    """
    with unit_of_work(rt.engine) as session:
        session.info[_CALLER] = _caller(session, rt.register, credentials)
        yield session


def _caller(
    session: Session, register: Register, credentials: HTTPAuthorizationCredentials | None
) -> Principal | LawfulError:
    if credentials is None:
        return Unauthenticated("a bearer token is required")
    try:
        return authenticate(session, register, credentials)
    except LawfulError as refused:
        return refused


def authenticate(
    session: Session, register: Register, credentials: HTTPAuthorizationCredentials
) -> Principal:
    return auth.authenticate(session, register=register, token=credentials.credentials)


async def principal(session: Annotated[Session, Depends(db_session)]) -> Principal:
    # async: it only reads what `db_session` found, so it runs without a worker thread.
    caller: Principal | LawfulError = session.info[_CALLER]
    if isinstance(caller, LawfulError):
        raise caller
    return caller


def require_person_access(who: Principal, person_id: str) -> None:
    """A customer sees and acts on their own data only; staff are left to the policy."""
    if who.kind is PrincipalKind.CUSTOMER and who.person_id != person_id:
        raise NotPermitted("a customer can only reach their own data")


def require_staff(who: Principal) -> None:
    if who.kind is not PrincipalKind.STAFF:
        raise NotPermitted("this is done by staff, not by a customer")


def actor_of(who: Principal) -> Actor:
    return Actor(who.role, who.entity)


SessionDep = Annotated[Session, Depends(db_session)]
RuntimeDep = Annotated[Runtime, Depends(runtime)]
PrincipalDep = Annotated[Principal, Depends(principal)]

"""Request-scoped plumbing shared by every domain's API: session, gate, principal."""

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
from lawful.core.errors import NotPermitted, Unauthenticated
from lawful.core.gate import Gate, unit_of_work
from lawful.core.policy.types import Actor
from lawful.core.register.models import Register


@dataclass(frozen=True)
class Runtime:
    """What a running app holds for its whole life; built once by the entrypoint."""

    engine: Engine
    register: Register
    gate: Gate


def runtime(request: Request) -> Runtime:
    state: Runtime = request.app.state.lawful
    return state


def db_session(rt: Annotated[Runtime, Depends(runtime)]) -> Iterator[Session]:
    """One unit of work per request: committed after the route, rolled back if it raises."""
    with unit_of_work(rt.engine) as session:
        yield session


_bearer = HTTPBearer(auto_error=False, description="A staff or customer token.")


def principal(
    rt: Annotated[Runtime, Depends(runtime)],
    session: Annotated[Session, Depends(db_session)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthenticated("a bearer token is required")
    return auth.authenticate(session, register=rt.register, token=credentials.credentials)


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

"""Request-scoped plumbing shared by every domain's API: session, gate, principal.

Routes declare what they need with `SessionDep`, `PrincipalDep` and `RuntimeDep`. The first two
are supplied by `routing.UnitOfWorkRouter` (every router of the app), in the route's own
worker-thread step: one unit of work per request, one way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from lawful.auth import service as auth
from lawful.auth.schemas import Principal, PrincipalKind
from lawful.core.errors import NotPermitted, ProcessingDenied
from lawful.core.policy.types import Actor, Reason
from lawful.core.runtime import Runtime
from lawful.web.security import REFUSED


async def runtime(request: Request) -> Runtime:
    # async: no I/O here, so FastAPI need not hand it to a worker thread as it does a plain def.
    state: Runtime = request.app.state.lawful
    return state


bearer = HTTPBearer(auto_error=False, description="A staff, customer or system token.")


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
    session: Session, rt: Runtime, credentials: HTTPAuthorizationCredentials
) -> Principal:
    return auth.authenticate(session, states=rt.gate.states, token=credentials.credentials)


def reach(
    rt: Runtime,
    session: Session,
    who: Principal,
    person_id: str,
    *,
    purpose: str | Sequence[str] | None = None,
) -> None:
    """Before anything about the person is looked up: a customer reaches their own data only
    (refused the same whether the other person exists or not); a staff member whose role or
    entity may pursue none of the route's purposes (`purpose`: one, or those the domain chooses
    among) for anyone is refused, and the attempt recorded under the first, before the person is
    looked up: the answer is the same for a person on file and one who is not. Without
    `purpose`, staff are left to the domain."""
    if who.kind is PrincipalKind.SYSTEM:
        raise NotPermitted(SYSTEMS_READ_NO_FILE)
    if who.kind is PrincipalKind.CUSTOMER:
        if who.person_id != person_id:
            raise NotPermitted("a customer can only reach their own data")
        return
    if purpose is None:
        return
    purposes = (purpose,) if isinstance(purpose, str) else tuple(purpose)
    refusals = [(p, r) for p in purposes if (r := _unpursuable(rt, who, p)) is not None]
    if refusals and len(refusals) == len(purposes):
        purpose, reason = refusals[0]
        ctx = rt.gate.open(session, actor=actor_of(who), purpose=purpose)
        categories = rt.register.purpose(purpose).data_categories
        ctx.refuse(person_id, categories=categories, event=REFUSED, reasons=[reason.value])


def _unpursuable(rt: Runtime, who: Principal, purpose: str) -> Reason | None:
    """Why the caller may not pursue `purpose` for anyone (role or entity), or None."""
    actor = actor_of(who)
    if rt.gate.policy.may_pursue(actor, purpose):
        return None
    role_may = purpose in rt.gate.policy.roles.get(actor.role, frozenset())
    return Reason.ENTITY_NOT_CONTROLLER if role_may else Reason.ROLE_NOT_PERMITTED


def require_pursuable(rt: Runtime, who: Principal, *, purpose: str) -> None:
    """For a route naming no person (a request or objection by its number): a role or entity that
    may not pursue `purpose` at all is refused before the number is looked up, whether it exists
    or not. Nothing is recorded: no person is concerned yet."""
    reason = _unpursuable(rt, who, purpose)
    if reason is not None:
        raise ProcessingDenied(purpose, [reason.value])


SYSTEMS_READ_NO_FILE = "a system token records events and asks for decisions; it reads no file"


def is_staff(who: Principal) -> bool:
    return who.kind is PrincipalKind.STAFF


def require_staff(who: Principal) -> None:
    if who.kind is PrincipalKind.SYSTEM:
        raise NotPermitted(SYSTEMS_READ_NO_FILE)
    if who.kind is not PrincipalKind.STAFF:
        raise NotPermitted("this is done by staff, not by a customer")


def staff_acting_for(rt: Runtime, who: Principal, *, purpose: str) -> Actor:
    """A route naming no person, done by staff whose role and entity may pursue `purpose`
    (`require_staff`, then `require_pursuable`): the actor they act as."""
    require_staff(who)
    require_pursuable(rt, who, purpose=purpose)
    return actor_of(who)


def require_system(who: Principal) -> None:
    if who.kind is not PrincipalKind.SYSTEM:
        raise NotPermitted("only a system's token records the events of that system")


def require_system_or_staff(who: Principal) -> None:
    if who.kind is PrincipalKind.CUSTOMER:
        raise NotPermitted("decisions are asked by systems and staff, not by a customer")


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


# Ids in paths: bounded before anything looks them up. Numbered rows (objections, requests) have
# INTEGER keys, 32-bit in PostgreSQL, so a larger number names nothing and is refused as input;
# a string id is a short token of letters, digits, '-' and '_' (no NUL, no surrogate).
MAX_ID = 2**31 - 1
_ID = r"^[A-Za-z0-9_-]+$"
PersonId = Annotated[str, Path(min_length=1, max_length=64, pattern=_ID)]
KeyId = Annotated[str, Path(min_length=1, max_length=64, pattern=_ID)]
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]

SessionDep = Annotated[Session, Depends(db_session)]
RuntimeDep = Annotated[Runtime, Depends(runtime)]
PrincipalDep = Annotated[Principal, Depends(principal)]

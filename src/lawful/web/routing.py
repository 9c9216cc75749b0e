"""Routes whose whole unit of work runs in one worker-thread step.

A domain route is a plain function taking `SessionDep` and `PrincipalDep` (see `deps`). Declared
as such, FastAPI would hand four steps of each request to its thread pool: opening the unit of
work, the route itself, checking its answer, committing. `UnitOfWorkRouter` runs the same
function as one step instead: open the unit of work, authenticate the caller, run the route,
commit; the answer is then checked on the event loop. The route reads exactly as before and keeps
its semantics (a refusal recorded even when the transaction rolls back, errors mapped once).

The caller's token is checked before anything else the route does; a request without any token
is refused before parameters are even validated, as `deps.principal` would.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_type_hints

from fastapi import APIRouter, Depends, params
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from lawful.auth.schemas import Principal
from lawful.core.errors import Unauthenticated
from lawful.core.gate import unit_of_work
from lawful.web.deps import Runtime, authenticate, bearer, db_session, principal, runtime


@dataclass(frozen=True)
class Call:
    """What a request brings before its first database access: the app and the bearer token."""

    runtime: Runtime
    credentials: HTTPAuthorizationCredentials | None

    def run(
        self, route: Callable[..., Any], injected: Mapping[str, str], values: dict[str, Any]
    ) -> Any:
        with unit_of_work(self.runtime.engine) as session:
            for name, what in injected.items():
                values[name] = session if what == _SESSION else self._caller(session)
            return route(**values)

    def _caller(self, session: Session) -> Principal:
        if self.credentials is None:
            raise Unauthenticated("a bearer token is required")
        return authenticate(session, self.runtime.register, self.credentials)


async def _call(
    rt: Annotated[Runtime, Depends(runtime)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Call:
    return Call(rt, credentials)


async def _call_by_someone(
    rt: Annotated[Runtime, Depends(runtime)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Call:
    # No token at all needs no database to refuse: before anything else is looked at.
    if credentials is None:
        raise Unauthenticated("a bearer token is required")
    return Call(rt, credentials)


_SESSION, _PRINCIPAL = "session", "principal"
_MARKERS = {db_session: _SESSION, principal: _PRINCIPAL}
_CALL_PARAMETER = "lawful_call"


def _injected(hints: Mapping[str, Any]) -> dict[str, str]:
    """The route's parameters declared as `SessionDep` or `PrincipalDep`."""
    found: dict[str, str] = {}
    for name, hint in hints.items():
        for meta in get_args(hint)[1:]:
            if isinstance(meta, params.Depends) and meta.dependency in _MARKERS:
                found[name] = _MARKERS[meta.dependency]
    return found


def in_one_step(route: Callable[..., Any]) -> Callable[..., Any]:
    """The route as an async endpoint running its unit of work in one worker-thread step."""
    if inspect.iscoroutinefunction(route):
        return route
    hints = get_type_hints(route, include_extras=True)
    injected = _injected(hints)
    if not injected:
        return route
    signature = inspect.signature(route)
    kept = [
        p.replace(annotation=hints.get(p.name, p.annotation))
        for p in signature.parameters.values()
        if p.name not in injected
    ]
    kept.append(
        inspect.Parameter(
            _CALL_PARAMETER,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[
                Call, Depends(_call_by_someone if _PRINCIPAL in injected.values() else _call)
            ],
        )
    )

    async def endpoint(**values: Any) -> Any:
        call: Call = values.pop(_CALL_PARAMETER)
        return await run_in_threadpool(call.run, route, injected, values)

    # Not functools.wraps: FastAPI must see this coroutine and its signature, not the route's.
    for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(endpoint, attribute, getattr(route, attribute))
    endpoint.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=kept, return_annotation=hints.get("return", signature.return_annotation)
    )
    return endpoint


class UnitOfWorkRouter(APIRouter):
    """An APIRouter whose routes taking `SessionDep`/`PrincipalDep` run in one step."""

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().add_api_route(path, in_one_step(endpoint), **kwargs)

"""Routes whose whole unit of work runs in one worker-thread step.

A domain route is a plain function taking `SessionDep` and `PrincipalDep` (see `deps`). Declared
as such, FastAPI would hand four steps of each request to its thread pool: opening the unit of
work, the route itself, checking its answer, committing; and it would hold SQLite's write lock
across all four, so that under load requests queued for threads while holding the lock. Here the
same function runs as one step: open the unit of work, authenticate the caller, run the route,
check its answer against the response model, commit. The route reads exactly as before.

What stays as it was:
- a refusal is recorded even when the transaction rolls back (`unit_of_work`);
- an answer that does not fit the route's response model rolls the work back (500), as before;
- nobody learns what a route expects before showing a valid token: a request without a token is
  refused before its parameters are validated, and one whose parameters fail validation is
  answered 401, not 422, when its token is not valid.
`SessionDep` and `PrincipalDep` may only be parameters of the route itself on this router: a
dependency taking them would open a second unit of work, which is refused when the route is added.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, get_args, get_type_hints

from fastapi import APIRouter, Depends, Request, Response, params
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError, ResponseValidationError
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from lawful.auth.schemas import Principal
from lawful.core.db import session_scope
from lawful.core.errors import Unauthenticated
from lawful.core.gate import unit_of_work
from lawful.core.runtime import Runtime
from lawful.web.deps import authenticate, bearer, db_session, principal, runtime

_SESSION, _PRINCIPAL = "session", "principal"
_MARKERS = {db_session: _SESSION, principal: _PRINCIPAL}
_CALL_PARAMETER = "lawful_call"
_STEP = "__lawful_step__"


@dataclass
class _Step:
    """What `in_one_step` knows of a route, and the response check its route object supplies."""

    route: Callable[..., Any]
    injected: Mapping[str, str]
    check: Callable[[Any], None] | None = field(default=None)

    @property
    def needs_caller(self) -> bool:
        return _PRINCIPAL in self.injected.values()


@dataclass(frozen=True)
class Call:
    """What a request brings before its first database access: the app and the bearer token."""

    runtime: Runtime
    credentials: HTTPAuthorizationCredentials | None

    def run(self, step: _Step, values: dict[str, Any]) -> Any:
        with unit_of_work(self.runtime.engine) as session:
            for name, what in step.injected.items():
                values[name] = session if what == _SESSION else self._caller(session)
            answer = step.route(**values)
            if step.check is not None and not isinstance(answer, Response):
                step.check(answer)  # before the commit: an answer that cannot be sent rolls back
            return answer

    def _caller(self, session: Session) -> Principal:
        if self.credentials is None:
            raise Unauthenticated("a bearer token is required")
        return authenticate(session, self.runtime.register, self.credentials)


async def _call(rt: Annotated[Runtime, Depends(runtime)]) -> Call:
    return Call(rt, None)


async def _call_by_someone(
    rt: Annotated[Runtime, Depends(runtime)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Call:
    # No token at all needs no database to refuse: before anything else is looked at.
    if credentials is None:
        raise Unauthenticated("a bearer token is required")
    return Call(rt, credentials)


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
    step = _Step(route, injected)
    signature = inspect.signature(route)
    kept = [
        p.replace(annotation=hints.get(p.name, p.annotation))
        for p in signature.parameters.values()
        if p.name not in injected
    ]
    call = _call_by_someone if step.needs_caller else _call
    kept.append(
        inspect.Parameter(
            _CALL_PARAMETER,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[Call, Depends(call)],
        )
    )
    returns = hints.get("return", signature.return_annotation)

    async def endpoint(**values: Any) -> Any:
        call: Call = values.pop(_CALL_PARAMETER)
        return await run_in_threadpool(call.run, step, values)

    # Not functools.wraps: FastAPI must see this coroutine and its signature, not the route's.
    for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(endpoint, attribute, getattr(route, attribute))
    endpoint.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=kept,
        # `-> None` resolves to NoneType, which FastAPI would take for a response model.
        return_annotation=None if returns is type(None) else returns,
    )
    setattr(endpoint, _STEP, step)
    return endpoint


def _refuse_invalid_token(request: Request) -> None:
    """Authenticate the request's token on its own; raise as the route would have."""
    rt: Runtime = request.app.state.lawful
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("a bearer token is required")
    credentials = HTTPAuthorizationCredentials(scheme=scheme, credentials=token.strip())
    with session_scope(rt.engine, read_only=True) as session:
        authenticate(session, rt.register, credentials)


class UnitOfWorkRoute(APIRoute):
    """Answers 401 rather than 422 when the parameters are invalid and so is the token."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        step: _Step | None = getattr(self.endpoint, _STEP, None)
        if step is None or not step.needs_caller:
            return handler

        async def caller_first(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError:
                await run_in_threadpool(_refuse_invalid_token, request)
                raise

        return caller_first


class UnitOfWorkRouter(APIRouter):
    """An APIRouter whose routes taking `SessionDep`/`PrincipalDep` run in one step."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("route_class", UnitOfWorkRoute)
        super().__init__(**kwargs)

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        wrapped = in_one_step(endpoint)
        super().add_api_route(path, wrapped, **kwargs)
        step: _Step | None = getattr(wrapped, _STEP, None)
        if step is None:
            return
        route = self.routes[-1]
        if not (isinstance(route, APIRoute) and route.endpoint is wrapped):
            raise RuntimeError(f"{path}: the route just added is not the last one")
        _refuse_nested(route.dependant, f"{path} ({endpoint.__name__})")
        response_field = route.response_field
        if response_field is not None:
            step.check = _checker(response_field)


def _refuse_nested(dependant: Dependant, where: str) -> None:
    for sub in dependant.dependencies:
        if sub.call in _MARKERS:
            raise TypeError(
                f"{where}: SessionDep and PrincipalDep must be parameters of the route itself "
                "on a UnitOfWorkRouter, not of one of its dependencies"
            )
        _refuse_nested(sub, where)


def _checker(response_field: Any) -> Callable[[Any], None]:
    def check(answer: Any) -> None:
        _, errors = response_field.validate(answer, {}, loc=("response",))
        if errors:
            raise ResponseValidationError(errors=errors, body=answer)

    return check

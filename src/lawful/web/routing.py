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

What it adds:
- work that needs no transaction — rendering a PDF — is returned as `AfterCommit` and runs in
  the same worker thread once the transaction is committed, holding no lock;
- a customer refused another person's data is recorded as a security event (`security`).
`SessionDep` and `PrincipalDep` may only be parameters of the route itself on this router: a
dependency taking them would open a second unit of work, which is refused when the route is added.

Only FastAPI's public API is used: the dependency markers are found in the route's own signature,
and the answer is checked with a pydantic `TypeAdapter` of the route's response model.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, get_args, get_type_hints

from fastapi import APIRouter, Depends, Request, Response
from fastapi.datastructures import DefaultPlaceholder
from fastapi.exceptions import RequestValidationError, ResponseValidationError
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from lawful.auth.schemas import Principal
from lawful.core.db import is_busy, session_scope
from lawful.core.errors import NotPermitted, Unauthenticated
from lawful.core.gate import unit_of_work
from lawful.core.ledger import group
from lawful.core.runtime import Runtime
from lawful.web import security
from lawful.web.deps import (
    authenticate,
    bearer,
    db_session,
    principal,
    runtime,
)

_SESSION, _PRINCIPAL, _RUNTIME = "session", "principal", "runtime"
# `RuntimeDep` too is handed over by the step rather than solved by FastAPI on every request.
_MARKERS = {db_session: _SESSION, principal: _PRINCIPAL, runtime: _RUNTIME}
_CALL_PARAMETER = "lawful_call"
_STEP = "__lawful_step__"


@dataclass(frozen=True)
class AfterCommit:
    """What a route returns for work to do once its transaction is committed (in the same worker
    thread, outside any transaction): `finish()` makes the answer."""

    finish: Callable[[], Any]


@dataclass
class _Step:
    """What `in_one_step` knows of a route, and the response check its route object supplies."""

    route: Callable[..., Any]
    injected: Mapping[str, str]
    check: Callable[[Any], Any] | None = field(default=None)
    path: str = ""
    method: str = ""

    @property
    def needs_caller(self) -> bool:
        return _PRINCIPAL in self.injected.values()


@dataclass(frozen=True)
class Call:
    """What a request brings before its first database access: the app and the bearer token."""

    runtime: Runtime
    credentials: HTTPAuthorizationCredentials | None

    def run(self, step: _Step, values: dict[str, Any]) -> Any:
        # A GET reads: its ledger entries go to the group commit (see `unit_of_work`). Should it
        # write anything else and find SQLite's write lock taken, it runs again from the start,
        # holding the lock from its first statement as every other request does.
        grouped = step.method == "GET"
        try:
            return self._run(step, dict(values), grouped=grouped)
        except OperationalError as exc:
            if not (grouped and is_busy(exc)):
                raise
        return self._run(step, values, grouped=False)

    def _run(self, step: _Step, values: dict[str, Any], *, grouped: bool) -> Any:
        caller: Principal | None = None
        commits = self.runtime.commits if grouped else None
        try:
            with unit_of_work(self.runtime.engine, commits=commits) as session:
                for name, what in step.injected.items():
                    if what == _SESSION:
                        values[name] = session
                    elif what == _RUNTIME:
                        values[name] = self.runtime
                    else:
                        values[name] = caller = self._caller(session)
                answer = step.route(**values)
                if step.check is not None and not isinstance(answer, Response | AfterCommit):
                    # Before the commit: an answer that cannot be sent rolls the work back.
                    answer = step.check(answer)
        except NotPermitted:
            if caller is not None:
                target = values.get("person_id")
                security.record_refusal(
                    self.runtime.engine,
                    self.runtime.gate,
                    caller,
                    method=step.method,
                    route=step.path,
                    target=target if isinstance(target, str) else None,
                )
            raise
        return answer.finish() if isinstance(answer, AfterCommit) else answer

    async def run_on_loop(self, step: _Step, values: dict[str, Any]) -> Any:
        """A read on the event loop, with no hop to a worker thread: its reads run here (SQLite
        answers them from memory-mapped pages in microseconds), its ledger entries are awaited
        from the group commit while the loop serves others. Only the plain path: a route that
        raises, or would write anything but its ledger entries, is run again from the start in a
        worker thread (`run`), where refusals are recorded and the write lock may be waited for."""
        try:
            answer, rows = self._read_on_loop(step, dict(values))
        except Exception:
            return await run_in_threadpool(self.run, step, values)
        if rows:
            await self.runtime.commits.submit_async(rows)
        if isinstance(answer, AfterCommit):
            return await run_in_threadpool(answer.finish)
        return answer

    def _read_on_loop(self, step: _Step, values: dict[str, Any]) -> tuple[Any, list[Any]]:
        with session_scope(self.runtime.engine, writes_refused=True) as session:
            group.hold(session)
            for name, what in step.injected.items():
                if what == _SESSION:
                    values[name] = session
                elif what == _RUNTIME:
                    values[name] = self.runtime
                else:
                    values[name] = self._caller(session)
            answer = step.route(**values)
            if step.check is not None and not isinstance(answer, Response | AfterCommit):
                answer = step.check(answer)
            rows = group.release(session)
        return answer, rows

    def _caller(self, session: Session) -> Principal:
        if self.credentials is None:
            raise Unauthenticated("a bearer token is required")
        return authenticate(session, self.runtime, self.credentials)


async def _call(request: Request) -> Call:
    return Call(request.app.state.lawful, None)


async def _call_by_someone(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Call:
    # No token at all needs no database to refuse: before anything else is looked at.
    if credentials is None:
        raise Unauthenticated("a bearer token is required")
    return Call(request.app.state.lawful, credentials)


def _dependencies(hint: Any, default: Any) -> list[Callable[..., Any]]:
    """What a parameter depends on: `Annotated[..., Depends(f)]` or `= Depends(f)`."""
    found = [getattr(m, "dependency", None) for m in get_args(hint)[1:]]
    found.append(getattr(default, "dependency", None))
    return [f for f in found if callable(f)]


def _injected(route: Callable[..., Any], hints: Mapping[str, Any]) -> dict[str, str]:
    """The route's parameters declared as `SessionDep` or `PrincipalDep`."""
    found: dict[str, str] = {}
    for name, p in inspect.signature(route).parameters.items():
        for dependency in _dependencies(hints.get(name, p.annotation), p.default):
            if dependency in _MARKERS:
                found[name] = _MARKERS[dependency]
    return found


def _refuse_nested(
    route: Callable[..., Any], where: str, seen: frozenset[Any] = frozenset()
) -> None:
    """Refuse a dependency (at any depth) that takes `SessionDep` or `PrincipalDep`."""
    hints = _hints(route)
    for name, p in inspect.signature(route).parameters.items():
        for dependency in _dependencies(hints.get(name, p.annotation), p.default):
            if dependency in seen or dependency in _MARKERS:
                continue
            if {_SESSION, _PRINCIPAL} & set(_injected(dependency, _hints(dependency)).values()):
                raise TypeError(
                    f"{where}: SessionDep and PrincipalDep must be parameters of the route itself "
                    "on a UnitOfWorkRouter, not of one of its dependencies"
                )
            _refuse_nested(dependency, where, seen | {dependency})


def _hints(function: Callable[..., Any]) -> dict[str, Any]:
    try:
        return get_type_hints(function, include_extras=True)
    except (NameError, TypeError):
        return {}


def in_one_step(route: Callable[..., Any]) -> Callable[..., Any]:
    """The route as an async endpoint running its unit of work in one worker-thread step."""
    if inspect.iscoroutinefunction(route):
        return route
    hints = get_type_hints(route, include_extras=True)
    injected = _injected(route, hints)
    if not {_SESSION, _PRINCIPAL} & set(injected.values()):
        return route
    _refuse_nested(route, route.__qualname__)
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
        if step.method == "GET" and call.runtime.reads_on_loop:
            return await call.run_on_loop(step, values)
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
        authenticate(session, rt, credentials)


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
            raise TypeError(f"{path}: the route just added is not the last of its router")
        step.path = route.path
        step.method = ",".join(sorted(route.methods or ()))
        if route.response_model is not None:
            step.check = _checker(route.response_model, _renders_plainly(route))


def _renders_plainly(route: APIRoute) -> int | None:
    """The status to answer with when FastAPI would answer the route's model as plain JSON (no
    include/exclude option, its default response class); else None."""
    plain = (
        isinstance(route.response_class, DefaultPlaceholder)
        and route.response_model_include is None
        and route.response_model_exclude is None
        and route.response_model_by_alias
        and not route.response_model_exclude_unset
        and not route.response_model_exclude_defaults
        and not route.response_model_exclude_none
    )
    return (route.status_code or 200) if plain else None


def _checker(model: Any, status: int | None) -> Callable[[Any], Any]:
    """Checks an answer against the route's model (raising as FastAPI would); with `status`, also
    renders it as FastAPI would, so that the answer is validated once, not twice."""
    adapter: TypeAdapter[Any] = TypeAdapter(model)

    def check(answer: Any) -> Any:
        try:
            valid = adapter.validate_python(answer, from_attributes=True)
        except ValidationError as exc:
            errors = [{**e, "loc": ("response", *e["loc"])} for e in exc.errors()]
            raise ResponseValidationError(errors=errors, body=answer) from None
        if status is None:
            return answer
        return Response(
            adapter.dump_json(valid, by_alias=True), status, media_type="application/json"
        )

    return check

"""Domain errors mapped once to RFC 9457 problem details (application/problem+json).

Whatever goes wrong is answered as a problem, never as plain text: a database that cannot be
reached or stays locked is 503 with Retry-After (the request may be retried as it is); a damaged
installation (a key file) and anything unexpected are 500 with a detail that names no file, no
query and no value, the cause being logged on the server.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy import exc as db
from starlette.exceptions import HTTPException

from lawful.core.errors import (
    ConfigurationError,
    Conflict,
    InvalidInput,
    InvalidItems,
    KeyDestroyed,
    LawfulError,
    LedgerTampered,
    NotFound,
    NotPermitted,
    ProcessingDenied,
    RegisterInvalid,
    RenderError,
    Unauthenticated,
)
from lawful.web.headers import security_headers

MEDIA_TYPE = "application/problem+json"
RETRY_AFTER_SECONDS = 5
SERVER_FAULT = "the server could not answer this request; the fault has been logged"
UNAVAILABLE = "the database is unavailable or busy; try again shortly"
log = logging.getLogger("lawful.web")
_LOCATIONS = ("body", "query", "path", "header", "cookie")

# Most specific first: ProcessingDenied before its base class, and so on.
_STATUS: tuple[tuple[type[LawfulError], int, str], ...] = (
    # The installation's own faults: an operator must act, the caller can do nothing about them.
    (ConfigurationError, 500, "server-error"),
    (LedgerTampered, 500, "server-error"),
    (RenderError, 500, "server-error"),
    (RegisterInvalid, 500, "server-error"),
    (ProcessingDenied, 403, "processing-denied"),
    (NotPermitted, 403, "not-permitted"),
    (Unauthenticated, 401, "unauthenticated"),
    (NotFound, 404, "not-found"),
    (KeyDestroyed, 410, "erased"),
    (Conflict, 409, "conflict"),
    (InvalidInput, 422, "invalid-input"),
    (LawfulError, 400, "bad-request"),
)


def problem(
    request: Request,
    status: int,
    slug: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": f"/problems/{slug}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, LawfulError):
        return await _unexpected(request, exc)
    status, slug = next((s, g) for cls, s, g in _STATUS if isinstance(exc, cls))
    if status >= 500:
        # The message may name a key file or a template: logged here, not shown.
        log.error("%s %s: %s", request.method, request.url.path, exc, exc_info=exc)
        return problem(request, status, slug, SERVER_FAULT)
    extra: dict[str, Any] = {}
    if isinstance(exc, ProcessingDenied):
        extra = {"purpose": exc.purpose, "reasons": list(exc.reasons)}
    elif isinstance(exc, InvalidItems):
        extra = {
            "errors": [
                {"index": p.at, "field": p.field, "message": p.message} for p in exc.problems
            ]
        }
    elif isinstance(exc, InvalidInput) and exc.field:
        # The message without the "field: " prefix, as for request validation errors below.
        message = str(exc).removeprefix(f"{exc.field}: ")
        extra = {"errors": [{"field": exc.field, "message": message}]}
    return problem(request, status, slug, str(exc), **extra)


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    """The field's path without its location (a field may itself be named `body`); a missing
    body altogether has no field left once its location is dropped, and is named by it."""
    rest = loc[1:] if loc and loc[0] in _LOCATIONS else loc
    return ".".join(str(p) for p in rest) or ".".join(str(p) for p in loc)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, RequestValidationError):
        return await _unexpected(request, exc)
    errors = [
        {
            "field": _field(err["loc"]),
            "message": str(err["msg"]).removeprefix("Value error, "),
        }
        for err in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(request, 422, "invalid-input", detail, errors=errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    """The framework's own errors (no such route, method not allowed) as problems too."""
    if not isinstance(exc, HTTPException):
        return await _unexpected(request, exc)
    status = exc.status_code
    phrase = HTTPStatus(status).phrase
    slug = phrase.lower().replace(" ", "-")
    detail = exc.detail if isinstance(exc.detail, str) else phrase
    return problem(request, status, slug, detail, headers=dict(exc.headers or {}))


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    """Unreachable, dropped, out of pool connections, or still locked after the busy timeout."""
    log.warning("%s %s: database unavailable: %s", request.method, request.url.path, exc)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return problem(request, 503, "service-unavailable", UNAVAILABLE, headers=headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    """Anything else: 500 as a problem; what happened stays in the server's log."""
    log.error("%s %s: unexpected %s", request.method, request.url.path, type(exc).__name__)
    # Starlette answers this one outside the app's middleware: the headers are set here.
    headers = dict(security_headers(request.url.path, ()))
    return problem(request, 500, "server-error", SERVER_FAULT, headers=headers)


# SQLAlchemy's errors that mean "the database cannot answer now" rather than "this is a bug".
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    db.OperationalError,
    db.InterfaceError,
    db.DisconnectionError,
    db.TimeoutError,
)


def install(app: FastAPI) -> None:
    app.add_exception_handler(LawfulError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    for error in UNAVAILABLE_ERRORS:
        app.add_exception_handler(error, _database_unavailable)
    # Registered for Exception, Starlette's outermost middleware answers with it (and still
    # re-raises, so that the server logs the traceback).
    app.add_exception_handler(Exception, _unexpected)


class Problem(BaseModel):
    """An RFC 9457 problem document, as every error of the API is answered."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str


_PROBLEM_SCHEMA = Problem.model_json_schema()


def _described(description: str) -> dict[str, Any]:
    return {"description": description, "content": {MEDIA_TYPE: {"schema": _PROBLEM_SCHEMA}}}


# The statuses any route of the API may answer, all as problems; routes list them in OpenAPI.
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: _described(description)
    for status, description in (
        (400, "The request cannot be carried out as asked."),
        (401, "No valid token: missing, unknown, expired, revoked, or its customer erased."),
        (403, "Not permitted: another person's data, or refused by the processing policy."),
        (404, "Not found, or not on file."),
        (409, "In conflict with the current state."),
        (410, "Erased: the data can no longer be read."),
        (413, "The request body is too large."),
        (422, "Invalid input; `errors` names each field."),
        (500, "A fault of the server; nothing about it is shown."),
        (503, "The database is unavailable or busy; retry after `Retry-After` seconds."),
    )
}

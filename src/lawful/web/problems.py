"""Domain errors mapped once to RFC 9457 problem details (application/problem+json)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from lawful.core.errors import (
    ConfigurationError,
    Conflict,
    InvalidInput,
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

MEDIA_TYPE = "application/problem+json"
_LOCATIONS = ("body", "query", "path", "header", "cookie")

# Most specific first: ProcessingDenied before its base class, and so on.
_STATUS: tuple[tuple[type[LawfulError], int, str], ...] = (
    (ProcessingDenied, 403, "processing-denied"),
    (NotPermitted, 403, "not-permitted"),
    (Unauthenticated, 401, "unauthenticated"),
    (NotFound, 404, "not-found"),
    (KeyDestroyed, 410, "erased"),
    (Conflict, 409, "conflict"),
    (InvalidInput, 422, "invalid-input"),
    # The installation's fault, not the request's: nothing the caller can change fixes them.
    (ConfigurationError, 503, "unavailable"),
    (LedgerTampered, 500, "ledger-tampered"),
    (RegisterInvalid, 500, "register-invalid"),
    (RenderError, 500, "render-failed"),
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
        raise exc
    status, slug = next((s, g) for cls, s, g in _STATUS if isinstance(exc, cls))
    extra: dict[str, Any] = {}
    if isinstance(exc, ProcessingDenied):
        extra = {"purpose": exc.purpose, "reasons": list(exc.reasons)}
    elif isinstance(exc, InvalidInput) and exc.field:
        # The message without the "field: " prefix, as for request validation errors below.
        message = str(exc).removeprefix(f"{exc.field}: ")
        extra = {"errors": [{"field": exc.field, "message": message}]}
    return problem(request, status, slug, str(exc), **extra)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, RequestValidationError):
        raise exc
    errors = [
        {
            # A missing body altogether has no field left once its location is dropped.
            "field": ".".join(str(p) for p in err["loc"] if p not in _LOCATIONS)
            or ".".join(str(p) for p in err["loc"]),
            "message": str(err["msg"]).removeprefix("Value error, "),
        }
        for err in exc.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(request, 422, "invalid-input", detail, errors=errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    """The framework's own errors (no such route, method not allowed) as problems too."""
    if not isinstance(exc, HTTPException):
        raise exc
    status = exc.status_code
    phrase = HTTPStatus(status).phrase
    slug = phrase.lower().replace(" ", "-")
    detail = exc.detail if isinstance(exc.detail, str) else phrase
    return problem(request, status, slug, detail, headers=dict(exc.headers or {}))


def install(app: FastAPI) -> None:
    app.add_exception_handler(LawfulError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)

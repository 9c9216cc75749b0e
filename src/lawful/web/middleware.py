"""Pure ASGI middleware: a bound on request bodies, and the security headers of every response.

Pure ASGI rather than Starlette's BaseHTTPMiddleware: the body limit must act on the byte stream
as it arrives (a declared Content-Length is refused before a byte is read, a chunked body as soon
as it passes the limit), and neither wraps the app's response in a second task.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lawful.web.headers import security_headers
from lawful.web.problems import MEDIA_TYPE

DEFAULT_MAX_BODY_BYTES = 1024 * 1024


def _problem_413(path: str, limit: int) -> tuple[dict[str, Any], bytes]:
    body = json.dumps(
        {
            "type": "/problems/content-too-large",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"the request body is larger than {limit} bytes",
            "instance": path,
        }
    ).encode()
    start = {
        "type": "http.response.start",
        "status": 413,
        "headers": [
            (b"content-type", MEDIA_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ],
    }
    return start, body


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse a request body larger than `limit` bytes with 413 problem+json."""

    def __init__(self, app: ASGIApp, *, limit: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(scope, send)
            return

        seen = 0
        exceeded = False
        started = False

        async def counted() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    exceeded = True
                    # The app stops reading here; whatever it makes of it is replaced by a 413.
                    raise _TooLarge
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except _TooLarge:
            pass
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        start, body = _problem_413(scope.get("path", ""), self.limit)
        await send(start)
        await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1").strip())
    return None


class SecurityHeaders:
    """Adds the security headers to every HTTP response (without overriding the app's own)."""

    def __init__(
        self, app: ASGIApp, *, docs_paths: Iterable[str] = (), page_paths: Iterable[str] = ()
    ) -> None:
        self.app = app
        self.docs_paths = tuple(docs_paths)
        self.page_paths = tuple(page_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(scope.get("path", ""), self.docs_paths, self.page_paths)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {k.lower() for k, _ in headers}
                for name, value in extra.items():
                    key = name.lower().encode()
                    if key not in present:
                        headers.append((key, value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)

"""The HTTP API: `create_app()` serves an installation's runtime with every domain's routes."""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from lawful import __version__
from lawful.auth.schemas import Principal
from lawful.complaints import api as complaints_api
from lawful.config import Settings, get_settings
from lawful.core.runtime import Runtime
from lawful.correspondence import api as correspondence_api
from lawful.customers import api as customers_api
from lawful.engagement import api as engagement_api
from lawful.entrypoints import bootstrap
from lawful.entrypoints.sequencer import Sequencer, in_background
from lawful.flood import api as flood_api
from lawful.ingest import api as ingest_api
from lawful.interactions import api as interactions_api
from lawful.offers import api as offers_api
from lawful.rights import api as rights_api
from lawful.simulations import api as simulations_api
from lawful.transparency import api as transparency_api
from lawful.web import problems
from lawful.web.deps import PrincipalDep
from lawful.web.middleware import DEFAULT_MAX_BODY_BYTES, BodyLimit, SecurityHeaders
from lawful.web.routing import UnitOfWorkRouter
from lawful.webui import console as staff_console
from lawful.webui import routes as privacy_centre

DESCRIPTION = """
Every route that touches personal data passes the gate: the policy compiled from the processing
register decides, and the decision is appended to the tamper-evident ledger in the same
transaction. Refusals come back as RFC 9457 problem details carrying the policy's reason codes.

Authenticate with `Authorization: Bearer <token>`; `lawful demo` prints ready-to-use tokens and
`lawful tokens issue` makes new ones.
"""


def _settle_heap() -> None:
    """What start-up built (the register, the compiled policy, SQLAlchemy's and pydantic's
    models: some 150 000 objects) lives as long as the process: move it out of the garbage
    collector's sight, so that its full collections, which would scan all of it again and again
    while serving, look only at what requests leave behind."""
    gc.collect()
    gc.freeze()


def create_app(
    runtime: Runtime | None = None,
    *,
    settings: Settings | None = None,
    migrate: bool = True,
    files: Path | None = None,
    max_body_bytes: int | None = None,
    sequencer: bool = True,
) -> FastAPI:
    """The API over `runtime`, or over the installation `settings` (default: the environment)
    describe, opened at start-up and closed at shutdown. `files`, when given, is served read-only
    under /files (the demo's statements). A request body larger than `max_body_bytes` (default:
    the settings', else 1 MiB) is refused with 413 before it is read.

    With `sequencer`, the server also sequences the ledger in a background thread (several
    servers over one database take turns); without, `lawful ledger sequence --follow` must run.
    """
    configured = settings or (get_settings() if runtime is None else None)
    from_settings = configured.max_body_bytes if configured else None
    body_limit = max_body_bytes or from_settings or DEFAULT_MAX_BODY_BYTES
    copies = configured.checkpoint_copies if configured else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = runtime or bootstrap.open_runtime(settings, migrate=migrate)
        app.state.lawful = opened
        _settle_heap()
        # The installation's mail classifier read while the server starts, not inside the first
        # request's transaction; one not trained yet is trained at its first use.
        threading.Thread(
            target=correspondence_api.warm_classifier, args=(opened,), daemon=True
        ).start()
        stop = (
            in_background(Sequencer(opened.engine, opened.keys, copies=copies))
            if sequencer
            else None
        )
        try:
            yield
        finally:
            if stop is not None:
                stop()
            opened.commits.close()
            if runtime is None:
                opened.engine.dispose()

    # The documentation's scripts and styles are served by the app itself: /docs works offline.
    app = FastAPIOffline(
        title="lawful",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    problems.install(app)
    app.add_middleware(BodyLimit, limit=body_limit)
    # Added last, so outermost: the 413 above carries the headers too.
    app.add_middleware(SecurityHeaders, docs_paths=("/docs",), page_paths=(privacy_centre.PREFIX,))
    v1 = UnitOfWorkRouter(prefix="/api/v1", responses=problems.RESPONSES)

    @v1.get("/me", tags=["auth"], summary="Who the token belongs to")
    def me(who: PrincipalDep) -> Principal:
        return who

    v1.include_router(customers_api.router)
    v1.include_router(rights_api.router)
    v1.include_router(engagement_api.router)
    v1.include_router(complaints_api.router)
    v1.include_router(flood_api.router)
    v1.include_router(simulations_api.router)
    v1.include_router(interactions_api.router)
    v1.include_router(correspondence_api.router)
    v1.include_router(offers_api.router)
    v1.include_router(transparency_api.router)
    v1.include_router(ingest_api.router)
    app.include_router(v1)

    # The customer's privacy centre: pages over the same services (see lawful.webui).
    app.include_router(privacy_centre.router)
    app.include_router(staff_console.router)  # the staff console, under the same session
    app.mount(
        f"{privacy_centre.PREFIX}/static",
        StaticFiles(directory=privacy_centre.STATIC),
        name="privacy-static",
    )

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse(f"{privacy_centre.PREFIX}/login")

    if files is not None:
        app.mount("/files", StaticFiles(directory=files, html=True), name="files")
    # The statements already rendered there (`lawful demo`) are the ones the centre hands out.
    app.state.statements = files / "statements" if files is not None else None
    return app


def serve_app() -> FastAPI:
    """The app `lawful serve` runs in each worker process: the configured installation, already
    migrated by `serve` before the workers start."""
    return create_app(migrate=False)

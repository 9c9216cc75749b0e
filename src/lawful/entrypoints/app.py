"""The HTTP API: `create_app()` wires the register, the gate and every domain's routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from lawful import __version__
from lawful.auth.schemas import Principal
from lawful.config import get_settings
from lawful.core.db import create_engine, upgrade
from lawful.core.gate import Gate
from lawful.core.register.load import load_register
from lawful.customers import api as customers_api
from lawful.entrypoints.sequencer import Sequencer, in_background
from lawful.rights import api as rights_api
from lawful.rights.state import DbSubjectStates
from lawful.transparency import api as transparency_api
from lawful.web import problems
from lawful.web.deps import PrincipalDep, Runtime
from lawful.web.routing import UnitOfWorkRouter

DESCRIPTION = """
Every route that touches personal data passes the gate: the policy compiled from the processing
register decides, and the decision is appended to the tamper-evident ledger in the same
transaction. Refusals come back as RFC 9457 problem details carrying the policy's reason codes.

Authenticate with `Authorization: Bearer <token>`; `lawful demo` prints ready-to-use tokens.
"""


def create_app(
    *,
    database_url: str | None = None,
    register_path: Path | None = None,
    files: Path | None = None,
    sequencer: bool = True,
) -> FastAPI:
    """The API; `files`, when given, is served read-only under /files (the demo's statements).

    With `sequencer`, the server also sequences the ledger in a background thread (several
    servers over one database take turns); without, `lawful ledger sequence --follow` must run.
    """
    settings = get_settings()
    url = database_url or settings.database_url

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(url)
        upgrade(engine)
        register = load_register(register_path)
        app.state.lawful = Runtime(
            engine=engine, register=register, gate=Gate.build(register, DbSubjectStates())
        )
        stop = (
            in_background(Sequencer(engine, copies=settings.checkpoint_copies))
            if sequencer
            else None
        )
        try:
            yield
        finally:
            if stop is not None:
                stop()
            engine.dispose()

    app = FastAPI(
        title="lawful",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url="/api/v1/openapi.json",
    )
    problems.install(app)
    v1 = UnitOfWorkRouter(prefix="/api/v1")

    @v1.get("/me", tags=["auth"], summary="Who the token belongs to")
    def me(who: PrincipalDep) -> Principal:
        return who

    v1.include_router(customers_api.router)
    v1.include_router(rights_api.router)
    v1.include_router(transparency_api.router)
    app.include_router(v1)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/docs")

    if files is not None:
        app.mount("/files", StaticFiles(directory=files, html=True), name="files")
    return app

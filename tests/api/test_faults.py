"""When the server cannot answer: problems still, saying nothing of files, queries or values."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from lawful.core.db import create_engine
from lawful.core.errors import ConfigurationError
from lawful.entrypoints.app import create_app
from lawful.web.deps import PrincipalDep, SessionDep
from lawful.web.routing import UnitOfWorkRouter

from .conftest import Api, problem

# Nothing listens on port 1: connecting is refused at once, as when the database is down.
UNREACHABLE = "postgresql+psycopg://lawful@127.0.0.1:1/lawful?connect_timeout=2"


@pytest.fixture
def down(api: Api) -> Iterator[TestClient]:
    """The app, started on its database, which then stops answering."""
    app = create_app(api.runtime)
    with TestClient(app, raise_server_exceptions=False) as client:
        engine = create_engine(UNREACHABLE)
        app.state.lawful = dataclasses.replace(app.state.lawful, engine=engine)
        try:
            yield client
        finally:
            engine.dispose()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/persons/{p}"),
        ("GET", "/api/v1/persons/{p}/access-report?format=pdf"),
        ("POST", "/api/v1/persons/{p}/objections"),
    ],
)
def test_a_database_that_is_down_is_503_with_retry_after(
    api: Api, down: TestClient, method: str, path: str
) -> None:
    headers = {"Authorization": f"Bearer {api.alice.token}"}
    response = down.request(method, path.format(p=api.alice.id), headers=headers, json={})
    assert response.status_code == 503, response.text
    body = problem(response)
    assert body["type"] == "/problems/service-unavailable"
    assert int(response.headers["retry-after"]) > 0
    assert "127.0.0.1" not in response.text and "psycopg" not in response.text


def test_without_a_token_the_database_is_not_even_asked(api: Api, down: TestClient) -> None:
    assert down.get(f"/api/v1/persons/{api.alice.id}").status_code == 401


def _faulty_app(api: Api, error: Exception) -> TestClient:
    router = UnitOfWorkRouter(prefix="/api/v1")

    @router.get("/faulty")
    def faulty(session: SessionDep, who: PrincipalDep) -> int:
        raise error

    app = create_app(api.runtime)
    app.state.lawful = api.runtime  # no lifespan without `with TestClient(...)`
    app.include_router(router)
    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(
    "error",
    [
        ConfigurationError("/srv/lawful/.lawful/keys/vault.key is not a valid key file"),
        RuntimeError("unexpected state in /srv/lawful/src/lawful/x.py"),
        UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"),
    ],
    ids=["key fault", "bug", "encoding"],
)
def test_a_fault_of_the_server_is_a_500_problem_naming_no_path(api: Api, error: Exception) -> None:
    client = _faulty_app(api, error)
    response = client.get("/api/v1/faulty", headers={"Authorization": f"Bearer {api.alice.token}"})
    assert response.status_code == 500
    body = problem(response)
    assert body["type"] == "/problems/server-error"
    assert "/srv" not in response.text and "lawful/" not in body["detail"]
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"


# --- the headers of every response --------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "token"),
    [
        ("/persons/{p}", "own"),
        ("/persons/{p}/access-report?format=pdf", "own"),
        ("/persons/{p}/access-report?format=html", "own"),
        ("/persons/{p}", None),
        ("/persons/{p}", "other"),
        ("/no-such-route", "own"),
    ],
)
def test_every_api_response_carries_the_security_headers(
    api: Api, path: str, token: str | None
) -> None:
    tokens = {"own": api.alice.token, "other": api.bob.token, None: None}
    response = api.call("GET", path.format(p=api.alice.id), token=tokens[token])
    h = response.headers
    assert h["cache-control"] == "no-store"
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "no-referrer"
    assert h["x-frame-options"] == "DENY"
    assert h["cross-origin-resource-policy"] == "same-origin"
    csp = h["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp


def test_the_documentation_still_loads_its_script(api: Api) -> None:
    response = api.client.get("/docs")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"

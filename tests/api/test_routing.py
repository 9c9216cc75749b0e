"""The one-step unit of work of the domain routers: what it keeps of FastAPI's own semantics."""

from __future__ import annotations

from typing import Annotated

import pytest
import sqlalchemy as sa
from fastapi import Depends, FastAPI, status
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lawful.auth.models import StaffMember
from lawful.auth.schemas import Principal
from lawful.web import problems
from lawful.web.deps import PrincipalDep, SessionDep
from lawful.web.routing import UnitOfWorkRouter

from .conftest import Api, problem


@pytest.mark.parametrize("token", ["lwf_not-a-token", None], ids=["unknown token", "no token"])
def test_an_invalid_token_with_invalid_input_is_401_not_422(api: Api, token: str | None) -> None:
    """Nobody learns what a route expects before showing a valid token."""
    response = api.call("POST", "/persons", json={"first_name": 42}, token=token)
    assert response.status_code == 401
    assert problem(response)["type"] == "/problems/unauthenticated"


def test_a_valid_token_with_invalid_input_is_422(api: Api) -> None:
    response = api.as_("advisor", "POST", "/persons", json={"first_name": 42})
    assert response.status_code == 422


def _app(api: Api, router: UnitOfWorkRouter) -> TestClient:
    app = FastAPI()
    app.state.lawful = api.runtime
    problems.install(app)
    app.include_router(router)
    return TestClient(app, raise_server_exceptions=False)


def _staff(api: Api, staff_id: str) -> int:
    with Session(api.runtime.engine) as session:
        found = session.scalars(sa.select(StaffMember).where(StaffMember.id == staff_id)).all()
    return len(found)


def test_an_answer_that_does_not_fit_its_model_rolls_the_work_back(api: Api) -> None:
    router = UnitOfWorkRouter()

    @router.post("/broken")
    def broken(session: SessionDep, who: PrincipalDep) -> Principal:
        session.add(StaffMember(id="ghost-1", display_name="G", role="advisor", entity="kbc-bank"))
        session.flush()
        return {"not": "a principal"}  # type: ignore[return-value]

    client = _app(api, router)
    token = api.token("advisor", api.alice)
    response = client.post("/broken", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 500
    assert _staff(api, "ghost-1") == 0


def test_a_route_without_a_body_answers_204(api: Api) -> None:
    router = UnitOfWorkRouter()

    @router.delete("/nothing", status_code=status.HTTP_204_NO_CONTENT)
    def nothing(session: SessionDep, who: PrincipalDep) -> None:
        session.execute(sa.text("SELECT 1"))

    token = api.token("advisor", api.alice)
    response = _app(api, router).delete("/nothing", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 204 and response.content == b""


def count(session: SessionDep) -> int:
    return 1


def test_a_dependency_may_not_take_the_session(api: Api) -> None:
    """It would open a second unit of work beside the route's: refused when the route is added."""
    router = UnitOfWorkRouter()
    with pytest.raises(TypeError, match="must be parameters of the route itself"):

        @router.get("/counted")
        def counted(n: Annotated[int, Depends(count)], who: PrincipalDep) -> int:
            return n


def test_a_route_needing_no_caller_shows_no_bearer_security(api: Api) -> None:
    router = UnitOfWorkRouter()

    @router.get("/open")
    def open_route(session: SessionDep) -> int:
        return int(session.execute(sa.text("SELECT 1")).scalar_one())

    app = FastAPI()
    app.state.lawful = api.runtime
    app.include_router(router)
    assert "security" not in app.openapi()["paths"]["/open"]["get"]
    assert TestClient(app).get("/open").json() == 1


def _pending(api: Api) -> int:
    """Ledger entries recorded, sequenced or not (a sequencer may move them meanwhile)."""
    statement = sa.text(
        "SELECT (SELECT count(*) FROM ledger_pending) + (SELECT count(*) FROM ledger_leaf)"
    )
    with Session(api.runtime.engine) as session:
        return int(session.execute(statement).scalar_one())


def test_a_read_that_writes_is_run_again_where_it_may_write_and_writes_once(api: Api) -> None:
    """On SQLite a GET is answered from the event loop, which must never wait for the write
    lock: one that writes is refused there before its write runs, and run again from the start
    in a worker thread, where it writes once."""
    router = UnitOfWorkRouter()
    runs: list[str] = []

    @router.get("/writes")
    def writes(session: SessionDep, who: PrincipalDep) -> int:
        runs.append("run")
        session.add(StaffMember(id="ghost-2", display_name="G", role="advisor", entity="kbc-bank"))
        session.flush()
        return 1

    token = api.token("advisor", api.alice)
    response = _app(api, router).get("/writes", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json() == 1
    assert _staff(api, "ghost-2") == 1
    expected = 2 if api.runtime.reads_on_loop else 1
    assert len(runs) == expected


def test_a_read_answered_from_the_event_loop_has_its_event_on_disk_first(api: Api) -> None:
    """The person read through the API: its ledger entry is committed (by the group commit)
    before the answer, and a refused read is on record once, not once per attempt."""
    before = _pending(api)
    assert api.as_("customer-own", "GET", f"/persons/{api.alice.id}").status_code == 200
    assert _pending(api) == before + 1
    other = api.person("Other")
    before = _pending(api)
    response = api.call("GET", f"/persons/{other.id}", token=api.token("customer-own", api.alice))
    assert response.status_code in (403, 404)
    assert _pending(api) == before + 1

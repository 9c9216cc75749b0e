"""The API on a database of its own, seeded with two customers and a token for every principal.

These tests commit through the API, and ledger rows can never be deleted: each module gets a fresh
SQLite file, or a fresh PostgreSQL schema whose search_path travels in the URL (psycopg passes the
`options` query parameter to the server). The seed goes through the services, as staff would.
"""

from __future__ import annotations

import datetime as dt
import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from schwifty import IBAN

from lawful.auth import service as auth
from lawful.config import Settings
from lawful.core.gate import unit_of_work
from lawful.core.policy.types import Actor
from lawful.core.runtime import Runtime
from lawful.customers import service as customers
from lawful.customers.schemas import (
    AccountCreate,
    CardCreate,
    KycRecordCreate,
    PersonCreate,
)
from lawful.entrypoints import bootstrap
from lawful.entrypoints.app import create_app
from lawful.web.problems import MEDIA_TYPE

TODAY = dt.date.today()
BANK = "kbc-bank"
INSURER = "kbc-insurance"
# Each staff role the matrix exercises, and the one entity it acts for.
STAFF = {
    "advisor": BANK,
    "back-office": BANK,
    "dpo": BANK,
    "complaint-handler": BANK,
    "underwriter": INSURER,
}
READING = "appointment at the branch"
ANONYMOUS = "anonymous"
OWN = "customer-own"  # the person the route is about (alice when it is about no one)
OTHER = "customer-other"  # another customer (bob)
PRINCIPALS = (ANONYMOUS, OWN, OTHER, *STAFF)

_serials = itertools.count(1)


# --- synthetic people, with real check digits ---------------------------------------------------


def national_number(born: dt.date) -> str:
    first9 = f"{born:%y%m%d}{next(_serials) % 997 + 1:03d}"
    base = int(("2" if born.year >= 2000 else "") + first9)
    return f"{first9}{97 - base % 97:02d}"


def person_data(first_name: str = "Lotte", **overrides: Any) -> dict[str, Any]:
    """A valid PersonCreate payload (JSON-ready), living in Ghent: brand KBC, Dutch."""
    serial = next(_serials)
    # Spread over sixty years, whatever the number of people a run creates.
    born = dt.date(1940, 1, 1) + dt.timedelta(days=(53 * serial) % (60 * 365))
    fields: dict[str, Any] = {
        "first_name": first_name,
        "last_name": "Maes",
        "birth_date": born.isoformat(),
        "national_number": national_number(born),
        "email": f"{first_name.lower()}.{serial}@example.be",
        "phone": f"+32 470 {serial:06d}",
        "street": "Veldstraat 12",
        "postcode": "9000",
        "city": "Gent",
        "language": "nl",
    }
    return fields | overrides


def account() -> AccountCreate:
    iban = IBAN.generate("BE", bank_code="735", account_code=f"{next(_serials):07d}").compact
    return AccountCreate(kind="current", iban=iban, opened_on=dt.date(2015, 3, 2))


def kyc() -> KycRecordCreate:
    return KycRecordCreate(
        method="branch",
        document_type="eid",
        document_number=f"592-{next(_serials):07d}-12",
        level=2,
        performed_on=TODAY - dt.timedelta(days=400),
        expires_on=TODAY + dt.timedelta(days=5 * 365),
    )


# --- the running app --------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    id: str
    token: str


@dataclass
class Api:
    client: TestClient
    runtime: Runtime
    staff_tokens: dict[str, str]
    alice: Subject = field(init=False)
    bob: Subject = field(init=False)

    def seed(self) -> None:
        """alice: client of the bank, identified, with an account and a card; bob: a client."""
        self.alice = self.person("Alice", identified=True, products=True)
        self.bob = self.person("Bob")

    def person(
        self,
        first_name: str = "Lotte",
        *,
        entity: str = BANK,
        identified: bool = False,
        products: bool = False,
    ) -> Subject:
        """A new client of `entity`, opened by one of its advisors, with a customer token."""
        rt, adviser = self.runtime, Actor("advisor", entity)
        with unit_of_work(rt.engine) as session:
            person = customers.create_person(
                session,
                gate=rt.gate,
                actor=adviser,
                data=PersonCreate(**person_data(first_name)),
                entity_state="client",
                today=TODAY,
            )
            gate, pid = rt.gate, person.id
            if identified:
                customers.add_kyc_record(
                    session, gate=gate, actor=adviser, person_id=pid, data=kyc()
                )
            if products:
                acc = customers.add_account(
                    session, gate=gate, actor=adviser, person_id=pid, data=account()
                )
                card = CardCreate(
                    account_id=acc.id,
                    last_digits="4821",
                    credit_limit_cents=250_000,
                    opened_on=dt.date(2016, 1, 4),
                )
                customers.add_card(session, gate=gate, actor=adviser, person_id=pid, data=card)
            token = auth.issue_customer_token(session, states=rt.gate.states, person_id=person.id)
        return Subject(person.id, token.token)

    def token(self, principal: str, subject: Subject) -> str | None:
        if principal == ANONYMOUS:
            return None
        if principal == OWN:
            return subject.token
        if principal == OTHER:
            return self.bob.token
        return self.staff_tokens[principal]

    def call(
        self, method: str, path: str, *, token: str | None = None, json: Any = None
    ) -> httpx.Response:
        # Staff say why they open a file; a customer's reason is simply not needed.
        headers = {"X-Lawful-Reason": READING}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response: httpx.Response = self.client.request(
            method, f"/api/v1{path}", headers=headers, json=json
        )
        return response

    def as_(self, principal: str, method: str, path: str, *, json: Any = None) -> httpx.Response:
        """`principal` calling about alice."""
        return self.call(method, path, token=self.token(principal, self.alice), json=json)


def signed_size(api: Api, *, at_least: int = 1, within: float = 30.0) -> int:
    """The size of the latest signed tree head, once the server's sequencer reached `at_least`."""
    deadline = time.monotonic() + within
    while True:
        response = api.call("GET", "/ledger/tree-heads/latest")
        if response.status_code == 200 and response.json()["tree_size"] >= at_least:
            return int(response.json()["tree_size"])
        assert time.monotonic() < deadline, f"no signed head of {at_least} leaves: {response.text}"
        time.sleep(0.05)


def problem(response: httpx.Response) -> dict[str, Any]:
    """The problem document of an error response, after checking its media type and members."""
    assert response.headers["content-type"] == MEDIA_TYPE, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code
    assert body["type"].startswith("/problems/")
    assert {"title", "detail", "instance"} <= body.keys()
    return body


OwnDatabase = Callable[[str], AbstractContextManager[str]]


@pytest.fixture(scope="module")
def api_database_url(database_of_its_own: OwnDatabase) -> Iterator[str]:
    with database_of_its_own("api") as url:
        yield url


def settings_for(url: str, home: Path) -> Settings:
    """An installation on `url` sharing the run's keys, set up as `lawful init` does."""
    settings = Settings(database_url=url, home=home)
    bootstrap.init(settings)
    return settings


@pytest.fixture(scope="module")
def api(api_database_url: str, lawful_home: Path) -> Iterator[Api]:
    app = create_app(settings=settings_for(api_database_url, lawful_home))
    with TestClient(app) as client:
        rt: Runtime = app.state.lawful
        with unit_of_work(rt.engine) as session:
            staff_tokens = {
                role: auth.issue_staff_token(
                    session,
                    register=rt.register,
                    staff_id=f"{role}-1",
                    display_name=role.replace("-", " ").title(),
                    role=role,
                    entity=entity,
                ).token
                for role, entity in STAFF.items()
            }
        world = Api(client, rt, staff_tokens)
        world.seed()
        yield world


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(api: Api) -> Iterator[str]:
    """The app served by uvicorn on a port of its own, over the API suite's runtime."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(api.runtime), port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=60)

"""The privacy centre on a database of its own: three customers, one per brand and language, and
the app served by uvicorn on a free port for the browser tests.

Customers are opened through the services, as an advisor would; their tokens are the API's.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from tests.api.conftest import _free_port, account, person_data, settings_for

from lawful.auth import service as auth
from lawful.core.gate import unit_of_work
from lawful.core.policy.types import Actor
from lawful.core.runtime import Runtime
from lawful.customers import service as customers
from lawful.customers.schemas import PersonCreate
from lawful.entrypoints.app import create_app

TODAY = dt.date.today()
# Browsers send Secure cookies over https only, or to localhost: the test client speaks https.
BASE = "https://testserver"


@dataclass(frozen=True)
class Customer:
    id: str
    token: str
    lang: str
    brand: str


@dataclass
class Centre:
    runtime: Runtime
    client: TestClient
    customers: dict[str, Customer]
    staff_token: str

    def customer(self, lang: str) -> Customer:
        return self.customers[lang]

    def new_client(self) -> TestClient:
        return TestClient(self.client.app, base_url=BASE, follow_redirects=False)


# One customer per language, each in the region its brand serves.
PEOPLE = {
    "fr": ("Amélie", {"street": "Rue de Fer 10", "postcode": "5000", "city": "Namur"}, "cbc"),
    "nl": ("Lotte", {}, "kbc"),
    "en": (
        "Oliver",
        {"street": "Rue Royale 40", "postcode": "1000", "city": "Bruxelles"},
        "kbc-brussels",
    ),
}


def open_customer(rt: Runtime, first_name: str, lang: str, **address: str) -> str:
    adviser = Actor("advisor", "kbc-bank")
    with unit_of_work(rt.engine) as session:
        person = customers.create_person(
            session,
            gate=rt.gate,
            actor=adviser,
            data=PersonCreate(**person_data(first_name, language=lang, **address)),
            entity_state="client",
            today=TODAY,
        )
        customers.add_account(
            session, gate=rt.gate, actor=adviser, person_id=person.id, data=account()
        )
        return person.id


def customer_token(rt: Runtime, person_id: str, valid_for: dt.timedelta | None = None) -> str:
    with unit_of_work(rt.engine) as session:
        issued = auth.issue_customer_token(
            session, states=rt.gate.states, person_id=person_id, valid_for=valid_for
        )
    return issued.token


@pytest.fixture(scope="module")
def centre(database_of_its_own: object, lawful_home: Path) -> Iterator[Centre]:
    with database_of_its_own("webui") as url:  # type: ignore[operator]
        app = create_app(settings=settings_for(url, lawful_home))
        with TestClient(app, base_url=BASE, follow_redirects=False) as client:
            rt: Runtime = app.state.lawful
            people: dict[str, Customer] = {}
            for lang, (name, address, brand) in PEOPLE.items():
                pid = open_customer(rt, name, lang, **address)
                people[lang] = Customer(pid, customer_token(rt, pid), lang, brand)
            with unit_of_work(rt.engine) as session:
                staff = auth.issue_staff_token(
                    session,
                    register=rt.register,
                    staff_id="dpo-1",
                    display_name="Data Protection Officer",
                    role="dpo",
                    entity="kbc-bank",
                ).token
            yield Centre(rt, client, people, staff)


@pytest.fixture(scope="module")
def server(centre: Centre) -> Iterator[str]:
    """The app served by uvicorn on a port of its own, over the centre's runtime."""
    port = _free_port()
    app = create_app(centre.runtime, sequencer=False)
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="error"))
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

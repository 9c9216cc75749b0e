"""Portability: a zip with everything as JSON and a CSV per section."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

from sqlalchemy.orm import Session

from lawful.core.gate import Gate
from lawful.customers import service as customers
from lawful.customers.schemas import PersonRead
from lawful.rights import service
from lawful.rights.schemas import RequestStatus, RequestType

from . import factories
from .conftest import ADVISOR, DPO, SELF, TODAY


def _rows(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    text = archive.read(name).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_zip_holds_json_and_a_csv_per_section(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    account = customers.add_account(
        session, gate=gate, actor=ADVISOR, person_id=client.id, data=factories.account()
    )
    card = customers.add_card(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=client.id,
        data=factories.card(account_id=account.id),
    )
    customers.add_card_statement(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=client.id,
        data=factories.statement(card.id, dt.date(2026, 10, 31)),
    )
    data = service.portability(session, gate=gate, actor=SELF, person_id=client.id, today=TODAY)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        assert {
            "data.json",
            "provided/identity.csv",
            "provided/contact.csv",
            "provided/language.csv",
            "provided/preferences.csv",
            "provided/consents.csv",
            "observed/accounts.csv",
            "observed/cards.csv",
            "observed/cards_statements.csv",
        } <= names
        document = json.loads(archive.read("data.json"))
        assert document["format"] == "lawful-portability/1"
        assert document["provided"]["identity"]["last_name"] == client.last_name
        assert _rows(archive, "provided/identity.csv")[0]["first_name"] == client.first_name
        assert _rows(archive, "observed/accounts.csv")[0]["iban"] == account.iban
        statements = _rows(archive, "observed/cards_statements.csv")
        assert statements[0]["card_id"] == str(card.id)
        assert statements[0]["balance_cents"] == "42000"
        assert "statements" not in _rows(archive, "observed/cards.csv")[0]
    requests = service.list_requests(
        session, gate=gate, actor=DPO, today=dt.date(2026, 11, 25), person_id=client.id
    )
    assert [(r.type, r.status) for r in requests] == [
        (RequestType.PORTABILITY, RequestStatus.COMPLETED)
    ]

"""Portability: a zip with everything as JSON and a CSV per section."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

from sqlalchemy.orm import Session

from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.core.register.models import Register
from lawful.customers import dossier
from lawful.customers import service as customers
from lawful.customers.schemas import PersonRead, Section
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


def test_exactly_the_contract_and_consent_based_data_the_person_provided(
    session: Session, gate: Gate, client: PersonRead
) -> None:
    pid = client.id
    customers.add_kyc_record(
        session, gate=gate, actor=ADVISOR, person_id=pid, data=factories.kyc(dt.date(2020, 1, 2))
    )
    customers.add_loan(
        session,
        gate=gate,
        actor=ADVISOR,
        person_id=pid,
        data=factories.loan(dt.date(2020, 4, 1), dt.date(2040, 3, 31)),
    )
    insurer = Actor("advisor", "kbc-insurance")
    customers.add_relationship(
        session,
        gate=gate,
        actor=insurer,
        person_id=pid,
        entity="kbc-insurance",
        state="client",
        since=TODAY,
    )
    customers.add_home_policy(
        session, gate=gate, actor=insurer, person_id=pid, data=factories.home_policy()
    )
    customers.give_consent(
        session, gate=gate, actor=ADVISOR, person_id=pid, purpose="third-party-offers"
    )
    data = service.portability(session, gate=gate, actor=SELF, person_id=pid, today=TODAY)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        document = json.loads(archive.read("data.json"))
    assert set(document["provided"]) == {"identity", "contact", "preferences", "consents"}
    assert set(document["observed"]) == {"accounts", "cards", "home_policies"}
    # AML identification (legal obligation), loan terms and relationships (ours) stay out.
    assert "region" not in document["provided"]["identity"]
    assert document["provided"]["contact"]["language"] == client.language
    [policy] = document["observed"]["home_policies"]
    assert policy["construction_year"] == 1978 and policy["postcode"] == "9000"
    assert not {"latitude", "longitude", "region", "person_id"} & set(policy)
    assert [c["purpose"] for c in document["provided"]["consents"]] == ["third-party-offers"]


def test_what_portability_carries_follows_the_registers_bases(register: Register) -> None:
    assert dossier.portable_sections(register, dossier.OBSERVED) == [
        Section.ACCOUNTS,
        Section.CARDS,
        Section.HOME_POLICIES,
    ]
    # Were the insurance policies processed on legitimate interest only, they would not be carried.
    purposes = [
        p.model_copy(
            update={
                "data_categories": [
                    c
                    for c in p.data_categories
                    if c not in ("user.financial.insurance_policy", "user.location.property")
                ]
            }
        )
        if p.legal_basis.value in ("contract", "consent")
        else p
        for p in register.purposes
    ]
    changed = register.model_copy(update={"purposes": purposes})
    assert dossier.portable_sections(changed, dossier.OBSERVED) == [Section.ACCOUNTS, Section.CARDS]
    # AML identification rests on a legal obligation.
    assert dossier.portable_sections(register, (Section.KYC,)) == []

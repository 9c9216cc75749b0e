"""Upgrading to sealed free texts: plain grounds become ciphertext under each person's key, and
an upgrade without the keys is refused with nothing changed."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
import sqlalchemy as sa

from lawful.core.db import create_engine, session_scope, upgrade
from lawful.core.errors import ConfigurationError
from lawful.core.gate import Gate
from lawful.core.register.load import load_register
from lawful.core.vault.keys import Keyring
from lawful.rights import service as rights
from lawful.rights.state import DbSubjectStates

PERSON = sa.text(
    "INSERT INTO person (id, brand, language, created_at) "
    "VALUES ('p1', 'kbc', 'nl', '2026-01-01T00:00:00.000000+00:00')"
)
REQUEST = sa.text(
    "INSERT INTO rights_request (id, person_id, type, status, channel, registered_by, "
    "received_on, deadline, extension_reason, outcome, decision_grounds) VALUES "
    "(:id, 'p1', :type, 'completed', 'api', 'self-service', '2026-01-02', '2026-02-02', "
    ":reason, :outcome, :grounds)"
)
OBJECTION = sa.text(
    "INSERT INTO objection (id, person_id, kind, purpose, status, grounds, decision_grounds, "
    "received_at, request_id) VALUES (1, 'p1', 'particular', 'recorded-conversations', "
    "'rejected', 'my illness', 'fraud evidence', '2026-01-02T00:00:00.000000+00:00', 1)"
)


def _old_rows(connection: sa.Connection) -> None:
    connection.execute(PERSON)
    connection.execute(
        REQUEST,
        {
            "id": 1,
            "type": "objection",
            "reason": None,
            "outcome": json.dumps({"status": "rejected", "decision_grounds": "fraud evidence"}),
            "grounds": None,
        },
    )
    connection.execute(
        REQUEST,
        {
            "id": 2,
            "type": "restriction",
            "reason": "we check the archive",
            "outcome": json.dumps({"decision": "approved", "lift_grounds": "address confirmed"}),
            "grounds": "pending a check",
        },
    )
    connection.execute(OBJECTION)


def test_plain_grounds_are_sealed_and_read_back(
    database_of_its_own: Callable[[str], AbstractContextManager[str]], keyring: Keyring
) -> None:
    with database_of_its_own("sealing") as url:
        upgrade(url, "0008")
        engine = create_engine(url)
        try:
            with engine.begin() as connection:
                _old_rows(connection)
            with pytest.raises(ConfigurationError, match="lawful init"):
                upgrade(url)
            with engine.connect() as connection:  # refused: nothing changed
                grounds = connection.execute(sa.text("SELECT grounds FROM objection")).scalar()
                assert grounds == "my illness"

            upgrade(url, keys=keyring)
            with engine.connect() as connection:
                raw = connection.execute(sa.text("SELECT grounds FROM objection")).scalar()
                outcomes = connection.execute(sa.text("SELECT outcome FROM rights_request"))
                assert isinstance(raw, bytes) and b"illness" not in raw
                assert all("grounds" not in (o or "") for (o,) in outcomes)
            gate = Gate.build(load_register(), DbSubjectStates(), keyring)
            with session_scope(engine) as session:
                (objection,) = rights.list_objections(
                    session, gate=gate, actor=_self(), person_id="p1", today=dt.date(2026, 3, 1)
                )
                assert (objection.grounds, objection.decision_grounds) == (
                    "my illness",
                    "fraud evidence",
                )
                answered = rights.get_request(session, gate=gate, request_id=1)
                restricted = rights.get_request(session, gate=gate, request_id=2)
                assert answered.decision_grounds == "fraud evidence"
                assert answered.outcome == {"status": "rejected"}
                assert (restricted.extension_reason, restricted.closing_grounds) == (
                    "we check the archive",
                    "address confirmed",
                )
                assert restricted.decision_grounds == "pending a check"
        finally:
            engine.dispose()


def _self() -> object:
    from lawful.core.policy.types import Actor

    return Actor("self-service", "kbc-bank")

"""Upgrading a hash-chained ledger: its events, in their order, become the log's first leaves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
import sqlalchemy as sa
from alembic import command

from lawful.core.db import UTCDateTime, alembic_config, create_engine, session_scope, upgrade
from lawful.core.ledger import service as ledger
from lawful.core.vault.keys import Keyring

OLD_EVENT = sa.text(
    "INSERT INTO ledger_event (sequence, occurred_at, actor, actor_kind, entity, purpose, "
    "legal_basis, subject_pseudonym, data_categories, recipient, decision, reasons, obligations, "
    "event, details, prev_hash, hash) VALUES (:s, :at, 'advisor', 'staff', 'kbc-bank', "
    "'customer-file', 'legitimate_interests', :p, '[\"identity\"]', NULL, 'allow', '[]', '[]', "
    "'customers.person.read', :d, :h, :h)"
).bindparams(sa.bindparam("at", type_=UTCDateTime()))


def test_chained_events_are_moved_in_order_and_then_sequenced(
    database_of_its_own: Callable[[str], AbstractContextManager[str]],
    keyring: Keyring,
) -> None:
    with database_of_its_own("migration") as url:
        upgrade(url, "0003")
        engine = create_engine(url)
        try:
            with engine.begin() as connection:
                for sequence in (1, 2, 3):
                    at = dt.datetime(2026, 1, sequence, tzinfo=dt.UTC)
                    details = b"\x01\x1f" if sequence == 2 else None
                    values = {"s": sequence, "at": at, "d": details, "h": bytes(32)}
                    connection.execute(OLD_EVENT, values | {"p": keyring.pseudonymise("c9")})
            upgrade(url)
            with session_scope(engine) as session:
                moved = ledger.for_subject(session, keys=keyring, subject_id="c9")
                assert [r.occurred_at.day for r in moved] == [1, 2, 3]
                assert [r.details for r in moved] == [None, b"\x01\x1f", None]
                assert all(r.pending and r.actor_ref is None for r in moved)
                assert ledger.sequence(session, keys=keyring).sequenced == 3
            with session_scope(engine, read_only=True) as session:
                assert ledger.verify(session, keys=keyring).ok
            with pytest.raises(RuntimeError, match="cannot be downgraded"), engine.begin() as c:
                command.downgrade(alembic_config(c), "0003")
        finally:
            engine.dispose()

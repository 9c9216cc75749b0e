"""Erasure as a lawyer reads it: nothing readable left in the database file or its log, and a
backup restored afterwards forgets the person again.

On a SQLite file of the test's own whatever database the run uses: what is checked are bytes on
disk and a backup copied back, which is what an embedded installation's operator handles."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from lawful.config import Settings
from lawful.core.gate import unit_of_work
from lawful.core.runtime import Runtime
from lawful.customers import service as customers
from lawful.entrypoints import bootstrap
from lawful.flows import erasure
from lawful.rights import service as rights

from . import factories
from .conftest import ADVISOR, DPO, SELF, registered

LAWFUL = str(Path(sys.executable).with_name("lawful"))
MARKER = "Quirinaal"  # a surname nobody else in the file has


@dataclass
class Installation:
    settings: Settings
    db: Path
    runtime: Runtime

    def raw(self) -> bytes:
        """Every byte the database keeps on disk: its file and its write-ahead log."""
        parts = [self.db, self.db.with_name(self.db.name + "-wal")]
        return b"".join(p.read_bytes() for p in parts if p.exists())

    def prospect(self) -> str:
        with unit_of_work(self.runtime.engine) as session:
            person = customers.create_person(
                session,
                gate=self.runtime.gate,
                actor=ADVISOR,
                data=factories.person(last_name=MARKER, email="quirinaal@example.be"),
                entity_state="prospect",
                today=dt.date.today(),
            )
        return person.id

    def erase(self, person_id: str) -> None:
        with unit_of_work(self.runtime.engine) as session:
            erasure.erase(
                session,
                gate=self.runtime.gate,
                actor=DPO,
                person_id=person_id,
                today=dt.date.today(),
                request_id=registered(session, self.runtime.gate, person_id),
            )


@pytest.fixture
def installation(tmp_path: Path) -> Iterator[Installation]:
    db = tmp_path / "lawful.db"
    settings = Settings(database_url=f"sqlite:///{db}", home=tmp_path / "home")
    bootstrap.init(settings)
    runtime = bootstrap.open_runtime(settings)
    try:
        yield Installation(settings, db, runtime)
    finally:
        runtime.engine.dispose()


def test_after_erasure_no_byte_of_the_person_is_left_on_disk(installation: Installation) -> None:
    person = installation.prospect()
    assert MARKER.encode() in installation.raw()
    installation.erase(person)
    raw = installation.raw()
    assert MARKER.encode() not in raw
    assert b"quirinaal@example.be" not in raw


def test_a_backup_restored_after_an_erasure_forgets_the_person_again(
    installation: Installation, tmp_path: Path
) -> None:
    person = installation.prospect()
    backup = tmp_path / "backup.db"
    with closing(sqlite3.connect(installation.db)) as live, closing(sqlite3.connect(backup)) as b:
        live.backup(b)
    installation.erase(person)
    installation.runtime.engine.dispose()

    # The operator restores last night's backup.
    for stale in ("-wal", "-shm"):
        installation.db.with_name(installation.db.name + stale).unlink(missing_ok=True)
    os.replace(backup, installation.db)
    assert MARKER.encode() in installation.raw()

    env = {
        **os.environ,
        "LAWFUL_HOME": str(installation.settings.home),
        "LAWFUL_DATABASE_URL": installation.settings.database_url,
    }
    replay = [LAWFUL, "rights", "replay-erasures"]
    first = subprocess.run(replay, env=env, capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("1 person(s) erased again")
    assert MARKER.encode() not in installation.raw()
    second = subprocess.run(replay, env=env, capture_output=True, text=True, check=False)
    assert second.stdout.strip() == "nothing to replay: every listed erasure holds in this database"


GROUNDS = "Zonnebloemstraat hospital stay"  # what the person confides; found nowhere in clear
ANSWER = "Heliotrope compelling grounds"


def test_objection_grounds_and_answers_are_never_on_disk_in_clear(
    installation: Installation,
) -> None:
    person = installation.prospect()
    gate = installation.runtime.gate
    with unit_of_work(installation.runtime.engine) as session:
        objection = rights.object(
            session,
            gate=gate,
            actor=SELF,
            person_id=person,
            purpose="recorded-conversations",
            grounds=GROUNDS,
            channel="api",
            registered_by="self-service",
            today=dt.date.today(),
        )
        rights.decide_objection(
            session,
            gate=gate,
            actor=DPO,
            objection_id=objection.id,
            upheld=False,
            grounds=ANSWER,
            today=dt.date.today(),
        )
    with unit_of_work(installation.runtime.engine) as session:
        (read,) = rights.list_objections(
            session, gate=gate, actor=DPO, person_id=person, today=dt.date.today()
        )
        assert (read.grounds, read.decision_grounds) == (GROUNDS, ANSWER)
        request = rights.get_request(session, gate=gate, request_id=objection.request_id or 0)
        assert request.decision_grounds == ANSWER
    raw = installation.raw()
    assert GROUNDS.encode() not in raw and ANSWER.encode() not in raw

    installation.erase(person)
    with unit_of_work(installation.runtime.engine) as session:
        (read,) = rights.list_objections(
            session, gate=gate, actor=DPO, person_id=person, today=dt.date.today()
        )
        # The objection and its answer stay on record; what was written can no longer be read.
        assert read.status.value == "rejected" and read.received_at is not None
        assert (read.grounds, read.decision_grounds) == (None, None)
        request = rights.get_request(session, gate=gate, request_id=objection.request_id or 0)
        assert request.decision_grounds is None and request.outcome is not None

"""The statement-changes job commits batch by batch: a run killed midway and rerun tells each
person once. It runs on a database of its own, through the function the command runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.config import Settings
from lawful.core.gate import unit_of_work
from lawful.core.ledger import service as ledger
from lawful.core.runtime import Runtime
from lawful.engagement.models import Notification
from lawful.entrypoints import bootstrap
from lawful.entrypoints.cli_jobs import statement_changes_job

from .conftest import TODAY, new_person
from .test_statement_notices import FLOOD, reworded

NOW = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=dt.UTC)


class Killed(Exception):
    pass


@pytest.fixture
def world(database_of_its_own: Any, lawful_home: Path) -> Iterator[tuple[Runtime, list[str]]]:
    with database_of_its_own("statement_notices") as url:
        settings = Settings(database_url=url, home=lawful_home)
        bootstrap.init(settings)
        rt = bootstrap.open_runtime(settings)
        with unit_of_work(rt.engine) as session:
            people = [
                new_person(session, rt.gate, language=lang, entity="kbc-insurance").id
                for lang in ("fr", "nl", "en", "nl")
            ]
        try:
            yield rt, people
        finally:
            rt.engine.dispose()


def test_a_run_killed_midway_and_rerun_tells_each_person_once(
    world: tuple[Runtime, list[str]],
) -> None:
    rt, people = world
    old, new = rt.register, reworded(rt.register, FLOOD)
    seen = []

    def kill_in_second_batch(done: int, _: int) -> None:
        seen.append(done)
        if len(seen) == 2:
            raise Killed  # inside the batch's transaction: that batch is undone whole

    with pytest.raises(Killed):
        statement_changes_job(
            rt, old=old, new=new, today=TODAY, now=NOW, batch=1, on_batch=kill_in_second_batch
        )
    rerun = statement_changes_job(rt, old=old, new=new, today=TODAY, now=NOW, batch=1)
    assert (rerun.changes, rerun.concerned, rerun.queued, rerun.already) == (1, 4, 3, 1)
    with Session(rt.engine) as session:
        rows = session.execute(
            sa.select(Notification.person_id, sa.func.count())
            .where(Notification.topic == "statement-changes")
            .group_by(Notification.person_id)
        ).all()
        assert dict(rows) == dict.fromkeys(people, 1)
        # The killed batch's decision was undone with it: one decision on record per person.
        for person in people:
            events = ledger.for_subject(session, keys=rt.keys, subject_id=person)
            sent = [e for e in events if e.event == "engagement.statement_notice.send"]
            assert len(sent) == 1

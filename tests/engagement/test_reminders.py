"""`lawful jobs run card-reminders`: who is reminded, once per statement, whatever befalls the run.

The job commits batch by batch, so these tests run on a database of their own, through the same
function the command runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.config import Settings
from lawful.core.gate import unit_of_work
from lawful.core.ledger import service as ledger
from lawful.core.runtime import Runtime
from lawful.engagement import service as engagement
from lawful.engagement.schemas import PreferencesUpdate
from lawful.entrypoints import bootstrap
from lawful.entrypoints.cli_jobs import card_reminders_job
from lawful.rights import service as rights

from .conftest import SELF, TODAY, card_holder

DAY = TODAY
BRUSSELS = dt.timezone(dt.timedelta(hours=1))  # CET: the reminders' local time in winter
EVENING = dt.datetime.combine(DAY, dt.time(23, 0), tzinfo=BRUSSELS)
MORNING = dt.datetime.combine(DAY, dt.time(9, 30), tzinfo=BRUSSELS)


@dataclass
class World:
    rt: Runtime
    statements: dict[str, int]  # who -> statement id
    persons: dict[str, str]  # who -> person id


def _prefer(rt: Runtime, person_id: str, **changes: Any) -> None:
    with unit_of_work(rt.engine) as session:
        engagement.set_preferences(
            session,
            gate=rt.gate,
            actor=SELF,
            person_id=person_id,
            changes=PreferencesUpdate.model_validate(changes),
            today=DAY,
        )


@pytest.fixture
def world(database_of_its_own: Any, lawful_home: Path) -> Iterator[World]:
    with database_of_its_own("reminders") as url:
        settings = Settings(database_url=url, home=lawful_home)
        bootstrap.init(settings)
        rt = bootstrap.open_runtime(settings)
        statements: dict[str, int] = {}
        persons: dict[str, str] = {}
        cases: dict[str, dict[str, Any]] = {
            "dutch": {"due": DAY + dt.timedelta(days=2)},
            "french": {"due": DAY + dt.timedelta(days=3), "language": "fr", "region": "wallonia"},
            "off": {"due": DAY + dt.timedelta(days=1)},
            "quiet": {"due": DAY + dt.timedelta(days=2)},
            "objecting": {"due": DAY + dt.timedelta(days=2)},
            "one-day": {"due": DAY + dt.timedelta(days=2)},
            "later": {"due": DAY + dt.timedelta(days=5)},
            "paid": {"due": DAY + dt.timedelta(days=2), "paid_on": DAY},
            "past": {"due": DAY - dt.timedelta(days=1)},
        }
        with unit_of_work(rt.engine) as session:
            for who, kw in cases.items():
                persons[who], statements[who] = card_holder(session, rt.gate, **kw)
        _prefer(rt, persons["off"], topics={"card-balance-reminder": []})
        _prefer(rt, persons["quiet"], quiet_hours={"start": "22:00", "end": "07:00"})
        _prefer(rt, persons["one-day"], card_reminder_days=1)
        _prefer(rt, persons["dutch"], topics={"card-balance-reminder": ["in_app", "push"]})
        with unit_of_work(rt.engine) as session:
            rights.object(
                session,
                gate=rt.gate,
                actor=SELF,
                person_id=persons["objecting"],
                purpose="customer-notifications",
                grounds="I am abroad for months and read no messages",
                channel="api",
                registered_by="customer",
                today=DAY,
            )
        try:
            yield World(rt, statements, persons)
        finally:
            rt.engine.dispose()


def messages(rt: Runtime) -> dict[str, list[dict[str, Any]]]:
    """Every message decided, by idempotency key."""
    with Session(rt.engine) as session:
        rows = session.execute(sa.text("SELECT * FROM notification ORDER BY id")).mappings().all()
    found: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        found.setdefault(row["idempotency_key"], []).append(dict(row))
    return found


def key(world: World, who: str) -> str:
    return f"card-balance-reminder:statement:{world.statements[who]}"


def test_each_statement_due_gets_one_decision_and_the_summary_says_why(world: World) -> None:
    outcome, dispatched = card_reminders_job(world.rt, day=DAY, now=EVENING)
    # dutch, french, off, quiet, objecting fall due within their days; one-day, later, paid,
    # past do not.
    assert (outcome.eligible, outcome.sent) == (5, 2)
    assert (outcome.by_preference, outcome.by_objection, outcome.by_quiet_hours) == (1, 1, 1)
    assert outcome.channels == {"in_app": 1, "push": 1}
    # No push service is configured here: the push message is kept in the app's inbox.
    assert (dispatched.kept, dispatched.sent) == (1, 0)
    found = messages(world.rt)
    assert set(found) == {key(world, w) for w in ("dutch", "french", "off", "objecting")}
    assert found[key(world, "off")][0]["status"] == "suppressed"
    assert found[key(world, "off")][0]["reason"] == "preference_off"
    assert found[key(world, "off")][0]["body"] == ""  # nothing kept of what was never sent
    assert found[key(world, "objecting")][0]["reason"] == "objection_pending"
    french = found[key(world, "french")][0]
    assert french["language"] == "fr" and french["status"] == "kept"
    assert "L'échéance est fixée au" in french["body"] and "4821" in french["body"]
    assert "420,00\xa0€" in french["body"]
    dutch = found[key(world, "dutch")][0]
    assert dutch["channel"] == "in_app" and dutch["title"].startswith("Herinnering")


def test_a_second_run_sends_nothing_again_and_quiet_hours_only_defer(world: World) -> None:
    card_reminders_job(world.rt, day=DAY, now=EVENING)
    again, _ = card_reminders_job(world.rt, day=DAY, now=EVENING)
    assert (again.eligible, again.sent, again.by_quiet_hours) == (1, 0, 1)
    morning, _ = card_reminders_job(world.rt, day=DAY, now=MORNING)
    assert (morning.eligible, morning.sent) == (1, 1)
    found = messages(world.rt)
    assert all(len(rows) == 1 for rows in found.values())
    assert key(world, "quiet") in found
    # The next day, the statement of the person who wants a single day's notice falls due.
    next_day, _ = card_reminders_job(world.rt, day=DAY + dt.timedelta(days=1), now=MORNING)
    assert (next_day.eligible, next_day.sent) == (1, 1)
    assert key(world, "one-day") in messages(world.rt)


class Killed(Exception):
    pass


def test_a_run_killed_midway_and_rerun_decides_each_statement_exactly_once(world: World) -> None:
    def kill_in_second_batch(done: int, total: int) -> None:
        if done == 2:
            raise Killed  # inside the batch's transaction: that batch is undone whole

    with pytest.raises(Killed):
        card_reminders_job(world.rt, day=DAY, now=MORNING, batch=1, on_batch=kill_in_second_batch)
    assert len(messages(world.rt)) == 1  # the first batch was committed
    rerun, _ = card_reminders_job(world.rt, day=DAY, now=MORNING, batch=1)
    assert rerun.eligible == 4
    found = messages(world.rt)
    assert len(found) == 5 and all(len(rows) == 1 for rows in found.values())
    # The killed batch's decision was undone with it: one decision on record per person.
    with Session(world.rt.engine) as session:
        for who in ("dutch", "french", "off", "quiet", "objecting"):
            events = ledger.for_subject(session, keys=world.rt.keys, subject_id=world.persons[who])
            decided = [e for e in events if e.event == "engagement.card_reminder.send"]
            assert len(decided) == 1, who


def test_eligibility_is_one_sql_statement(world: World) -> None:
    executed: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        executed.append(statement)

    with Session(world.rt.engine) as session:
        sa.event.listen(world.rt.engine, "before_cursor_execute", count)
        try:
            rows = engagement.reminders_due(session, day=DAY)
        finally:
            sa.event.remove(world.rt.engine, "before_cursor_execute", count)
    assert len(rows) == 5
    assert len([s for s in executed if s.lstrip().upper().startswith("SELECT")]) == 1


def test_reminders_are_deleted_once_past_the_purposes_retention(world: World) -> None:
    card_reminders_job(world.rt, day=DAY, now=MORNING)
    decided = len(messages(world.rt))
    assert decided == 5
    # The register keeps customer-notifications one year from the message.
    within, _ = card_reminders_job(world.rt, day=DAY, now=MORNING + dt.timedelta(days=300))
    assert within.purged == 0 and len(messages(world.rt)) == decided
    later = MORNING + dt.timedelta(days=366)
    past, _ = card_reminders_job(world.rt, day=later.date(), now=later)
    assert past.purged == decided and messages(world.rt) == {}

"""`lawful jobs run simulation-follow-ups`: one follow-up per unfinished simulation, whatever
befalls the run; preferences, quiet hours, objections, the window and the prospect rule respected.

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
from typer.testing import CliRunner

from lawful.config import Settings
from lawful.core.errors import InvalidInput
from lawful.core.gate import unit_of_work
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.core.runtime import Runtime
from lawful.engagement import service as engagement
from lawful.engagement.schemas import PreferencesUpdate
from lawful.entrypoints import bootstrap, cli
from lawful.entrypoints.cli_jobs import simulation_follow_ups_job
from lawful.flows import retention
from lawful.rights import service as rights
from lawful.simulations import repository as simulations_repository
from lawful.simulations import service as simulations
from lawful.simulations.schemas import Closure, SimulationCreate, StepCreate

from .conftest import SELF, TODAY, new_person

BRUSSELS = dt.timezone(dt.timedelta(hours=1))  # CET: local time in winter
NOW = dt.datetime.combine(TODAY, dt.time(23, 0), tzinfo=BRUSSELS)
TWO_DAYS = NOW - dt.timedelta(days=2)


@dataclass
class World:
    rt: Runtime
    simulations: dict[str, int]  # who -> simulation id
    persons: dict[str, str]


def _start(session: Session, rt: Runtime, person_id: str, *, at: dt.datetime, **fields: Any) -> int:
    data = SimulationCreate.model_validate({"product": "loan", "language": "fr", **fields})
    made = simulations.start(
        session, gate=rt.gate, actor=SELF, person_id=person_id, data=data, now=at
    )
    simulations.record_step(
        session,
        gate=rt.gate,
        actor=SELF,
        person_id=person_id,
        simulation_id=made.id,
        step=StepCreate(name="amount", answers={"amount": 25_000, "duration_months": 60}),
        now=at + dt.timedelta(minutes=3),
    )
    return made.id


def _prefer(rt: Runtime, person_id: str, **changes: Any) -> None:
    with unit_of_work(rt.engine) as session:
        engagement.set_preferences(
            session,
            gate=rt.gate,
            actor=SELF,
            person_id=person_id,
            changes=PreferencesUpdate.model_validate(changes),
            today=TODAY,
        )


CASES: dict[str, dict[str, Any]] = {
    "client": {},
    "asked": {"contact_me": True},
    "prospect": {"state": "prospect"},
    "prospect-asked": {
        "state": "prospect",
        "contact_me": True,
        "contact_email": "noor.peeters@example.be",
    },
    "off": {},
    "objecting": {},
    "late": {"at": NOW - dt.timedelta(days=20)},
    "quiet": {},
    "finished": {"close": "finished"},
    "abandoned": {"close": "abandoned"},
    "fresh": {"at": NOW - dt.timedelta(hours=3)},
    "expired": {"at": NOW - dt.timedelta(days=31)},
}


@pytest.fixture
def world(database_of_its_own: Any, lawful_home: Path) -> Iterator[World]:
    with database_of_its_own("simulations") as url:
        settings = Settings(database_url=url, home=lawful_home)
        bootstrap.init(settings)
        rt = bootstrap.open_runtime(settings)
        sims: dict[str, int] = {}
        persons: dict[str, str] = {}
        with unit_of_work(rt.engine) as session:
            for who, case in CASES.items():
                case = dict(case)
                state = case.pop("state", "client")
                at = case.pop("at", TWO_DAYS)
                closing = case.pop("close", None)
                person = new_person(session, rt.gate, state=state, language="fr")
                persons[who] = person.id
                sims[who] = _start(session, rt, person.id, at=at, **case)
                if closing:
                    simulations.close(
                        session,
                        gate=rt.gate,
                        actor=SELF,
                        person_id=person.id,
                        simulation_id=sims[who],
                        closure=Closure(outcome=closing),
                        now=at + dt.timedelta(minutes=5),
                    )
        _prefer(rt, persons["off"], topics={"simulation-follow-up": []})
        _prefer(rt, persons["quiet"], quiet_hours={"start": "22:00", "end": "07:00"})
        with unit_of_work(rt.engine) as session:
            rights.object(
                session,
                gate=rt.gate,
                actor=SELF,
                person_id=persons["objecting"],
                purpose=simulations.PURPOSE,
                grounds="I do not want to be followed up about what I only tried out",
                channel="api",
                registered_by="customer",
                today=TODAY,
            )
        try:
            yield World(rt, sims, persons)
        finally:
            rt.engine.dispose()


def follow_ups(rt: Runtime) -> dict[int, dict[str, Any]]:
    with Session(rt.engine) as session:
        rows = session.execute(sa.text("SELECT * FROM simulation_follow_up")).mappings().all()
    return {row["simulation_id"]: dict(row) for row in rows}


def messages(rt: Runtime) -> list[dict[str, Any]]:
    with Session(rt.engine) as session:
        query = sa.text("SELECT * FROM notification WHERE topic = 'simulation-follow-up'")
        return [dict(r) for r in session.execute(query).mappings().all()]


def test_each_unfinished_simulation_gets_one_follow_up_and_the_summary_says_why(
    world: World,
) -> None:
    outcome, dispatched = simulation_follow_ups_job(world.rt, now=NOW)
    sims = world.simulations
    # Not eligible: finished, fresh (untouched for 3 hours only), expired (erased first).
    assert outcome.purged == 1
    assert outcome.eligible == 9
    assert (outcome.messages, outcome.tasks) == (2, 2)  # client, abandoned; asked, prospect-asked
    assert (outcome.by_preference, outcome.by_objection, outcome.by_window) == (1, 1, 1)
    assert (outcome.not_asked, outcome.by_quiet_hours, outcome.refused) == (1, 1, 0)
    assert dispatched.kept == 0  # in the app's inbox at once, nothing waits for a channel
    decided = follow_ups(world.rt)
    kinds = {who: decided[s]["kind"] for who, s in sims.items() if s in decided}
    assert kinds == {
        "client": "message",
        "abandoned": "message",
        "asked": "task",
        "prospect-asked": "task",
        "off": "suppressed",
        "objecting": "suppressed",
        "late": "suppressed",
        "prospect": "suppressed",
    }
    assert decided[sims["off"]]["reason"] == "preference_off"
    assert decided[sims["objecting"]]["reason"] == "objection_pending"
    assert decided[sims["late"]]["reason"] == "window"
    assert decided[sims["prospect"]]["reason"] == "not_asked"
    sent = messages(world.rt)
    assert sorted(m["person_id"] for m in sent) == sorted(
        world.persons[w] for w in ("client", "abandoned")
    )
    french = sent[0]
    assert french["status"] == "kept" and french["channel"] == "in_app"
    assert french["title"] == "Besoin d'aide pour votre simulation\u00a0?"
    assert "votre simulation de crédit" in french["body"] and "30 jours" in french["body"]
    with Session(world.rt.engine) as session:
        gone = simulations_repository.simulation(session, sims["expired"])
        assert gone is None
        assert ledger.verify(session, keys=world.rt.keys).ok


def test_a_second_run_decides_nothing_again_and_quiet_hours_only_defer(world: World) -> None:
    simulation_follow_ups_job(world.rt, now=NOW)
    again, _ = simulation_follow_ups_job(world.rt, now=NOW)
    assert (again.eligible, again.messages, again.tasks, again.by_quiet_hours) == (1, 0, 0, 1)
    morning = NOW + dt.timedelta(hours=22)  # 21:00 the next day, out of the quiet hours
    later, _ = simulation_follow_ups_job(world.rt, now=morning)
    # quiet's offer now; fresh, untouched for a day since, is due too.
    assert (later.eligible, later.messages) == (2, 2)
    assert len(messages(world.rt)) == 4


def test_a_run_killed_midway_and_rerun_still_decides_each_simulation_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    settle = simulations_repository.settle
    calls = {"n": 0}

    def dies_on_the_second_batch(session: Session, rows: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # the process is stopped while a batch is being written
        settle(session, rows)

    monkeypatch.setattr(simulations_repository, "settle", dies_on_the_second_batch)
    with pytest.raises(KeyboardInterrupt):
        simulation_follow_ups_job(world.rt, now=NOW, batch=3)
    first = follow_ups(world.rt)
    assert 0 < len(first) < 8  # the first batch is kept, the second undone whole
    assert all(row["kind"] != "deciding" for row in first.values())
    monkeypatch.setattr(simulations_repository, "settle", settle)
    simulation_follow_ups_job(world.rt, now=NOW, batch=3)
    simulation_follow_ups_job(world.rt, now=NOW, batch=3)
    decided = follow_ups(world.rt)
    assert len(decided) == 8
    keys = [m["idempotency_key"] for m in messages(world.rt)]
    assert len(keys) == len(set(keys)) == 2
    # One ledger decision per follow-up asked of the gate (messages, tasks, the objection).
    with Session(world.rt.engine) as session:
        events = [
            record
            for person in world.persons.values()
            for record in ledger.for_subject(session, keys=world.rt.keys, subject_id=person)
            if record.event == simulations.Event.FOLLOW_UP.value
        ]
    assert len(events) == 5


def test_the_command_prints_the_summary(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAWFUL_DATABASE_URL", str(world.rt.engine.url.render_as_string(False)))
    runner = CliRunner()
    result = runner.invoke(
        cli.app, ["jobs", "run", "simulation-follow-ups", "--at", NOW.isoformat(), "--no-dispatch"]
    )
    assert result.exit_code == 0, result.output
    for line in ("eligible", "tasks created for an adviser", "suppressed by window"):
        assert line in result.stdout
    again = runner.invoke(cli.app, ["jobs", "run", "simulation-follow-ups", "--at", "yesterday"])
    # `lawful` (cli.main) prints a domain error as one line and exits non-zero.
    assert again.exit_code != 0
    assert isinstance(again.exception, InvalidInput) and "--at" in str(again.exception)


def test_an_adviser_sees_the_tasks_of_their_entity_only(world: World) -> None:
    simulation_follow_ups_job(world.rt, now=NOW)
    with unit_of_work(world.rt.engine) as session:
        bank = simulations.tasks(session, gate=world.rt.gate, actor=Actor("advisor", "kbc-bank"))
        insurer = simulations.tasks(
            session, gate=world.rt.gate, actor=Actor("advisor", "kbc-insurance")
        )
    assert {t.simulation_id for t in bank} == {
        world.simulations["asked"],
        world.simulations["prospect-asked"],
    }
    assert insurer == []
    prospect = next(t for t in bank if t.simulation_id == world.simulations["prospect-asked"])
    assert prospect.contact_email == "noor.peeters@example.be"
    assert prospect.last_step == "amount"


def test_the_retention_job_erases_simulations_past_their_retention(world: World) -> None:
    with unit_of_work(world.rt.engine) as session:
        run = retention.run_retention(session, gate=world.rt.gate, today=NOW.date())
    assert run.simulations_erased == 1
    with Session(world.rt.engine) as session:
        assert simulations_repository.simulation(session, world.simulations["expired"]) is None
        assert simulations_repository.simulation(session, world.simulations["late"]) is not None

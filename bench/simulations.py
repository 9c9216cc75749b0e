"""Simulation follow-up benchmark: the work list and the whole job, beside a per-row ORM loop.

A SQLite world (a file under /tmp) of N bank clients, each with one loan simulation abandoned two
days before and one step, a tenth of them with notification settings of their own, is loaded
set-based. Then, in the same run:
  work list    `followups.due_in_batches` — one SQL statement — over all N;
  anchor       the same question asked row by row through the ORM, as code without a set-based
               path would: every open simulation as an object, then per simulation its follow-up
               (session.get), its last step, the person's settings and channel choice, over the
               first ANCHOR_ROWS simulations, its rate extrapolated to N;
  job          `lawful jobs run simulation-follow-ups` as the command runs it (the gate for each
               batch of 1 000 people, claims, outcomes, outbox rows), follow-ups decided per second.

Run: `.venv/bin/python -m bench simulations` (results in bench/results/simulations.json); size
from LAWFUL_BENCH_SIMULATIONS (default 50000).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rich.console import Console
from sqlalchemy.orm import Session

from bench.clients import clients
from bench.home import scratch_home
from lawful.config import Settings
from lawful.core.db import session_scope, utcnow
from lawful.customers import service as customers
from lawful.engagement import service as engagement
from lawful.engagement.models import NotificationChoice, NotificationSettings
from lawful.entrypoints import bootstrap
from lawful.entrypoints.cli_jobs import simulation_follow_ups_job
from lawful.simulations import followups
from lawful.simulations import service as simulations
from lawful.simulations.models import FollowUp, Simulation, SimulationStep

RESULTS = Path(__file__).parent / "results"
SIZE = int(os.environ.get("LAWFUL_BENCH_SIMULATIONS", "50000"))
ANCHOR_ROWS = 10_000
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
LOAD = 20_000


def _load(engine: sa.Engine, n: int) -> None:
    now = utcnow()
    left = NOW - dt.timedelta(days=2)
    for start in range(0, n, LOAD):
        ids = range(start + 1, min(n, start + LOAD) + 1)
        with session_scope(engine) as session:
            customers.bulk_insert(
                session,
                **clients(ids, now=now),
            )
            simulations.bulk_insert(
                session,
                simulations=[
                    {
                        "id": i,
                        "person_id": f"{i:032x}",
                        "entity": "kbc-bank",
                        "product": "loan",
                        "channel": "app",
                        "language": "nl",
                        "status": "abandoned",
                        "contact_me": i % 20 == 0,
                        "started_at": left,
                        "last_activity_at": left,
                        "ended_at": left,
                    }
                    for i in ids
                ],
                steps=[
                    {
                        "simulation_id": i,
                        "position": 1,
                        "name": "amount",
                        "answers": '{"amount": 20000}',
                        "recorded_at": left,
                    }
                    for i in ids
                ],
            )
            engagement.bulk_insert(
                session,
                settings=[
                    {"person_id": f"{i:032x}", "language": "fr", "changed_at": now}
                    for i in ids
                    if i % 10 == 0
                ],
            )


def _orm_loop(session: Session, limit: int) -> int:
    """The work list, one object and a few queries per simulation."""
    due = 0
    idle_before = NOW - followups.DEFAULT_IDLE
    rows = session.scalars(
        sa.select(Simulation)
        .where(Simulation.status.in_(("in_progress", "abandoned")))
        .order_by(Simulation.id)
        .limit(limit)
    )
    for simulation in rows:
        if session.get(FollowUp, simulation.id) is not None:
            continue
        session.scalar(
            sa.select(SimulationStep.name)
            .where(SimulationStep.simulation_id == simulation.id)
            .order_by(SimulationStep.position.desc())
            .limit(1)
        )
        session.get(NotificationSettings, simulation.person_id)
        session.get(NotificationChoice, (simulation.person_id, followups.TOPIC))
        if simulation.last_activity_at <= idle_before:
            due += 1
    return due


def run() -> dict[str, Any]:
    console = Console(width=120)
    with (
        tempfile.TemporaryDirectory(prefix="lawful-bench-simulations-") as tmp,
        scratch_home(Path(tmp) / "home") as home,
    ):
        settings = Settings(database_url=f"sqlite:///{tmp}/simulations.db", home=home)
        bootstrap.init(settings)
        rt = bootstrap.open_runtime(settings)
        try:
            began = time.perf_counter()
            _load(rt.engine, SIZE)
            console.print(
                f"{SIZE:,} abandoned simulations loaded in {time.perf_counter() - began:.1f} s"
            )
            with Session(rt.engine) as session:
                began = time.perf_counter()
                listed = sum(len(b) for b in followups.due_in_batches(session, now=NOW, size=5_000))
                worklist_s = time.perf_counter() - began
            with Session(rt.engine) as session:
                began = time.perf_counter()
                counted = _orm_loop(session, ANCHOR_ROWS)
                anchor_s = time.perf_counter() - began
            assert listed == SIZE and counted == min(SIZE, ANCHOR_ROWS)
            began = time.perf_counter()
            outcome, _ = simulation_follow_ups_job(rt, now=NOW, dispatch=False)
            job_s = time.perf_counter() - began
        finally:
            rt.engine.dispose()
    decided = outcome.messages + outcome.tasks
    result = {
        "simulations": SIZE,
        "worklist_s": worklist_s,
        "worklist_per_s": SIZE / worklist_s,
        "orm_loop_rows": min(SIZE, ANCHOR_ROWS),
        "orm_loop_per_s": min(SIZE, ANCHOR_ROWS) / anchor_s,
        "orm_loop_extrapolated_s": anchor_s * SIZE / min(SIZE, ANCHOR_ROWS),
        "job_s": job_s,
        "job_decided": decided,
        "job_per_s": decided / job_s,
    }
    result["vs_orm_loop"] = result["worklist_per_s"] / result["orm_loop_per_s"]
    console.print(
        f"work list over {SIZE:,}: {worklist_s:.2f} s ({result['worklist_per_s']:,.0f}/s); "
        f"per-row ORM loop {result['orm_loop_per_s']:,.0f}/s "
        f"(x{result['vs_orm_loop']:.0f}; {result['orm_loop_extrapolated_s']:.0f} s for all)\n"
        f"whole job: {decided:,} follow-ups ({outcome.messages:,} messages, {outcome.tasks:,} "
        f"tasks) in {job_s:.1f} s ({result['job_per_s']:,.0f}/s)"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "simulations.json").write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    run()

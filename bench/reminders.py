"""Card-reminder benchmark: eligibility, the whole job and the outbox, beside a per-row ORM loop.

A SQLite world (a file under /tmp) of N card holders, each a bank client with one unpaid
statement due in two days, a tenth of them with notification settings of their own, is loaded
set-based. Then, in the same run:
  eligibility  `engagement.reminders_due` — one SQL statement — over all N;
  anchor       the same question asked row by row through the ORM, as code without a set-based
               path would: every unpaid statement as an object, then per statement its settings,
               its channel choice and whether a message exists (session.get / a query each),
               over the first ANCHOR_ROWS statements, its rate extrapolated to N;
  job          `lawful jobs run card-reminders` as the command runs it (the gate for each batch
               of 1 000 people, claims, outcomes), messages decided per second;
  outbox       the dispatcher over the messages waiting (kept in the app: no channel service),
               messages per second.

The job and the outbox run in a world of their own of LAWFUL_BENCH_REMINDERS_JOB card holders
(default 100 000): at the job's rate a million would take a quarter of an hour.
Run: `.venv/bin/python -m bench reminders` (results in bench/results/reminders.json); size from
LAWFUL_BENCH_REMINDERS (default 1 000 000, the issue's figure).
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
from lawful.customers.models import CardStatement
from lawful.engagement import service as engagement
from lawful.engagement.models import Notification, NotificationChoice, NotificationSettings
from lawful.entrypoints import bootstrap
from lawful.entrypoints.cli_jobs import card_reminders_job, outbox_job

RESULTS = Path(__file__).parent / "results"
SIZE = int(os.environ.get("LAWFUL_BENCH_REMINDERS", "1000000"))
JOB_SIZE = int(os.environ.get("LAWFUL_BENCH_REMINDERS_JOB", "100000"))
ANCHOR_ROWS = 20_000
DAY = dt.date(2026, 11, 25)
LOAD = 20_000


def _load(engine: sa.Engine, n: int) -> None:
    now = utcnow()
    for start in range(0, n, LOAD):
        ids = range(start + 1, min(n, start + LOAD) + 1)
        with session_scope(engine) as session:
            customers.bulk_insert(
                session,
                **clients(ids, now=now),
                cards=[
                    {
                        "id": i,
                        "person_id": f"{i:032x}",
                        "entity": "kbc-bank",
                        "last_digits": f"{i % 10_000:04d}",
                        "credit_limit_cents": 250_000,
                        "opened_on": dt.date(2020, 1, 1),
                    }
                    for i in ids
                ],
                statements=[
                    {
                        "card_id": i,
                        "person_id": f"{i:032x}",
                        "period_end": DAY - dt.timedelta(days=18),
                        "balance_cents": 1_000 + i % 200_000,
                        "minimum_due_cents": 50,
                        "due_date": DAY + dt.timedelta(days=2),
                    }
                    for i in ids
                ],
            )
            engagement.bulk_insert(
                session,
                settings=[
                    {"person_id": f"{i:032x}", "reminder_days": 5, "changed_at": now}
                    for i in ids
                    if i % 10 == 0
                ],
            )


def _orm_loop(session: Session, limit: int) -> int:
    """The eligibility question, one object and a few queries per statement."""
    due = 0
    statements = session.scalars(
        sa.select(CardStatement)
        .where(CardStatement.paid_on.is_(None), CardStatement.balance_cents > 0)
        .order_by(CardStatement.id)
        .limit(limit)
    )
    for statement in statements:
        settings = session.get(NotificationSettings, statement.person_id)
        days = settings.reminder_days if settings and settings.reminder_days is not None else 3
        session.get(NotificationChoice, (statement.person_id, "card-balance-reminder"))
        key = f"card-balance-reminder:statement:{statement.id}"
        exists = session.scalar(
            sa.select(Notification.id).where(Notification.idempotency_key == key)
        )
        if exists is None and DAY <= statement.due_date <= DAY + dt.timedelta(days=days):
            due += 1
    return due


def run() -> dict[str, Any]:
    console = Console(width=120)
    with (
        tempfile.TemporaryDirectory(prefix="lawful-bench-reminders-") as tmp,
        scratch_home(Path(tmp) / "home") as home,
    ):
        settings = Settings(database_url=f"sqlite:///{tmp}/reminders.db", home=home)
        bootstrap.init(settings)
        rt = bootstrap.open_runtime(settings)
        try:
            began = time.perf_counter()
            _load(rt.engine, SIZE)
            console.print(f"{SIZE:,} card holders loaded in {time.perf_counter() - began:.1f} s")
            with Session(rt.engine) as session:
                began = time.perf_counter()
                rows = engagement.reminders_due(session, day=DAY)
                eligibility_s = time.perf_counter() - began
            with Session(rt.engine) as session:
                began = time.perf_counter()
                counted = _orm_loop(session, ANCHOR_ROWS)
                anchor_s = time.perf_counter() - began
            assert len(rows) == SIZE and counted == min(SIZE, ANCHOR_ROWS)
            del rows
        finally:
            rt.engine.dispose()
        settings = Settings(database_url=f"sqlite:///{tmp}/reminders-job.db", home=home)
        bootstrap.init(settings)
        rt = bootstrap.open_runtime(settings)
        try:
            _load(rt.engine, JOB_SIZE)
            now = dt.datetime.combine(DAY, dt.time(9, 0), tzinfo=dt.UTC)
            began = time.perf_counter()
            outcome, _ = card_reminders_job(rt, day=DAY, now=now, dispatch=False)
            job_s = time.perf_counter() - began
            began = time.perf_counter()
            dispatched = outbox_job(rt, sender=None, batch=5_000)
            outbox_s = time.perf_counter() - began
        finally:
            rt.engine.dispose()
    result = {
        "card_holders": SIZE,
        "eligibility_s": eligibility_s,
        "eligibility_per_s": SIZE / eligibility_s,
        "orm_loop_rows": min(SIZE, ANCHOR_ROWS),
        "orm_loop_per_s": min(SIZE, ANCHOR_ROWS) / anchor_s,
        "orm_loop_extrapolated_s": anchor_s * SIZE / min(SIZE, ANCHOR_ROWS),
        "job_card_holders": JOB_SIZE,
        "job_s": job_s,
        "job_sent": outcome.sent,
        "job_per_s": outcome.sent / job_s,
        "outbox_messages": dispatched.total,
        "outbox_per_s": dispatched.total / outbox_s,
    }
    result["vs_orm_loop"] = result["eligibility_per_s"] / result["orm_loop_per_s"]
    console.print(
        f"eligibility over {SIZE:,}: {eligibility_s:.2f} s ({result['eligibility_per_s']:,.0f}/s)"
        f"; per-row ORM loop {result['orm_loop_per_s']:,.0f}/s "
        f"(x{result['vs_orm_loop']:.0f}; {result['orm_loop_extrapolated_s']:.0f} s for all)\n"
        f"whole job: {outcome.sent:,} decided in {job_s:.1f} s ({result['job_per_s']:,.0f}/s); "
        f"outbox: {dispatched.total:,} in {outbox_s:.1f} s ({result['outbox_per_s']:,.0f}/s)"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "reminders.json").write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    run()

"""Conversation-copy expiry benchmark: the retention job's set-based pass beside a per-row loop.

A SQLite world (a file under /tmp) of N persons, each with one recorded call kept for history
(one year), quality and training (six months) and evidence (two years), is loaded set-based.
The retention job is run as of seven months later, when the quality and training copies of every
call are past their day. In the same run:
  anchor   the same work row by row, as code without a set-based path would: every expired copy
           loaded as an ORM object, one gate call (policy decision and ledger event) per copy,
           then deleted and flushed; over the first ANCHOR_ROWS copies, rolled back, its rate
           extrapolated to all;
  job      `lawful rights retention`'s conversation-copies phase as the command runs it: batches
           of 500 copies, one gate call recording every person of the batch, one DELETE.

Run: `.venv/bin/python -m bench conversations` (results in bench/results/conversations.json);
size from LAWFUL_BENCH_CONVERSATIONS (default 20000).
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
from lawful.core.gate import unit_of_work
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.entrypoints import bootstrap
from lawful.flows import retention
from lawful.interactions.models import Conversation, ConversationCopy

RESULTS = Path(__file__).parent / "results"
SIZE = int(os.environ.get("LAWFUL_BENCH_CONVERSATIONS", "20000"))
ANCHOR_ROWS = 2_000
DAY = dt.date(2026, 1, 5)
LATER = dt.date(2026, 8, 5)
LOAD = 10_000
COPIES = (
    ("history", "recorded-conversations", dt.date(2027, 1, 5)),
    ("quality", "conversation-quality", dt.date(2026, 7, 5)),
    ("training", "call-recording", dt.date(2026, 7, 5)),
    ("evidence", "call-evidence", dt.date(2028, 1, 5)),
)


def _load(engine: sa.Engine, n: int) -> None:
    now = utcnow()
    started = dt.datetime.combine(DAY, dt.time(10), tzinfo=dt.UTC)
    blob = os.urandom(600)  # stands for a sealed transcript: its size, not its content, matters
    for start in range(0, n, LOAD):
        ids = range(start + 1, min(n, start + LOAD) + 1)
        with session_scope(engine) as session:
            customers.bulk_insert(
                session,
                **clients(ids, now=now),
            )
            session.execute(
                sa.insert(Conversation),
                [
                    {
                        "id": i,
                        "person_id": f"{i:032x}",
                        "entity": "kbc-bank",
                        "channel": "phone",
                        "language": "nl",
                        "investment": False,
                        "participants": [],
                        "started_at": started,
                        "notice_given_at": started,
                        "recording_kind": "transcript",
                        "by": "advisor:bench",
                    }
                    for i in ids
                ],
            )
            session.execute(
                sa.insert(ConversationCopy),
                [
                    {
                        "conversation_id": i,
                        "person_id": f"{i:032x}",
                        "use": use,
                        "purpose": purpose,
                        "kind": "transcript",
                        "content": blob,
                        "kept_from": DAY,
                        "expires_on": ends,
                    }
                    for i in ids
                    for use, purpose, ends in COPIES
                ],
            )


def _row_by_row(session: Session, gate: Any, limit: int) -> int:
    actor = Actor(retention.RETENTION_JOB, "kbc-bank")
    copies = session.scalars(
        sa.select(ConversationCopy)
        .where(ConversationCopy.expires_on < LATER)
        .order_by(ConversationCopy.id)
        .limit(limit)
    )
    done = 0
    for copy in copies:
        ctx = gate.open(session, actor=actor, purpose="data-subject-rights")
        ctx.access(
            copy.person_id,
            categories=("user.content.conversation_transcript",),
            event="interactions.copy.expire",
            details={"conversation": copy.conversation_id, "use": copy.use},
            as_of=LATER,
        )
        session.delete(copy)
        session.flush()
        done += 1
    return done


def run() -> dict[str, Any]:
    console = Console(width=120)
    with (
        tempfile.TemporaryDirectory(prefix="lawful-bench-conversations-") as tmp,
        scratch_home(Path(tmp) / "home") as home,
    ):
        settings = Settings(database_url=f"sqlite:///{tmp}/conversations.db", home=home)
        bootstrap.init(settings)
        rt = bootstrap.open_runtime(settings)
        try:
            began = time.perf_counter()
            _load(rt.engine, SIZE)
            loaded = time.perf_counter() - began
            console.print(f"{SIZE:,} calls ({4 * SIZE:,} copies) loaded in {loaded:.1f} s")
            with rt.engine.connect() as connection:
                transaction = connection.begin()
                session = Session(bind=connection)
                began = time.perf_counter()
                rows = _row_by_row(session, rt.gate, ANCHOR_ROWS)
                anchor_s = time.perf_counter() - began
                session.close()
                transaction.rollback()
            run = retention.RetentionRun(phase=retention.CONVERSATION_COPIES)
            began = time.perf_counter()
            while run.phase == retention.CONVERSATION_COPIES:
                with unit_of_work(rt.engine) as session:
                    retention.retention_batch(session, gate=rt.gate, today=LATER, run=run)
            job_s = time.perf_counter() - began
            with Session(rt.engine) as session:
                left = session.scalar(sa.select(sa.func.count()).select_from(ConversationCopy))
        finally:
            rt.engine.dispose()
    assert run.copies_expired == 2 * SIZE and left == 2 * SIZE, (run, left)
    result = {
        "calls": SIZE,
        "copies_expired": run.copies_expired,
        "job_s": job_s,
        "job_per_s": run.copies_expired / job_s,
        "row_by_row_rows": rows,
        "row_by_row_per_s": rows / anchor_s,
        "row_by_row_extrapolated_s": anchor_s * run.copies_expired / rows,
    }
    result["vs_row_by_row"] = result["job_per_s"] / result["row_by_row_per_s"]
    console.print(
        f"retention of {run.copies_expired:,} expired copies: {job_s:.2f} s "
        f"({result['job_per_s']:,.0f}/s); row by row {result['row_by_row_per_s']:,.0f}/s "
        f"(x{result['vs_row_by_row']:.1f}; {result['row_by_row_extrapolated_s']:.0f} s for all)"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "conversations.json").write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    run()

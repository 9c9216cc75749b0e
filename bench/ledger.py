"""Ledger benchmark: chained, encrypted appends beside raw INSERTs of the same rows; verification.

Per backend (SQLite in a temporary file; PostgreSQL if reachable, in a schema of its own):
  append  lawful's `ledger.append` in batches (pseudonymise, encrypt details with each subject's
          vault key, take the head lock, chain, one INSERT), one transaction per batch;
  raw     the very rows it stored, inserted again into an empty ledger table in the same batches
          and transactions, with nothing computed: the anchor the append is measured against;
  verify  `ledger.verify` over the whole ledger: the database builds each row's canonical bytes;
          SQLite hands them to Python to hash (a forked process takes half of a large ledger),
          PostgreSQL re-hashes and links them itself in its parallel workers;
  read    the stored rows streamed column by column as the row-by-row check reads them, with no
          hashing: what verify stood on before the database built the bytes, kept as its anchor.

Run: `.venv/bin/python -m bench.ledger` (results in bench/results/ledger.json). The event count
can be lowered with LAWFUL_BENCH_LEDGER_EVENTS, the PostgreSQL URL set with LAWFUL_BENCH_PG_URL.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import Engine

from bench import home, pg
from bench.home import scratch_home
from lawful.core.db import create_engine, session_scope, upgrade
from lawful.core.ledger import repository
from lawful.core.ledger import service as ledger
from lawful.core.ledger.models import LedgerEvent

RESULTS = Path(__file__).parent / "results"
LEDGER = cast(sa.Table, LedgerEvent.__table__)
EVENTS = int(os.environ.get("LAWFUL_BENCH_LEDGER_EVENTS", "200000"))
BATCH = 1_000
SUBJECTS = 20_000
PG_SCHEMAS = ("lawful_bench_ledger", "lawful_bench_raw")
TARGET_APPEND_RATIO = 0.5
TARGET_VERIFY_SQLITE = 500_000

EVENT_NAMES = (
    "customers.person.read",
    "customers.person.update",
    "interactions.call.record",
    "engagement.offer.send",
    "complaints.case.read",
    "insurance.flood_score.read",
)
ACTORS = (("branch-advisor", "staff"), ("kate", "assistant"), ("batch-offers", "job"))
ENTITIES = ("kbc-bank", "kbc-insurance", "cbc-insurance")
PURPOSES = (
    ("customer-file", "legitimate_interests"),
    ("personalised-offers", "legitimate_interests"),
    ("complaint-handling", "legal_obligation"),
    ("flood-underwriting", "contract"),
)
CATEGORIES = (("identity",), ("identity", "contact"), ("contact", "financial"), ("property",))


def drafts(rng: random.Random, count: int) -> list[ledger.NewEvent]:
    events = []
    for _ in range(count):
        actor, kind = rng.choice(ACTORS)
        purpose, basis = rng.choice(PURPOSES)
        allow = rng.random() < 0.95
        subject = f"customer-{rng.randrange(SUBJECTS):06d}"
        events.append(
            ledger.NewEvent(
                event=rng.choice(EVENT_NAMES),
                actor=actor,
                actor_kind=kind,
                entity=rng.choice(ENTITIES),
                purpose=purpose,
                legal_basis=basis,
                decision="allow" if allow else "deny",
                subject_id=subject,
                data_categories=rng.choice(CATEGORIES),
                recipient="reinsurer" if rng.random() < 0.05 else None,
                reasons=("purpose_declared",) if allow else ("objection_standing",),
                obligations=("log_access",),
                details={"screen": "customer-overview", "case": rng.randrange(10**6)},
            )
        )
    return events


def stored_rows(engine: Engine, first: int, last: int) -> list[dict[str, Any]]:
    table = LEDGER
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(table)
            .where(table.c.sequence >= first, table.c.sequence <= last)
            .order_by(table.c.sequence)
        )
        return [dict(row._mapping) for row in rows]


def time_appends_and_raw_inserts(chained: Engine, raw: Engine) -> tuple[float, float]:
    """Batch by batch, alternating, so that both sides run under the same machine load."""
    rng = random.Random(7)
    insert = sa.insert(LEDGER)
    append_s = raw_s = 0.0
    for start in range(0, EVENTS, BATCH):
        batch = drafts(rng, min(BATCH, EVENTS - start))
        began = time.perf_counter()
        with session_scope(chained) as session:
            records = ledger.append(session, keys=home.keyring(), events=batch)
        append_s += time.perf_counter() - began
        rows = stored_rows(chained, records[0].sequence, records[-1].sequence)
        began = time.perf_counter()
        with raw.begin() as connection:
            connection.execute(insert, rows)
        raw_s += time.perf_counter() - began
    return append_s, raw_s


def time_verify(engine: Engine) -> float:
    began = time.perf_counter()
    with session_scope(engine, read_only=True) as session:
        result = ledger.verify(session, keys=home.keyring())
    elapsed = time.perf_counter() - began
    if not result.ok or result.events != EVENTS:
        raise RuntimeError(f"benchmark ledger does not verify: {result.summary()}")
    return elapsed


def time_read_only(engine: Engine) -> float:
    """Streaming the stored rows as the row-by-row check reads them, hashing nothing."""
    began = time.perf_counter()
    with session_scope(engine, read_only=True) as session:
        count = sum(len(rows) for rows in repository.chain_chunks(session))
    elapsed = time.perf_counter() - began
    if count != EVENTS:
        raise RuntimeError(f"read {count} rows, expected {EVENTS}")
    return elapsed


def measure(name: str, chained: Engine, raw: Engine) -> dict[str, Any]:
    print(f"{name}: {EVENTS:,} events in batches of {BATCH:,}, appended and raw…", flush=True)
    append_s, raw_s = time_appends_and_raw_inserts(chained, raw)
    print(f"{name}: verifying…", flush=True)
    # Best of two, alternating with the bare read, to damp other work on the machine.
    verify_s, read_s = float("inf"), float("inf")
    for _ in range(2):
        verify_s = min(verify_s, time_verify(chained))
        read_s = min(read_s, time_read_only(chained))
    return {
        "events": EVENTS,
        "batch": BATCH,
        "append_events_per_s": round(EVENTS / append_s),
        "raw_insert_events_per_s": round(EVENTS / raw_s),
        "append_vs_raw": round(raw_s / append_s, 3),
        "verify_events_per_s": round(EVENTS / verify_s),
        "read_only_events_per_s": round(EVENTS / read_s),
        "verify_vs_read_only": round(read_s / verify_s, 3),
        "seconds": {"append": append_s, "raw": raw_s, "verify": verify_s, "read": read_s},
    }


def run_sqlite(workdir: Path) -> dict[str, Any]:
    engines = []
    for name in ("chained", "raw"):
        url = f"sqlite:///{workdir / f'{name}.db'}"
        upgrade(url)
        engines.append(create_engine(url))
    try:
        return measure("sqlite", engines[0], engines[1])
    finally:
        for engine in engines:
            engine.dispose()


def run_postgresql() -> dict[str, Any] | None:
    if not pg.reachable():
        return None
    with pg.schemas(*PG_SCHEMAS) as urls:
        engines = []
        try:
            for url in urls:
                upgrade(url)
                engines.append(create_engine(url))
            return measure("postgresql", engines[0], engines[1])
        finally:
            for engine in engines:
                engine.dispose()


def report(results: dict[str, dict[str, Any]]) -> None:
    table = Table(title=f"ledger: {EVENTS:,} events, batches of {BATCH:,}")
    columns = ("backend", "append ev/s", "raw insert ev/s", "append/raw", "verify ev/s")
    for column in (*columns, "read-only ev/s"):
        table.add_column(column, justify="right" if column != "backend" else "left")
    for backend, r in results.items():
        ratio = r["append_vs_raw"]
        ratio_text = f"{ratio:.0%}" + ("" if ratio >= TARGET_APPEND_RATIO else " (< 50%)")
        verify = f"{r['verify_events_per_s']:,}"
        if backend == "sqlite" and r["verify_events_per_s"] < TARGET_VERIFY_SQLITE:
            verify += f" (< {TARGET_VERIFY_SQLITE:,})"
        table.add_row(
            backend,
            f"{r['append_events_per_s']:,}",
            f"{r['raw_insert_events_per_s']:,}",
            ratio_text,
            verify,
            f"{r['read_only_events_per_s']:,}",
        )
    Console().print(table)


def run() -> dict[str, Any]:
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="lawful-bench-ledger-") as tmp:
        workdir = Path(tmp)
        with scratch_home(workdir / "home"):
            results["sqlite"] = run_sqlite(workdir)
            postgresql = run_postgresql()
            if postgresql is not None:
                results["postgresql"] = postgresql
    report(results)
    # Throughput on a shared machine means little without the load it was measured under.
    output: dict[str, Any] = {
        **results,
        "conditions": {"cpus": os.cpu_count(), "load_average_1_5_15": os.getloadavg()},
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ledger.json").write_text(json.dumps(output, indent=2))
    return output


if __name__ == "__main__":
    run()

"""Ledger benchmark: appends, the sequencer and verification, each beside its anchor.

Per backend (SQLite in a temporary file; PostgreSQL if reachable, in schemas of its own):
  append    `ledger.append` in batches (pseudonymise, encrypt details with each subject's vault
            key, encode, one INSERT; no lock, nothing read), one transaction per batch;
  raw       the very pending rows it stored, inserted again into an empty ledger in the same
            batches and transactions, with nothing computed: the append's anchor;
  sequence  `ledger.sequence` over all of them (leaf hashes, Merkle tree, stored subtrees, a signed
            tree head per batch of 5 000, moving them out of the queue);
  verify    `ledger.verify` over a log of LAWFUL_BENCH_VERIFY_EVENTS leaves written in bulk
            (bench/ledger_log.py), checked in segments by worker processes;
  chain     a plain Python hash chain over the same entries, h = SHA-256(h || entry), in one
            process: the anchor of the sequencer's and verification's rates.

Run: `.venv/bin/python -m bench.ledger` (results in bench/results/ledger.json). Counts:
LAWFUL_BENCH_LEDGER_EVENTS (appended, default 200 000), LAWFUL_BENCH_VERIFY_EVENTS (verified,
default 2 000 000); the PostgreSQL URL is LAWFUL_BENCH_PG_URL.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import Engine

from bench import home, ledger_log, pg
from bench.home import scratch_home
from lawful.core.db import create_engine, session_scope, upgrade, utc_text, utcnow
from lawful.core.ledger import entry as encoding
from lawful.core.ledger import service as ledger
from lawful.core.ledger.models import LedgerPending

RESULTS = Path(__file__).parent / "results"
PENDING = cast(sa.Table, LedgerPending.__table__)
EVENTS = int(os.environ.get("LAWFUL_BENCH_LEDGER_EVENTS", "200000"))
VERIFY_EVENTS = int(os.environ.get("LAWFUL_BENCH_VERIFY_EVENTS", "2000000"))
BATCH = 1_000
SUBJECTS = 20_000
PG_SCHEMAS = ("lawful_bench_ledger", "lawful_bench_raw", "lawful_bench_verify")
TARGET_VERIFY = 1_000_000

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
        events.append(
            ledger.NewEvent(
                event=rng.choice(EVENT_NAMES),
                actor=actor,
                actor_kind=kind,
                entity=rng.choice(ENTITIES),
                purpose=purpose,
                legal_basis=basis,
                decision="allow" if allow else "deny",
                subject_id=f"customer-{rng.randrange(SUBJECTS):06d}",
                data_categories=rng.choice(CATEGORIES),
                recipient="reinsurer" if rng.random() < 0.05 else None,
                reasons=("purpose_declared",) if allow else ("objection_standing",),
                obligations=("log_access",),
                details={"screen": "customer-overview", "case": rng.randrange(10**6)},
                actor_ref=f"u{rng.randrange(5_000):05d}" if kind == "staff" else None,
            )
        )
    return events


def entries(count: int, seed: int = 11) -> Iterator[list[bytes]]:
    """Entries as `ledger.append` encodes them (details as random bytes of a ciphertext's size),
    50 000 at a time, without the vault: what verification reads is bytes either way."""
    rng = random.Random(seed)
    pseudonymise = home.keyring().pseudonymiser()
    subjects = [pseudonymise(f"customer-{i:06d}") for i in range(SUBJECTS)]
    staff = [pseudonymise(f"staff:u{i:05d}") for i in range(500)]
    at = utc_text(utcnow())
    made = 0
    while made < count:
        batch = []
        for _ in range(min(50_000, count - made)):
            actor, kind = ACTORS[rng.randrange(3)]
            purpose, basis = PURPOSES[rng.randrange(4)]
            batch.append(
                encoding.encode(
                    encoding.Entry(
                        at, subjects[rng.randrange(SUBJECTS)], EVENT_NAMES[rng.randrange(6)],
                        "allow", ENTITIES[rng.randrange(3)], actor, kind,
                        staff[rng.randrange(500)] if kind == "staff" else None, purpose, basis,
                        encoding.json_list(CATEGORIES[rng.randrange(4)]), None,
                        '["purpose_declared"]', '["log_access"]', rng.randbytes(70),
                    )
                )
            )  # fmt: skip
        made += len(batch)
        yield batch


def chain_rate(count: int) -> float:
    """Events per second of a plain Python hash chain over the same kind of entries."""
    spent = 0.0
    for batch in entries(count, seed=13):
        sha = hashlib.sha256
        head = b"\x00" * 32
        began = time.perf_counter()
        for entry in batch:
            head = sha(head + entry).digest()
        spent += time.perf_counter() - began
    return count / spent


def time_appends_and_raw_inserts(appended: Engine, raw: Engine) -> tuple[float, float]:
    """Batch by batch, alternating, so that both sides run under the same machine load."""
    rng = random.Random(7)
    insert = sa.insert(PENDING)
    append_s = raw_s = 0.0
    for start in range(0, EVENTS, BATCH):
        batch = drafts(rng, min(BATCH, EVENTS - start))
        began = time.perf_counter()
        with session_scope(appended) as session:
            records = ledger.append(session, keys=home.keyring(), events=batch)
        append_s += time.perf_counter() - began
        rows = [{"entry": r.entry} for r in records]
        began = time.perf_counter()
        with raw.begin() as connection:
            connection.execute(insert, rows)
        raw_s += time.perf_counter() - began
    return append_s, raw_s


def time_sequence(engine: Engine) -> float:
    began = time.perf_counter()
    done = 0
    while True:
        with session_scope(engine) as session:
            batch = ledger.sequence(session, keys=home.keyring())
        done += batch.sequenced
        if batch.sequenced < ledger.BATCH:
            break
    if done != EVENTS:
        raise RuntimeError(f"sequenced {done} entries, expected {EVENTS}")
    return time.perf_counter() - began


def time_verify(engine: Engine) -> tuple[float, ledger.VerifyResult]:
    """Best of two runs, to damp other work on the machine."""
    best, result = float("inf"), None
    for _ in range(2):
        began = time.perf_counter()
        with session_scope(engine, read_only=True) as session:
            result = ledger.verify(session, keys=home.keyring())
        best = min(best, time.perf_counter() - began)
    assert result is not None
    if not result.ok or result.events != VERIFY_EVENTS:
        raise RuntimeError(f"benchmark log does not verify: {result.summary()}")
    return best, result


def measure(name: str, appended: Engine, raw: Engine, verified: Engine) -> dict[str, Any]:
    print(f"{name}: {EVENTS:,} events appended (batches of {BATCH:,}) and raw…", flush=True)
    append_s, raw_s = time_appends_and_raw_inserts(appended, raw)
    print(f"{name}: sequencing them…", flush=True)
    sequence_s = time_sequence(appended)
    print(f"{name}: writing a log of {VERIFY_EVENTS:,} leaves, then verifying it…", flush=True)
    began = time.perf_counter()
    ledger_log.load(verified, entries(VERIFY_EVENTS))
    build_s = time.perf_counter() - began
    verify_s, result = time_verify(verified)
    chain = chain_rate(min(VERIFY_EVENTS, 500_000))
    return {
        "events": EVENTS,
        "batch": BATCH,
        "append_events_per_s": round(EVENTS / append_s),
        "raw_insert_events_per_s": round(EVENTS / raw_s),
        "append_vs_raw": round(raw_s / append_s, 3),
        "sequence_events_per_s": round(EVENTS / sequence_s),
        "verify_events": VERIFY_EVENTS,
        "verify_heads": result.heads,
        "verify_events_per_s": round(VERIFY_EVENTS / verify_s),
        "chain_events_per_s": round(chain),
        "build_log_s": round(build_s, 1),
        "seconds": {"append": append_s, "raw": raw_s, "sequence": sequence_s, "verify": verify_s},
    }


def run_sqlite(workdir: Path) -> dict[str, Any]:
    engines = []
    for name in ("appended", "raw", "verified"):
        url = f"sqlite:///{workdir / f'{name}.db'}"
        upgrade(url)
        engines.append(create_engine(url))
    try:
        return measure("sqlite", *engines)
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
            return measure("postgresql", *engines)
        finally:
            for engine in engines:
                engine.dispose()


def report(results: dict[str, dict[str, Any]]) -> None:
    table = Table(title=f"ledger: {EVENTS:,} appended and sequenced, {VERIFY_EVENTS:,} verified")
    columns = ("backend", "append ev/s", "raw insert ev/s", "append/raw", "sequence ev/s")
    for column in (*columns, "verify ev/s", "hash chain ev/s"):
        table.add_column(column, justify="right" if column != "backend" else "left")
    for backend, r in results.items():
        verify = f"{r['verify_events_per_s']:,}"
        if r["verify_events_per_s"] < TARGET_VERIFY:
            verify += f" (< {TARGET_VERIFY:,})"
        table.add_row(
            backend,
            f"{r['append_events_per_s']:,}",
            f"{r['raw_insert_events_per_s']:,}",
            f"{r['append_vs_raw']:.0%}",
            f"{r['sequence_events_per_s']:,}",
            verify,
            f"{r['chain_events_per_s']:,}",
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

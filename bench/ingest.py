"""Ingestion benchmark: another system's JSONL file recorded in the ledger, beside its anchors.

Per backend (SQLite in a temporary file; PostgreSQL if reachable, in schemas of its own), with
LAWFUL_BENCH_INGEST_SUBJECTS persons on file (default 20 000, each with its vault key):
  ingest    `ingest.service.ingest_lines` over LAWFUL_BENCH_INGEST_EVENTS lines (default 200 000)
            in one transaction, commit included: decode and check every line against the
            register, look up persons, vault keys and event keys set-based, encrypt each event's
            details with its subject's key (AES-GCM), encode, insert the keys and the entries
            (COPY on PostgreSQL);
  retry     the same file again: every key found, nothing recorded;
  chain     the anchor: the same lines in a naive Python loop with no database — json.loads,
            the subject's pseudonym (HMAC), AES-GCM over the details, the entry joined,
            h = SHA-256(h || entry) — the work of recording, minus the storage;
  raw       the floor: the very entries the ingest stored, inserted again into an empty ledger
            (COPY on PostgreSQL, executemany on SQLite) with nothing computed.

Ingest and chain take turns over LAWFUL_BENCH_INGEST_ROUNDS files (default 3), each keeping its
best time: on a shared machine both then see the same load.

Run: `.venv/bin/python -m bench.ingest` (results in bench/results/ingest.json).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import Engine

from bench import home, pg
from bench.home import scratch_home
from lawful.config import Settings
from lawful.core.db import create_engine, session_scope, upgrade
from lawful.core.gate import unit_of_work
from lawful.core.ledger import service as ledger
from lawful.core.vault import service as vault
from lawful.customers import service as customers
from lawful.entrypoints import bootstrap
from lawful.ingest import service as ingest

RESULTS = Path(__file__).parent / "results"
EVENTS = int(os.environ.get("LAWFUL_BENCH_INGEST_EVENTS", "200000"))
SUBJECTS = int(os.environ.get("LAWFUL_BENCH_INGEST_SUBJECTS", "20000"))
ROUNDS = int(os.environ.get("LAWFUL_BENCH_INGEST_ROUNDS", "3"))
SYSTEM, ENTITY = "card-processor", "kbc-bank"
TARGETS = {"sqlite": 150_000, "postgresql": 100_000}
PG_SCHEMAS = ("lawful_bench_ingest", "lawful_bench_ingest_raw")

# What the card processor records, by weight: (event, purpose, categories, recipient, details?)
KINDS = (
    ("cards.statement.sent", "customer-notifications", ["user.financial.card_statement"], None, 1),
    ("cards.reminder.sent", "customer-notifications",
     ["user.financial.credit_card", "user.device.device_id"], None, 1),
    ("cards.transaction.processed", "customer-contract", ["user.financial.credit_card"],
     "it-hosting", 1),
    ("cards.dispute.forwarded", "complaint-handling", ["user.financial.card_statement"],
     "worldline", 0),
)  # fmt: skip


def person_ids() -> list[str]:
    return [f"bench-{i:07d}" for i in range(SUBJECTS)]


def lines(subjects: list[str], seed: int = 5) -> list[bytes]:
    """A file of the card processor's: keys unique per seed, as a new day's file has."""
    rng = random.Random(seed)
    start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    out = []
    for i in range(EVENTS):
        event, purpose, categories, recipient, details = KINDS[rng.randrange(len(KINDS))]
        line: dict[str, Any] = {
            "key": f"cards-{seed}-{i:09d}",
            "event": event,
            "purpose": purpose,
            "categories": categories,
            "subject": subjects[rng.randrange(len(subjects))],
            "occurred_at": (start + dt.timedelta(seconds=i // 10)).isoformat(),
        }
        if recipient:
            line["recipient"] = recipient
        if details:
            line["details"] = {"card": f"****{rng.randrange(10_000):04d}", "amount_cents": i}
        out.append(json.dumps(line).encode())
    return out


def seed_persons(engine: Engine, subjects: list[str]) -> None:
    """Persons on file, each with a vault key, as years of the customer file leave them."""
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "id": pid, "national_number": f"{i:011d}", "first_name": "Bench",
            "last_name": f"Subject{i}", "birth_date": dt.date(1980, 1, 1) + dt.timedelta(i % 9000),
            "email": f"s{i}@example.be", "phone": f"+3247{i:07d}", "street": "Rue 1",
            "postcode": "1000", "city": "Bruxelles", "region": "brussels", "brand": "kbc-brussels",
            "language": "fr", "created_at": now, "erased_at": None,
        }
        for i, pid in enumerate(subjects)
    ]  # fmt: skip
    with session_scope(engine) as session:
        customers.bulk_insert(session, persons=rows)
        vault.encrypt_many(session, keys=home.keyring(), items=[(s, b"") for s in subjects])


def time_ingest(runtime: Any, data: list[bytes]) -> tuple[float, Any]:
    began = time.perf_counter()
    with unit_of_work(runtime.engine) as session:
        result = ingest.ingest_lines(
            session, gate=runtime.gate, system=SYSTEM, entity=ENTITY, lines=data
        )
    return time.perf_counter() - began, result


def chain_rate(data: list[bytes], subjects: list[str]) -> float:
    """The naive loop: every step per event, nothing shared, no database."""
    keys = {s: AESGCM(AESGCM.generate_key(256)) for s in subjects}
    secret = os.urandom(32)
    head = b"\x00" * 32
    began = time.perf_counter()
    for raw in data:
        event = json.loads(raw)
        subject = event["subject"]
        pseudonym = hmac.digest(secret, subject.encode(), "sha256").hex()
        details = b""
        if "details" in event:
            nonce = os.urandom(12)
            plain = json.dumps(event["details"], sort_keys=True).encode()
            details = nonce + keys[subject].encrypt(nonce, plain, pseudonym.encode())
        entry = b"\x1f".join(
            (
                b"lawful-entry-v1", event["occurred_at"].encode(), pseudonym.encode(),
                event["event"].encode(), b"allow", ENTITY.encode(), SYSTEM.encode(), b"system",
                b"\x00", event["purpose"].encode(), b"contract",
                json.dumps(event["categories"]).encode(),
                (event.get("recipient") or "\x00").encode(), b"[]", b"[]", b"1", details,
            )
        )  # fmt: skip
        head = hashlib.sha256(head + entry).digest()
    return len(data) / (time.perf_counter() - began)


def stored_entries(engine: Engine) -> list[bytes]:
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT entry FROM ledger_pending ORDER BY id"))
        return [bytes(row[0]) for row in rows]


def time_raw(engine: Engine, entries: list[bytes]) -> float:
    began = time.perf_counter()
    with session_scope(engine) as session:
        ledger.append_entries(session, entries=entries)
    return time.perf_counter() - began


def measure(name: str, url: str, raw_url: str, home_dir: Path) -> dict[str, Any]:
    """Best of ROUNDS, ingest and chain taking turns over the same file, so that both run
    under the same load of the (shared) machine."""
    for each in (url, raw_url):
        upgrade(each)
    settings = Settings(database_url=url, home=home_dir)
    runtime = bootstrap.open_runtime(settings, migrate=False)
    raw = create_engine(raw_url)
    try:
        subjects = person_ids()
        print(f"{name}: {SUBJECTS:,} persons on file, {ROUNDS} files of {EVENTS:,} lines…")
        seed_persons(runtime.engine, subjects)
        ingest_s = chain_s = float("inf")
        first: list[bytes] = []
        for round_ in range(ROUNDS):
            data = lines(subjects, seed=round_)
            first = first or data
            spent, result = time_ingest(runtime, data)
            if result.recorded != EVENTS:
                raise RuntimeError(f"recorded {result.recorded} of {EVENTS}")
            ingest_s = min(ingest_s, spent)
            chain_s = min(chain_s, EVENTS / chain_rate(data, subjects))
        retry_s, again = time_ingest(runtime, first)
        if again.already_recorded != EVENTS or again.recorded:
            raise RuntimeError(f"a retry recorded {again.recorded}")
        raw_s = time_raw(raw, stored_entries(runtime.engine)[:EVENTS])
    finally:
        runtime.engine.dispose()
        raw.dispose()
    rate, chain = EVENTS / ingest_s, EVENTS / chain_s
    return {
        "events": EVENTS,
        "subjects": SUBJECTS,
        "rounds": ROUNDS,
        "ingest_events_per_s": round(rate),
        "retry_events_per_s": round(EVENTS / retry_s),
        "chain_events_per_s": round(chain),
        "raw_insert_events_per_s": round(EVENTS / raw_s),
        "ingest_vs_chain": round(rate / chain, 3),
        "ingest_vs_raw": round(raw_s / ingest_s, 3),
        "target_events_per_s": TARGETS[name],
        "seconds": {"ingest": ingest_s, "chain": chain_s, "retry": retry_s, "raw": raw_s},
    }


def report(results: dict[str, dict[str, Any]]) -> None:
    table = Table(
        title=f"ingest: files of {EVENTS:,} JSONL events, {SUBJECTS:,} subjects, best of {ROUNDS}"
    )
    columns = ("backend", "ingest ev/s", "target", "naive chain ev/s", "ingest/chain")
    for column in (*columns, "raw insert ev/s", "ingest/raw", "retry ev/s"):
        table.add_column(column, justify="left" if column == "backend" else "right")
    for backend, r in results.items():
        table.add_row(
            backend,
            f"{r['ingest_events_per_s']:,}",
            f"{r['target_events_per_s']:,}",
            f"{r['chain_events_per_s']:,}",
            f"{r['ingest_vs_chain']:.2f}×",
            f"{r['raw_insert_events_per_s']:,}",
            f"{r['ingest_vs_raw']:.0%}",
            f"{r['retry_events_per_s']:,}",
        )
    Console().print(table)


def run() -> dict[str, Any]:
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="lawful-bench-ingest-") as tmp:
        workdir = Path(tmp)
        with scratch_home(workdir / "home") as home_dir:
            results["sqlite"] = measure(
                "sqlite",
                f"sqlite:///{workdir / 'ingest.db'}",
                f"sqlite:///{workdir / 'raw.db'}",
                home_dir,
            )
            if pg.reachable():
                with pg.schemas(*PG_SCHEMAS) as (url, raw_url):
                    results["postgresql"] = measure("postgresql", url, raw_url, home_dir)
    report(results)
    output: dict[str, Any] = {
        **results,
        "conditions": {"cpus": os.cpu_count(), "load_average_1_5_15": os.getloadavg()},
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ingest.json").write_text(json.dumps(output, indent=2))
    return output


if __name__ == "__main__":
    run()

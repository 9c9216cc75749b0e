"""Access-report benchmark: one person's Art. 15 report in a world of up to 1M customers.

Per size (customers; 10 ledger events each) and backend (SQLite in a file under /tmp; PostgreSQL
in a schema of its own if reachable), a world is built set-based, bypassing the services:
  customers  persons + a client relationship with kbc-bank + a KYC record + a current account,
             executemany (SQLite) / COPY (PostgreSQL) in big batches;
  ledger     10 events per customer, entries encoded as `ledger.append` encodes them (no
             details, so nothing to encrypt), interleaved across customers over two years, written
             as a sequenced log with its stored subtrees and a signed head every 5 000 leaves
             (bench/ledger_log.py), the subject index dropped during the load and rebuilt after;
then the access report (`flows.access_report`, worded by `rights.service.report_view`) —
with the inclusion proof of each of the person's events against the latest signed head — is
timed for random persons (each call its own unit of work), and one sample of reports is
profiled (cProfile under lawful.*, and SQL time per statement). Each report takes turns with
the anchor, outside lawful: the same person's rows and ledger entries read with the bare driver,
one audit row inserted and committed, the whole dumped as JSON.

Run: `.venv/bin/python -m bench.access_report` (results in bench/results/access_report.json).
Sizes: LAWFUL_BENCH_ACCESS_SIZES (default 10000,100000,1000000); PostgreSQL sizes may be capped
with LAWFUL_BENCH_ACCESS_PG_MAX; the URL is LAWFUL_BENCH_PG_URL. LAWFUL_BENCH_ACCESS_BACKENDS
(default sqlite,postgresql) runs one backend alone: the other's rows of the last results are kept,
each with the load it was measured under.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import json
import os
import pstats
import random
import re
import sqlite3
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

import psycopg
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import Engine

from bench import home, ledger_log, pg
from bench.home import scratch_home
from lawful.core.db import create_engine, session_scope, upgrade, utc_text
from lawful.core.gate import Gate, unit_of_work
from lawful.core.ledger import entry as encoding
from lawful.core.ledger import service as ledger
from lawful.core.ledger.entry import Entry
from lawful.core.policy.types import Actor
from lawful.core.register.load import load_register
from lawful.customers.models import Account, KycRecord, Person, Relationship
from lawful.flows.access_report import access_report
from lawful.rights.service import report_view
from lawful.rights.state import DbSubjectStates

RESULTS = Path(__file__).parent / "results"
SIZES = [
    int(s) for s in os.environ.get("LAWFUL_BENCH_ACCESS_SIZES", "10000,100000,1000000").split(",")
]
PG_MAX = int(os.environ.get("LAWFUL_BENCH_ACCESS_PG_MAX", str(10**9)))
BACKENDS = os.environ.get("LAWFUL_BENCH_ACCESS_BACKENDS", "sqlite,postgresql").split(",")
PG_SCHEMA = "lawful_bench_access"
EVENTS_PER_PERSON = 10
BATCH = 50_000
SAMPLES = 200
WARMUP = 20
PROFILED = 20
TARGET_P95_MS = 50.0
SEED = 20_241_125
TODAY = dt.date.today()
# The customer asking in the app (a staff member answers a request registered beforehand).
ACTOR = Actor("self-service", "kbc-bank")

# (purpose, event, role, entity, recipient or None, weight)
ACTIVITY = (
    ("customer-file", "customers.person.read", "advisor", "kbc-bank", None, 40),
    (
        "customer-notifications",
        "engagement.notification.send",
        "reminder-service",
        "kbc-bank",
        None,
        20,
    ),
    (
        "intra-group-identity-reuse",
        "customers.kyc.disclose",
        "onboarding-service",
        "kbc-bank",
        "group-kbc-insurance",
        10,
    ),
    ("personalised-offers", "engagement.offer.send", "offer-engine", "kbc-bank", None, 20),
    ("complaint-handling", "complaints.case.read", "complaint-handler", "kbc-bank", None, 5),
    (
        "flood-data-underwriting",
        "insurance.flood_score.read",
        "underwriter",
        "kbc-insurance",
        None,
        5,
    ),
)
DENY_SHARE = 0.03


def _columns(model: Any) -> list[str]:
    return [c.name for c in cast(sa.Table, model.__table__).columns]


# --- the world, as rows ------------------------------------------------------------------------


def _iban(n: int) -> str:
    account = 100_000_0000 + n  # bank code 100 (+ 7 digits), unique per person
    check = account % 97 or 97
    bban = f"{account:010d}{check:02d}"
    digits = int(bban + "111400")  # B=11, E=14, then "00"
    return f"BE{98 - digits % 97:02d}{bban}"


def _national_number(born: dt.date, serial: int) -> str:
    first = f"{born:%y%m%d}{serial:03d}"
    return f"{first}{97 - int(first) % 97:02d}"


def person_rows(
    n: int, rng: random.Random, brands: dict[str, str]
) -> Iterator[list[tuple[Any, ...]]]:
    """Batches of (person, relationship, kyc, account) tuples, ids 1..n for the integer keys."""
    regions = (("flanders", "nl"), ("wallonia", "fr"), ("brussels", "fr"))
    created = utc_text(dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    first_born = dt.date(1950, 1, 1)
    batch: list[tuple[Any, ...]] = []
    for i in range(n):
        person_id = f"{rng.getrandbits(128):032x}"
        region, language = regions[i % 3]
        born = first_born + dt.timedelta(days=i // 997)
        since = TODAY - dt.timedelta(days=30 + i % 9000)
        performed = TODAY - dt.timedelta(days=10 + i % 3000)
        batch.append(
            (
                (
                    person_id,
                    _national_number(born, i % 997 + 1),
                    f"Name{i}",
                    f"Surname{i}",
                    born,
                    f"name{i}@example.be",
                    f"+3247{i:07d}",
                    f"Street {i % 200 + 1}",
                    "1000",
                    "Brussel",
                    region,
                    brands[region],
                    language,
                    created,
                    None,
                ),
                (i + 1, person_id, "kbc-bank", "client", since, None),
                (
                    i + 1,
                    person_id,
                    "kbc-bank",
                    "itsme",
                    "eid",
                    f"{592_000_000_000 + i}",
                    2,
                    performed,
                    performed + dt.timedelta(days=3650),
                    None,
                ),
                (i + 1, person_id, "kbc-bank", "current", _iban(i), since, None),
            )
        )
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _templates(register: Any) -> list[Entry]:
    """An entry per activity and decision (occurred_at and subject left blank), by weight."""
    kinds = {r.id: r.kind.value for r in register.roles}
    out = []
    for purpose_id, event, role, entity, recipient, weight in ACTIVITY:
        purpose = register.purpose(purpose_id)
        for decision, reasons in (
            ("allow", ["purpose_declared"]),
            ("deny", ["objection_standing"]),
        ):
            template = Entry(
                "", None, event, decision, entity, role, kinds[role], None, purpose_id,
                purpose.legal_basis.value, encoding.json_list(purpose.data_categories[:2]),
                recipient, encoding.json_list(reasons), encoding.json_list(["record"]), None,
            )  # fmt: skip
            count = weight if decision == "allow" else max(1, round(weight * DENY_SHARE * 2))
            out.extend([template] * count)
    return out


def ledger_entries(
    pseudonyms: Sequence[str], rng: random.Random, register: Any
) -> Iterator[list[bytes]]:
    """The entries as `ledger.append` encodes them (no details: nothing to encrypt), BATCH at a
    time. Round r gives every customer one event, in a fresh random order: a person's ten events
    lie scattered through the log, and through the two years it spans."""
    templates = _templates(register)
    total = len(pseudonyms) * EVENTS_PER_PERSON
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=730)
    step = dt.timedelta(microseconds=730 * 86_400 * 10**6 // total)
    pick = rng.randrange
    ntemplates = len(templates)
    seq = 0
    batch: list[bytes] = []
    order = list(range(len(pseudonyms)))
    for _ in range(EVENTS_PER_PERSON):
        rng.shuffle(order)
        for person in order:
            seq += 1
            t = templates[pick(ntemplates)]
            occurred = utc_text(start + step * seq)
            batch.append(
                encoding.encode(
                    replace(t, occurred_at=occurred, subject_pseudonym=pseudonyms[person])
                )
            )
            if len(batch) == BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


# --- loaders -----------------------------------------------------------------------------------


class Loader:
    """executemany (SQLite) or COPY (PostgreSQL) through the DBAPI, one transaction per batch."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        if self.postgres:
            url = engine.url.set(drivername="postgresql")
            options = engine.url.query.get("options")
            dsn = url.set(query={}).render_as_string(hide_password=False)
            self.pg = psycopg.connect(dsn, options=cast(str, options), autocommit=False)
            self.pg.execute("SET maintenance_work_mem = '1GB'")
            self.pg.execute("SET synchronous_commit = off")
            self.pg.commit()
        else:
            self.lite = sqlite3.connect(engine.url.database or "", isolation_level=None)
            self.lite.execute("PRAGMA synchronous=OFF")
            self.lite.execute("PRAGMA cache_size=-1000000")

    def load(self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        if self.postgres:
            statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with self.pg.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
            self.pg.commit()
        else:
            marks = ", ".join("?" * len(columns))
            self.lite.execute("BEGIN")
            self.lite.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
            )
            self.lite.execute("COMMIT")

    def ddl(self, statement: str) -> None:
        if self.postgres:
            self.pg.execute(statement)  # type: ignore[arg-type]
            self.pg.commit()
        else:
            self.lite.execute(statement)

    def close(self) -> None:
        if self.postgres:
            self.pg.close()
        else:
            self.lite.close()


def _sqlite_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def build(engine: Engine, n: int, name: str) -> dict[str, Any]:
    upgrade(engine)
    register = load_register()
    brands = {b.region.value: b.id for b in register.brands}
    rng = random.Random(SEED + n)
    loader = Loader(engine)
    tables = (
        ("person", _columns(Person)),
        ("relationship", _columns(Relationship)),
        ("kyc_record", _columns(KycRecord)),
        ("account", _columns(Account)),
    )
    person_ids: list[str] = []
    began = time.perf_counter()
    try:
        for batch in person_rows(n, rng, brands):
            person_ids.extend(row[0][0] for row in batch)
            for index, (table, columns) in enumerate(tables):
                rows = [row[index] for row in batch]
                if not loader.postgres:
                    rows = [tuple(map(_sqlite_value, r)) for r in rows]
                loader.load(table, columns, rows)
            _progress(name, "customers", len(person_ids), n, began)
        if loader.postgres:
            for table in ("relationship", "kyc_record", "account"):
                loader.ddl(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {n})")
        customers_s = time.perf_counter() - began
    finally:
        loader.close()
    began = time.perf_counter()
    pseudonymise = home.keyring().pseudonymiser()
    pseudonyms = [pseudonymise(p) for p in person_ids]
    total = ledger_log.load(
        engine,
        ledger_entries(pseudonyms, rng, register),
        progress=lambda done: _progress(name, "ledger events", done, n * 10, began),
    )
    ledger_s = time.perf_counter() - began
    return {
        "person_ids": person_ids,
        "customers_s": round(customers_s, 2),
        "customers_per_s": round(n / customers_s),
        "ledger_s": round(ledger_s, 2),
        "ledger_load_events_per_s": round(total / ledger_s),
        "build_s": round(customers_s + ledger_s, 2),
    }


def _progress(name: str, what: str, done: int, total: int, began: float) -> None:
    rate = done / max(time.perf_counter() - began, 1e-9)
    print(f"{name}: {what} {done:,}/{total:,} ({rate:,.0f} rows/s)", flush=True)


# --- measuring ---------------------------------------------------------------------------------


def verify(engine: Engine, name: str) -> dict[str, Any]:
    """The built chain must verify: the world is the stored form `ledger.append` produces."""
    began = time.perf_counter()
    with session_scope(engine, read_only=True) as session:
        result = ledger.verify(session, keys=home.keyring())
    elapsed = time.perf_counter() - began
    print(f"{name}: ledger verify {result.summary()} in {elapsed:.1f}s", flush=True)
    if not result.ok:
        raise RuntimeError(f"{name}: the built ledger does not verify: {result.summary()}")
    return {"verify_ok": result.ok, "verify_s": round(elapsed, 2)}


def _one(engine: Engine, gate: Gate, person_id: str) -> None:
    with unit_of_work(engine) as session:
        report_view(
            gate.register,
            access_report(session, gate=gate, actor=ACTOR, person_id=person_id, today=TODAY),
        )


# The anchor, outside lawful: the same person's rows and ledger entries read with the bare driver,
# one audit row inserted, committed, and the whole dumped as JSON — the least any app answering an
# access request does, with no gate, no vault, no proofs and no wording.
_ANCHOR_TABLES = ("person", "relationship", "kyc_record", "account")
_AUDIT = "CREATE TABLE IF NOT EXISTS bench_anchor_audit (person_id TEXT, asked_at TEXT)"


class _Anchor:
    def __init__(self, engine: Engine) -> None:
        self.raw = engine.raw_connection()
        mark = "%s" if engine.dialect.name == "postgresql" else "?"
        self.cursor = self.raw.cursor()
        self.cursor.execute(_AUDIT)
        self.raw.commit()
        self.reads = [
            f"SELECT * FROM {t} WHERE {'id' if t == 'person' else 'person_id'} = {mark}"
            for t in _ANCHOR_TABLES
        ]
        self.entries = (
            f"SELECT leaf_index, entry, leaf_hash FROM ledger_leaf "
            f"WHERE {encoding.subject_key('entry')} = {mark}"
        )
        self.audit = f"INSERT INTO bench_anchor_audit VALUES ({mark}, {mark})"

    def __call__(self, person_id: str, pseudonym: str) -> None:
        cursor, found = self.cursor, {}
        for table, sql in zip(_ANCHOR_TABLES, self.reads, strict=True):
            cursor.execute(sql, (person_id,))
            found[table] = [list(map(str, row)) for row in cursor.fetchall()]
        cursor.execute(self.entries, (pseudonym.encode(),))
        found["ledger"] = [[i, bytes(e).hex(), bytes(h).hex()] for i, e, h in cursor.fetchall()]
        cursor.execute(self.audit, (person_id, utc_text(dt.datetime.now(dt.UTC))))
        self.raw.commit()
        json.dumps(found)

    def close(self) -> None:
        self.cursor.close()
        self.raw.close()


def _quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


_SPACES = re.compile(r"\s+")


def _sql_timer(engine: Engine) -> tuple[dict[str, list[float]], Callable[[], None]]:
    spent: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        conn.info.setdefault("bench_t0", []).append(time.perf_counter())

    def after(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        elapsed = time.perf_counter() - conn.info["bench_t0"].pop()
        entry = spent[_SPACES.sub(" ", statement)[:110]]
        entry[0] += 1
        entry[1] += elapsed

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)

    def stop() -> None:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)

    return spent, stop


def measure(engine: Engine, person_ids: Sequence[str], name: str) -> dict[str, Any]:
    gate = Gate.build(load_register(), DbSubjectStates(), home.keyring())
    rng = random.Random(SEED)
    chosen = rng.sample(list(person_ids), min(len(person_ids), WARMUP + SAMPLES + PROFILED))
    pseudonymise = home.keyring().pseudonymiser()
    pseudonyms = {p: pseudonymise(p) for p in chosen}
    anchor = _Anchor(engine)
    for person_id in chosen[:WARMUP]:
        _one(engine, gate, person_id)
        anchor(person_id, pseudonyms[person_id])
    timings, anchored = [], []
    # lawful and the anchor take turns on each person: both see the same load and the same cache.
    for person_id in chosen[WARMUP : WARMUP + SAMPLES]:
        began = time.perf_counter()
        _one(engine, gate, person_id)
        middle = time.perf_counter()
        anchor(person_id, pseudonyms[person_id])
        timings.append((middle - began) * 1000)
        anchored.append((time.perf_counter() - middle) * 1000)
    anchor.close()
    p50, p95 = _quantile(timings, 0.5), _quantile(timings, 0.95)
    a50, a95 = _quantile(anchored, 0.5), _quantile(anchored, 0.95)
    print(
        f"{name}: access report p50 {p50:.1f} ms, p95 {p95:.1f} ms; bare-driver anchor "
        f"p50 {a50:.1f} ms, p95 {a95:.1f} ms ({p95 / a95:.1f}× at p95)",
        flush=True,
    )

    profiled = chosen[WARMUP + SAMPLES :]
    spent, stop = _sql_timer(engine)
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    for person_id in profiled:
        _one(engine, gate, person_id)
    profiler.disable()
    wall = (time.perf_counter() - began) / len(profiled) * 1000
    stop()
    stats = pstats.Stats(profiler)
    per = 1000 / len(profiled)
    top = sorted(
        (
            (ct * per, f"{Path(file).name}:{line} {func}")
            for (file, line, func), (_, _, _, ct, _) in stats.stats.items()  # type: ignore[attr-defined]
            if "/lawful/" in file
        ),
        reverse=True,
    )[:10]
    queries = sorted(
        ((t * per, count / len(profiled), sql) for sql, (count, t) in spent.items()),
        reverse=True,
    )[:10]
    sql_ms = sum(t for _, t in spent.values()) * per
    return {
        "samples": len(timings),
        "p50_ms": round(p50, 2),
        "p95_ms": round(p95, 2),
        "anchor_p50_ms": round(a50, 2),
        "anchor_p95_ms": round(a95, 2),
        "ratio_p95": round(p95 / a95, 1),
        "mean_ms": round(sum(timings) / len(timings), 2),
        "max_ms": round(max(timings), 2),
        "profile": {
            "reports": len(profiled),
            "wall_ms_per_report_under_profiler": round(wall, 2),
            "sql_ms_per_report": round(sql_ms, 2),
            "top_cumulative_lawful_ms": [[round(ms, 2), where] for ms, where in top],
            "top_sql_ms": [[round(ms, 2), round(calls, 2), sql] for ms, calls, sql in queries],
        },
    }


# --- backends ----------------------------------------------------------------------------------


def run_sqlite(n: int, workdir: Path) -> dict[str, Any]:
    path = workdir / f"access-{n}.db"
    engine = create_engine(f"sqlite:///{path}")
    try:
        built = build(engine, n, f"sqlite {n:,}")
        built["file_mb"] = round(path.stat().st_size / 2**20)
        built.update(verify(engine, f"sqlite {n:,}"))
        result = measure(engine, built.pop("person_ids"), f"sqlite {n:,}")
        return {**built, **result}
    finally:
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def run_postgresql(n: int) -> dict[str, Any]:
    with pg.schemas(PG_SCHEMA) as (url,):
        engine = create_engine(url)
        try:
            built = build(engine, n, f"postgresql {n:,}")
            with engine.connect() as connection:
                size = connection.exec_driver_sql(
                    f"SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                    f"JOIN pg_namespace s ON s.oid = c.relnamespace "
                    f"WHERE s.nspname = '{PG_SCHEMA}' AND c.relkind = 'r'"
                ).scalar_one()
            built["size_mb"] = round(int(size) / 2**20)
            built.update(verify(engine, f"postgresql {n:,}"))
            result = measure(engine, built.pop("person_ids"), f"postgresql {n:,}")
            return {**built, **result}
        finally:
            engine.dispose()


# --- report ------------------------------------------------------------------------------------


def _table(rows: list[dict[str, Any]]) -> None:
    table = Table(title=f"access report, {SAMPLES} persons (target p95 < {TARGET_P95_MS:.0f} ms)")
    columns = ("backend", "customers", "ledger events", "build s", "p50 ms", "p95 ms")
    for column in (*columns, "anchor p95 ms", "× anchor"):
        table.add_column(column, justify="left" if column == "backend" else "right")
    for r in rows:
        p95 = f"{r['p95_ms']:.1f}" + ("" if r["p95_ms"] < TARGET_P95_MS else " (≥ target)")
        anchor = r.get("anchor_p95_ms")  # rows kept from a run before the anchor have none
        table.add_row(
            r["backend"],
            f"{r['customers']:,}",
            f"{r['ledger_events']:,}",
            f"{r['build_s']:.0f}",
            f"{r['p50_ms']:.1f}",
            p95,
            "—" if anchor is None else f"{anchor:.1f}",
            "—" if anchor is None else f"{r['p95_ms'] / anchor:.1f}",
        )
    Console().print(table)


def _growth(rows: list[dict[str, Any]]) -> dict[str, Any]:
    growth: dict[str, Any] = {}
    for backend in ("sqlite", "postgresql"):
        mine = sorted((r for r in rows if r["backend"] == backend), key=lambda r: r["customers"])
        if len(mine) >= 2:
            small, large = mine[0], mine[-1]
            growth[backend] = {
                "from": small["customers"],
                "to": large["customers"],
                "p50_ratio": round(large["p50_ms"] / small["p50_ms"], 2),
                "p95_ratio": round(large["p95_ms"] / small["p95_ms"], 2),
            }
    return growth


def _write(rows: list[dict[str, Any]], notes: list[str]) -> dict[str, Any]:
    output: dict[str, Any] = {
        "sizes": SIZES,
        "events_per_person": EVENTS_PER_PERSON,
        "target_p95_ms": TARGET_P95_MS,
        "results": rows,
        "growth": _growth(rows),
        "notes": notes,
        "conditions": {"cpus": os.cpu_count(), "load_average_1_5_15": os.getloadavg()},
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "access_report.json").write_text(json.dumps(output, indent=2))
    return output


def _kept() -> list[dict[str, Any]]:
    """Rows of the last results for the backends this run leaves out."""
    try:
        last = json.loads((RESULTS / "access_report.json").read_text())
    except (OSError, ValueError):
        return []
    return [r for r in last.get("results", []) if r.get("backend") not in BACKENDS]


def run() -> dict[str, Any]:
    rows: list[dict[str, Any]] = _kept()
    notes: list[str] = []
    postgres = "postgresql" in BACKENDS and pg.reachable()
    if "postgresql" in BACKENDS and not postgres:
        notes.append(f"postgresql unreachable at {pg.PG_URL}: skipped")
    with tempfile.TemporaryDirectory(prefix="lawful-bench-access-", dir="/tmp") as tmp:
        workdir = Path(tmp)
        with scratch_home(workdir / "home"):
            for n in SIZES:
                backends: list[tuple[str, Callable[[], dict[str, Any]]]] = []
                if "sqlite" in BACKENDS:
                    backends.append(("sqlite", lambda n=n: run_sqlite(n, workdir)))  # type: ignore[misc]
                if postgres and n <= PG_MAX:
                    backends.append(("postgresql", lambda n=n: run_postgresql(n)))  # type: ignore[misc]
                elif postgres:
                    notes.append(f"postgresql {n:,}: above LAWFUL_BENCH_ACCESS_PG_MAX, skipped")
                for backend, runner in backends:
                    result = runner()
                    rows.append(
                        {
                            "backend": backend,
                            "customers": n,
                            "ledger_events": n * EVENTS_PER_PERSON,
                            **result,
                            "load_average_1_5_15": os.getloadavg(),
                        }
                    )
                    _write(rows, notes)  # partial results survive an interrupted run
    _table(rows)
    return _write(rows, notes)


if __name__ == "__main__":
    run()

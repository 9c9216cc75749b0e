"""API benchmark: a policy-checked customer read beside a bare FastAPI route; demo build rate.

  demo build   customers/s of `world.build` (people, products, ledger events, reuse, objections)
  checked      GET /api/v1/persons/{id} with a staff token: authentication, the gate (policy +
               a ledger event written and committed per request), the customer-file read
  bare         a plain FastAPI route returning the very same JSON, no auth, no database: the anchor

Both apps are driven in-process through the same HTTP client (Starlette's TestClient), so the
ratio measures what lawful adds per request. The two are measured in alternating rounds and each
side's median round is kept, so that a burst of load on the machine hits both alike. SQLite, then
PostgreSQL when reachable (LAWFUL_BENCH_PG_URL). Run: `.venv/bin/python -m bench api`.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table

from bench import home, pg
from bench.home import scratch_home
from lawful.config import Settings
from lawful.core.db import create_engine, upgrade
from lawful.core.gate import Gate
from lawful.core.register.load import load_register
from lawful.demo import tokens, world
from lawful.entrypoints.app import create_app
from lawful.rights.state import DbSubjectStates

RESULTS = Path(__file__).parent / "results"
CUSTOMERS = int(os.environ.get("LAWFUL_BENCH_API_CUSTOMERS", "3000"))
REQUESTS = int(os.environ.get("LAWFUL_BENCH_API_REQUESTS", "1000"))  # per round and side
ROUNDS = int(os.environ.get("LAWFUL_BENCH_API_ROUNDS", "5"))
TARGET_RATIO = 0.5
SEED = 11


def _round(client: TestClient, paths: list[str], headers: dict[str, str]) -> list[float]:
    latencies = []
    for path in paths:
        t0 = time.perf_counter()
        response = client.get(path, headers=headers)
        latencies.append(time.perf_counter() - t0)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
    return latencies


def _figures(rounds: list[list[float]]) -> dict[str, float]:
    rates = sorted(len(r) / sum(r) for r in rounds)
    latencies = sorted(t for r in rounds for t in r)
    return {
        "requests": sum(len(r) for r in rounds),
        "rounds": len(rounds),
        "per_s": statistics.median(rates),
        "per_s_rounds": rates,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95)] * 1000,
    }


def measure(backend: str, url: str) -> dict[str, Any]:
    register = load_register()
    engine = create_engine(url)
    upgrade(engine)
    gate = Gate.build(register, DbSubjectStates(), home.keyring())
    started = time.perf_counter()
    summary = world.build(
        engine, register, gate, customers_count=CUSTOMERS, seed=SEED, progress=lambda *_: None
    )
    build_s = time.perf_counter() - started
    advisor = next(t for t in tokens.issue(engine, gate, summary.showcase) if t.role == "advisor")
    people = [p.id for p in world.people(customers_count=CUSTOMERS, seed=SEED)]
    engine.dispose()

    app = create_app(settings=Settings(database_url=url, home=Path(os.environ["LAWFUL_HOME"])))
    # Staff give a reason for every read of a file (kept, sealed, in the event's details).
    headers = {"Authorization": f"Bearer {advisor.token}", "X-Lawful-Reason": "bench: file read"}
    bare = FastAPI()
    checked_rounds: list[list[float]] = []
    bare_rounds: list[list[float]] = []
    with TestClient(app) as client:
        readable = [
            p
            for p in people[:400]
            if client.get(f"/api/v1/persons/{p}", headers=headers).status_code == 200
        ]
        if not readable:
            raise RuntimeError("the advisor could read none of the demo world's first files")
        paths = [f"/api/v1/persons/{readable[i % len(readable)]}" for i in range(REQUESTS)]
        sample = client.get(paths[0], headers=headers).json()

        @bare.get("/api/v1/persons/{person_id}")
        def read(person_id: str) -> dict[str, Any]:
            return sample

        with TestClient(bare) as anchor:
            _round(anchor, paths[:100], {})  # warm-up, as the checked app had its own
            for _ in range(ROUNDS):
                checked_rounds.append(_round(client, paths, headers))
                bare_rounds.append(_round(anchor, paths, {}))
    checked, anchor_figures = _figures(checked_rounds), _figures(bare_rounds)
    return {
        "backend": backend,
        "customers": CUSTOMERS,
        "demo_build_s": build_s,
        "demo_customers_per_s": CUSTOMERS / build_s,
        "checked_read": checked,
        "bare_route": anchor_figures,
        "ratio": checked["per_s"] / anchor_figures["per_s"],
        "target_ratio": TARGET_RATIO,
    }


def run() -> dict[str, Any]:
    console = Console(width=120)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp, scratch_home(Path(tmp) / "home"):
        results.append(measure("sqlite", f"sqlite:///{tmp}/bench-api.db"))
        if pg.reachable():
            with pg.schemas("lawful_bench_api") as (url,):
                results.append(measure("postgresql", url))

    table = Table(
        title=f"API: policy-checked customer read vs bare route "
        f"({ROUNDS} alternating rounds of {REQUESTS:,} requests; median round)"
    )
    for column in ("backend", "route", "req/s", "p50 ms", "p95 ms", "ratio", "demo build"):
        table.add_column(column, justify="left" if column in ("backend", "route") else "right")
    for r in results:
        ratio = f"{r['ratio']:.0%}" + ("" if r["ratio"] >= TARGET_RATIO else " (< 50%)")
        for name, figures, extra in (
            ("lawful (auth + gate + ledger)", r["checked_read"], ratio),
            ("bare FastAPI", r["bare_route"], ""),
        ):
            table.add_row(
                r["backend"] if extra else "",
                name,
                f"{figures['per_s']:,.0f}",
                f"{figures['p50_ms']:.2f}",
                f"{figures['p95_ms']:.2f}",
                extra,
                f"{r['demo_customers_per_s']:,.0f} customers/s" if extra else "",
            )
    console.print(table)
    console.print(f"target: lawful ≥ {TARGET_RATIO:.0%} of the bare route's requests/s")
    RESULTS.mkdir(exist_ok=True)
    result = {"runs": results, "target_ratio": TARGET_RATIO}
    (RESULTS / "api.json").write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    run()

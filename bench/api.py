"""API benchmark: a policy-checked customer read beside a bare FastAPI route; demo build rate.

  demo build   customers/s of `world.build` (people, products, ledger events, reuse, objections)
  checked      GET /api/v1/persons/{id} with a staff token: authentication, the gate (policy +
               a ledger event written and committed per request), the customer-file read
  bare         a plain FastAPI route returning the very same JSON, no auth, no database: the anchor

Both apps are driven in-process through the same HTTP client (Starlette's TestClient), so the
ratio measures what lawful adds per request. Run: `.venv/bin/python -m bench.api`.
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

from lawful.core.db import create_engine, upgrade
from lawful.core.gate import Gate
from lawful.core.register.load import load_register
from lawful.demo import tokens, world
from lawful.entrypoints.app import create_app
from lawful.rights.state import DbSubjectStates

RESULTS = Path(__file__).parent / "results"
CUSTOMERS = int(os.environ.get("LAWFUL_BENCH_API_CUSTOMERS", "3000"))
REQUESTS = int(os.environ.get("LAWFUL_BENCH_API_REQUESTS", "2000"))
TARGET_RATIO = 0.5


def _drive(client: TestClient, paths: list[str], headers: dict[str, str]) -> dict[str, float]:
    latencies = []
    started = time.perf_counter()
    for path in paths:
        t0 = time.perf_counter()
        response = client.get(path, headers=headers)
        latencies.append(time.perf_counter() - t0)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(paths),
        "per_s": len(paths) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95)] * 1000,
    }


def run() -> dict[str, Any]:
    console = Console(width=120)
    register = load_register()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LAWFUL_HOME"] = str(Path(tmp) / "home")
        url = f"sqlite:///{tmp}/bench-api.db"
        engine = create_engine(url)
        upgrade(engine)
        gate = Gate.build(register, DbSubjectStates())
        started = time.perf_counter()
        summary = world.build(
            engine, register, gate, customers_count=CUSTOMERS, seed=11, progress=lambda *_: None
        )
        build_s = time.perf_counter() - started
        advisor = next(
            t for t in tokens.issue(engine, register, summary.showcase) if t.role == "advisor"
        )
        people = [p.id for p in world.people(customers_count=CUSTOMERS, seed=11)]
        engine.dispose()

        app = create_app(database_url=url)
        headers = {"Authorization": f"Bearer {advisor.token}"}
        with TestClient(app) as client:
            readable = [
                p
                for p in people[:400]
                if client.get(f"/api/v1/persons/{p}", headers=headers).status_code == 200
            ]
            paths = [f"/api/v1/persons/{readable[i % len(readable)]}" for i in range(REQUESTS)]
            sample = client.get(paths[0], headers=headers).json()
            checked = _drive(client, paths, headers)

        bare = FastAPI()

        @bare.get("/api/v1/persons/{person_id}")
        def read(person_id: str) -> dict[str, Any]:
            return sample

        with TestClient(bare) as client:
            anchor = _drive(client, paths, {})

    result = {
        "customers": CUSTOMERS,
        "demo_build_s": build_s,
        "demo_customers_per_s": CUSTOMERS / build_s,
        "checked_read": checked,
        "bare_route": anchor,
        "ratio": checked["per_s"] / anchor["per_s"],
        "target_ratio": TARGET_RATIO,
    }
    table = Table(title=f"API: policy-checked customer read vs bare route ({REQUESTS:,} requests)")
    for column in ("route", "req/s", "p50 ms", "p95 ms"):
        table.add_column(column, justify="left" if column == "route" else "right")
    for name, figures in (("lawful (auth + gate + ledger)", checked), ("bare FastAPI", anchor)):
        table.add_row(
            name, f"{figures['per_s']:,.0f}", f"{figures['p50_ms']:.2f}", f"{figures['p95_ms']:.2f}"
        )
    console.print(table)
    console.print(
        f"ratio {result['ratio']:.0%} (target ≥ {TARGET_RATIO:.0%}); demo world build "
        f"{result['demo_customers_per_s']:,.0f} customers/s ({CUSTOMERS:,} customers)"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "api.json").write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    run()

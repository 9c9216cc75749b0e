"""The checked read over real HTTP: `lawful serve` beside two bare FastAPI apps, loaded by wrk.

  lawful, customer   GET /api/v1/persons/{own id} with a customer token: authentication, the
                     gate (policy + a ledger event inserted and committed per request), the read
  lawful, staff      the same file read by an advisor of the customer's bank, with a reason
  bare               a bare FastAPI app answering the same bytes for the same paths (anchor)
  audit-row          the bare app plus one audit row inserted and committed per request, through
                     the bare driver, on the same database (anchor: the least a durable record
                     costs)

All four run under uvicorn with the same settings (one worker), on a demo world built for the run,
each loaded by wrk (or oha) at 1 and 16 connections, in alternating rounds so that a burst of load
from elsewhere on the machine hits all alike; each figure is the median round. SQLite, then
PostgreSQL when reachable (LAWFUL_BENCH_PG_URL).

Run: `.venv/bin/python -m bench http`. LAWFUL_BENCH_HTTP_SECONDS (per round, default 4),
LAWFUL_BENCH_HTTP_ROUNDS (default 3), LAWFUL_BENCH_HTTP_CUSTOMERS (default 2000),
LAWFUL_BENCH_HTTP_BACKENDS (default "sqlite,postgresql"). LAWFUL_BENCH_HTTP_BEFORE: the `lawful`
executable of another installation of lawful (an earlier version) to serve the same database
beside this one, its customer read measured in the same rounds ("before, customer").
LAWFUL_BENCH_HTTP_PROFILE=1: after the rounds, one more round of the customer read at 16
connections under py-spy (GIL-holding samples of the server), its CPU time split by where it is
spent (HTTP server, framework, SQLAlchemy, database driver, lawful's own code...) and the busiest
functions; the raw stacks are kept in bench/results/.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import make_url

from bench import home, pg
from bench.home import scratch_home
from lawful.core.db import create_engine, upgrade
from lawful.core.gate import Gate
from lawful.core.register.load import load_register
from lawful.demo import tokens, world
from lawful.rights.state import DbSubjectStates

RESULTS = Path(__file__).parent / "results"
SECONDS = int(os.environ.get("LAWFUL_BENCH_HTTP_SECONDS", "4"))
ROUNDS = int(os.environ.get("LAWFUL_BENCH_HTTP_ROUNDS", "3"))
CUSTOMERS = int(os.environ.get("LAWFUL_BENCH_HTTP_CUSTOMERS", "2000"))
BACKENDS = os.environ.get("LAWFUL_BENCH_HTTP_BACKENDS", "sqlite,postgresql").split(",")
BEFORE = os.environ.get("LAWFUL_BENCH_HTTP_BEFORE")
PROFILE = os.environ.get("LAWFUL_BENCH_HTTP_PROFILE") == "1"
CONNECTIONS = (1, 16)
SEED = 11
REASON = "bench: appointment 2026-12-07"
# Targets (see the product's issue on the gate at database speed).
TARGET_OF_BARE = 0.5
TARGET_P99_MS = 20.0
TARGET_SCALING = 1.5
_UVICORN = ("--log-level", "warning", "--no-proxy-headers", "--no-server-header")


@dataclass(frozen=True)
class Load:
    per_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    errors: int


@dataclass(frozen=True)
class Target:
    name: str
    base: str
    path: str
    headers: dict[str, str]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def _server(command: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        _PIDS[base] = process.pid
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"{command[:3]} exited: {log.read_text()[-2000:]}")
                try:
                    httpx.get(base + "/nothing-here", timeout=1)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{command[:3]} did not start") from None
                    time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


_PIDS: dict[str, int] = {}  # base URL -> the server's process id, for the profile

# Where a sample's CPU time goes: the innermost frame of the sample that lies in one of these
# (py-spy names a frame `function (package/module.py:line)`); standard-library helpers (json,
# re, enum...) count for the caller that used them. The first place whose prefix matches names it.
_PLACES = (
    ("HTTP server (uvicorn, h11, httptools)", ("uvicorn/", "h11/", "httptools/")),
    ("asyncio event loop", ("asyncio/", "uvloop/", "anyio/", "selectors.py")),
    ("framework (Starlette, FastAPI)", ("starlette/", "fastapi/")),
    ("thread hand-over", ("concurrent/", "threading.py", "queue.py")),
    ("response model (pydantic)", ("pydantic/", "pydantic_core/")),
    ("SQLAlchemy", ("sqlalchemy/",)),
    ("database driver (sqlite3, psycopg)", ("sqlite3/", "psycopg/", "psycopg_pool/")),
    ("cryptography", ("cryptography/",)),
    ("lawful: ledger and vault", ("lawful/core/ledger/", "lawful/core/vault/")),
    ("lawful: gate and policy", ("lawful/core/gate", "lawful/core/policy/")),
    ("lawful: web layer", ("lawful/web/",)),
    ("lawful: the rest", ("lawful/",)),
)
_OTHER = "other (standard library with no caller above)"


def _place(stack: list[str]) -> str:
    for frame in reversed(stack):
        path = frame.rpartition("(")[2]
        for name, prefixes in _PLACES:
            if path.startswith(prefixes):
                return name
    return _OTHER


def _profile(target: Target, seconds: int, raw: Path) -> dict[str, Any]:
    """One round of `target` at 16 connections with py-spy sampling the server; the share of
    samples per place of the innermost frame, and the ten busiest innermost functions."""
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or "py-spy"
    recorder = subprocess.Popen(
        [spy, "record", "--pid", str(_PIDS[target.base]), "--subprocesses", "--gil",
         "--format", "raw", "--rate", "250", "--duration", str(seconds + 1),
         "--output", str(raw), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    time.sleep(0.5)
    load = _wrk(target, 16, seconds)
    _, err = recorder.communicate(timeout=seconds + 60)
    if recorder.returncode != 0 or not raw.exists():
        raise RuntimeError(f"py-spy could not sample the server: {err.decode()[-500:]}")
    places: dict[str, int] = {}
    functions: dict[str, int] = {}
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        frames = stack.split(";")
        leaf, place, n = frames[-1], _place(frames), int(count)
        total += n
        places[place] = places.get(place, 0) + n
        functions[leaf] = functions.get(leaf, 0) + n
    busiest = sorted(functions.items(), key=lambda item: -item[1])[:10]
    return {
        "per_s": load.per_s,
        "samples": total,
        "cpu_ms_per_request": None if not load.requests else total / 250 * 1000 / load.requests,
        "places": {k: v / total for k, v in sorted(places.items(), key=lambda i: -i[1])},
        "busiest": [(name, n / total) for name, n in busiest],
    }


def settled(base: str, timeout: float = 120.0) -> None:
    """Wait until the server at `base` is idle (under 5 % of a core over half a second): what it
    does after it answers its first request (reading the stored mail classifier in a thread, the
    ledger's first sequencing) is start-up, not the figure."""
    pid = _PIDS[base]
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = cpu()
        time.sleep(0.5)
        if cpu() - before < 0.025:
            return


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not found:
        raise ValueError(f"unreadable latency {text!r}")
    return float(found[1]) * _UNITS[found[2]]


def _wrk(target: Target, connections: int, seconds: int) -> Load:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in target.headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(
        [*command, target.base + target.path], capture_output=True, text=True, check=True
    ).stdout
    latency = re.search(r"Latency\s+[\d.]+\w+\s+[\d.]+\w+\s+([\d.]+\w+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    done = re.search(r"(\d+) requests in", out)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not (latency and p50 and p99 and done and rate):
        raise RuntimeError(f"{target.name}: unreadable wrk output:\n{out}")
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = sum(map(int, socket_errors.groups())) if socket_errors else 0
    errors += int(non_2xx[1]) if non_2xx else 0
    return Load(float(rate[1]), _ms(p50[1]), _ms(p99[1]), _ms(latency[1]), int(done[1]), errors)


def _median(loads: list[Load]) -> Load:
    ordered = sorted(loads, key=lambda load: load.per_s)
    middle = ordered[len(ordered) // 2]
    return Load(
        statistics.median(load.per_s for load in loads),
        middle.p50_ms,
        middle.p99_ms,
        max(load.max_ms for load in loads),
        sum(load.requests for load in loads),
        sum(load.errors for load in loads),
    )


def _world(url: str) -> tuple[list[tuple[str, str]], str]:
    """Build the demo world at `url`; ([(a customer's id, their token)], an advisor's token)."""
    register = load_register()
    engine = create_engine(url)
    try:
        upgrade(engine)
        gate = Gate.build(register, DbSubjectStates(), home.keyring())
        summary = world.build(
            engine, register, gate, customers_count=CUSTOMERS, seed=SEED, progress=lambda *_: None
        )
        issued = tokens.issue(engine, gate, summary.showcase)
    finally:
        engine.dispose()
    customers = [(t.who, t.token) for t in issued if t.role == "customer"]
    advisor = next(t for t in issued if t.role == "advisor")
    return customers, advisor.token


def _checked(base: str, customers: list[tuple[str, str]], advisor_token: str) -> list[Target]:
    """A customer reading their own file, and an advisor of an entity serving them reading it."""
    staff = {"Authorization": f"Bearer {advisor_token}", "X-Lawful-Reason": REASON}
    for person, token in customers:
        path = f"/api/v1/persons/{person}"
        if httpx.get(base + path, headers=staff).status_code == 200:
            return [
                Target("lawful, customer", base, path, {"Authorization": f"Bearer {token}"}),
                # The query keeps the two apart in the anchors' answers; lawful ignores it.
                Target("lawful, staff", base, path + "?staff", staff),
            ]
    raise RuntimeError("no showcase customer is served by the advisor's entity")


def _anchor_spec(
    targets: list[Target], database: str, where: Path
) -> tuple[Path, dict[str, dict[str, Any]]]:
    """Record what lawful answers on each target path, for the anchors to answer the same."""
    answers: dict[str, dict[str, Any]] = {}
    for target in targets:
        response = httpx.get(target.base + target.path, headers=target.headers)
        if response.status_code != 200:
            raise RuntimeError(f"{target.name}: {response.status_code} {response.text[:300]}")
        kept = {
            k: v
            for k, v in response.headers.items()
            if k.lower() not in ("date", "content-length", "server")
        }
        answers[target.path] = {
            "status": response.status_code,
            "headers": kept,
            "body": base64.b64encode(response.content).decode(),
        }
    spec = where / "anchor.json"
    spec.write_text(json.dumps({"answers": answers, "database": database}))
    return spec, answers


def _driver_url(url: str) -> str:
    """The audit-row anchor's database: a SQLite file beside lawful's, or the same PG schema."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return str(Path(parsed.database or "").with_name("audit-anchor.db"))
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def measure(backend: str, url: str, tmp: Path) -> dict[str, Any]:
    started = time.perf_counter()
    customers, advisor_token = _world(url)
    built_s = time.perf_counter() - started
    env = {**os.environ, "LAWFUL_DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
    lawful_bin = shutil.which("lawful", path=str(Path(sys.executable).parent)) or "lawful"
    results: dict[str, Any] = {"backend": backend, "customers": CUSTOMERS, "build_s": built_s}
    with ExitStack() as stack:
        port = _free_port()
        lawful = stack.enter_context(
            _server(
                [lawful_bin, "serve", "--port", str(port)], env, port, tmp / f"{backend}-lawful.log"
            )
        )
        checked = _checked(lawful, customers, advisor_token)
        path = checked[0].path
        spec, _ = _anchor_spec(checked, _driver_url(url), tmp)
        anchors = []
        for name, factory in (("bare", "bare"), ("audit-row", "audit_row")):
            port = _free_port()
            command = [sys.executable, "-m", "uvicorn", f"bench.http_anchors:{factory}"]
            command += ["--factory", "--port", str(port), *_UVICORN]
            base = stack.enter_context(
                _server(
                    command,
                    {**env, "LAWFUL_BENCH_ANCHOR": str(spec)},
                    port,
                    tmp / f"{backend}-{factory}.log",
                )
            )
            anchors.append(Target(name, base, path, checked[0].headers))
        targets = [*anchors, *checked]
        if BEFORE:
            port = _free_port()
            log = tmp / f"{backend}-before.log"
            before = stack.enter_context(
                _server([BEFORE, "serve", "--port", str(port)], env, port, log)
            )
            targets.append(Target("before, customer", before, path, checked[0].headers))
        for target in targets:
            _wrk(target, 4, 1)  # warm-up: connections, caches, the first compiled statements
        for connections in CONNECTIONS:
            rounds: dict[str, list[Load]] = {t.name: [] for t in targets}
            for _ in range(ROUNDS):
                for target in targets:
                    rounds[target.name].append(_wrk(target, connections, SECONDS))
            results[f"c{connections}"] = {
                name: _median(loads).__dict__ for name, loads in rounds.items()
            }
        if PROFILE:
            RESULTS.mkdir(exist_ok=True)
            raw = RESULTS / f"http-profile-{backend}.txt"
            results["profile"] = _profile(checked[0], SECONDS, raw)
    for connections in CONNECTIONS:
        figures = results[f"c{connections}"]
        bare, audit = figures["bare"]["per_s"], figures["audit-row"]["per_s"]
        for name in ("lawful, customer", "lawful, staff", "before, customer"):
            if name not in figures:
                continue
            figures[name]["of_bare"] = figures[name]["per_s"] / bare
            figures[name]["of_audit_row"] = figures[name]["per_s"] / audit
    for name in results[f"c{CONNECTIONS[-1]}"]:
        results[f"c{CONNECTIONS[-1]}"][name]["scaling"] = (
            results[f"c{CONNECTIONS[-1]}"][name]["per_s"]
            / results[f"c{CONNECTIONS[0]}"][name]["per_s"]
        )
    return results


def _pg_run(tmp: Path) -> dict[str, Any] | None:
    if not pg.reachable():
        return None
    with pg.schemas("lawful_bench_http") as (url,):
        return measure("postgresql", url, tmp)


def run() -> dict[str, Any]:
    console = Console(width=140)
    if shutil.which("wrk") is None:
        console.print("http: wrk is not installed (apt-get install wrk); skipped")
        return {"skipped": "wrk not installed"}
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as name, scratch_home(Path(name) / "home"):
        tmp = Path(name)
        if "sqlite" in BACKENDS:
            results.append(measure("sqlite", f"sqlite:///{tmp}/bench-http.db", tmp))
        if "postgresql" in BACKENDS and (done := _pg_run(tmp)) is not None:
            results.append(done)
    _print(console, results)
    RESULTS.mkdir(exist_ok=True)
    result = {
        "runs": results,
        "seconds_per_round": SECONDS,
        "rounds": ROUNDS,
        "nproc": os.cpu_count(),
    }
    (RESULTS / "http.json").write_text(json.dumps(result, indent=2))
    return result


def _print(console: Console, results: list[dict[str, Any]]) -> None:
    table = Table(
        title=f"Checked read over HTTP: lawful serve vs bare FastAPI (uvicorn, 1 worker, wrk; "
        f"median of {ROUNDS} alternating rounds of {SECONDS:g} s)"
    )
    columns = ("backend", "conns", "app", "req/s", "p50 ms", "p99 ms", "max ms", "errors")
    for column in (*columns, "of bare", "of audit-row", "16 vs 1"):
        table.add_column(column, justify="left" if column in ("backend", "app") else "right")
    for r in results:
        for connections in CONNECTIONS:
            for name, f in r[f"c{connections}"].items():
                of_bare = f.get("of_bare")
                flag = "" if of_bare is None or of_bare >= TARGET_OF_BARE else " ✗"
                scaling = f.get("scaling")
                table.add_row(
                    r["backend"],
                    str(connections),
                    name,
                    f"{f['per_s']:,.0f}",
                    f"{f['p50_ms']:.2f}",
                    f"{f['p99_ms']:.2f}" + (" ✗" if f["p99_ms"] >= TARGET_P99_MS else ""),
                    f"{f['max_ms']:.0f}",
                    str(f["errors"]),
                    "" if of_bare is None else f"{of_bare:.0%}{flag}",
                    "" if of_bare is None else f"{f['of_audit_row']:.2f}×",
                    "" if scaling is None else f"{scaling:.2f}×",
                )
    console.print(table)
    for r in results:
        console.print(
            f"{r['backend']}: demo world of {r['customers']:,} customers built at "
            f"{r['customers'] / r['build_s']:,.0f} customers/s"
        )
    console.print(
        f"targets: lawful ≥ {TARGET_OF_BARE:.0%} of bare and above the audit-row anchor, "
        f"p99 < {TARGET_P99_MS:g} ms, no errors, 16 connections ≥ {TARGET_SCALING}× 1 "
        f"(machine: {os.cpu_count()} CPUs, shared)"
    )
    for r in results:
        profile = r.get("profile")
        if not profile:
            continue
        console.print(
            f"\n{r['backend']}: where the server's CPU goes on the customer read, 16 connections "
            f"({profile['per_s']:,.0f} req/s under the profiler, {profile['samples']:,} samples, "
            f"{profile['cpu_ms_per_request']:.2f} ms of CPU holding the GIL per request)"
        )
        for place, share in profile["places"].items():
            console.print(f"  {share:6.1%}  {place}")
        console.print("  busiest functions:")
        for name, share in profile["busiest"]:
            console.print(f"  {share:6.1%}  {name}")


if __name__ == "__main__":
    run()

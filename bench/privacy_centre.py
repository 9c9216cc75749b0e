"""Privacy-centre benchmark: the timeline page of a customer with 1 000 ledger events.

A scratch installation (SQLite in a file under /tmp) holds one customer whose ledger has EVENTS
events alternating between two purposes (so that each is a line of its own: 1 000 lines, 20 pages
of 50), sequenced and signed, so that every line carries its inclusion proof. Then, in the same run
and through the same in-process HTTP client:
  page    GET /privacy/timeline (the first page, then the last), logged in with the customer's
          session cookie: authentication, the access report over the whole ledger of the person
          with its proofs, wording, pagination and the Jinja2 rendering — timed per request;
  anchor  a bare Starlette app answering the same page's bytes (what any server needs to send that
          page, no data behind it), timed the same way.
The figure is the page's p95 beside the anchor's, and their ratio; the target is < 100 ms p95.
The same customer's "my data" page (their details and a summary per purpose from the ledger) is
timed too, after the timeline.

Run: `.venv/bin/python -m bench privacy_centre` (results in bench/results/privacy_centre.json);
LAWFUL_BENCH_CENTRE_EVENTS (default 1000), LAWFUL_BENCH_CENTRE_SAMPLES (default 60).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient
from rich.console import Console

from bench.home import scratch_home
from bench.http import _free_port, _server, settled
from lawful.auth import service as auth
from lawful.config import Settings
from lawful.core.gate import unit_of_work
from lawful.core.policy.types import Actor
from lawful.core.runtime import Runtime
from lawful.correspondence import api as correspondence_api
from lawful.customers import service as customers
from lawful.customers.schemas import PersonCreate
from lawful.entrypoints import bootstrap
from lawful.entrypoints.app import create_app
from lawful.entrypoints.sequencer import Sequencer
from lawful.web.security import CATEGORIES, GUARD_ROLE, SECURITY_PURPOSE

RESULTS = Path(__file__).parent / "results"
EVENTS = int(os.environ.get("LAWFUL_BENCH_CENTRE_EVENTS", "1000"))
SAMPLES = int(os.environ.get("LAWFUL_BENCH_CENTRE_SAMPLES", "60"))
TARGET_P95_MS = 100.0
ENTITY = "kbc-bank"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
out = Console()


def customer_with_events(rt: Runtime, events: int) -> str:
    """A client of the bank whose ledger holds about `events` events in as many lines: reads by
    an advisor alternate with access-security checks, each its own purpose."""
    adviser = Actor("advisor", ENTITY)
    guard = Actor(GUARD_ROLE, ENTITY)
    with unit_of_work(rt.engine) as session:
        person = customers.create_person(
            session,
            gate=rt.gate,
            actor=adviser,
            data=PersonCreate(
                first_name="Lotte",
                last_name="Maes",
                birth_date=dt.date(1984, 5, 17),
                national_number=_national_number("840517123"),
                email="lotte.maes@example.be",
                phone="+32 470 12 34 56",
                street="Veldstraat 12",
                postcode="9000",
                city="Gent",
                language="nl",
            ),
            entity_state="client",
            today=dt.date.today(),
        )
    person_id = person.id
    done = 2  # the creation's own events
    while done < events:
        with unit_of_work(rt.engine) as session:
            checks = rt.gate.open(session, actor=guard, purpose=SECURITY_PURPOSE)
            for _ in range(min(100, (events - done + 1) // 2)):
                customers.get_person(
                    session,
                    gate=rt.gate,
                    actor=adviser,
                    person_id=person_id,
                    reason="appointment at the branch",
                )
                checks.access(person_id, categories=CATEGORIES, event="security.access.checked")
                done += 2
    return person_id


def _national_number(first9: str) -> str:
    """A Belgian national number with its real check digits (born before 2000)."""
    return f"{first9}{97 - int(first9) % 97:02d}"


def _sequenced(rt: Runtime) -> None:
    Sequencer(rt.engine, rt.keys).drain()


def _log_in(base: str, token: str) -> str:
    """The Cookie header of a customer logged in over HTTP. The session cookie is Secure; a
    browser sends it to 127.0.0.1 (a secure context), httpx's jar would not: kept by hand."""
    jar: dict[str, str] = {}

    def keep(response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]

    def cookie() -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())} if jar else {}

    form = httpx.get(f"{base}/privacy/login")
    keep(form)
    found = CSRF.search(form.text)
    assert found is not None
    response = httpx.post(
        f"{base}/privacy/login",
        data={"csrf": found.group(1), "token": token},
        headers=cookie(),
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    keep(response)
    return cookie()["Cookie"]


def _p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]


def _timed(client: httpx.Client, path: str) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed, response


def _anchor_spec(path: str, response: httpx.Response, where: Path) -> Path:
    kept = {
        k: v
        for k, v in response.headers.items()
        if k.lower() not in ("date", "content-length", "server", "set-cookie")
    }
    answer = {"status": 200, "headers": kept, "body": base64.b64encode(response.content).decode()}
    spec = where / "anchor.json"
    spec.write_text(json.dumps({"answers": {path: answer}, "database": ""}))
    return spec


_UVICORN = ("--log-level", "warning", "--no-proxy-headers", "--no-server-header")


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="lawful-bench-centre-") as scratch:
        where = Path(scratch)
        url = f"sqlite:///{scratch}/centre.db"
        settings = Settings(database_url=url, home=where)
        with scratch_home(where):
            bootstrap.init(settings)
            app = create_app(settings=settings, sequencer=False)
            with TestClient(app):  # the world is built in-process; nothing here is timed
                rt: Runtime = app.state.lawful
                # The mail classifier, trained once and stored, is not a page's cost.
                correspondence_api.classifier(rt)
                began = time.perf_counter()
                person_id = customer_with_events(rt, EVENTS)
                _sequenced(rt)
                built_s = time.perf_counter() - began
                with unit_of_work(rt.engine) as session:
                    token = auth.issue_customer_token(
                        session, states=rt.gate.states, person_id=person_id
                    ).token
            env = {**os.environ, "LAWFUL_HOME": scratch, "LAWFUL_DATABASE_URL": url}
            lawful_bin = str(Path(sys.executable).parent / "lawful")
            port = _free_port()
            serve = [lawful_bin, "serve", "--port", str(port)]
            with _server(serve, env, port, where / "lawful.log") as base:
                settled(base)
                cookie = _log_in(base, token)
                with httpx.Client(base_url=base, headers={"Cookie": cookie}) as client:
                    _, first = _timed(client, "/privacy/timeline")
                    pages = int(re.findall(r"(\d+)</caption>", first.text)[0])
                    _timed(client, "/privacy/timeline")  # warm: templates, caches
                    spec = _anchor_spec("/privacy/timeline", first, where)
                    port = _free_port()
                    bare = [sys.executable, "-m", "uvicorn", "bench.http_anchors:bare"]
                    bare += ["--factory", "--port", str(port), *_UVICORN]
                    bare_env = {**env, "LAWFUL_BENCH_ANCHOR": str(spec)}
                    with (
                        _server(bare, bare_env, port, where / "bare.log") as bare_base,
                        httpx.Client(base_url=bare_base) as plain,
                    ):
                        page_one: list[float] = []
                        anchor: list[float] = []
                        for _ in range(SAMPLES):  # taking turns: a burst of load hits both
                            page_one.append(_timed(client, "/privacy/timeline")[0])
                            anchor.append(_timed(plain, "/privacy/timeline")[0])
                    last = [
                        _timed(client, f"/privacy/timeline?page={pages}")[0]
                        for _ in range(SAMPLES // 2)
                    ]
                    _timed(client, "/privacy/data")  # warm
                    data = [_timed(client, "/privacy/data")[0] for _ in range(SAMPLES // 2)]
                    body = first.content
    result = {
        "events": EVENTS,
        "pages": pages,
        "samples": SAMPLES,
        "build_s": round(built_s, 2),
        "page_p50_ms": round(statistics.median(page_one), 2),
        "page_p95_ms": round(_p95(page_one), 2),
        "last_page_p95_ms": round(_p95(last), 2),
        "data_p50_ms": round(statistics.median(data), 2),
        "data_p95_ms": round(_p95(data), 2),
        "anchor_p50_ms": round(statistics.median(anchor), 2),
        "anchor_p95_ms": round(_p95(anchor), 2),
        "target_p95_ms": TARGET_P95_MS,
        "page_bytes": len(body),
    }
    result["ratio_p95"] = round(result["page_p95_ms"] / max(result["anchor_p95_ms"], 1e-6), 1)
    out.print(
        f"timeline of {EVENTS} events ({pages} pages of 50): p50 {result['page_p50_ms']} ms, "
        f"p95 {result['page_p95_ms']} ms (last page p95 {result['last_page_p95_ms']} ms; "
        f"target < {TARGET_P95_MS:.0f} ms) beside bare FastAPI over HTTP, the same "
        f"{len(body)} bytes: p95 {result['anchor_p95_ms']} ms — ratio {result['ratio_p95']}×"
    )
    out.print(
        f"my data page, same customer: p50 {result['data_p50_ms']} ms, "
        f"p95 {result['data_p95_ms']} ms"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "privacy_centre.json").write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    run()

"""Offers benchmark: eligibility over every customer at once, beside a per-row ORM loop.

A SQLite world (a file under /tmp) of N bank clients is loaded set-based: each with a current
account, half with a savings account, 60 % with a card and a statement (a fifth of them paid
late), a fifth with a loan (half of them mortgages), 40 % with a home insurance policy. Then, in
the same run:
  read         `offers.read_tables` — one SQL statement per table — into Polars frames;
  frame        `offers.clients_frame`: the per-table frames joined into one row per client;
  eligibility  `offers.eligible`: every product's rule over all N clients, one row per offer with
               the facts it read as JSON (the figure the target is about: < 2 s for 1 M);
  anchor       the same question asked as code without a set-based path would: per client, its
               objects loaded through the ORM (accounts, cards, statements, loans, policies, a
               query each) and the rules applied in Python, over the first ANCHOR_ROWS clients,
               its rate extrapolated to N (labelled so);
  job          `offers.decide` — the gate for every client, per purpose, the offers stored and
               their messages queued — over the first JOB_ROWS clients, clients per second.

Run: `.venv/bin/python -m bench offers` (results in bench/results/offers.json); size from
LAWFUL_BENCH_OFFERS (default 1000000).
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

from bench.home import scratch_home
from lawful.config import Settings
from lawful.core.db import session_scope, utcnow
from lawful.core.gate import unit_of_work
from lawful.customers import service as customers
from lawful.customers.models import Account, Card, CardStatement, HomePolicy, Loan, Person
from lawful.entrypoints import bootstrap
from lawful.offers import service as offers

RESULTS = Path(__file__).parent / "results"
SIZE = int(os.environ.get("LAWFUL_BENCH_OFFERS", "1000000"))
ANCHOR_ROWS = 5_000
JOB_ROWS = 10_000
JOB_BATCH = 2_000
DAY = dt.date(2026, 11, 25)
LOAD = 50_000


def _pid(i: int) -> str:
    return f"{i:032x}"


def _load(engine: sa.Engine, n: int) -> None:
    now = utcnow()
    since = dt.date(2019, 1, 1)
    for start in range(0, n, LOAD):
        ids = range(start + 1, min(n, start + LOAD) + 1)
        cards = [i for i in ids if i % 5 < 3]
        with session_scope(engine) as session:
            customers.bulk_insert(
                session,
                persons=[
                    {
                        "id": _pid(i),
                        "brand": "cbc" if i % 3 == 0 else "kbc",
                        "language": "fr" if i % 3 == 0 else "nl",
                        "birth_date": dt.date(1940 + i % 65, 1 + i % 12, 1 + i % 28),
                        "created_at": now,
                    }
                    for i in ids
                ],
                relationships=[
                    {"person_id": _pid(i), "entity": "kbc-bank", "state": "client", "since": since}
                    for i in ids
                ],
                accounts=[
                    {
                        "person_id": _pid(i),
                        "entity": "kbc-bank",
                        "kind": kind,
                        "iban": f"BE{kind[0]}{i:014d}",
                        "opened_on": since,
                    }
                    for i in ids
                    for kind in (("current", "savings") if i % 2 else ("current",))
                ],
                cards=[
                    {
                        "id": i,
                        "person_id": _pid(i),
                        "entity": "kbc-bank",
                        "last_digits": f"{i % 10_000:04d}",
                        "credit_limit_cents": 250_000,
                        "opened_on": since,
                    }
                    for i in cards
                ],
                statements=[
                    {
                        "card_id": i,
                        "person_id": _pid(i),
                        "period_end": DAY - dt.timedelta(days=40),
                        "balance_cents": 1_000 + i % 200_000,
                        "minimum_due_cents": 50,
                        "due_date": DAY - dt.timedelta(days=20),
                        "paid_on": DAY - dt.timedelta(days=10 if i % 5 == 0 else 22),
                    }
                    for i in cards
                ],
                loans=[
                    {
                        "person_id": _pid(i),
                        "entity": "kbc-bank",
                        "kind": "mortgage" if i % 10 == 0 else "consumer",
                        "principal_cents": 20_000_000,
                        "rate_bp": 300,
                        "start_on": since,
                        "end_on": dt.date(2039, 1, 1),
                    }
                    for i in ids
                    if i % 5 == 0
                ],
                home_policies=[
                    {
                        "person_id": _pid(i),
                        "entity": "kbc-insurance",
                        "policy_number": f"HP{i:012d}",
                        "street": "Veldstraat 1",
                        "postcode": "9000",
                        "city": "Gent",
                        "region": "flanders",
                        "latitude": 51.05,
                        "longitude": 3.72,
                        "construction_year": 1900 + i % 120,
                        "start_on": since,
                    }
                    for i in ids
                    if i % 5 in (1, 2)
                ],
            )


def _orm_loop(session: Session, limit: int) -> int:
    """The eligibility question, one object and five queries per client, rules in Python."""
    made = 0
    year_ago = DAY - dt.timedelta(days=365)
    people = session.scalars(
        sa.select(Person).where(Person.erased_at.is_(None)).order_by(Person.id).limit(limit)
    )
    for person in people:
        accounts = session.scalars(sa.select(Account).where(Account.person_id == person.id)).all()
        cards = session.scalars(sa.select(Card).where(Card.person_id == person.id)).all()
        statements = session.scalars(
            sa.select(CardStatement).where(CardStatement.person_id == person.id)
        ).all()
        loans = session.scalars(sa.select(Loan).where(Loan.person_id == person.id)).all()
        homes = session.scalars(sa.select(HomePolicy).where(HomePolicy.person_id == person.id))
        current = [a for a in accounts if a.kind == "current"]
        savings = [a for a in accounts if a.kind == "savings"]
        mortgages = [lo for lo in loans if lo.kind == "mortgage"]
        late = [s for s in statements if s.paid_on is None or s.paid_on > s.due_date]
        policies = list(homes)
        made += bool(mortgages and not policies)
        made += bool(current and not savings)
        made += bool(current and not cards and min(a.opened_on for a in current) <= year_ago)
        made += bool(cards and late)
        made += any(p.construction_year < 1990 for p in policies)
    return made


def run() -> dict[str, Any]:
    console = Console(width=120)
    with (
        tempfile.TemporaryDirectory(prefix="lawful-bench-offers-") as tmp,
        scratch_home(Path(tmp) / "home") as home,
    ):
        settings = Settings(database_url=f"sqlite:///{tmp}/offers.db", home=home)
        bootstrap.init(settings)
        rt = bootstrap.open_runtime(settings)
        try:
            began = time.perf_counter()
            _load(rt.engine, SIZE)
            console.print(f"{SIZE:,} clients loaded in {time.perf_counter() - began:.1f} s")
            with Session(rt.engine) as session:
                began = time.perf_counter()
                tables = offers.read_tables(session, today=DAY)
                read_s = time.perf_counter() - began
            began = time.perf_counter()
            clients = offers.clients_frame(tables, today=DAY)
            frame_s = time.perf_counter() - began
            began = time.perf_counter()
            eligible = offers.eligible(clients, DAY)
            eligibility_s = time.perf_counter() - began
            with Session(rt.engine) as session:
                began = time.perf_counter()
                counted = _orm_loop(session, ANCHOR_ROWS)
                anchor_s = time.perf_counter() - began
            # Every product's rule, all partners' too: the same offers both ways on the sample.
            sample = sorted(_pid(i) for i in range(1, min(SIZE, ANCHOR_ROWS) + 1))
            assert counted == eligible.filter(eligible["person_id"].is_in(sample)).height
            assert clients.height == SIZE
            job_rows = min(SIZE, JOB_ROWS)
            now = dt.datetime.combine(DAY, dt.time(9, 0), tzinfo=dt.UTC)
            made = 0
            began = time.perf_counter()
            for start in range(0, job_rows, JOB_BATCH):
                with unit_of_work(rt.engine) as session:
                    done = offers.decide(
                        session,
                        gate=rt.gate,
                        clients=clients.slice(start, min(JOB_BATCH, job_rows - start)),
                        today=DAY,
                        now=now,
                    )
                made += done.offers_made
            job_s = time.perf_counter() - began
        finally:
            rt.engine.dispose()
    anchor_rows = min(SIZE, ANCHOR_ROWS)
    result = {
        "clients": SIZE,
        "offers": eligible.height,
        "read_s": read_s,
        "frame_s": frame_s,
        "eligibility_s": eligibility_s,
        "eligibility_per_s": SIZE / eligibility_s,
        "set_based_total_s": read_s + frame_s + eligibility_s,
        "orm_loop_rows": anchor_rows,
        "orm_loop_per_s": anchor_rows / anchor_s,
        "orm_loop_extrapolated_s": anchor_s * SIZE / anchor_rows,
        "job_clients": job_rows,
        "job_offers": made,
        "job_s": job_s,
        "job_per_s": job_rows / job_s,
    }
    result["vs_orm_loop"] = result["orm_loop_extrapolated_s"] / eligibility_s
    result["total_vs_orm_loop"] = result["orm_loop_extrapolated_s"] / result["set_based_total_s"]
    console.print(
        f"eligibility over {SIZE:,} clients ({eligible.height:,} offers): {eligibility_s:.2f} s "
        f"({result['eligibility_per_s']:,.0f}/s); read {read_s:.2f} s (one SQL per table), "
        f"frame {frame_s:.2f} s, set-based total {result['set_based_total_s']:.2f} s\n"
        f"per-row ORM loop: {result['orm_loop_per_s']:,.0f} clients/s on {anchor_rows:,} "
        f"(extrapolated to {SIZE:,}: {result['orm_loop_extrapolated_s']:,.0f} s) — "
        f"eligibility x{result['vs_orm_loop']:,.0f}, whole set-based path "
        f"x{result['total_vs_orm_loop']:,.0f}\n"
        f"job (gate, offers stored, messages queued) on {job_rows:,} clients: {job_s:.1f} s "
        f"({result['job_per_s']:,.0f} clients/s, {made:,} offers)"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "offers.json").write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    run()

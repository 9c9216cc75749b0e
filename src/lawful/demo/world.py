"""The demo world: a synthetic group of customers, their products and what was done with them.

Rows are generated in memory and inserted set-based; the ledger events that the same activity
would have produced in production are recorded through the gate in bulk (`access_many`), so the
world's ledger is a real, verifiable chain of policy decisions.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Engine

from lawful.core.db import utcnow
from lawful.core.gate import Gate, unit_of_work
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.core.register.models import Register
from lawful.correspondence import intent
from lawful.correspondence.intent import Classifier
from lawful.customers import service as customers
from lawful.customers.schemas import ApplicationCreate
from lawful.demo import complaints as demo_complaints
from lawful.demo import conversations as demo_conversations
from lawful.demo import correspondence as demo_correspondence
from lawful.demo import engagement
from lawful.demo import flood as demo_flood
from lawful.demo import offers as demo_offers
from lawful.demo import reinsurance as demo_reinsurance
from lawful.demo.people import PeopleFactory, SyntheticPerson, coordinates, iban
from lawful.engagement import service as notifications
from lawful.rights import service as rights

TODAY = dt.date(2026, 11, 25)
DEFAULT_SEED = 20261125  # `lawful demo`'s world unless told otherwise
DEFAULT_CUSTOMERS = 10_000
BATCH = 2_000
REUSE_BATCH = 200
TABLES = (
    "persons",
    "relationships",
    "accounts",
    "cards",
    "statements",
    "loans",
    "home_policies",
    "kyc",
)
Row = dict[str, Any]
T = TypeVar("T")
Progress = Callable[[str, int, int], None]  # (stage, done, total)


def _insurer(region: str) -> str:
    return "cbc-insurance" if region == "wallonia" else "kbc-insurance"


@dataclass
class Rows:
    persons: list[Row] = field(default_factory=list)
    relationships: list[Row] = field(default_factory=list)
    accounts: list[Row] = field(default_factory=list)
    cards: list[Row] = field(default_factory=list)
    statements: list[Row] = field(default_factory=list)
    loans: list[Row] = field(default_factory=list)
    home_policies: list[Row] = field(default_factory=list)
    kyc: list[Row] = field(default_factory=list)
    preferences: list[Row] = field(default_factory=list)
    consents: list[Row] = field(default_factory=list)
    notification_settings: list[Row] = field(default_factory=list)
    notification_choices: list[Row] = field(default_factory=list)
    # who did what, for the ledger: (actor, purpose, categories, event, recipient) -> subject ids
    activity: dict[tuple[Actor, str, tuple[str, ...], str, str | None], list[str]] = field(
        default_factory=lambda: defaultdict(list)
    )
    reuse_candidates: list[str] = field(default_factory=list)
    reusable: set[str] = field(default_factory=set)  # identified well enough to be reused


@dataclass(frozen=True)
class WorldSummary:
    customers: int
    rows: dict[str, int]
    ledger_events: int
    objections: int
    requests: int
    showcase: dict[str, str]  # brand -> a client whose identification was reused in the group
    complaints: int = 0
    complaint: int | None = None  # Ombudsfin's case about a showcase customer's card
    treaties: tuple[str, ...] = ()  # reinsurance treaties, for `lawful insurance bordereau`
    # a refused and a loaded house, reviewed; a quoted house, assessed, waiting for review
    flood: demo_flood.FloodShowcase | None = None
    conversations: demo_conversations.Built = field(default_factory=demo_conversations.Built)
    mail: demo_correspondence.Showcase | None = None  # a customer's letter and complaint e-mail
    offers: demo_offers.OffersSummary = field(default_factory=demo_offers.OffersSummary)


def people(*, customers_count: int, seed: int) -> list[SyntheticPerson]:
    """The world's people again, without writing anything: the same seed gives the same ids."""
    factory = PeopleFactory(seed)
    return [factory.person() for _ in range(customers_count)]


def showcase(register: Register, *, customers_count: int, seed: int) -> dict[str, str]:
    """Per brand, the first client whose identification the insurer reused (deterministic)."""
    rows = generate(register, customers_count, seed)
    return _showcase(rows)


def _showcase(rows: Rows) -> dict[str, str]:
    brand_of = {p["id"]: p["brand"] for p in rows.persons}
    picked: dict[str, str] = {}
    for person in rows.reuse_candidates:
        if person in rows.reusable:
            picked.setdefault(brand_of[person], person)
    return picked


def generate(register: Register, n: int, seed: int, progress: Progress = lambda *_: None) -> Rows:
    """Every row of the world, in memory: what `build` writes."""
    factory = PeopleFactory(seed)
    rng = random.Random(seed + 1)
    brand_of = {b.region.value: b.id for b in register.brands}
    rows = Rows()
    ids = {"account": 0, "card": 0, "kyc": 0, "policy": 0, "loan": 0}
    now = utcnow()
    for index in range(n):
        p = factory.person()
        rows.persons.append(_person_row(p, brand_of[p.region], now))
        since = TODAY - dt.timedelta(days=rng.randrange(30, 365 * 25))
        former = rng.random() < 0.06
        prospect = not former and rng.random() < 0.05
        state = "former_client" if former else "prospect" if prospect else "client"
        _relationship(rows, p.id, "kbc-bank", state, since, rng)
        if not prospect:
            ids["kyc"] += 1
            level = 3 if rng.random() < 0.05 else 2 if rng.random() < 0.93 else 1
            performed = TODAY - dt.timedelta(days=rng.randrange(10, 365 * 9))
            rows.kyc.append(
                {
                    "id": ids["kyc"],
                    "person_id": p.id,
                    "entity": "kbc-bank",
                    "method": rng.choice(("branch", "eid_reader", "itsme", "itsme")),
                    "document_type": "eid",
                    "document_number": f"{rng.randrange(10**11, 10**12)}",
                    "level": level,
                    "performed_on": performed,
                    "expires_on": performed + dt.timedelta(days=365 * 10),
                    "reused_from": None,
                }
            )
        if state == "client":
            _bank_products(rows, p.id, since, rng, ids)
            if rng.random() < 0.4:
                rows.reuse_candidates.append(p.id)
                if level >= 2:
                    rows.reusable.add(p.id)
                ids["policy"] += 1
                _home_policy(rows, p, _insurer(p.region), rng, ids["policy"])
        # Opened for a contract or the steps before one; a former client's file is kept on the
        # legitimate-interest basis alone.
        rows.activity[
            (
                Actor("advisor", "kbc-bank"),
                "customer-file" if former else "customer-contract",
                ("user.name", "user.contact"),
                "customers.person.create",
                None,
            )
        ].append(p.id)
        if index % 500 == 0:
            progress("generating people and products", index, n)
    progress("generating people and products", n, n)
    engagement.add(rows, today=TODAY, seed=seed, now=now)
    demo_offers.agree(rows, seed=seed, today=TODAY)
    return rows


def _person_row(p: SyntheticPerson, brand: str, now: dt.datetime) -> Row:
    return {
        "id": p.id,
        "national_number": p.national_number,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "birth_date": p.birth_date,
        "email": p.email,
        "phone": p.phone,
        "street": p.street,
        "postcode": p.postcode,
        "city": p.city,
        "region": p.region,
        "brand": brand,
        "language": p.language,
        "created_at": now,
        "erased_at": None,
    }


def _relationship(
    rows: Rows, person: str, entity: str, state: str, since: dt.date, rng: random.Random
) -> None:
    if state == "former_client":
        ended = since + dt.timedelta(days=rng.randrange(30, max(31, (TODAY - since).days)))
        ended = min(ended, TODAY - dt.timedelta(days=1))
        rows.relationships.append(
            {
                "person_id": person,
                "entity": entity,
                "state": "client",
                "since": since,
                "until": ended,
            }
        )
        since, state = ended + dt.timedelta(days=1), "former_client"
    rows.relationships.append(
        {"person_id": person, "entity": entity, "state": state, "since": since, "until": None}
    )


def _bank_products(
    rows: Rows, person: str, since: dt.date, rng: random.Random, ids: dict[str, int]
) -> None:
    ids["account"] += 1
    current = ids["account"]
    rows.accounts.append(
        {
            "id": current,
            "person_id": person,
            "entity": "kbc-bank",
            "kind": "current",
            "iban": iban(rng, current),
            "opened_on": since,
            "closed_on": None,
        }
    )
    if rng.random() < 0.5:
        ids["account"] += 1
        rows.accounts.append(
            {
                "id": ids["account"],
                "person_id": person,
                "entity": "kbc-bank",
                "kind": "savings",
                "iban": iban(rng, ids["account"]),
                "opened_on": since,
                "closed_on": None,
            }
        )
    if rng.random() < 0.6:
        ids["card"] += 1
        card = ids["card"]
        limit = rng.choice((1_000, 2_500, 5_000)) * 100
        rows.cards.append(
            {
                "id": card,
                "person_id": person,
                "entity": "kbc-bank",
                "account_id": current,
                "last_digits": f"{rng.randrange(10_000):04d}",
                "credit_limit_cents": limit,
                "opened_on": since,
                "closed_on": None,
            }
        )
        for months_ago in range(6, 0, -1):
            period_end = _month_end(TODAY, months_ago)
            balance = rng.randrange(0, limit)
            due = period_end + dt.timedelta(days=20)
            paid = None if months_ago == 1 and rng.random() < 0.7 else due - dt.timedelta(days=2)
            rows.statements.append(
                {
                    "card_id": card,
                    "person_id": person,
                    "period_end": period_end,
                    "balance_cents": balance,
                    "minimum_due_cents": balance // 20,
                    "due_date": due,
                    "paid_on": paid,
                }
            )
    if rng.random() < 0.2:
        start = since + dt.timedelta(days=rng.randrange(0, 365 * 3))
        ids["loan"] += 1
        rows.loans.append(
            {
                "id": ids["loan"],  # a complaint names its product by id
                "person_id": person,
                "entity": "kbc-bank",
                "kind": rng.choice(("mortgage", "consumer", "car")),
                "principal_cents": rng.randrange(5_000, 400_000) * 100,
                "rate_bp": rng.randrange(150, 650),
                "start_on": start,
                "end_on": start + dt.timedelta(days=365 * rng.choice((5, 10, 20, 25))),
            }
        )


def _home_policy(
    rows: Rows, p: SyntheticPerson, insurer: str, rng: random.Random, number: int
) -> None:
    lat, lon = coordinates(rng, p.region)
    # The risk figures from a generator of their own, so the world's other draws stay the same.
    figures = random.Random(number)
    sum_insured = figures.randrange(150_000, 900_000, 5_000) * 100
    rows.home_policies.append(
        {
            "id": number,
            "person_id": p.id,
            "entity": insurer,
            "policy_number": f"HP{number:09d}",
            "street": p.street,
            "postcode": p.postcode,
            "city": p.city,
            "region": p.region,
            "latitude": lat,
            "longitude": lon,
            "construction_year": rng.randrange(1890, 2025),
            "start_on": TODAY - dt.timedelta(days=rng.randrange(30, 365 * 15)),
            "end_on": None,
            "sum_insured_cents": sum_insured,
            "premium_cents": sum_insured * figures.randrange(12, 25) // 10_000,
        }
    )


def _month_end(day: dt.date, months_ago: int) -> dt.date:
    first = day.replace(day=1)
    for _ in range(months_ago - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return first - dt.timedelta(days=1)


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def build(
    engine: Engine,
    register: Register,
    gate: Gate,
    *,
    customers_count: int,
    seed: int,
    progress: Progress,
    classifier: Classifier | None = None,
) -> WorldSummary:
    """The world; `classifier` analyses its mail (default: trained in memory)."""
    rows = generate(register, customers_count, seed, progress)
    showcase = _showcase(rows)
    flood_houses = (
        demo_flood.prepare(
            rows.home_policies,
            [showcase[b] for b in sorted(showcase)],
            rows.relationships,
            today=TODAY,
        )
        if showcase
        else None
    )
    total = sum(len(getattr(rows, table)) for table in TABLES)
    written = 0
    # Parents before children (persons, then what refers to them), one INSERT per batch.
    with unit_of_work(engine) as session:
        for table in TABLES:
            for chunk in _chunks(getattr(rows, table), BATCH):
                customers.bulk_insert(session, **{table: chunk})
                written += len(chunk)
                progress("writing the customer file", written, total)
        customers.bulk_insert(session, preferences=rows.preferences, consents=rows.consents)
        notifications.bulk_insert(
            session, settings=rows.notification_settings, choices=rows.notification_choices
        )
    events = _record_activity(engine, gate, rows, progress)
    events += _reuse_identities(engine, gate, rows, progress)
    objections, requests = _rights_activity(engine, gate, rows, seed, progress)
    products = {
        "card": rows.cards,
        "account": rows.accounts,
        "loan": rows.loans,
        "home_policy": rows.home_policies,
    }
    filed, complaint = demo_complaints.build(
        engine,
        gate,
        products,
        [showcase[brand] for brand in sorted(showcase)],
        today=TODAY,
        seed=seed,
        progress=progress,
    )
    treaties = demo_reinsurance.build(engine, gate, rows.home_policies, today=TODAY)
    if flood_houses is not None:
        flood_houses = demo_flood.build(
            engine,
            gate,
            rows.home_policies,
            flood_houses,
            {p["id"]: p["language"] for p in rows.persons},
            today=TODAY,
            seed=seed,
            progress=progress,
        )
    talked = demo_conversations.build(
        engine,
        gate,
        [showcase[brand] for brand in sorted(showcase)],
        {p["id"]: p["language"] for p in rows.persons},
        today=TODAY,
    )
    progress("conversations", talked.recorded, talked.recorded)
    mail = demo_correspondence.build(
        engine,
        gate,
        classifier or intent.load(None),
        rows.cards,
        {p["id"]: p["language"] for p in rows.persons},
        [showcase[brand] for brand in sorted(showcase)],
        today=TODAY,
    )
    # After the objections: the world's objectors are left out of every profile and offer.
    made = demo_offers.build(engine, gate, today=TODAY, progress=progress)
    _sequence(engine, gate, progress)
    counts = {table: len(getattr(rows, table)) for table in TABLES}
    return WorldSummary(
        len(rows.persons),
        counts,
        events,
        objections,
        requests,
        showcase,
        filed,
        complaint,
        tuple(treaties),
        flood_houses,
        talked,
        mail,
        made,
    )


def _record_activity(engine: Engine, gate: Gate, rows: Rows, progress: Progress) -> int:
    done = 0
    total = sum(len(v) for v in rows.activity.values())
    for (actor, purpose, categories, event, recipient), subjects in rows.activity.items():
        for chunk in _chunks(subjects, BATCH):
            with unit_of_work(engine) as session:
                gate.open(session, actor=actor, purpose=purpose).access_many(
                    chunk, categories=categories, event=event, recipient=recipient, as_of=TODAY
                )
            done += len(chunk)
            progress("recording processing in the ledger", done, total)
    return done


def _sequence(engine: Engine, gate: Gate, progress: Progress) -> None:
    """Give every recorded event its place in the ledger's tree, under a signed head."""
    done = 0
    while True:
        with unit_of_work(engine) as session:
            batch = ledger.sequence(session, keys=gate.keys)
        done += batch.sequenced
        progress("sequencing the ledger", done, done)
        if batch.sequenced < ledger.BATCH:
            return


def _reuse_identities(engine: Engine, gate: Gate, rows: Rows, progress: Progress) -> int:
    """Clients of the bank who took home insurance: each applied to the insurer in the app, and the
    insurer reuses the bank's identification."""
    total = len(rows.reuse_candidates)
    insurer_of = {r["person_id"]: r["entity"] for r in rows.home_policies}
    done = 0
    for chunk in _chunks(rows.reuse_candidates, REUSE_BATCH):
        with unit_of_work(engine) as session:
            for person in chunk:
                customers.file_application(
                    session,
                    gate=gate,
                    actor=Actor("self-service", "kbc-bank"),
                    person_id=person,
                    data=ApplicationCreate(entity=insurer_of[person]),
                )
                actor = Actor("onboarding-service", insurer_of[person])
                customers.reuse_identity(
                    session, gate=gate, actor=actor, person_id=person, today=TODAY
                )
        done += len(chunk)
        progress("reusing identification across the group", done, total)
    return total


def _rights_activity(
    engine: Engine, gate: Gate, rows: Rows, seed: int, progress: Progress
) -> tuple[int, int]:
    rng = random.Random(seed + 2)
    # The showcase customers keep a clean slate: the newcomer objects and erases with them.
    spared = set(_showcase(rows).values())
    clients = [p["id"] for p in rows.persons if p["id"] not in spared]
    dm = rng.sample(clients, max(1, len(clients) // 40))
    restricted = rng.sample(clients, max(1, len(clients) // 200))
    access = rng.sample(clients, max(1, len(clients) // 100))
    dpo = Actor("dpo", "kbc-bank")
    situation = "I do not want my forms pre-filled from my file."
    objecting = [(p, None, None) for p in dm] + [
        (p, "process-optimisation", situation) for p in restricted
    ]
    with unit_of_work(engine) as session:
        for person, purpose, grounds in objecting:
            rights.object(
                session,
                gate=gate,
                actor=dpo,
                person_id=person,
                purpose=purpose,
                grounds=grounds,
                channel="staff",
                registered_by="dpo:demo",
                today=TODAY,
            )
        for person in access:
            rights.submit_request(
                session,
                gate=gate,
                actor=dpo,
                person_id=person,
                type="access",
                channel="staff",
                registered_by="dpo:demo",
                today=TODAY,
            )
    progress("objections and rights requests", 1, 1)
    return len(dm) + len(restricted), len(access)

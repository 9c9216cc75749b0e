"""The demo world's offers: some customers agreed to partners' offers, then the offers job ran.

A share of the home-insurance clients (the showcase customers among them) agreed in the app to see
partners' offers; the job then profiles every client and chooses their offers, the objectors of
the world left out, and one customer with an older home asks to be put in touch with the
sustainability partner: a disclosure the ledger records with the partner as recipient.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from lawful.core.db import session_scope
from lawful.core.gate import Gate, unit_of_work
from lawful.core.policy.types import Actor
from lawful.offers import service as offers

if TYPE_CHECKING:
    from lawful.demo.world import Progress, Rows

PARTNER = "third-party-offers"
TOPIC = "partner-offers"
CONSENT_DATA = ("user.privacy_preferences",)
BATCH = 2_000


@dataclass(frozen=True)
class OffersSummary:
    offers: int = 0
    left_out: int = 0  # customers left out by an objection
    referral: str | None = None  # the customer put in touch with the partner


def agree(rows: Rows, *, seed: int, today: dt.date) -> None:
    """Consent to partners' offers (and the in-app channel for them) for some home-insurance
    clients, the showcase ones always, a month before the world's day; from a random stream of
    its own."""
    rng = random.Random(seed + 11)
    now = dt.datetime.combine(today - dt.timedelta(days=30), dt.time(12, 0), tzinfo=dt.UTC)
    showcase = set(rows.reuse_candidates[:3])
    agreed = [
        r["person_id"]
        for r in rows.home_policies
        if r["person_id"] in showcase or rng.random() < 0.3
    ]
    for person in dict.fromkeys(agreed):
        rows.consents.append(
            {"person_id": person, "purpose": PARTNER, "given_at": now, "withdrawn_at": None}
        )
        rows.notification_choices.append(
            {"person_id": person, "topic": TOPIC, "channels": "in_app", "changed_at": now}
        )
        rows.activity[
            (
                Actor("self-service", "kbc-bank"),
                "customer-contract",
                CONSENT_DATA,
                "customers.consent.give",
                None,
            )
        ].append(person)


def build(engine: Engine, gate: Gate, *, today: dt.date, progress: Progress) -> OffersSummary:
    """Run the offers job over the world, then one customer takes a partner's offer up."""
    now = dt.datetime.combine(today, dt.time(7, 0), tzinfo=dt.UTC)
    with session_scope(engine, read_only=True) as reader:
        tables = offers.read_tables(reader, today=today)
    clients = offers.clients_frame(tables, today=today)
    total = offers.Outcome()
    for start in range(0, clients.height, BATCH):
        with unit_of_work(engine) as session:
            total.add(
                offers.decide(
                    session, gate=gate, clients=clients.slice(start, BATCH), today=today, now=now
                )
            )
        progress("profiles and offers", min(clients.height, start + BATCH), clients.height)
    referral = _refer(engine, gate, today)
    return OffersSummary(total.offers_made, total.by_objection, referral)


def _refer(engine: Engine, gate: Gate, today: dt.date) -> str | None:
    """The first customer offered the partner's energy-renovation check asks to be put in
    touch, from the app."""
    me = Actor("self-service", "kbc-bank")
    with unit_of_work(engine) as session:
        for person in offers.with_open_partner_offers(session, limit=1):
            mine = offers.person_offers(
                session, gate=gate, actor=me, person_id=person, today=today, staff=False
            )
            partner = next(o for o in mine if o.partner is not None)
            offers.accept(
                session,
                gate=gate,
                actor=me,
                person_id=person,
                offer_id=partner.id,
                today=today,
                staff=False,
            )
            return person
    return None

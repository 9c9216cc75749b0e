"""The offers job: profiles and next-best offers for a batch of customers, decided set-based.

For each batch (a slice of the frame of every client, read once with one statement per table):
the policy's own view of the batch is read first, and a person who objected to direct marketing
(Art. 21(2)-(3)) — or to profiling, or to these offers — is left out there and then: no profile,
no offer, no message, and not one event about them in the ledger. The rules then run on the
others only; the gate is asked for every person processed, per purpose, in one batch of events
each (`access_many`): the profile under `commercial-profiling`, the group's own offers under
`personalised-offers`, partners' offers under `third-party-offers` for the customers who agreed
to them and no one else. What the gate allows is stored; new offers go to the outbox once each,
on a channel the marketing rules leave.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from lawful.core.gate import Gate
from lawful.core.policy.types import Actor, SubjectState
from lawful.engagement import service as engagement
from lawful.offers import repository, rules, texts
from lawful.offers.catalogue import BY_ID, OWN, PARTNER, PROFILING
from lawful.offers.events import Event

ROLE = "offer-engine"
PROFILE_DATA = (
    "user.demographic.age_range",
    "user.financial.bank_account",
    "user.financial.credit_card",
    "user.financial.card_statement",
    "user.financial.loan",
    "user.financial.insurance_policy",
)
OWN_DATA = (*PROFILE_DATA, "user.privacy_preferences.notification_settings")
PARTNER_DATA = (
    "user.financial.insurance_policy",
    "user.location.property",
    "user.privacy_preferences.notification_settings",
)
TOPIC = {OWN: "offers", PARTNER: "partner-offers"}
OWN_PRODUCTS = tuple(p.id for p in BY_ID.values() if p.own)
PARTNER_PRODUCTS = tuple(p.id for p in BY_ID.values() if not p.own)


@dataclass
class Outcome:
    considered: int = 0
    profiled: int = 0
    offers: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    queued: int = 0  # messages put in the outbox
    by_objection: int = 0  # persons left out: a direct-marketing or purpose objection
    by_preference: int = 0  # messages not sent: the topic switched off
    opt_in_required: int = 0  # messages not sent: e-mail/SMS needs the person's opt-in
    by_quiet_hours: int = 0  # messages deferred to a later run: the person's quiet hours
    without_consent: int = 0  # persons not considered for partners' offers
    refused: int = 0  # decisions the gate refused otherwise (erased, no relationship…)
    purged: int = 0

    @property
    def offers_made(self) -> int:
        return sum(self.offers.values())

    def add(self, other: Outcome) -> None:
        for name in (
            "considered",
            "profiled",
            "queued",
            "by_objection",
            "by_preference",
            "opt_in_required",
            "by_quiet_hours",
            "without_consent",
            "refused",
            "purged",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for product, count in other.offers.items():
            self.offers[product] += count


def _left_out(state: SubjectState | None, purpose: str) -> bool:
    """No processing at all for this purpose: a person not on file or erased, a direct-marketing
    objection, or an objection to this purpose not rejected by the DPO."""
    return state is None or state.erased or state.dm_objection or purpose in state.restricted


def decide(
    session: Session, *, gate: Gate, clients: pl.DataFrame, today: dt.date, now: dt.datetime
) -> Outcome:
    """Profile and offer for one batch of the frame (`rules.frame`); the caller commits."""
    ids: list[str] = clients.get_column("person_id").to_list()
    outcome = Outcome(considered=len(ids))
    states = gate.states.load(session, ids, as_of=today)
    objectors = [p for p in ids if (s := states.get(p)) is not None and s.dm_objection]
    outcome.by_objection = sum(
        1
        for p in ids
        if (s := states.get(p)) is not None and (s.dm_objection or {OWN, PROFILING} & s.restricted)
    )
    # What an objector had (profiles, offers not taken up) goes now, whatever the run decides.
    repository.delete_for(session, objectors, open_only=True)
    profiled = _profile(session, gate, clients, states, today)
    outcome.profiled = len(profiled)
    consenting = [
        p for p in ids if not _left_out(states.get(p), PARTNER) and PARTNER in states[p].consents
    ]
    outcome.without_consent = len(ids) - len(consenting)
    own = _offer(session, gate, clients, states, OWN, OWN_PRODUCTS, OWN_DATA, today, outcome)
    partner = _offer(
        session,
        gate,
        clients.filter(pl.col("person_id").is_in(consenting)),
        states,
        PARTNER,
        PARTNER_PRODUCTS,
        PARTNER_DATA,
        today,
        outcome,
    )
    made = own + partner
    # Every open offer of the batch is replaced by this run's: one no rule, consent or gate
    # allows any more (an objection to these offers, a consent withdrawn) goes.
    decided = repository.decided_products(session, ids)
    fresh = [r for r in made if (r["person_id"], r["product"]) not in decided]
    repository.replace_open_offers(session, ids, fresh)
    for row in fresh:
        outcome.offers[row["product"]] += 1
    _messages(session, gate, clients, fresh, now, outcome)
    return outcome


def _asked(clients: pl.DataFrame, states: Any, purpose: str) -> list[str]:
    return [
        p
        for p in clients.get_column("person_id").to_list()
        if not _left_out(states.get(p), purpose)
    ]


def _by_entity(frame: pl.DataFrame, column: str = "home_entity") -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for person, entity in frame.select("person_id", column).iter_rows():
        grouped[entity].append(person)
    return grouped


def _profile(
    session: Session, gate: Gate, clients: pl.DataFrame, states: Any, today: dt.date
) -> list[str]:
    kept = _asked(clients, states, PROFILING)
    frame = rules.segments(clients.filter(pl.col("person_id").is_in(kept)))
    profile = {row["person_id"]: row for row in frame.iter_rows(named=True)}
    allowed: list[str] = []
    for entity, persons in _by_entity(frame, "entity").items():
        details = {
            p: {k: profile[p][k] for k in ("segment", "age_band", "card_use")} for p in persons
        }
        ctx = gate.open(session, actor=Actor(ROLE, entity), purpose=PROFILING)
        decided = ctx.access_many(
            persons,
            categories=PROFILE_DATA,
            event=Event.SEGMENT_COMPUTE.value,
            details=details,
            as_of=today,
        )
        allowed.extend(decided.allowed)
    rows = [{**profile[p], "computed_on": today} for p in allowed]
    # Everyone of the batch loses the profile of an earlier run; those allowed get today's.
    repository.replace_segments(session, clients.get_column("person_id").to_list(), rows)
    return allowed


def _offer(
    session: Session,
    gate: Gate,
    clients: pl.DataFrame,
    states: Any,
    purpose: str,
    products: tuple[str, ...],
    categories: Sequence[str],
    today: dt.date,
    outcome: Outcome,
) -> list[dict[str, Any]]:
    """Apply the purpose's rules to the persons it may consider, ask the gate for each of them
    (the offers chosen, possibly none, as details), and return the offers the gate allowed."""
    kept = _asked(clients, states, purpose)
    batch = clients.filter(pl.col("person_id").is_in(kept))
    found = rules.eligible(batch, today, products=products)
    chosen: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in found.iter_rows(named=True):
        chosen[row["person_id"]].append(row)
    allowed: list[dict[str, Any]] = []
    for entity, persons in _by_entity(batch).items():
        details = {p: {"offers": sorted(r["product"] for r in chosen.get(p, ()))} for p in persons}
        ctx = gate.open(session, actor=Actor(ROLE, entity), purpose=purpose)
        decided = ctx.access_many(
            persons,
            categories=categories,
            event=Event.OFFER_CHOOSE.value,
            details=details,
            as_of=today,
        )
        outcome.refused += len(decided.denied)
        for person in decided.allowed:
            for row in chosen.get(person, ()):
                product = BY_ID[row["product"]]
                allowed.append(
                    {
                        "person_id": person,
                        "product": product.id,
                        "entity": row["entity"],
                        "partner": product.partner,
                        "purpose": purpose,
                        "rule": product.rule,
                        "facts": row["facts"],
                        "status": "open",
                        "made_on": today,
                        "decided_at": None,
                    }
                )
    return allowed


def _held(clients: pl.DataFrame) -> dict[str, set[str]]:
    """The kinds of product each person holds, for the soft opt-in's "analogous"."""
    frame = clients.select(
        "person_id",
        account=(pl.col("current_accounts") + pl.col("savings_accounts")) > 0,
        card=pl.col("cards") > 0,
        loan=(pl.col("mortgages") + pl.col("other_loans")) > 0,
        home_policy=pl.col("home_policies") > 0,
    )
    kinds = ("account", "card", "loan", "home_policy")
    return {row[0]: {k for k, v in zip(kinds, row[1:], strict=True) if v} for row in frame.rows()}


def _messages(
    session: Session,
    gate: Gate,
    clients: pl.DataFrame,
    made: list[dict[str, Any]],
    now: dt.datetime,
    outcome: Outcome,
) -> None:
    """One message per new offer (ever: keyed by person and product), on the channel left."""
    if not made:
        return
    persons = sorted({r["person_id"] for r in made})
    audience = engagement.marketing_audience(
        session, person_ids=persons, topics=list(TOPIC.values())
    )
    file_language = dict(
        clients.filter(pl.col("person_id").is_in(persons)).select("person_id", "language").rows()
    )
    held = _held(clients.filter(pl.col("person_id").is_in(persons)))
    rows: list[dict[str, Any]] = []
    for offer in made:
        person, product = offer["person_id"], BY_ID[offer["product"]]
        topic = gate.register.topic(TOPIC[product.purpose])
        channel, why = engagement.marketing_channel(
            topic,
            audience.channels(person, topic.id),
            own_client=True,  # the frame holds clients of the group only
            analogous=bool(product.analogous & held.get(person, set())),
        )
        if channel is None:
            if why == engagement.PREFERENCE_OFF:
                outcome.by_preference += 1
            else:
                outcome.opt_in_required += 1
            continue
        if audience.disturbs(person, channel, now):
            outcome.by_quiet_hours += 1  # not queued: its key stays free for a later run
            continue
        lang = texts.language(audience.languages.get(person), file_language.get(person))
        message = texts.message(product, json.loads(offer["facts"]), lang)
        in_app = channel == "in_app"
        rows.append(
            {
                "person_id": person,
                "topic": topic.id,
                "idempotency_key": f"offer:{person}:{product.id}",
                "channel": channel,
                "language": lang,
                "title": message.title,
                "body": message.body,
                "status": "kept" if in_app else "pending",
                "reason": None,
                "attempts": 0,
                "created_at": now,
                "delivered_at": now if in_app else None,
            }
        )
    outcome.queued += len(engagement.queue_marketing(session, rows))

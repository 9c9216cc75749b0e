"""A short, deterministic demonstration of the spine on synthetic people.

Each scene is one real use of personal data by one actor for one purpose, asked of the policy and
recorded in the ledger through the gate. Some are refused on purpose, to show why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from lawful.core.errors import ProcessingDenied
from lawful.core.gate import Gate, StaticStates, unit_of_work
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor, Hold, Objection, ObjectionStatus, Relationship
from lawful.core.policy.types import SubjectState as State
from lawful.core.register.models import Register, RelationshipState
from lawful.core.vault import service as vault

TODAY = dt.date(2026, 11, 25)
SINCE = dt.date(2019, 3, 1)
CLIENT, FORMER = RelationshipState.CLIENT, RelationshipState.FORMER_CLIENT

# Synthetic people only: an id and the state the policy needs, nothing else.
PEOPLE: dict[str, State] = {
    "demo-anna": State(
        as_of=TODAY,
        relationships=(
            Relationship("kbc-bank", CLIENT, SINCE),
            Relationship("kbc-insurance", CLIENT, SINCE),
        ),
    ),
    "demo-bram": State(
        as_of=TODAY,
        relationships=(Relationship("kbc-bank", CLIENT, SINCE),),
        dm_objection=True,
    ),
    "demo-chloe": State(
        as_of=TODAY,
        relationships=(Relationship("kbc-bank", CLIENT, SINCE),),
        objections=frozenset({Objection("customer-file", ObjectionStatus.PENDING)}),
        preferences_off=frozenset({"card_reminders"}),
    ),
    "demo-dries": State(
        as_of=TODAY,
        relationships=(
            Relationship("kbc-bank", CLIENT, SINCE, dt.date(2025, 6, 30)),
            Relationship("kbc-bank", FORMER, dt.date(2025, 7, 1)),
        ),
        legal_holds=frozenset({Hold("aml-identification", dt.date(2035, 6, 30))}),
    ),
}


@dataclass(frozen=True)
class Scene:
    title: str
    subject: str
    actor: Actor
    purpose: str
    categories: tuple[str, ...]
    event: str
    recipient: str | None = None


SCENES = (
    Scene(
        "an advisor opens Anna's customer file",
        "demo-anna",
        Actor("advisor", "kbc-bank"),
        "customer-file",
        ("user.name", "user.contact.email"),
        "customers.person.read",
    ),
    Scene(
        "the reminder service reminds Anna of her card balance",
        "demo-anna",
        Actor("reminder-service", "kbc-bank"),
        "customer-notifications",
        ("user.financial.card_statement",),
        "engagement.reminder.send",
    ),
    Scene(
        "the reminder service tries Chloé, who switched reminders off",
        "demo-chloe",
        Actor("reminder-service", "kbc-bank"),
        "customer-notifications",
        ("user.financial.card_statement",),
        "engagement.reminder.send",
    ),
    Scene(
        "an advisor opens Chloé's file while her objection awaits the DPO",
        "demo-chloe",
        Actor("advisor", "kbc-bank"),
        "customer-file",
        ("user.name",),
        "customers.person.read",
    ),
    Scene(
        "the insurer reuses Anna's identification from the bank",
        "demo-anna",
        Actor("onboarding-service", "kbc-insurance"),
        "intra-group-identity-reuse",
        ("user.government_id.kyc_record",),
        "customers.identity.reuse",
        "group-kbc-insurance",
    ),
    Scene(
        "an underwriter prices flood cover for Anna's house",
        "demo-anna",
        Actor("underwriter", "kbc-insurance"),
        "flood-data-underwriting",
        ("user.location.property.flood_exposure",),
        "insurance.flood.score",
    ),
    Scene(
        "the back office checks the identification of Dries, a former client",
        "demo-dries",
        Actor("back-office", "kbc-bank"),
        "customer-file",
        ("user.government_id.kyc_record",),
        "customers.identity.read",
    ),
    Scene(
        "an advisor looks for a use nobody declared",
        "demo-anna",
        Actor("advisor", "kbc-bank"),
        "selling-customer-lists",
        ("user.contact.email",),
        "customers.person.read",
    ),
)


@dataclass(frozen=True)
class Outcome:
    title: str
    allowed: bool
    reasons: tuple[str, ...]
    obligations: tuple[str, ...]


@dataclass(frozen=True)
class Summary:
    outcomes: list[Outcome]
    offers_allowed: list[str]
    offers_denied: dict[str, tuple[str, ...]]
    events: int
    checkpoint: int
    verified: str
    shredded: str


def run(engine: Engine, register: Register, *, step: Callable[[str], None]) -> Summary:
    gate = Gate.build(register, StaticStates(PEOPLE))
    outcomes = []
    for scene in SCENES:
        step(scene.title)
        try:
            with unit_of_work(engine) as session:
                ctx = gate.open(session, actor=scene.actor, purpose=scene.purpose)
                decision = ctx.access(
                    scene.subject,
                    categories=scene.categories,
                    event=scene.event,
                    recipient=scene.recipient,
                    details={"scene": scene.title},
                    as_of=TODAY,
                )
            outcomes.append(
                Outcome(scene.title, True, (), tuple(o.value for o in decision.obligations))
            )
        except ProcessingDenied as refused:
            outcomes.append(Outcome(scene.title, False, refused.reasons, ()))

    step("the offer engine selects clients for a personalised offer (bulk)")
    with unit_of_work(engine) as session:
        ctx = gate.open(
            session, actor=Actor("offer-engine", "kbc-bank"), purpose="personalised-offers"
        )
        bulk = ctx.access_many(
            sorted(PEOPLE),
            categories=("user.financial.loan",),
            event="engagement.offer.select",
            as_of=TODAY,
        )

    step("erasing Dries: his key is destroyed, the chain still verifies")
    with unit_of_work(engine) as session:
        vault.shred(session, subject_id="demo-dries")
        cp = ledger.checkpoint(session)
    with unit_of_work(engine) as session:
        result = ledger.verify(session)
        events = ledger.head(session)[0]
    return Summary(
        outcomes=outcomes,
        offers_allowed=bulk.allowed,
        offers_denied=bulk.denied,
        events=events,
        checkpoint=cp.sequence,
        verified=result.summary(),
        shredded="demo-dries",
    )

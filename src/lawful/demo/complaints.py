"""The demo world's complaints: a spread for the root-cause statistics, and one showcase.

The showcase: Ombudsfin forwards a customer's complaint about their card; the bank's complaint
handler acknowledges it and asks Worldline for the card's transaction trail. It stays open, so
the card data are held should the customer ask for erasure, and the customer's access report
lists the request to Worldline.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine

from lawful.complaints import service as complaints
from lawful.complaints.schemas import ComplaintCreate, DataRequest, Status
from lawful.core.gate import Gate, unit_of_work
from lawful.core.policy.types import Actor
from lawful.customers import service as customers

Row = dict[str, Any]
BY = "complaint-handler:cmp-demo"
CAUSES = {
    "card": ("disputed-transaction", "disputed-transaction", "fees", "service"),
    "account": ("fees", "service", "information"),
    "loan": ("contract-terms", "information", "fees"),
    "home_policy": ("claim-handling", "claim-handling", "contract-terms", "service"),
}
FORWARD = (Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.ANSWERED, Status.CLOSED)


def _handler(entity: str) -> Actor:
    return Actor("complaint-handler", entity, "cmp-demo")


def _file(session: Any, gate: Gate, product: Row, kind: str, today: dt.date, **fields: Any) -> int:
    data = ComplaintCreate.model_validate(
        {
            "source": "branch",
            "product_kind": kind,
            "product_id": product["id"],
            "summary": "Complaint recorded at the branch (demo).",
            **fields,
        }
    )
    return complaints.file_complaint(
        session,
        gate=gate,
        actor=_handler(product["entity"]),
        person_id=product["person_id"],
        data=data,
        today=today,
        by=BY,
        staff=True,
    ).id


def build(
    engine: Engine,
    gate: Gate,
    products: Mapping[str, Sequence[Row]],
    showcase: Sequence[str],
    *,
    today: dt.date,
    seed: int,
    progress: Callable[[str, int, int], None],
) -> tuple[int, int | None]:
    """About one product in fifty gets a complaint, at some stage of its handling; then the
    showcase. Return how many complaints, and the showcase's number."""
    rng = random.Random(seed + 16)
    picked = [(kind, row) for kind, rows in products.items() for row in rows if rng.random() < 0.02]
    with unit_of_work(engine) as session:
        # A home policy taken out with an insurer whose identification reuse did not go through
        # leaves no relationship with it: that insurer's handlers cannot see the person.
        picked = [
            (kind, row)
            for kind, row in picked
            if any(
                r.entity == row["entity"]
                for r in customers.relationships(session, person_id=row["person_id"])
            )
        ]
        for kind, row in picked:
            source = rng.choice(("customer", "branch", "branch", "agent", "test-achats"))
            reference = f"TA-{rng.randrange(10**6):06d}" if source == "test-achats" else None
            number = _file(
                session,
                gate,
                row,
                kind,
                today,
                root_cause=rng.choice(CAUSES[kind]),
                source=source,
                source_ref=reference,
                received_on=(today - dt.timedelta(days=rng.randrange(0, 90))).isoformat(),
            )
            for to in FORWARD[: rng.randrange(0, len(FORWARD) + 1)]:
                complaints.move(
                    session,
                    gate=gate,
                    actor=_handler(row["entity"]),
                    complaint_id=number,
                    to=to,
                    reason=None,
                    today=today,
                    by=BY,
                )
        progress("complaints", len(picked), len(picked))
        shown = _showcase(session, gate, products.get("card", ()), showcase, today)
    return len(picked) + (shown is not None), shown


def _showcase(
    session: Any, gate: Gate, cards: Sequence[Row], showcase: Sequence[str], today: dt.date
) -> int | None:
    """Ombudsfin's case about a card: a showcase customer's (who has a token) if one has a card,
    else the first card's."""
    card = next((c for p in showcase for c in cards if c["person_id"] == p), None)
    card = card or next(iter(cards), None)
    if card is None:
        return None
    number = _file(
        session,
        gate,
        card,
        "card",
        today,
        source="ombudsfin",
        source_ref="OMBUDSFIN-2026-0417",
        ombudsman_due=(today + dt.timedelta(days=30)).isoformat(),
        root_cause="disputed-transaction",
        summary="Three card payments to an online shop the customer says they never used.",
        received_on=(today - dt.timedelta(days=2)).isoformat(),
    )
    actor = _handler(card["entity"])
    for to in (Status.ACKNOWLEDGED, Status.INVESTIGATING):
        complaints.move(
            session,
            gate=gate,
            actor=actor,
            complaint_id=number,
            to=to,
            reason=None,
            today=today,
            by=BY,
        )
    complaints.request_data(
        session,
        gate=gate,
        actor=actor,
        complaint_id=number,
        data=DataRequest(
            to="worldline", reason="The authorisation trail of the three disputed payments."
        ),
        today=today,
        by=BY,
    )
    return number

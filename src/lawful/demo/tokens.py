"""Ready-to-use tokens for the demo: a customer per brand, an advisor, a DPO, a complaint
handler and an underwriter per insurer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine

from lawful.auth import service as auth
from lawful.core.gate import Gate, unit_of_work

# Long enough to try the API through an afternoon's demonstration.
DEMO_VALIDITY = dt.timedelta(hours=12)


@dataclass(frozen=True)
class DemoToken:
    role: str
    who: str  # person id or staff id
    detail: str  # brand, or the entity a staff member acts for
    token: str
    expires_at: dt.datetime


STAFF = (
    ("adv-0001", "Demo advisor", "advisor", "kbc-bank"),
    ("dpo-0001", "Demo data protection officer", "dpo", "kbc-bank"),
    ("cmp-0001", "Demo complaint handler", "complaint-handler", "kbc-bank"),
    # One per insurer: flood proposals are reviewed by the insurer that made them.
    ("uw-kbc-0001", "Demo underwriter (KBC)", "underwriter", "kbc-insurance"),
    ("uw-cbc-0001", "Demo underwriter (CBC)", "underwriter", "cbc-insurance"),
)


def issue(
    engine: Engine,
    gate: Gate,
    customers: dict[str, str],
    *,
    valid_for: dt.timedelta = DEMO_VALIDITY,
) -> list[DemoToken]:
    """`customers` maps a brand to the person who gets that brand's token."""
    tokens = []
    with unit_of_work(engine) as session:
        for brand, person_id in sorted(customers.items()):
            issued = auth.issue_customer_token(
                session, states=gate.states, person_id=person_id, valid_for=valid_for
            )
            tokens.append(DemoToken("customer", person_id, brand, issued.token, issued.expires_at))
        for staff_id, name, role, entity in STAFF:
            issued = auth.issue_staff_token(
                session,
                register=gate.register,
                staff_id=staff_id,
                display_name=name,
                role=role,
                entity=entity,
                valid_for=valid_for,
            )
            tokens.append(DemoToken(role, staff_id, entity, issued.token, issued.expires_at))
    return tokens

"""Ready-to-use tokens for the demo: a customer per brand, an advisor and a DPO."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from lawful.auth import service as auth
from lawful.core.gate import unit_of_work
from lawful.core.register.models import Register


@dataclass(frozen=True)
class DemoToken:
    role: str
    who: str  # person id or staff id
    detail: str  # brand, or the entity a staff member acts for
    token: str


STAFF = (
    ("adv-0001", "Demo advisor", "advisor", "kbc-bank"),
    ("dpo-0001", "Demo data protection officer", "dpo", "kbc-bank"),
)


def issue(engine: Engine, register: Register, customers: dict[str, str]) -> list[DemoToken]:
    """`customers` maps a brand to the person who gets that brand's token."""
    tokens = []
    with unit_of_work(engine) as session:
        for brand, person_id in sorted(customers.items()):
            issued = auth.issue_customer_token(session, register=register, person_id=person_id)
            tokens.append(DemoToken("customer", person_id, brand, issued.token))
        for staff_id, name, role, entity in STAFF:
            issued = auth.issue_staff_token(
                session,
                register=register,
                staff_id=staff_id,
                display_name=name,
                role=role,
                entity=entity,
            )
            tokens.append(DemoToken(role, staff_id, entity, issued.token))
    return tokens

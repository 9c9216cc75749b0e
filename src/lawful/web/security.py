"""Security events: refused attempts on data the caller may not reach, kept in the ledger.

A customer asking for another person's data is refused before anything is looked up (the answer
is the same whether that person exists or not) and the attempt is recorded as processing of the
*caller's* data under the register's access-security purpose, by the access guard: it is their
behaviour that is on record, and they can read it in their own access report. A staff member
refused by the policy is recorded by the gate itself, as every refusal is.
"""

from __future__ import annotations

import logging
from enum import StrEnum

from sqlalchemy import Engine

from lawful.auth.schemas import Principal, PrincipalKind
from lawful.core.gate import Gate, unit_of_work
from lawful.core.policy.types import Actor

SECURITY_PURPOSE = "access-security"
GUARD_ROLE = "access-guard"
CATEGORIES = ("user.unique_id",)
log = logging.getLogger("lawful.web")


class SecurityEvent(StrEnum):
    ACCESS_REFUSED = "security.access.refused"


REFUSED = SecurityEvent.ACCESS_REFUSED.value


def record_refusal(
    engine: Engine, gate: Gate, who: Principal, *, method: str, route: str, target: str | None
) -> None:
    """Record, in a transaction of its own, that a customer was refused another's data."""
    if who.kind is not PrincipalKind.CUSTOMER or who.person_id is None:
        return
    guard = Actor(GUARD_ROLE, who.entity)
    if not gate.policy.may_pursue(guard, SECURITY_PURPOSE):
        log.warning("the register declares no %s purpose for %s", SECURITY_PURPOSE, GUARD_ROLE)
        return
    with unit_of_work(engine) as session:
        ctx = gate.open(session, actor=guard, purpose=SECURITY_PURPOSE)
        ctx.access(
            who.person_id,
            categories=CATEGORIES,
            event=REFUSED,
            details={"method": method, "route": route, "target": target},
        )

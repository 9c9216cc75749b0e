"""Who may reach whose file: each entity's staff see their own entity's customers only, and say why.

The policy already refuses a customer-file access by staff of an entity the person has no
relationship with (`no_relationship`), and the gate records the attempt. What the caller is told
must not reveal more than an unknown id would: that someone is a customer of another entity of the
group is the group's knowledge, not that staff member's. `unseen_unless_related` turns that one
refusal into the answer an unknown id gets.

A staff member opening a file says why (a case, a request, an appointment): the reason goes into
the ledger event, encrypted with the person's key, where the DPO reads it back.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import ParamSpec, TypeVar

from sqlalchemy.orm import Session

from lawful.core.errors import InvalidInput, NotOnFile, ProcessingDenied
from lawful.core.gate import Details, Gate
from lawful.core.policy.types import Actor, Reason
from lawful.core.register.models import ActorKind
from lawful.customers import categories
from lawful.customers.categories import Candidates

REASON_MAX = 200


class ScopeEvent(StrEnum):
    """Events of onboarding and of identity changes, beside `access.Event`."""

    APPLICATION_FILE = "customers.application.file"
    APPLICATION_RECORD = "customers.application.record"
    APPLICATION_LIST = "customers.application.list"
    APPLICATION_WITHDRAW = "customers.application.withdraw"
    KYC_STATUS_SCREEN = "customers.kyc_record.screen"
    IDENTITY_CHANGE_ASK = "customers.identity_change.ask"


P = ParamSpec("P")
R = TypeVar("R")


def is_staff(gate: Gate, actor: Actor) -> bool:
    """Whether the actor is a staff member (a person acting in a role), not a system component.
    Customers act through the self-service role, a system component acting on their behalf."""
    return any(r.id == actor.role and r.kind is ActorKind.STAFF for r in gate.register.roles)


def reason(gate: Gate, actor: Actor, given: str | None) -> dict[str, str]:
    """The reason to record with a read of the file: required from staff, folded to one line."""
    text = " ".join((given or "").split())
    if len(text) > REASON_MAX:
        raise InvalidInput(f"at most {REASON_MAX} characters", field="reason")
    if text:
        return {"reason": text}
    if is_staff(gate, actor):
        raise InvalidInput(
            "a staff member says why they open this file: the case, request or appointment "
            "it serves",
            field="reason",
        )
    return {}


def unseen_unless_related(service: Callable[P, R]) -> Callable[P, R]:
    """A refusal for want of a relationship with the actor's entity answers as an unknown id,
    whatever other reasons come with it: the actor learns neither that the person exists nor
    anything of their situation. The gate has recorded the refusal, and keeps it when the
    transaction rolls back.
    """

    @functools.wraps(service)
    def scoped(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return service(*args, **kwargs)
        except ProcessingDenied as refused:
            if Reason.NO_RELATIONSHIP.value not in refused.reasons:
                raise
            raise NotOnFile(f"no person {kwargs.get('person_id')}") from None

    return scoped


def ask(
    session: Session,
    gate: Gate,
    actor: Actor,
    purpose: str,
    person_id: str,
    data: Iterable[Candidates],
    *,
    event: StrEnum,
    details: Details | None = None,
    recipient: str | None = None,
    as_of: dt.date | None = None,
    on_file: bool = False,
) -> list[str]:
    """`access.ask` for any event name: ask the gate for these data; a refusal is recorded and
    raised."""
    asked = categories.ask(categories.declared(gate.register, purpose), data)
    gate.open(session, actor=actor, purpose=purpose).access(
        person_id,
        categories=asked,
        event=event.value,
        details=details,
        recipient=recipient,
        as_of=as_of,
        on_file=on_file,
    )
    return asked

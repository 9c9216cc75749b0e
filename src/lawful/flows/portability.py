"""Portability (Art. 20) as one use case: the customer file's portable sections, and what the
person entered in other domains — their notification settings and choices, their simulations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.engagement import service as engagement
from lawful.rights import service as rights
from lawful.simulations import service as simulations


def portability(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    today: dt.date,
    request_id: int | None = None,
    registered_by: str | None = None,
) -> bytes:
    def entered_elsewhere() -> dict[str, Any]:
        kw: dict[str, Any] = {
            "gate": gate,
            "actor": actor,
            "person_id": person_id,
            "purpose": rights.PURPOSE,
            "today": today,
        }
        notifications = engagement.export_person(session, **kw)
        made = simulations.export_person(session, **kw)["simulations"]
        return {
            "notification_settings": notifications["notification_settings"],
            "notification_choices": notifications["notification_choices"],
            # What the person entered; the follow-up we decided and the erasure date are ours.
            "simulations": [
                {k: v for k, v in s.items() if k not in ("follow_up", "expires_on")} for s in made
            ],
        }

    return rights.portability(
        session,
        gate=gate,
        actor=actor,
        person_id=person_id,
        today=today,
        request_id=request_id,
        registered_by=registered_by,
        also_provided=entered_elsewhere,
    )

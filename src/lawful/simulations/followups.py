"""One follow-up per simulation left unfinished (activity 9).

`lawful jobs run simulation-follow-ups` runs it.

A simulation in progress or abandoned, untouched for `idle` (24 hours by default), gets exactly one
follow-up, decided in this order:
- past the window (no activity for `window`, 14 days by default): none — the offer would come too
  late to help; recorded as suppressed (`window`);
- the person switched the topic `simulation-follow-up` off under Profile > Notifications: none
  (`preference_off`);
- the person asked, in the simulation, to be contacted: a task for an adviser of the entity, who
  offers help using the contact details given (a prospect is reached this way only);
- a client of the entity who did not ask: an offer of help in the app through the outbox, on the
  topic's channel they keep (never e-mail or SMS), outside their quiet hours (inside them the
  decision waits for a later run);
- a prospect who did not ask: none (`not_asked`): without their request, nothing is sent to
  someone who is not a customer.
Then the gate decides for every person of the batch at once (an objection to the purpose, an
erased person, stop it), and each outcome is written. The follow-up row's key is the simulation:
a run killed and rerun, or two runs at once, decide each simulation once; the outbox message's
key (`simulation-follow-up:simulation:<id>`) is unique too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from lawful.core.gate import Gate
from lawful.core.policy.types import Actor, Reason
from lawful.engagement import service as engagement
from lawful.simulations import repository, texts
from lawful.simulations.service import CONTACT, PURPOSE, SIMULATION, Event, retention

TOPIC = "simulation-follow-up"
ROLE = "onboarding-service"
KEY_PREFIX = f"{TOPIC}:simulation:"
DEFAULT_IDLE = dt.timedelta(hours=24)
DEFAULT_WINDOW = dt.timedelta(days=14)
WINDOW, NOT_ASKED = "window", "not_asked"
_OBJECTION = {
    Reason.DM_OBJECTION.value,
    Reason.OBJECTION_PENDING.value,
    Reason.OBJECTION_UPHELD.value,
}


@dataclass
class FollowUpOutcome:
    eligible: int = 0
    messages: int = 0  # offers of help put in the outbox
    tasks: int = 0  # tasks created for an adviser of the entity
    by_preference: int = 0
    by_objection: int = 0
    by_window: int = 0
    not_asked: int = 0  # prospects who did not ask to be contacted
    by_quiet_hours: int = 0  # deferred to a later run
    refused: int = 0  # refused by the policy for another reason (erased…)
    already: int = 0  # decided meanwhile by another run
    purged: int = 0  # simulations past their retention, erased

    def add(self, other: FollowUpOutcome) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def due_in_batches(
    session: Session, *, now: dt.datetime, idle: dt.timedelta = DEFAULT_IDLE, size: int
) -> Iterator[Sequence[Row[Any]]]:
    """The simulations untouched since `now - idle` and not followed up yet, `size` at a time.
    No gate: the work list; `follow_up` asks the gate for every person before anything is
    written or sent."""
    return repository.due_in_batches(session, idle_before=now - idle, size=size)


def follow_up(
    session: Session,
    *,
    gate: Gate,
    rows: Sequence[Row[Any]],
    now: dt.datetime,
    window: dt.timedelta = DEFAULT_WINDOW,
) -> FollowUpOutcome:
    """Decide one batch; the caller commits (or the batch is undone whole)."""
    outcome = FollowUpOutcome(eligible=len(rows))
    persons = list(dict.fromkeys(r.person_id for r in rows))
    settings = engagement.delivery_settings(session, person_ids=persons, topic=TOPIC)
    states = gate.states.load(session, persons, as_of=now.date())
    defaults = [c.value for c in gate.register.topic(TOPIC).default_channels]
    plans: dict[int, dict[str, Any]] = {}
    for row in rows:
        chosen = settings.get(row.person_id, engagement.DeliverySettings())
        channels = defaults if chosen.channels is None else chosen.channels
        state = states.get(row.person_id)
        client = state is not None and any(
            s.value == "client" for s in state.relationships_by_entity.get(row.entity, ())
        )
        if now - row.last_activity_at > window:
            plans[row.id] = _decided(row, "suppressed", reason=WINDOW)
        elif not channels:
            plans[row.id] = _decided(row, "suppressed", reason=Reason.PREFERENCE_OFF.value)
        elif row.contact_me:
            plans[row.id] = _decided(row, "task")
        elif not client:
            plans[row.id] = _decided(row, "suppressed", reason=NOT_ASKED)
        elif engagement.quiet_between(chosen.quiet_start, chosen.quiet_end, now):
            outcome.by_quiet_hours += 1
        else:
            plans[row.id] = _decided(row, "message", channel=channels[0], settings=chosen)
    # Claim first: a follow-up row per simulation, its primary key the simulation. What another
    # run claimed (or is claiming: the insert waits for it) is left to it.
    owned = repository.claim(session, [_claim(r, now) for r in rows if r.id in plans])
    outcome.already = len(plans) - len(owned)
    mine = [r for r in rows if r.id in owned]
    # The gate, per entity and kind, for every person a follow-up would reach.
    asking: dict[tuple[str, str], list[Row[Any]]] = defaultdict(list)
    for row in mine:
        kind = plans[row.id]["kind"]
        if kind in ("task", "message"):
            asking[(row.entity, kind)].append(row)
    for (entity, kind), batch in asking.items():
        ctx = gate.open(session, actor=Actor(ROLE, entity), purpose=PURPOSE)
        people = list(dict.fromkeys(r.person_id for r in batch))
        details: dict[str, dict[str, Any]] = {}
        for r in batch:
            details.setdefault(r.person_id, {"simulations": [], "kind": kind})
            details[r.person_id]["simulations"].append(r.id)
        decided = ctx.access_many(
            people,
            categories=[SIMULATION, CONTACT] if kind == "task" else [SIMULATION],
            event=Event.FOLLOW_UP.value,
            details=details,
            as_of=now.date(),
            states=states,
        )
        for r in batch:
            refused = decided.denied.get(r.person_id)
            if refused is not None:
                plans[r.id] = _decided(r, "suppressed", reason=",".join(refused))
    settled = [plans[r.id] for r in mine]
    messages = [
        _message(gate, r, plans[r.id], now) for r in mine if plans[r.id]["kind"] == "message"
    ]
    engagement.queue_messages(session, rows=messages)
    repository.settle(session, settled)
    for item in settled:
        if item["kind"] == "message":
            outcome.messages += 1
        elif item["kind"] == "task":
            outcome.tasks += 1
        elif item["reason"] == WINDOW:
            outcome.by_window += 1
        elif item["reason"] == NOT_ASKED:
            outcome.not_asked += 1
        elif item["reason"] == Reason.PREFERENCE_OFF.value:
            outcome.by_preference += 1
        elif set(item["reason"].split(",")) & _OBJECTION:
            outcome.by_objection += 1
        else:
            outcome.refused += 1
    return outcome


def _key(simulation_id: int) -> str:
    return f"{KEY_PREFIX}{simulation_id}"


def _decided(
    row: Row[Any],
    kind: str,
    *,
    reason: str | None = None,
    channel: str | None = None,
    settings: engagement.DeliverySettings | None = None,
) -> dict[str, Any]:
    return {
        "simulation_id": row.id,
        "kind": kind,
        "reason": reason,
        "notification_key": _key(row.id) if kind == "message" else None,
        "task_status": "open" if kind == "task" else None,
        "channel": channel,
        "language": texts.language_of(settings.language if settings else None, row.language),
    }


def _claim(row: Row[Any], now: dt.datetime) -> dict[str, Any]:
    return {
        "simulation_id": row.id,
        "person_id": row.person_id,
        "entity": row.entity,
        "kind": "deciding",
        "reason": None,
        "notification_key": None,
        "task_status": None,
        "decided_at": now,
    }


def _message(gate: Gate, row: Row[Any], plan: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    message = texts.follow_up(plan["language"], product=row.product, days=retention(gate).days)
    in_app = plan["channel"] == "in_app"
    return {
        "person_id": row.person_id,
        "topic": TOPIC,
        "idempotency_key": plan["notification_key"],
        "channel": plan["channel"],
        "language": message.language,
        "title": message.title,
        "body": message.body,
        # In the app's inbox at once; push waits for the dispatcher.
        "status": "kept" if in_app else "pending",
        "reason": None,
        "attempts": 0,
        "created_at": now,
        "delivered_at": now if in_app else None,
    }

"""Pre-filling an application form (activity 8): each field from the entity's own file, or from a
simulation the person made, and the source of every value shown beside it.

Each form declares the fields it may fill and where each comes from; nothing else is read. The
read passes the gate under `process-optimisation` (the purpose's relationship rule: the person is a
prospect or client of the form's entity) for exactly the categories of the fields filled, and is
recorded in the ledger with the form and the fields. A field the file does not hold is left for the
person to fill; every value stays theirs to check and correct before signing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from lawful.core.errors import InvalidInput, NotFound
from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.simulations import service as simulations
from lawful.simulations.schemas import (
    Form,
    PrefillCreate,
    PrefilledField,
    PrefillRead,
    Product,
    Source,
)

PURPOSE = "process-optimisation"
EVENT = "simulations.application_form.prefill"
PERSON, ACCOUNT, POLICY, SIMULATION, NONE = "person", "account", "home_policy", "simulation", ""
# The category each source's fields are.
_CATEGORY = {
    "first_name": "user.name",
    "last_name": "user.name",
    "birth_date": "user.demographic.date_of_birth",
    "street": "user.contact.address",
    "postcode": "user.contact.address",
    "city": "user.contact.address",
    ACCOUNT: "user.financial.bank_account",
    POLICY: "user.financial.insurance_policy",
    SIMULATION: "user.behavior.simulation",
}
_IDENTITY = tuple((f, PERSON) for f in ("first_name", "last_name", "birth_date"))
_ADDRESS = tuple((f, PERSON) for f in ("street", "postcode", "city"))


@dataclass(frozen=True)
class Template:
    product: Product
    entities: tuple[str, ...]
    fields: tuple[tuple[str, str], ...]  # (field, source); source "" = the person fills it in


FORMS: Mapping[Form, Template] = {
    Form.LOAN_APPLICATION: Template(
        Product.LOAN,
        ("kbc-bank",),
        (
            *_IDENTITY,
            *_ADDRESS,
            ("iban", ACCOUNT),
            ("amount", SIMULATION),
            ("duration_months", SIMULATION),
            ("purpose", SIMULATION),
            ("monthly_income", NONE),
        ),
    ),
    Form.HOME_INSURANCE_APPLICATION: Template(
        Product.HOME_INSURANCE,
        ("kbc-insurance", "cbc-insurance"),
        (
            *_IDENTITY,
            *_ADDRESS,
            ("current_policy_number", POLICY),
            ("property_postcode", SIMULATION),
            ("rooms", SIMULATION),
            ("owner", SIMULATION),
            ("building_year", NONE),
        ),
    ),
    Form.SAVINGS_PLAN_APPLICATION: Template(
        Product.SAVINGS_PLAN,
        ("kbc-bank",),
        (
            *_IDENTITY,
            *_ADDRESS,
            ("iban", ACCOUNT),
            ("monthly_amount", SIMULATION),
            ("goal", SIMULATION),
        ),
    ),
}


def prefill(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    data: PrefillCreate,
    staff: bool,
    today: dt.date | None = None,
) -> PrefillRead:
    """The form with what the entity's file (and the simulation named) hold, field by field."""
    day = today or dt.date.today()
    template = FORMS[data.form]
    answers: dict[str, tuple[Any, str]] = {}
    entity = actor.entity if staff else template.entities[0]
    if data.simulation_id is not None:
        row, steps = simulations.steps_for_prefill(
            session, person_id=person_id, simulation_id=data.simulation_id
        )
        if staff and row.entity != actor.entity:
            raise NotFound(f"no simulation {data.simulation_id}")
        if row.product != template.product.value:
            raise InvalidInput(
                f"simulation {row.id} is not a {template.product.value} simulation",
                field="simulation_id",
            )
        entity = row.entity
        for step in steps:
            for name, value in json.loads(step.answers).items():
                answers[name] = (value, f"simulation {row.id}, step {step.name}")
    if entity not in template.entities:
        raise InvalidInput(
            f"the {data.form.value} form is filled by {', '.join(template.entities)}",
            field="form",
        )
    acting = Actor(actor.role, entity, actor.ref)
    if not staff and not _deals_with(session, gate, person_id, entity, day):
        # The entity holds no file of the person: nothing to pre-fill, nothing read.
        return PrefillRead(form=data.form, entity=entity, fields=_blank(template))
    filled = [
        (name, source)
        for name, source in template.fields
        if source == PERSON
        or source in (ACCOUNT, POLICY)
        or (source == SIMULATION and name in answers)
    ]
    categories = sorted(
        {_CATEGORY[name if source == PERSON else source] for name, source in filled}
    )
    gate.open(session, actor=acting, purpose=PURPOSE).access(
        person_id,
        categories=categories,
        event=EVENT,
        details={
            "form": data.form.value,
            "fields": [name for name, _ in filled],
            "simulation": data.simulation_id,
        },
        as_of=day,
        on_file=True,
    )
    file = customers.prefill_sources(session, person_id=person_id, entity=entity)
    fields = [_field(name, source, file, answers, entity) for name, source in template.fields]
    return PrefillRead(form=data.form, entity=entity, fields=fields)


def _deals_with(session: Session, gate: Gate, person_id: str, entity: str, day: dt.date) -> bool:
    # Relationships are the frame the gate decides on: reading them is no access to the file.
    state = gate.states.load(session, [person_id], as_of=day).get(person_id)
    if state is None or state.erased:
        raise NotFound(f"no person {person_id}")
    held = {s.value for s in state.relationships_by_entity.get(entity, frozenset())}
    return bool(held & {"prospect", "client"})


def _blank(template: Template) -> list[PrefilledField]:
    return [PrefilledField(name=name, value=None, source=None) for name, _ in template.fields]


def _field(
    name: str,
    source: str,
    file: Mapping[str, Any],
    answers: Mapping[str, tuple[Any, str]],
    entity: str,
) -> PrefilledField:
    def found(value: Any, kind: str, record: str, purpose: str = PURPOSE) -> PrefilledField:
        if value is None:
            return PrefilledField(name=name, value=None, source=None)
        if isinstance(value, dt.date):
            value = value.isoformat()
        return PrefilledField(
            name=name, value=value, source=Source(kind=kind, record=record, purpose=purpose)
        )

    if source == PERSON:
        return found(file["person"].get(name), "customer_file", f"your file at {entity}")
    if source == ACCOUNT:
        current = [a for a in file["accounts"] if a["kind"] == "current"] or file["accounts"]
        if not current:
            return found(None, "", "")
        account = current[0]
        return found(account["iban"], "customer_file", f"{account['kind']} account {account['id']}")
    if source == POLICY:
        if not file["home_policies"]:
            return found(None, "", "")
        policy = file["home_policies"][0]
        return found(policy["policy_number"], "customer_file", f"home policy {policy['id']}")
    if source == SIMULATION and name in answers:
        value, record = answers[name]
        return found(value, "simulation", record)
    return found(None, "", "")

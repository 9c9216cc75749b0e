"""A home-insurance quote records the building: its address, its position (WGS 84, as a home
policy keeps it) and when it was built. Each field checked with its own error, under the
simulation's purpose, shown to the person, exported with the simulation and erased with it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from tests.api.conftest import Api, problem

from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.simulations import service
from lawful.simulations.models import SimulationBuilding
from lawful.simulations.schemas import BuildingCreate, SimulationCreate

from .conftest import new_person

BUILDING: dict[str, Any] = {
    "street": "Rue de la Loi",
    "number": "16",
    "postcode": "1000",
    "municipality": "Bruxelles",
    "latitude": 50.8466,
    "longitude": 4.3667,
    "construction_year": 1783,
}


def _quote(api: Api, **fields: Any) -> Any:
    body = {"product": "home-insurance", "language": "fr", "building": BUILDING} | fields
    return api.call(
        "POST", f"/persons/{api.alice.id}/simulations", token=api.alice.token, json=body
    )


def test_a_quote_keeps_the_building_and_shows_it_to_the_person(api: Api) -> None:
    made = _quote(api, building=BUILDING | {"number": "16 bus 2"})
    assert made.status_code == 201, made.text
    building = made.json()["building"]
    assert building == {
        "street": "Rue de la Loi",
        "number": "16 bus 2",
        "postcode": "1000",
        "municipality": "Bruxelles",
        "latitude": 50.8466,
        "longitude": 4.3667,
        "construction_year": 1783,
        "construction_date": None,
    }
    path = f"/persons/{api.alice.id}/simulations/{made.json()['id']}"
    again = api.call("GET", path, token=api.alice.token)
    assert again.json()["building"] == building
    listed = api.call("GET", f"/persons/{api.alice.id}/simulations", token=api.alice.token)
    assert building in [s["building"] for s in listed.json()]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"latitude": 48.85}, "building.latitude"),  # Paris
        ({"longitude": 7.0}, "building.longitude"),  # Germany
        ({"latitude": "NaN"}, "building.latitude"),
        ({"postcode": "0999"}, "building.postcode"),
        ({"postcode": "10000"}, "building.postcode"),
        ({"construction_year": 1100}, "building.construction_year"),
        ({"construction_year": dt.date.today().year + 10}, "building.construction_year"),
        ({"construction_date": "2019-02-30"}, "building.construction_date"),
        (
            {"construction_year": 2019, "construction_date": "2020-05-01"},
            "building.construction_date",
        ),
        ({"construction_year": None}, "building.construction_year"),  # neither year nor day
        ({"number": "twelve"}, "building.number"),
        ({"street": ""}, "building.street"),
        ({"municipality": "x" * 101}, "building.municipality"),
        ({"floor": 3}, "building.floor"),
    ],
)
def test_each_wrong_field_is_named(api: Api, change: dict[str, Any], field: str) -> None:
    response = _quote(api, building=BUILDING | change)
    assert response.status_code == 422, response.text
    body = problem(response)
    assert field in [e["field"] for e in body["errors"]], body


def test_a_building_belongs_to_a_home_insurance_quote_only(api: Api) -> None:
    response = _quote(api, product="loan")
    assert response.status_code == 422
    assert problem(response)["errors"] == [
        {"field": "building", "message": "a building is given for a home-insurance quote only"}
    ]


def test_a_day_of_construction_gives_the_year(api: Api) -> None:
    building = {k: v for k, v in BUILDING.items() if k != "construction_year"}
    made = _quote(api, building=building | {"construction_date": "2021-06-15"})
    assert made.status_code == 201, made.text
    assert made.json()["building"]["construction_year"] == 2021
    assert made.json()["building"]["construction_date"] == "2021-06-15"


def test_the_building_is_collected_under_the_simulations_purpose_as_property_data(
    session: Session, gate: Gate
) -> None:
    person = new_person(session, gate).id
    made = service.start(
        session,
        gate=gate,
        actor=Actor("self-service", "kbc-insurance"),
        person_id=person,
        data=SimulationCreate(
            product="home-insurance",  # type: ignore[arg-type]
            building=BuildingCreate.model_validate(BUILDING),
        ),
    )
    recorded = ledger.subject_ledger(session, keys=gate.keys, subject_id=person)
    (start,) = [e.record for e in recorded.events if e.record.event == service.Event.START]
    assert start.purpose == service.PURPOSE and start.entity == "kbc-insurance"
    assert "user.location.property" in start.data_categories
    # The register declares the category for the purpose, and says so in every language.
    purpose = gate.register.purpose(service.PURPOSE)
    assert "user.location.property" in purpose.data_categories
    assert "année de construction" in purpose.description["fr"]
    assert "bouwjaar" in purpose.description["nl"]
    assert "construction year" in purpose.description["en"]
    exported = service.export_person(
        session,
        gate=gate,
        actor=Actor("self-service", "kbc-insurance"),
        person_id=person,
        purpose="data-subject-rights",
        today=dt.date.today(),
    )
    (simulation,) = exported["simulations"]
    assert simulation["building"].startswith("Rue de la Loi 16, 1000 Bruxelles (50.846600")
    assert made.building is not None


def test_the_building_goes_with_the_simulation(session: Session, gate: Gate) -> None:
    person = new_person(session, gate).id
    data = SimulationCreate(
        product="home-insurance",  # type: ignore[arg-type]
        building=BuildingCreate.model_validate(BUILDING),
    )
    started = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
    made = service.start(
        session,
        gate=gate,
        actor=Actor("self-service", "kbc-insurance"),
        person_id=person,
        data=data,
        now=started,
    )
    kept = sa.select(sa.func.count()).where(SimulationBuilding.simulation_id == made.id)
    assert session.scalar(kept) == 1
    assert service.purge(session, gate=gate, now=dt.datetime.now(dt.UTC)) >= 1
    assert session.scalar(kept) == 0

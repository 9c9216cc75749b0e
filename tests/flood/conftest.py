"""Flood underwriting on the real gate over the database (the rights domain's fixtures), with
partner files made by the demo's generator around a few chosen points."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy.orm import Session
from tests.api.conftest import api, api_database_url
from tests.rights import factories
from tests.rights.conftest import gate, register

from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.demo import flood_data
from lawful.flood import geo

__all__ = ["api", "api_database_url", "gate", "register"]

INSURER, OTHER_INSURER = "kbc-insurance", "cbc-insurance"
ADVISOR = Actor("advisor", INSURER)
UNDERWRITER = Actor("underwriter", INSURER, "u-0001")
OTHER_UNDERWRITER = Actor("underwriter", OTHER_INSURER, "u-0002")
DECREE = dt.date(2019, 3, 1)
# Points near Ghent (WGS 84): two inside the zone drawn around them, one well outside.
INSIDE = (51.0500, 3.7200)
INSIDE_TOO = (51.0510, 3.7215)
OUTSIDE = (51.2000, 4.4000)


def lambert(lat: float, lon: float) -> tuple[float, float]:
    x, y = geo.to_lambert(np.array([lon]), np.array([lat]))
    return float(x[0]), float(y[0])


def partner_file(
    tmp: Path,
    *,
    decree: dt.date = DECREE,
    name: str = "partner.gpkg",
    epsg: int = geo.LAMBERT72,
    classes: tuple[str, str, str] = ("D", "C", "A"),
) -> Path:
    """A zone 1 km around INSIDE delimited on `decree`, a far one, and the partner's buildings
    at the three points (classes in the order INSIDE, INSIDE_TOO, OUTSIDE)."""
    cx, cy = lambert(*INSIDE)
    zones = [
        flood_data.Zone("RZ-GENT-1", "flanders", decree, shapely.Point(cx, cy).buffer(1_000)),
        flood_data.Zone(
            "RZ-FAR-1", "wallonia", dt.date(2012, 5, 4), shapely.Point(200_000, 90_000).buffer(500)
        ),
    ]
    points = [lambert(*p) for p in (INSIDE, INSIDE_TOO, OUTSIDE)]
    bx = np.array([p[0] for p in points])
    by = np.array([p[1] for p in points])
    path = tmp / name
    flood_data.write(path, zones, (bx, by, list(classes)), epsg=epsg)
    return path


def insured(
    session: Session,
    gate: Gate,
    at: tuple[float, float],
    year: int,
    *,
    entity: str = INSURER,
) -> tuple[str, int]:
    """A client of the insurer with a home policy at `at`, built in `year`: (person, policy)."""
    adviser = Actor("advisor", entity)
    person = customers.create_person(
        session,
        gate=gate,
        actor=adviser,
        data=factories.person(),
        entity_state="client",
        today=dt.date(2025, 1, 1),
    )
    policy = customers.add_home_policy(
        session,
        gate=gate,
        actor=adviser,
        person_id=person.id,
        data=factories.home_policy(
            latitude=at[0],
            longitude=at[1],
            construction_year=year,
            start_on=dt.date(2025, 1, 1),
            sum_insured_cents=40_000_000,
            premium_cents=70_000,
        ),
    )
    return person.id, policy.id

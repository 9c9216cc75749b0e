"""The demo's flood underwriting: the partner's file (synthetic rivers and zones over Belgium,
every insured building scored), imported and assigned as `lawful insurance flood` does, then two
showcase houses in one risk zone whose decree was published on 1 March 2019:
- one built in 2021, two years after the decree: refusal proposed, and refused once an
  underwriter has reviewed it, with their reasons (the customer can turn to the Bureau de
  tarification);
- one built in 1985, before the decree: covered, with the loading of its class (C, 25%)
  confirmed by the underwriter;
- and a quoted one: a bank client, the insurer's prospect since they asked for a quote, simulates
  home insurance in the app for a house built in 2022 in the same zone. The run assesses it with
  the insured houses; its refusal waits for an underwriter, and the person reads why, where to
  turn (the Bureau de tarification) and that they may contest it.
Every other proposal that loads or refuses waits in the underwriters' queue."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from sqlalchemy import Engine

from lawful.core.db import utcnow
from lawful.core.gate import Gate, unit_of_work
from lawful.core.policy.types import Actor
from lawful.demo import flood_data
from lawful.flood import geo
from lawful.flood import service as flood
from lawful.flood.schemas import AssignSummary, ReviewCreate
from lawful.simulations import service as simulations
from lawful.simulations.schemas import BuildingCreate, SimulationCreate

Progress = Callable[[str, int, int], None]
DECREE = dt.date(2019, 3, 1)
ZONE = "RZ-SHOWCASE-1"
# Where the showcase zone lies, by the region of the refused house: on the Meuse at Namur, on
# the Dijle at Leuven, on the Senne in Brussels (WGS 84).
CENTRES = {
    "wallonia": (50.4650, 4.8670),
    "flanders": (50.8798, 4.7005),
    "brussels": (50.8466, 4.3528),
}
UNDERWRITER = "uw-0001"
REASONS = {
    "refuse": {
        "fr": "Maison construite en 2021 dans la zone inondable délimitée en 2019, rez-de-chaussée "
        "sous le niveau de la crue de référence.",
        "nl": "Woning gebouwd in 2021 in de overstromingszone die in 2019 werd afgebakend, "
        "gelijkvloers onder het peil van de referentieoverstroming.",
        "en": "House built in 2021 in the flood zone delimited in 2019, ground floor below the "
        "reference flood level.",
    },
    "loading": {
        "fr": "Bâtiment antérieur à l'arrêté : couvert ; classe C confirmée par la visite.",
        "nl": "Gebouw ouder dan het besluit: gedekt; klasse C bevestigd bij het bezoek.",
        "en": "Building older than the decree: covered; class C confirmed by the visit.",
    },
}


QUOTE_BUILT = 2022
QUOTE_OFFSET = (-0.0015, 0.0020)  # from the refused house, inside the zone (about 200 m)


@dataclass(frozen=True)
class FloodShowcase:
    refused_policy: int
    covered_policy: int
    refused_person: str
    covered_person: str
    summary: AssignSummary | None = None
    quote_person: str | None = None
    quote: int | None = None  # the simulation, assessed with the insured houses


def prepare(
    home_policies: Sequence[dict[str, Any]],
    showcase: Sequence[str],
    relationships: list[dict[str, Any]] | None = None,
    *,
    today: dt.date | None = None,
) -> FloodShowcase:
    """Move two showcase houses into the showcase zone (same insurer), before they are written:
    the first showcase customer's house built in 2021, another's built in 1985. With the
    relationships: a bank client with no home policy becomes the insurer's prospect (they ask
    for a quote), the person whose quote `build` assesses."""
    by_person = {p["person_id"]: p for p in home_policies}
    first = by_person[showcase[0]]
    others = [by_person[s] for s in showcase[1:] if by_person[s]["entity"] == first["entity"]]
    others += [p for p in home_policies if p["entity"] == first["entity"] and p is not first]
    second = others[0]
    lat, lon = CENTRES[first["region"]]
    first.update(latitude=lat, longitude=lon, construction_year=2021)
    second.update(latitude=lat + 0.002, longitude=lon + 0.002, construction_year=1985)
    quoting = None
    if relationships is not None and today is not None:
        insured = set(by_person)
        quoting = next(
            (
                r["person_id"]
                for r in relationships
                if (r["entity"], r["state"], r["until"]) == ("kbc-bank", "client", None)
                and r["person_id"] not in insured
            ),
            None,
        )
        if quoting is not None:
            since = today - dt.timedelta(days=2)
            relationships.append(
                {
                    "person_id": quoting,
                    "entity": first["entity"],
                    "state": "prospect",
                    "since": since,
                    "until": None,
                }
            )
    return FloodShowcase(
        first["id"], second["id"], first["person_id"], second["person_id"], quote_person=quoting
    )


def _quote(
    engine: Engine, gate: Gate, person: str, entity: str, at: tuple[float, float], today: dt.date
) -> int:
    """The prospect's home-insurance quote in the app, with the house to insure, yesterday."""
    started = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(18, 40), tzinfo=dt.UTC)
    building = BuildingCreate(
        street="Quai des Joghiers" if at[0] < 50.6 else "Vaartkom",
        number="7",
        postcode="5000" if at[0] < 50.6 else "3000",
        municipality="Namur" if at[0] < 50.6 else "Leuven",
        latitude=at[0],
        longitude=at[1],
        construction_year=QUOTE_BUILT,
    )
    with unit_of_work(engine) as session:
        made = simulations.start(
            session,
            gate=gate,
            actor=Actor("self-service", entity),
            person_id=person,
            data=SimulationCreate.model_validate(
                {"product": "home-insurance", "entity": entity, "building": building}
            ),
            now=started,
        )
    return made.id


def build(
    engine: Engine,
    gate: Gate,
    home_policies: Sequence[dict[str, Any]],
    showcase: FloodShowcase,
    languages: dict[str, str],
    *,
    today: dt.date,
    seed: int,
    progress: Progress,
) -> FloodShowcase:
    zones = flood_data.zones(seed)
    lat, lon = next(
        (p["latitude"], p["longitude"]) for p in home_policies if p["id"] == showcase.refused_policy
    )
    cx, cy = geo.to_lambert(np.array([lon]), np.array([lat]))
    centre = shapely.Point(float(cx[0]), float(cy[0]))
    zones.append(flood_data.Zone(ZONE, "showcase", DECREE, centre.buffer(800)))
    entity = next(p["entity"] for p in home_policies if p["id"] == showcase.refused_policy)
    quoted_at = (lat + QUOTE_OFFSET[0], lon + QUOTE_OFFSET[1])
    quote = None
    if showcase.quote_person is not None:
        quote = _quote(engine, gate, showcase.quote_person, entity, quoted_at, today)
    # The partner scores every building in Belgium; here, every insured one and the quoted one.
    lons = [p["longitude"] for p in home_policies] + [quoted_at[1]]
    lats = [p["latitude"] for p in home_policies] + [quoted_at[0]]
    x, y = geo.to_lambert(np.array(lons, dtype=np.float64), np.array(lats, dtype=np.float64))
    classes = flood_data.classes_for(x, y, zones, seed)
    for i, p in enumerate(home_policies):
        if p["id"] == showcase.refused_policy:
            classes[i] = "D"
        elif p["id"] == showcase.covered_policy:
            classes[i] = "C"
    classes[-1] = "C"
    progress("flood data: the partner's file", 0, 1)
    with tempfile.TemporaryDirectory(prefix="lawful-flood-") as tmp:
        path = Path(tmp) / "flood-partner.gpkg"
        flood_data.write(path, zones, (x, y, classes))
        with unit_of_work(engine) as session:
            flood.import_file(session, path=path, now=utcnow())
    progress("flood data: the partner's file", 1, 1)
    with unit_of_work(engine) as session:
        summary = flood.assign(session, gate=gate, today=today, progress=progress)
    holder = {p["id"]: p["person_id"] for p in home_policies}
    underwriter = Actor("underwriter", entity, UNDERWRITER)
    with unit_of_work(engine) as session:
        for policy, outcome, loading in (
            (showcase.refused_policy, "refuse", 0),
            (showcase.covered_policy, "loading", 2_500),
        ):
            person = holder[policy]
            (mine,) = [
                a
                for a in flood.person_assessments(
                    session, gate=gate, actor=underwriter, person_id=person, lang="en", staff=True
                )
                if a.policy_id == policy
            ]
            lang = languages.get(person, "en")
            flood.review(
                session,
                gate=gate,
                actor=underwriter,
                assessment_id=mine.id,
                data=ReviewCreate(
                    outcome=outcome,
                    loading_bp=loading,
                    reasons=REASONS[outcome].get(lang, REASONS[outcome]["en"]),
                ),
                by=UNDERWRITER,
                now=utcnow(),
            )
    return FloodShowcase(
        showcase.refused_policy,
        showcase.covered_policy,
        showcase.refused_person,
        showcase.covered_person,
        summary,
        showcase.quote_person,
        quote,
    )

"""Synthetic flood data as the partner delivers it: rivers meandering across Belgium, risk zones
along them (each stretch delimited by its own royal decree), buildings scored A to D by their
distance to the water. Everything is made up; only the coordinate systems are real (Belgian
Lambert 72, EPSG:31370, and WGS 84)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from numpy.typing import NDArray

from lawful.flood import geo

# Belgium's land in Lambert 72, roughly: where rivers and buildings are drawn.
X0, X1, Y0, Y1 = 25_000.0, 290_000.0, 25_000.0, 240_000.0
STRETCH = 12  # river vertices per zone: a zone is one stretch of one river
ZONE_WIDTH = (120.0, 400.0)  # metres either side of the river


@dataclass(frozen=True)
class Zone:
    ref: str
    region: str
    decree_published_on: dt.date
    geometry: Any  # shapely polygon, EPSG:31370


def rivers(rng: np.random.Generator, count: int, length: int = 120) -> list[NDArray[np.float64]]:
    """Meandering polylines (vertices ~1 km apart) in Lambert 72."""
    out = []
    for _ in range(count):
        start = rng.uniform((X0, Y0), (X1, Y1))
        heading = rng.uniform(0, 2 * np.pi)
        turns = np.cumsum(rng.normal(0, 0.25, length)) + heading
        steps = np.column_stack((np.cos(turns), np.sin(turns))) * rng.uniform(
            700, 1_300, (length, 1)
        )
        line = start + np.cumsum(steps, axis=0)
        line[:, 0] = np.clip(line[:, 0], X0, X1)
        line[:, 1] = np.clip(line[:, 1], Y0, Y1)
        out.append(line)
    return out


def region_of(x: float, y: float) -> str:
    if 145_000 < x < 155_000 and 165_000 < y < 175_000:
        return "brussels"
    return "flanders" if y > 160_000 else "wallonia"


def zones(seed: int, river_count: int = 40) -> list[Zone]:
    rng = np.random.default_rng(seed)
    made = []
    for r, line in enumerate(rivers(rng, river_count)):
        for s in range(0, len(line) - 1, STRETCH):
            stretch = line[s : s + STRETCH + 1]
            if len(stretch) < 2:
                continue
            shape = shapely.buffer(shapely.linestrings(stretch), rng.uniform(*ZONE_WIDTH))
            published = dt.date(2008, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365 * 15)))
            cx, cy = stretch[len(stretch) // 2]
            made.append(Zone(f"RZ-{r:03d}-{s:03d}", region_of(cx, cy), published, shape))
    return made


def classes_for(
    x: NDArray[np.float64], y: NDArray[np.float64], zone_list: list[Zone], seed: int
) -> list[str]:
    """A class per building: D or C inside a zone, B near one, mostly A elsewhere."""
    rng = np.random.default_rng(seed + 1)
    index = geo.ZoneIndex(
        np.array([z.geometry for z in zone_list], dtype=object),
        [z.decree_published_on for z in zone_list],
    )
    inside = index.zone_of(x, y) >= 0
    draw = rng.random(len(x))
    return [
        ("D" if d < 0.5 else "C") if zone else ("B" if d < 0.15 else "A")
        for zone, d in zip(inside, draw, strict=True)
    ]


def addresses(
    seed: int, count: int, zone_list: list[Zone] | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Synthetic address points in Lambert 72: spread over the country, a tenth by the rivers."""
    rng = np.random.default_rng(seed + 2)
    x = rng.uniform(X0, X1, count)
    y = rng.uniform(Y0, Y1, count)
    if zone_list:
        near = rng.random(count) < 0.1
        picks = rng.integers(0, len(zone_list), int(near.sum()))
        centres = shapely.centroid(np.array([z.geometry for z in zone_list], dtype=object))
        x[near] = shapely.get_x(centres)[picks] + rng.normal(0, 300, len(picks))
        y[near] = shapely.get_y(centres)[picks] + rng.normal(0, 300, len(picks))
    return x, y


def write(
    path: Path,
    zone_list: list[Zone],
    buildings: tuple[NDArray[np.float64], NDArray[np.float64], list[str]],
    *,
    epsg: int = geo.LAMBERT72,
) -> None:
    """The partner's file: GeoPackage, GeoJSON or GeoParquet by the path's extension."""
    bx, by, classes = buildings
    geoms = np.concatenate(
        [np.array([z.geometry for z in zone_list], dtype=object), shapely.points(bx, by)]
    )
    if epsg == geo.WGS84:
        geoms = shapely.transform(
            geoms, lambda xy: np.column_stack(geo.to_wgs84(xy[:, 0], xy[:, 1]))
        )
    n = len(bx)
    table = pa.table(
        {
            "kind": ["risk_zone"] * len(zone_list) + ["building"] * n,
            "ref": [z.ref for z in zone_list] + [f"B{i:08d}" for i in range(n)],
            "region": [z.region for z in zone_list] + [None] * n,
            "decree_published_on": [z.decree_published_on.isoformat() for z in zone_list]
            + [None] * n,
            "flood_class": [None] * len(zone_list) + list(classes),
            "geometry": shapely.to_wkb(geoms),
        }
    )
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        meta = {
            "version": "1.1.0",
            "primary_column": "geometry",
            "columns": {"geometry": {"encoding": "WKB", "crs": f"EPSG:{epsg}"}},
        }
        # GeoParquet's crs is PROJJSON; pyproj gives it for the code.
        from pyproj import CRS

        meta["columns"]["geometry"]["crs"] = json.loads(CRS.from_epsg(epsg).to_json())  # type: ignore[index]
        table = table.replace_schema_metadata({b"geo": json.dumps(meta).encode()})
        pq.write_table(table, path)
        return
    import pyogrio

    driver = "GPKG" if suffix == ".gpkg" else "GeoJSON"
    if driver == "GeoJSON" and epsg != geo.WGS84:
        raise ValueError("GeoJSON is written in WGS 84 (RFC 7946)")
    pyogrio.write_arrow(
        table,
        path,
        driver=driver,
        geometry_name="geometry",
        geometry_type="Unknown",
        crs=f"EPSG:{epsg}",
    )

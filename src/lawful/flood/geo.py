"""Reading the partner's files and placing buildings in zones, vectorised (shapely, pyproj).

Every format gives the same table: one row per feature, `kind` `risk_zone` (a polygon, its
`ref`, `region` and `decree_published_on`) or `building` (a point, its `ref` and `flood_class`).
GeoPackage and GeoJSON are read through GDAL (pyogrio, straight into Arrow), GeoParquet through
pyarrow. Coordinates may be in Belgian Lambert 72 (EPSG:31370) or WGS 84 (EPSG:4326); everything
is kept in Lambert 72, which is metric: polygons are cut into cells there and distances are
metres.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import shapely
from numpy.typing import NDArray
from pyproj import CRS, Transformer

from lawful.core.errors import InvalidInput
from lawful.flood.rules import CLASSES

LAMBERT72, WGS84 = 31370, 4326
FORMATS = {".gpkg": "GeoPackage", ".geojson": "GeoJSON", ".json": "GeoJSON", ".parquet": "Parquet"}
# Belgium in Lambert 72, with a margin: a feature outside is a file in another system.
BELGIUM = (0.0, 0.0, 320_000.0, 260_000.0)
# Polygons are cut into cells this wide (metres): a long zone along a river becomes many small
# boxes in the index, so that a point is tested against the piece near it, not the whole river.
CELL = 2_000.0
# How far (metres) a policy's geocoded point may be from the partner's building to take its class.
MATCH_DISTANCE = 30.0
_TO_LAMBERT = Transformer.from_crs(WGS84, LAMBERT72, always_xy=True)
_TO_WGS84 = Transformer.from_crs(LAMBERT72, WGS84, always_xy=True)


@dataclass(frozen=True)
class Zones:
    refs: list[str]
    regions: list[str | None]
    decrees: list[dt.date]
    geometries: NDArray[Any]  # shapely polygons, EPSG:31370


@dataclass(frozen=True)
class Buildings:
    refs: list[str]
    x: NDArray[np.float64]
    y: NDArray[np.float64]
    classes: list[str]


@dataclass(frozen=True)
class PartnerData:
    zones: Zones
    buildings: Buildings


def to_lambert(
    lon: NDArray[np.float64], lat: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    x, y = _TO_LAMBERT.transform(lon, lat)
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def to_wgs84(
    x: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    lon, lat = _TO_WGS84.transform(x, y)
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def read(path: Path) -> PartnerData:
    """The file's zones and buildings in Lambert 72, or InvalidInput naming what is wrong."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InvalidInput(
            f"{path.name}: not a GeoPackage, GeoJSON or Parquet file (by its extension)",
            field="file",
        )
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    table, epsg = _parquet(path) if kind == "Parquet" else _gdal(path, kind)
    return _features(path.name, table, epsg)


def _gdal(path: Path, kind: str) -> tuple[pa.Table, int]:
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    try:
        meta, table = pyogrio.read_arrow(path)
    except (DataSourceError, DataLayerError, OSError, ValueError) as exc:
        # GDAL's first sentence says what is wrong; the rest is advice on its own syntax.
        reason = str(exc).split(";")[0].strip().rstrip(".")
        raise InvalidInput(f"{path.name}: not a readable {kind} file ({reason})") from None
    name = meta.get("geometry_name") or "wkb_geometry"
    if name not in table.column_names:
        raise InvalidInput(f"{path.name}: no geometry")
    table = table.rename_columns(["geometry" if c == name else c for c in table.column_names])
    # GeoJSON without a `crs` member is WGS 84 (RFC 7946).
    return table, _epsg(path.name, meta.get("crs") or f"EPSG:{WGS84}")


def _parquet(path: Path) -> tuple[pa.Table, int]:
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise InvalidInput(f"{path.name}: not a readable Parquet file ({exc})") from None
    crs: Any = f"EPSG:{WGS84}"  # GeoParquet without a crs is OGC:CRS84
    geo = (table.schema.metadata or {}).get(b"geo")
    if geo:
        try:
            column = json.loads(geo)["columns"]["geometry"]
        except (ValueError, KeyError, TypeError):
            raise InvalidInput(f"{path.name}: unreadable GeoParquet metadata") from None
        crs = column.get("crs", crs)
    return table, _epsg(path.name, crs)


def _epsg(name: str, crs: Any) -> int:
    try:
        code = CRS.from_user_input(crs).to_epsg()
    except Exception:  # pyproj raises its own CRSError and others on junk
        code = None
    if code not in (LAMBERT72, WGS84):
        raise InvalidInput(
            f"{name}: coordinates must be in EPSG:31370 (Belgian Lambert 72) or EPSG:4326 "
            f"(WGS 84), not {crs if isinstance(crs, str) else 'the one declared'}",
            field="file",
        )
    return int(code)


def _column(name: str, table: pa.Table, column: str) -> pa.ChunkedArray:
    if column not in table.column_names:
        raise InvalidInput(f"{name}: no column {column!r}", field=column)
    return table.column(column)


def _features(name: str, table: pa.Table, epsg: int) -> PartnerData:
    kinds = _column(name, table, "kind").cast(pa.string())
    refs = _column(name, table, "ref").cast(pa.string()).to_pylist()
    wkb = _column(name, table, "geometry").to_numpy(zero_copy_only=False)
    unknown = pc.invert(pc.is_in(kinds, pa.array(["risk_zone", "building"]))).to_numpy(
        zero_copy_only=False
    )
    _first_bad(name, unknown, "kind is not risk_zone or building")
    _first_bad(name, np.array([not r for r in refs]), "no ref")
    try:
        geoms = shapely.from_wkb(wkb)
    except shapely.errors.GEOSException as exc:
        raise InvalidInput(
            f"{name}: a geometry is not valid WKB ({exc})", field="geometry"
        ) from None
    is_zone = pc.equal(kinds, "risk_zone").to_numpy(zero_copy_only=False)
    types = shapely.get_type_id(geoms)
    polygon = np.isin(types, (3, 6))  # Polygon, MultiPolygon
    _first_bad(name, is_zone & ~polygon, "a risk zone must be a polygon")
    _first_bad(name, ~is_zone & (types != 0), "a building must be a point")
    if epsg == WGS84:
        geoms = shapely.transform(geoms, lambda xy: np.column_stack(to_lambert(xy[:, 0], xy[:, 1])))
    bounds = shapely.bounds(geoms)
    outside = (
        (bounds[:, 0] < BELGIUM[0])
        | (bounds[:, 1] < BELGIUM[1])
        | (bounds[:, 2] > BELGIUM[2])
        | (bounds[:, 3] > BELGIUM[3])
        | np.isnan(bounds).any(axis=1)
    )
    _first_bad(name, outside, "a geometry lies outside Belgium")
    zone_rows = np.flatnonzero(is_zone)
    building_rows = np.flatnonzero(~is_zone)
    zones = _zones(name, table, refs, geoms, zone_rows)
    return PartnerData(zones, _buildings(name, table, refs, geoms, building_rows))


def _zones(
    name: str, table: pa.Table, refs: list[str], geoms: NDArray[Any], rows: NDArray[np.intp]
) -> Zones:
    if not len(rows):
        raise InvalidInput(f"{name}: no risk zone")
    published = _column(name, table, "decree_published_on").cast(pa.string()).to_pylist()
    regions = (
        table.column("region").cast(pa.string()).to_pylist()
        if "region" in table.column_names
        else [None] * table.num_rows
    )
    decrees = []
    for i in rows:
        try:
            decrees.append(dt.date.fromisoformat(str(published[i])[:10]))
        except ValueError:
            raise InvalidInput(
                f"{name}: feature {i + 1} ({refs[i]}): decree_published_on "
                f"{published[i]!r} is not a date",
                field="decree_published_on",
            ) from None
    zone_refs = [refs[i] for i in rows]
    if len(set(zone_refs)) != len(zone_refs):
        raise InvalidInput(f"{name}: a risk zone's ref appears twice", field="ref")
    shapes = shapely.make_valid(geoms[rows])
    return Zones(zone_refs, [regions[i] for i in rows], decrees, shapes)


def _buildings(
    name: str, table: pa.Table, refs: list[str], geoms: NDArray[Any], rows: NDArray[np.intp]
) -> Buildings:
    if not len(rows):
        return Buildings([], np.empty(0), np.empty(0), [])
    classes = _column(name, table, "flood_class").cast(pa.string())
    taken = classes.take(pa.array(rows))
    bad = pc.invert(pc.fill_null(pc.is_in(taken, pa.array(CLASSES)), False))
    bad_rows = np.flatnonzero(bad.to_numpy(zero_copy_only=False))
    if len(bad_rows):
        i = int(rows[bad_rows[0]])
        raise InvalidInput(
            f"{name}: feature {i + 1} ({refs[i]}): flood_class must be one of {', '.join(CLASSES)}",
            field="flood_class",
        )
    points = geoms[rows]
    return Buildings(
        [refs[i] for i in rows],
        shapely.get_x(points),
        shapely.get_y(points),
        taken.to_pylist(),
    )


def _first_bad(name: str, mask: NDArray[np.bool_], what: str) -> None:
    rows = np.flatnonzero(mask)
    if len(rows):
        raise InvalidInput(f"{name}: feature {int(rows[0]) + 1}: {what}")


class ZoneIndex:
    """Risk zones cut into the cells of a CELL-wide grid over Belgium: the grid is the index.
    A point is tested only against the pieces of its own cell (shapely's vectorised
    `intersects_xy` on prepared pieces); the nine cells in ten with no zone cost a lookup.
    Zones are ordered by decree date, so that a point in several zones falls in the one
    delimited first (the earliest decree is the one from which the place is a risk zone)."""

    def __init__(self, geometries: NDArray[Any], decrees: list[dt.date]) -> None:
        order = np.argsort(np.array(decrees, dtype="datetime64[D]"), kind="stable")
        pieces, owner = _subdivide(geometries[order])
        # A piece's owner as a rank in decree order: the smallest rank wins.
        self._order = order
        self._owner_rank = owner
        self._pieces = pieces
        shapely.prepare(pieces)
        self._nx = int(np.ceil((BELGIUM[2] - BELGIUM[0]) / CELL))
        self._ny = int(np.ceil((BELGIUM[3] - BELGIUM[1]) / CELL))
        cells: dict[int, list[int]] = {}
        for k, (x0, y0, x1, y1) in enumerate(shapely.bounds(pieces)):
            for ix in range(self._ix(x0), self._ix(x1) + 1):
                for iy in range(self._iy(y0), self._iy(y1) + 1):
                    cells.setdefault(ix * self._ny + iy, []).append(k)
        self._cells = cells
        self._has = np.zeros(self._nx * self._ny, dtype=bool)
        self._has[list(cells)] = True

    def _ix(self, x: float) -> int:
        return min(max(int((x - BELGIUM[0]) // CELL), 0), self._nx - 1)

    def _iy(self, y: float) -> int:
        return min(max(int((y - BELGIUM[1]) // CELL), 0), self._ny - 1)

    def zone_of(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.int64]:
        """For each point, the index of its zone in the input order, or -1 for none."""
        found = np.full(len(x), -1, dtype=np.int64)
        if not len(x) or not len(self._pieces):
            return found
        ix = np.clip(((x - BELGIUM[0]) // CELL).astype(np.int64), 0, self._nx - 1)
        iy = np.clip(((y - BELGIUM[1]) // CELL).astype(np.int64), 0, self._ny - 1)
        cell = ix * self._ny + iy
        candidates = np.flatnonzero(self._has[cell])
        if not len(candidates):
            return found
        by_cell = candidates[np.argsort(cell[candidates], kind="stable")]
        sorted_cells = cell[by_cell]
        starts = np.flatnonzero(np.r_[True, sorted_cells[1:] != sorted_cells[:-1]])
        ends = np.r_[starts[1:], len(by_cell)]
        rank = np.full(len(x), np.iinfo(np.int64).max, dtype=np.int64)
        for start, end in zip(starts, ends, strict=True):
            points = by_cell[start:end]
            px, py = x[points], y[points]
            for k in self._cells[int(sorted_cells[start])]:
                inside = shapely.intersects_xy(self._pieces[k], px, py)
                if inside.any():
                    hit = points[inside]
                    rank[hit] = np.minimum(rank[hit], self._owner_rank[k])
        placed = rank != np.iinfo(np.int64).max
        found[placed] = self._order[rank[placed]]
        return found


def _subdivide(geometries: NDArray[Any]) -> tuple[NDArray[Any], NDArray[np.int64]]:
    """Each polygon cut by a CELL-wide grid; the pieces and the polygon each came from."""
    pieces: list[Any] = []
    owner: list[int] = []
    for i, geom in enumerate(geometries):
        x0, y0, x1, y1 = shapely.bounds(geom)
        if x1 - x0 <= CELL and y1 - y0 <= CELL:
            pieces.append(geom)
            owner.append(i)
            continue
        xs = np.arange(np.floor(x0 / CELL) * CELL, x1, CELL)
        ys = np.arange(np.floor(y0 / CELL) * CELL, y1, CELL)
        gx, gy = np.meshgrid(xs, ys)
        boxes = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + CELL, gy.ravel() + CELL)
        boxes = boxes[shapely.intersects(geom, boxes)]
        cut = shapely.intersection(geom, boxes)
        cut = cut[~shapely.is_empty(cut)]
        pieces.extend(cut)
        owner.extend([i] * len(cut))
    return np.array(pieces, dtype=object), np.array(owner, dtype=np.int64)


def nearest_building(
    buildings_x: NDArray[np.float64],
    buildings_y: NDArray[np.float64],
    x: NDArray[np.float64],
    y: NDArray[np.float64],
) -> NDArray[np.int64]:
    """For each point, the index of the partner's building within MATCH_DISTANCE, or -1."""
    found = np.full(len(x), -1, dtype=np.int64)
    if not len(x) or not len(buildings_x):
        return found
    tree = shapely.STRtree(shapely.points(buildings_x, buildings_y))
    point_idx, building_idx = tree.query_nearest(
        shapely.points(x, y), max_distance=MATCH_DISTANCE, all_matches=False
    )
    found[point_idx] = building_idx
    return found

"""The partner's files: the same data read from GeoPackage, GeoJSON and GeoParquet in either
coordinate system; a bad file is refused with a clear message and changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from lawful.core.errors import InvalidInput
from lawful.flood import geo, service
from lawful.flood.models import FloodBuilding, FloodImport, FloodZone

from .conftest import INSIDE, lambert, partner_file

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("name", "epsg"),
    [
        ("p.gpkg", geo.LAMBERT72),
        ("p.gpkg", geo.WGS84),
        ("p.geojson", geo.WGS84),
        ("p.parquet", geo.LAMBERT72),
        ("p.parquet", geo.WGS84),
    ],
)
def test_every_format_and_system_gives_the_same_data(tmp_path: Path, name: str, epsg: int) -> None:
    data = geo.read(partner_file(tmp_path, name=name, epsg=epsg))
    assert data.zones.refs == ["RZ-GENT-1", "RZ-FAR-1"]
    assert data.zones.decrees[0] == dt.date(2019, 3, 1)
    assert data.buildings.classes == ["D", "C", "A"]
    x, y = lambert(*INSIDE)
    assert abs(data.buildings.x[0] - x) < 1 and abs(data.buildings.y[0] - y) < 1
    assert abs(data.zones.geometries[0].area - np.pi * 1_000**2) < 0.01 * np.pi * 1_000**2


def _parquet(path: Path, **columns: list[object]) -> Path:
    pq.write_table(pa.table(columns), path)
    return path


def _point(x: float, y: float) -> bytes:
    import shapely

    return bytes(shapely.to_wkb(shapely.Point(x, y)))


def _bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    good = partner_file(tmp, name="good.parquet")
    table = pq.read_table(good)

    def variant(name: str, column: str, values: list[object]) -> Path:
        i = table.column_names.index(column)
        pq.write_table(table.set_column(i, column, pa.array(values)), tmp / name)
        return tmp / name

    n = table.num_rows
    return {
        "extension": (tmp / "zones.shp", "not a GeoPackage, GeoJSON or Parquet"),
        "garbage": (_write(tmp / "junk.gpkg", b"not a database"), "not a readable GeoPackage"),
        "json": (_write(tmp / "junk.geojson", b"{"), "not a readable GeoJSON"),
        "parquet": (_write(tmp / "junk.parquet", b"PAR1"), "not a readable Parquet"),
        "column": (
            _parquet(tmp / "nokind.parquet", ref=["a"], geometry=[_point(1e5, 1e5)]),
            "no column 'kind'",
        ),
        "class": (
            variant("class.parquet", "flood_class", [None, None, "D", "Z", "A"]),
            "flood_class must be one of A, B, C, D",
        ),
        "date": (
            variant("date.parquet", "decree_published_on", ["2019-02-30", *[None] * (n - 1)]),
            "is not a date",
        ),
        "kind": (
            variant("kind.parquet", "kind", ["river", *table.column("kind").to_pylist()[1:]]),
            "kind is not risk_zone or building",
        ),
        "shape": (
            variant("shape.parquet", "kind", ["risk_zone"] * n),
            "a risk zone must be a polygon",
        ),
        "outside": (
            variant(
                "outside.parquet",
                "geometry",
                [*table.column("geometry").to_pylist()[:-1], _point(9e6, 9e6)],
            ),
            "outside Belgium",
        ),
    }


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def test_a_file_in_another_coordinate_system_is_refused(tmp_path: Path) -> None:
    path = partner_file(tmp_path, name="p.parquet")
    table = pq.read_table(path)
    geo_meta = json.loads(table.schema.metadata[b"geo"])
    geo_meta["columns"]["geometry"]["crs"] = "EPSG:3857"
    pq.write_table(table.replace_schema_metadata({b"geo": json.dumps(geo_meta)}), path)
    with pytest.raises(InvalidInput, match="EPSG:31370"):
        geo.read(path)


def test_a_bad_file_is_refused_and_the_data_before_it_stay_whole(
    session: Session, tmp_path: Path
) -> None:
    first = service.import_file(session, path=partner_file(tmp_path), now=NOW)
    before = _counts(session)
    for case, (path, message) in _bad_files(tmp_path).items():
        with pytest.raises(InvalidInput, match=message), session.begin_nested():
            service.import_file(session, path=path, now=NOW)
        assert _counts(session) == before, case
    assert before == (2, 3, first.import_id)


def test_an_import_replaces_the_data_set_whole(session: Session, tmp_path: Path) -> None:
    service.import_file(session, path=partner_file(tmp_path), now=NOW)
    again = service.import_file(
        session, path=partner_file(tmp_path, name="again.geojson", epsg=geo.WGS84), now=NOW
    )
    assert (again.zones, again.buildings) == (2, 3)
    assert _counts(session)[:2] == (2, 3)


def _counts(session: Session) -> tuple[int, int, int | None]:
    zones = session.scalar(sa.select(sa.func.count()).select_from(FloodZone))
    buildings = session.scalar(sa.select(sa.func.count()).select_from(FloodBuilding))
    last = session.scalar(sa.select(sa.func.max(FloodImport.id)))
    return int(zones or 0), int(buildings or 0), last

"""Flood benchmark: zone assignment of synthetic Belgian addresses beside geopandas' `sjoin`, and
the reinsurance bordereau beside a plain pyarrow write of the same columns.

Assignment (`lawful.flood.geo.ZoneIndex`, what `lawful insurance flood assign` uses): N address
points in Lambert 72 (EPSG:31370), a tenth by the synthetic rivers, against the synthetic risk
zones cut into 2 km cells; the anchor is a plain `geopandas.sjoin(points, zones,
predicate="within")` on the same arrays (GeoDataFrame construction included, as ours includes
its grid). Both must place the same points in a zone.

Bordereau, two measures:
  export  N policies as the service builds them (`BordereauRow`, pseudonym, flood class) written
          as Parquet by `insurance.export.write`; the anchor is `pyarrow.parquet.write_table` of
          the same six columns from plain lists;
  whole   `insurance.service.bordereau` on a SQLite file of M policies (default 50 000): the
          portfolio read, the claims, the flood classes, the gate's bulk decision and the
          transfer recorded as one batch disclosure to the reinsurer whose members are the
          policyholders, then the Parquet file; its rate, and the time it would take for N at
          that rate. Its parts are timed too (`parts_s`).

Run: `.venv/bin/python -m bench flood` (results in bench/results/flood.json); sizes from
LAWFUL_BENCH_FLOOD_ADDRESSES (5 000 000), LAWFUL_BENCH_BORDEREAU (1 000 000) and
LAWFUL_BENCH_BORDEREAU_DB (50 000).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console

from bench.clients import clients
from bench.home import scratch_home
from lawful.config import Settings
from lawful.core.db import session_scope, utcnow
from lawful.core.ledger import service as ledger
from lawful.customers import service as customers
from lawful.demo import flood_data
from lawful.entrypoints import bootstrap
from lawful.flood import geo
from lawful.flood import repository as flood_repository
from lawful.insurance import export
from lawful.insurance import service as insurance
from lawful.insurance.schemas import Bordereau, BordereauRow, Period, TreatyRead

RESULTS = Path(__file__).parent / "results"
ADDRESSES = int(os.environ.get("LAWFUL_BENCH_FLOOD_ADDRESSES", "5000000"))
POLICIES = int(os.environ.get("LAWFUL_BENCH_BORDEREAU", "1000000"))
DB_POLICIES = int(os.environ.get("LAWFUL_BENCH_BORDEREAU_DB", "50000"))
SEED = 20261207
LOAD = 20_000
TREATY = TreatyRead(
    code="QS-BENCH",
    kind="quota_share",
    entity="kbc-insurance",
    reinsurer="reinsurers-treaty",
    share_bp=4000,
    retention_cents=None,
    starts_on=dt.date(2026, 1, 1),
    ends_on=dt.date(2026, 12, 31),
)


def assignment(console: Console) -> dict[str, Any]:
    import geopandas as gpd

    zones = flood_data.zones(SEED, river_count=60)
    x, y = flood_data.addresses(SEED, ADDRESSES, zones)
    shapes = np.array([z.geometry for z in zones], dtype=object)
    decrees = [z.decree_published_on for z in zones]
    began, cpu = time.perf_counter(), time.process_time()
    index = geo.ZoneIndex(shapes, decrees)
    found = index.zone_of(x, y)
    ours_s, ours_cpu = time.perf_counter() - began, time.process_time() - cpu
    began, cpu = time.perf_counter(), time.process_time()
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=geo.LAMBERT72)
    polygons = gpd.GeoDataFrame({"zone": np.arange(len(zones))}, geometry=shapes, crs=geo.LAMBERT72)
    joined = gpd.sjoin(points, polygons, predicate="within", how="inner")
    anchor_s, anchor_cpu = time.perf_counter() - began, time.process_time() - cpu
    ours_in = int((found >= 0).sum())
    anchor_in = int(joined.index.nunique())
    assert ours_in == anchor_in, (ours_in, anchor_in)
    result = {
        "addresses": ADDRESSES,
        "zones": len(zones),
        "in_a_zone": ours_in,
        "ours_s": ours_s,
        "ours_cpu_s": ours_cpu,
        "geopandas_sjoin_s": anchor_s,
        "geopandas_sjoin_cpu_s": anchor_cpu,
        "vs_geopandas": anchor_s / ours_s,
    }
    console.print(
        f"zone assignment of {ADDRESSES:,} addresses over {len(zones)} zones "
        f"({ours_in:,} in a zone): lawful {ours_s:.2f} s (CPU {ours_cpu:.2f} s); geopandas "
        f"sjoin {anchor_s:.2f} s (CPU {anchor_cpu:.2f} s); x{result['vs_geopandas']:.1f}"
    )
    return result


def export_stage(console: Console, tmp: Path) -> dict[str, Any]:
    rng = np.random.default_rng(SEED)
    postcodes = [f"{p}" for p in rng.integers(1000, 9999, POLICIES)]
    sums = (rng.integers(150_000, 900_000, POLICIES) * 100).tolist()
    premiums = [s * 18 // 10_000 for s in sums]
    classes = rng.choice(np.array(["A", "B", "C", "D", ""]), POLICIES).tolist()
    claims = rng.integers(0, 3, POLICIES).tolist()
    holders = [f"{i:032x}" for i in range(POLICIES)]
    pseudonym = _pseudonymiser()
    began, cpu = time.perf_counter(), time.process_time()
    rows = [
        BordereauRow(
            policyholder=pseudonym(h),
            postcode=p,
            sum_insured_cents=s,
            premium_cents=q,
            flood_class=c or None,
            claims=n,
        )
        for h, p, s, q, c, n in zip(
            holders, postcodes, sums, premiums, classes, claims, strict=True
        )
    ]
    made = Bordereau(TREATY, Period.parse("2026-Q4"), rows, POLICIES, 0)
    export.write(made, tmp / "ours.parquet", "parquet")
    ours_s, ours_cpu = time.perf_counter() - began, time.process_time() - cpu
    began, cpu = time.perf_counter(), time.process_time()
    plain = pa.table(
        {
            "policyholder": [r.policyholder for r in rows],
            "postcode": postcodes,
            "sum_insured_cents": pa.array(sums, pa.int64()),
            "premium_cents": pa.array(premiums, pa.int64()),
            "flood_class": [c or None for c in classes],
            "claims": pa.array(claims, pa.int32()),
        }
    )
    pq.write_table(plain, tmp / "plain.parquet")
    anchor_s, anchor_cpu = time.perf_counter() - began, time.process_time() - cpu
    assert pq.read_table(tmp / "ours.parquet").num_rows == POLICIES
    result = {
        "policies": POLICIES,
        "ours_s": ours_s,
        "ours_cpu_s": ours_cpu,
        "pyarrow_write_s": anchor_s,
        "pyarrow_write_cpu_s": anchor_cpu,
        "vs_pyarrow": ours_s / anchor_s,
    }
    console.print(
        f"bordereau export of {POLICIES:,} policies (rows, pseudonyms, Parquet): {ours_s:.2f} s "
        f"(CPU {ours_cpu:.2f} s); plain pyarrow write of the same columns {anchor_s:.2f} s "
        f"(CPU {anchor_cpu:.2f} s); x{result['vs_pyarrow']:.1f} its time"
    )
    return result


def _pseudonymiser() -> Any:
    from bench.home import keyring

    return keyring().recipient_pseudonymiser(TREATY.reinsurer)


def whole(console: Console, tmp: Path, home: Path) -> dict[str, Any]:
    settings = Settings(database_url=f"sqlite:///{tmp}/bordereau.db", home=home)
    bootstrap.init(settings)
    rt = bootstrap.open_runtime(settings)
    try:
        _load(rt.engine, DB_POLICIES)
        with session_scope(rt.engine) as session:
            insurance.create_treaty(
                session,
                gate=rt.gate,
                data=insurance.treaty_from(TREATY.model_dump()),
            )
        parts: dict[str, float] = {}
        states = rt.gate.states
        with (
            _timed(parts, "subject_states", states, "load"),
            _timed(parts, "ledger_batch", ledger, "append_batch"),
            _timed(parts, "parquet", export, "write"),
        ):
            began, cpu = time.perf_counter(), time.process_time()
            with session_scope(rt.engine) as session:
                made = insurance.bordereau(
                    session,
                    gate=rt.gate,
                    treaty_code=TREATY.code,
                    period="2026-Q4",
                    today=dt.date(2026, 12, 7),
                )
                export.write(made, tmp / "whole.parquet", "parquet")
            whole_s, whole_cpu = time.perf_counter() - began, time.process_time() - cpu
        parts["commit_and_rest"] = whole_s - sum(parts.values())
    finally:
        rt.engine.dispose()
    assert len(made.rows) == DB_POLICIES and sum(1 for r in made.rows if r.flood_class)
    rate = DB_POLICIES / whole_s
    result = {
        "policies": DB_POLICIES,
        "whole_s": whole_s,
        "whole_cpu_s": whole_cpu,
        "whole_per_s": rate,
        "whole_extrapolated_to_n_s": POLICIES / rate,
        "parts_s": parts,
    }
    console.print(
        f"whole bordereau (SQLite, gate, one batch disclosure) of {DB_POLICIES:,} policies: "
        f"{whole_s:.2f} s (CPU {whole_cpu:.2f} s; {rate:,.0f}/s; {POLICIES:,} would take "
        f"{POLICIES / rate:.0f} s); "
        "of which " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in parts.items())
    )
    return result


@contextmanager
def _timed(parts: dict[str, float], name: str, owner: Any, attribute: str) -> Iterator[None]:
    """Add the time spent in `owner.attribute` to `parts[name]` while the block runs."""
    original = getattr(owner, attribute)
    own = attribute in vars(owner)  # a module's function, not an instance's method

    def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            parts[name] = parts.get(name, 0.0) + time.perf_counter() - began

    setattr(owner, attribute, timed)
    try:
        yield
    finally:
        if own:
            setattr(owner, attribute, original)
        else:
            delattr(owner, attribute)


def _load(engine: Any, n: int) -> None:
    now = utcnow()
    for start in range(0, n, LOAD):
        ids = range(start + 1, min(n, start + LOAD) + 1)
        with session_scope(engine) as session:
            customers.bulk_insert(
                session,
                **clients(ids, now=now, entity="kbc-insurance"),
                home_policies=[
                    {
                        "id": i,
                        "person_id": f"{i:032x}",
                        "entity": "kbc-insurance",
                        "policy_number": f"HP{i:09d}",
                        "street": "Kouter 1",
                        "postcode": f"{1000 + i % 8999}",
                        "city": "Gent",
                        "region": "flanders",
                        "latitude": 51.05,
                        "longitude": 3.72,
                        "construction_year": 1960 + i % 60,
                        "start_on": dt.date(2021, 1, 1),
                        "end_on": None,
                        "sum_insured_cents": 30_000_000 + i,
                        "premium_cents": 60_000,
                    }
                    for i in ids
                ],
            )
            flood_repository.replace_assessments(
                session,
                [
                    {
                        "policy_id": i,
                        "person_id": f"{i:032x}",
                        "entity": "kbc-insurance",
                        "zone_ref": None,
                        "decree_published_on": None,
                        "flood_class": "ABCD"[i % 4],
                        "construction_year": 1960 + i % 60,
                        "proposed": "cover",
                        "proposed_loading_bp": 0,
                        "refusable": False,
                        "status": "in_effect",
                        "decided": "cover",
                        "decided_loading_bp": 0,
                        "assessed_on": dt.date(2026, 12, 1),
                    }
                    for i in ids
                ],
            )


def run() -> dict[str, Any]:
    console = Console(width=120)
    result: dict[str, Any] = {"assignment": assignment(console)}
    with (
        tempfile.TemporaryDirectory(prefix="lawful-bench-flood-") as tmp,
        scratch_home(Path(tmp) / "home") as home,
    ):
        result["bordereau_export"] = export_stage(console, Path(tmp))
        result["bordereau_whole"] = whole(console, Path(tmp), home)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "flood.json").write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    run()

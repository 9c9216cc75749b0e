"""Writing a bordereau: CSV for anyone, Parquet (typed columns) through pyarrow."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from lawful.core.errors import InvalidInput
from lawful.insurance.schemas import COLUMNS, Bordereau

FORMATS = ("csv", "parquet")

_SCHEMA = pa.schema(
    [
        ("policyholder", pa.string()),
        ("postcode", pa.string()),
        ("sum_insured_cents", pa.int64()),
        ("premium_cents", pa.int64()),
        ("flood_class", pa.string()),
        ("claims", pa.int32()),
    ]
)


def write(bordereau: Bordereau, path: Path, fmt: str) -> None:
    """Write the file whole or not at all: a temporary name renamed over the target."""
    if fmt not in FORMATS:
        raise InvalidInput(f"format {fmt!r} is not one of {', '.join(FORMATS)}", field="format")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if fmt == "csv":
            with tmp.open("w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                writer.writerow(COLUMNS)
                for r in bordereau.rows:
                    writer.writerow(
                        "" if v is None else v for v in (getattr(r, c) for c in COLUMNS)
                    )
        else:
            columns = {c: [getattr(r, c) for r in bordereau.rows] for c in COLUMNS}
            pq.write_table(pa.table(columns, schema=_SCHEMA), tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)

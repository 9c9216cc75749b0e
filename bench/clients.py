"""Synthetic clients for the benchmarks that load a world set-based: person `i` is `f"{i:032x}"`,
Dutch-speaking, a client of `entity` since 2020."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any


def person_id(i: int) -> str:
    return f"{i:032x}"


def clients(ids: Iterable[int], *, now: dt.datetime, entity: str = "kbc-bank") -> dict[str, Any]:
    """`persons` and `relationships` rows for `customers.bulk_insert`."""
    ids = list(ids)
    return {
        "persons": [
            {"id": person_id(i), "brand": "kbc", "language": "nl", "created_at": now} for i in ids
        ],
        "relationships": [
            {
                "person_id": person_id(i),
                "entity": entity,
                "state": "client",
                "since": dt.date(2020, 1, 1),
            }
            for i in ids
        ],
    }

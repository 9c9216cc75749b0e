"""The demo's reinsurance: a quota share per insurer with the treaty reinsurers, and the
largest KBC risks placed facultatively with Rhenus Re; bordereaux are left to the command."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine

from lawful.core.gate import Gate, unit_of_work
from lawful.insurance import service as insurance

FACULTATIVE_RISKS = 25


def build(
    engine: Engine, gate: Gate, home_policies: Sequence[dict[str, Any]], *, today: dt.date
) -> list[str]:
    """Record the treaties (codes returned) for the current year."""
    year = today.year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    made = []
    with unit_of_work(engine) as session:
        for entity, prefix in (("kbc-insurance", "KBC"), ("cbc-insurance", "CBC")):
            code = f"QS-{year}-{prefix}-HOME"
            terms = {"kind": "quota_share", "share_bp": 4000, "reinsurer": "reinsurers-treaty"}
            insurance.create_treaty(
                session,
                gate=gate,
                data=insurance.treaty_from(
                    {"code": code, "entity": entity, "starts_on": start, "ends_on": end, **terms}
                ),
            )
            made.append(code)
        code = f"FAC-{year}-KBC-RHENUS"
        insurance.create_treaty(
            session,
            gate=gate,
            data=insurance.treaty_from(
                {
                    "code": code,
                    "kind": "facultative",
                    "entity": "kbc-insurance",
                    "reinsurer": "rhenus-re",
                    "starts_on": start,
                    "ends_on": end,
                }
            ),
        )
        kbc = [p for p in home_policies if p["entity"] == "kbc-insurance"]
        largest = sorted(kbc, key=lambda p: -int(p["sum_insured_cents"]))[:FACULTATIVE_RISKS]
        insurance.place_policies(
            session, treaty_code=code, policy_ids=[p["id"] for p in largest], on=start
        )
        made.append(code)
    return made

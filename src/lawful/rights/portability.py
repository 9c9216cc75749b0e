"""Portability (Art. 20): the data the person provided, in a common machine-readable format.

Exactly what Art. 20(1) covers: data processed on the basis of the contract or of consent (as the
register declares it, purpose by purpose), that the person provided:
- provided: what the person gave us themselves (identity, contact and language, notification
  settings, consents);
- observed: what their own use of our products produced — accounts and cards with their
  statements — and the home policies they took out, as they described the insured building. The
  EDPB (WP242 rev.01) counts such raw data as provided.
Not carried: what rests on a legal obligation (AML identification records) or on legitimate
interest (the file's history of corrections), and what we worked out or decided ourselves
(relationship states, loan terms, the region and brand derived from the postcode, the insured
building's coordinates). The access report shows all of it.

Beyond what Art. 20 requires, two things the person entered themselves are carried as provided,
although they are processed on legitimate interest: their notification settings and choices
(Profile > Notifications), and the simulations they made, with the answers of every step
(`flows.portability` adds them).

The archive holds `data.json` (everything, nested) and one CSV per section (`provided/identity.csv`,
`observed/cards.csv`, …); a list nested in a section gets a CSV of its own
(`observed/cards_statements.csv`, whose rows carry their card's id).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from lawful.core.gate import Gate
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.rights.requests import (
    PURPOSE,
    RightsEvent,
    answered_request,
    complete_request,
    record,
)
from lawful.rights.schemas import RequestType

FORMAT = "lawful-portability/1"
Rows = list[dict[str, Any]]


def portability(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    today: dt.date | None = None,
    request_id: int | None = None,
    registered_by: str | None = None,
    also_provided: Callable[[], Mapping[str, Any]] | None = None,
) -> bytes:
    """The archive; `also_provided`, called once the request stands, adds sections other
    domains hold of what the person gave us (the portability use case passes them)."""
    day = today or dt.date.today()
    request_id = answered_request(
        session,
        gate=gate,
        actor=actor,
        person_id=person_id,
        kind=RequestType.PORTABILITY,
        today=day,
        request_id=request_id,
        registered_by=registered_by,
    )
    provided, observed = customers.portable_data(
        session, gate=gate, actor=actor, person_id=person_id
    )
    if also_provided is not None:
        provided |= also_provided()
    record(
        session,
        gate,
        actor,
        person_id,
        event=RightsEvent.PORTABILITY_EXPORT,
        today=day,
        categories=gate.register.purpose(PURPOSE).data_categories,
        details={"request_id": request_id, "sections": [*provided, *observed]},
    )
    archive = build_archive(person_id, day, provided, observed)
    complete_request(
        session,
        gate=gate,
        actor=actor,
        request_id=request_id,
        today=day,
        outcome={"answered": "portability", "bytes": len(archive)},
    )
    return archive


def build_archive(
    person_id: str,
    day: dt.date,
    provided: Mapping[str, Any],
    observed: Mapping[str, Any],
) -> bytes:
    document = {
        "format": FORMAT,
        "person_id": person_id,
        "generated_on": day.isoformat(),
        "provided": provided,
        "observed": observed,
    }
    files: dict[str, bytes] = {
        "data.json": json.dumps(document, ensure_ascii=False, indent=2, default=str).encode()
    }
    for folder, sections in (("provided", provided), ("observed", observed)):
        for name, value in sections.items():
            for table, rows in tables(name, value).items():
                files[f"{folder}/{table}.csv"] = to_csv(rows)
    buffer = io.BytesIO()
    stamp = (day.year, day.month, day.day, 0, 0, 0)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            archive.writestr(zipfile.ZipInfo(path, date_time=stamp), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def tables(name: str, value: Any) -> dict[str, Rows]:
    """A section as flat tables: its rows, and a table per list nested in them."""
    if isinstance(value, Mapping):
        rows: Rows = [dict(value)]
    elif isinstance(value, Sequence) and not isinstance(value, str):
        rows = [dict(v) if isinstance(v, Mapping) else {name: v} for v in value]
    else:
        rows = [{name: value}]
    out: dict[str, Rows] = {name: []}
    for row in rows:
        flat = {}
        for key, inner in row.items():
            if isinstance(inner, list):
                out.setdefault(f"{name}_{key}", []).extend(
                    dict(i) if isinstance(i, Mapping) else {key: i} for i in inner
                )
            else:
                flat[key] = inner
        out[name].append(flat)
    return out


def to_csv(rows: Rows) -> bytes:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
    # A byte-order mark so that spreadsheet programs read the accents right.
    return ("\ufeff" + text.getvalue()).encode("utf-8")

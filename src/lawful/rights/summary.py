"""What was done with the person's data, purpose by purpose: the short form of the access
report that the privacy centre's "my data" page shows.

The report itself gathers the whole file from every domain, proves each of the person's events and
words every line; a summary costs one read of the person's ledger records (one statement) counted
per purpose, with no proof and no file export. Reading it is recorded under the person's rights,
as the timeline's reading is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel.lists import format_list
from sqlalchemy.orm import Session

from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.rights.language import builder
from lawful.rights.report import _names, _title
from lawful.rights.requests import RightsEvent, reachable, record


@dataclass(frozen=True)
class PurposeSummary:
    purpose: str
    title: str  # as the statement names it, for the person's brand and language
    events: int  # recorded uses allowed by the policy
    last: dt.date
    categories: str  # the kinds of data used, worded and listed
    entities: str  # who used them


@dataclass(frozen=True)
class DataSummary:
    purposes: list[PurposeSummary]  # the most recently used first
    events: int
    lang: str


def data_summary(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    today: dt.date,
    language: str | None,
    brand: str,
) -> DataSummary:
    """Per purpose: how many uses the ledger records, the last one, which data and by whom."""
    reachable(session, gate, actor, person_id, event=RightsEvent.SUMMARY_READ)
    record(session, gate, actor, person_id, event=RightsEvent.SUMMARY_READ, today=today)
    records = ledger.for_subject(session, keys=gate.keys, subject_id=person_id)
    counted: dict[str, int] = {}
    last: dict[str, dt.date] = {}
    used: dict[str, dict[str, None]] = {}
    by: dict[str, dict[str, None]] = {}
    for r in records:
        if r.decision != "allow" or r.purpose is None:
            continue
        counted[r.purpose] = counted.get(r.purpose, 0) + 1
        day = r.occurred_at.date()
        if r.purpose not in last or last[r.purpose] < day:
            last[r.purpose] = day
        used.setdefault(r.purpose, {}).update(dict.fromkeys(r.data_categories))
        by.setdefault(r.purpose, {})[r.entity] = None
    texts = builder(gate.register, language=language, brand=brand)
    names = _names(texts, {c for kinds in used.values() for c in kinds})
    rows = [
        PurposeSummary(
            purpose=purpose,
            title=_title(texts, purpose),
            events=n,
            last=last[purpose],
            categories=format_list(
                list(dict.fromkeys(names.categories[c] for c in used[purpose])),
                locale=texts.locale,
            ),
            entities=format_list(
                [names.entities.get(e, e) for e in by[purpose]], locale=texts.locale
            ),
        )
        for purpose, n in counted.items()
    ]
    rows.sort(key=lambda row: (row.last, row.events), reverse=True)
    return DataSummary(rows, sum(counted.values()), texts.lang)

"""The person's timeline a page at a time: what was done with their data and why, each line with
where its proof stands — the access report's timeline (same lines, same words), for a page.

Reading a page costs that page: the person's ledger records are read and grouped into lines (as
the access report groups them), and only the page's lines are worded and their events proven
against the latest signed head. How many events are proven in all needs no proof: an event is
under the head when its leaf index is below the head's size.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from babel.dates import format_datetime
from babel.numbers import format_decimal
from sqlalchemy.orm import Session

from lawful.core.errors import NotFound
from lawful.core.gate import Gate
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.rights.labels import label
from lawful.rights.language import builder
from lawful.rights.report import _line, _names, grouped
from lawful.rights.requests import RightsEvent, reachable, record
from lawful.rights.schemas import TimelineEntry

PAGE = 50


@dataclass(frozen=True)
class TimelineLine:
    entry: TimelineEntry
    proven: bool  # every event of the line is under the latest signed head, with its proof


@dataclass(frozen=True)
class TimelinePage:
    lines: list[TimelineLine]
    page: int
    pages: int
    total_lines: int
    summary: str  # the signed head and how many of the person's events it proves, in words
    lang: str


def timeline_page(
    session: Session,
    *,
    gate: Gate,
    actor: Actor,
    person_id: str,
    today: dt.date,
    language: str | None,
    brand: str,
    page: int = 1,
    size: int = PAGE,
) -> TimelinePage:
    """Page `page` (from 1) of the person's timeline, newest first, in `language` (or the
    language of the region `brand` serves); reading it is recorded. A page past the last is not
    found (the first always exists, empty or not)."""
    reachable(session, gate, actor, person_id, event=RightsEvent.TIMELINE_READ)
    record(session, gate, actor, person_id, event=RightsEvent.TIMELINE_READ, today=today)
    records = ledger.for_subject(session, keys=gate.keys, subject_id=person_id)
    allowed = [r for r in reversed(records) if r.decision == "allow"]
    groups = grouped(allowed)
    pages = max(1, math.ceil(len(groups) / size))
    if not 1 <= page <= pages:
        raise NotFound(f"the timeline has {pages} page(s)")
    shown = groups[(page - 1) * size : page * size]
    proven = ledger.prove(session, [r for group in shown for r in group])
    included = iter(p.inclusion is not None for p in proven.events)
    texts = builder(gate.register, language=language, brand=brand)
    names = _names(texts, {c for group in shown for r in group for c in r.data_categories})
    lines = [
        TimelineLine(_line(texts, names, group), all([next(included) for _ in group]))
        for group in shown
    ]
    head = proven.head
    if head is None:
        summary = label(texts.lang, "ledger.none")
    else:
        under = sum(r.leaf_index is not None and r.leaf_index < head.tree_size for r in allowed)
        signed = format_datetime(head.signed_at, "long", tzinfo=dt.UTC, locale=texts.locale)
        summary = label(
            texts.lang,
            "ledger.head",
            size=format_decimal(head.tree_size, locale=texts.locale),
            root=head.root_hash.hex()[:16] + "…",
            date=signed,
            key=head.key_id,
        )
        summary += " " + label(
            texts.lang, "ledger.counts", included=str(under), pending=str(len(allowed) - under)
        )
    return TimelinePage(lines, page, pages, len(groups), summary, texts.lang)

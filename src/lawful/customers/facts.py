"""The frame of each person's file that legal holds and retention are decided on: relationship
periods, when each product ended (or that it still runs), which sections hold something, and the
language and brand to answer in.

Many persons at once, a handful of statements per 900 ids. No gate here: callers (the erasure and
retention flows) read this only for persons the gate has just let them process under
data-subject-rights, in the same transaction, and the ledger records that processing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from lawful.core.register.models import RelationshipState
from lawful.customers import bulk
from lawful.customers.dossier import holding
from lawful.customers.schemas import Section

_SECTION_OF = {
    "account": Section.ACCOUNTS,
    "card": Section.CARDS,
    "loan": Section.LOANS,
    "home_policy": Section.HOME_POLICIES,
}


@dataclass(frozen=True, slots=True)
class Product:
    entity: str
    # Closing, end or last statement; None while open-ended (an account, a card, a policy). A loan
    # knows its end in advance: until that day comes, it still runs.
    last_day: dt.date | None

    def running_on(self, day: dt.date) -> bool:
        return self.last_day is None or self.last_day >= day


@dataclass(frozen=True, slots=True)
class Period:
    entity: str
    state: RelationshipState
    since: dt.date
    until: dt.date | None

    def active_on(self, day: dt.date) -> bool:
        return self.since <= day and (self.until is None or day <= self.until)


@dataclass(frozen=True)
class FileFacts:
    relationships: tuple[Period, ...] = ()
    products: Mapping[Section, tuple[Product, ...]] = field(default_factory=dict)
    present: frozenset[Section] = frozenset()  # sections that hold something
    language: str | None = None
    brand: str = ""

    def active_client_entities(self, day: dt.date) -> frozenset[str]:
        return frozenset(
            p.entity
            for p in self.relationships
            if p.state is RelationshipState.CLIENT and p.active_on(day)
        )

    def relationship_end(self, day: dt.date) -> dt.date | None:
        """The last day the person was anyone's client; None while they still are one, or never
        were."""
        if self.active_client_entities(day):
            return None
        ends = [
            p.until
            for p in self.relationships
            if p.state is RelationshipState.CLIENT and p.until is not None
        ]
        ends += [
            p.since - dt.timedelta(days=1)
            for p in self.relationships
            if p.state is RelationshipState.FORMER_CLIENT
        ]
        return max(ends, default=None)


def file_facts(session: Session, *, person_ids: Sequence[str]) -> dict[str, FileFacts]:
    """The facts of each person on file; unknown ids are left out."""
    ids = list(dict.fromkeys(person_ids))
    locales = bulk.locales_many(session, ids)
    periods: dict[str, list[Period]] = defaultdict(list)
    for person, entity, state, since, until in bulk.periods_many(session, ids):
        periods[person].append(Period(entity, RelationshipState(state), since, until))
    statements = bulk.last_statement_days(session, ids)
    products: dict[str, dict[Section, list[Product]]] = defaultdict(lambda: defaultdict(list))
    for kind, person, entity, last_day, card in bulk.product_ends_many(session, ids):
        if kind == "card" and last_day is not None and card in statements:
            last_day = max(last_day, statements[card])
        products[person][_SECTION_OF[kind]].append(Product(entity, last_day))
    present = holding(session, ids)
    return {
        person: FileFacts(
            relationships=tuple(sorted(periods[person], key=lambda p: (p.entity, p.since))),
            products={s: tuple(rows) for s, rows in products[person].items()},
            present=frozenset(present.get(person, ())),
            language=language,
            brand=brand,
        )
        for person, (language, brand) in locales.items()
    }

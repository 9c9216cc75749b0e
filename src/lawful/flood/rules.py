"""The underwriting rule for flood cover, pure: what the data proposes, never what takes effect.

Law of 4 April 2014 on insurance, art. 129: flood cover may be refused only for a building
erected in a risk zone more than 18 months after the publication of the royal decree that
delimited the zone; every other building is covered, at a premium loaded by its vulnerability
class. A refused risk can go to the Bureau de tarification Catastrophes naturelles.

A refusal or a loading is only proposed here: an underwriter reviews it before it takes effect
(GDPR Art. 22: the decision is not based solely on automated processing).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

GRACE_MONTHS = 18
CLASSES = ("A", "B", "C", "D")
# Premium loading per vulnerability class, in basis points of the fire premium's flood part:
# A none; B small probability under the 2050 climate; C small, current climate; D medium.
LOADING_BP = {"A": 0, "B": 1_000, "C": 2_500, "D": 5_000}


class Outcome(StrEnum):
    COVER = "cover"  # covered at the tariff, nothing to review
    LOADING = "loading"  # covered with a premium loading
    REFUSE = "refuse"  # flood cover refused (art. 129 only)


@dataclass(frozen=True)
class Facts:
    """What the rule reads: where the building stands and when it was built."""

    built_on: dt.date
    flood_class: str | None = None
    zone: str | None = None
    decree_published_on: dt.date | None = None


@dataclass(frozen=True)
class Proposal:
    outcome: Outcome
    loading_bp: int
    # Refusal is lawful for this building (art. 129); a reviewer may refuse only then.
    refusable: bool

    @property
    def needs_review(self) -> bool:
        """A refusal or surcharge driven by the score waits for an underwriter."""
        return self.outcome is not Outcome.COVER


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has none (31 Aug + 18
    months is 28 or 29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def refusable(facts: Facts) -> bool:
    """Art. 129: in a risk zone and built *more than* 18 months after the decree's publication
    (built exactly 18 months after, the building is still covered)."""
    if facts.zone is None or facts.decree_published_on is None:
        return False
    return facts.built_on > add_months(facts.decree_published_on, GRACE_MONTHS)


def built_on(construction_year: int) -> dt.date:
    """A building known by its year only counts as built on 1 January of that year: in doubt the
    earliest date, the one that favours the insured (refusal needs a building *later* than the
    limit)."""
    return dt.date(construction_year, 1, 1)


def propose(facts: Facts) -> Proposal:
    if facts.flood_class is not None and facts.flood_class not in LOADING_BP:
        raise ValueError(f"unknown flood class {facts.flood_class!r}")
    may_refuse = refusable(facts)
    if may_refuse:
        return Proposal(Outcome.REFUSE, 0, True)
    loading = LOADING_BP.get(facts.flood_class or "A", 0)
    return Proposal(Outcome.LOADING if loading else Outcome.COVER, loading, False)

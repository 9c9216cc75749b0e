"""When a complaint must be acknowledged and answered, by regime, in Belgian business days.

- payment services (cards, accounts; PSD2 art. 101): an answer within 15 business days of
  receipt, 35 when a holding reply tells the person why it takes longer;
- ombudsman cases (Ombudsfin, the Insurance Ombudsman): on the ombudsman's own deadline, given
  when the case comes in;
- insurance complaints and the rest: the group's complaints policy (`GROUP_POLICY`), in line
  with the EIOPA guidelines: acknowledged within 5 business days, answered within one month.

Business days are Monday to Friday except Belgian public holidays (the `holidays` library, country
BE); the day of receipt does not count. Everything here is pure: dates in, dates out.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import holidays


class Regime(StrEnum):
    PAYMENT_SERVICE = "payment-service"
    OMBUDSMAN = "ombudsman"
    INSURANCE = "insurance"
    GENERAL = "general"


@dataclass(frozen=True)
class Policy:
    acknowledge_days: int  # business days
    answer_days: int | None = None  # business days
    answer_months: int | None = None  # calendar months
    extended_days: int | None = None  # business days, after a holding reply


# The group's complaints policy, one row per regime (the settings the register points to).
GROUP_POLICY: dict[Regime, Policy] = {
    Regime.PAYMENT_SERVICE: Policy(acknowledge_days=5, answer_days=15, extended_days=35),
    Regime.INSURANCE: Policy(acknowledge_days=5, answer_months=1),
    Regime.GENERAL: Policy(acknowledge_days=5, answer_months=1),
    # The ombudsman's deadline is the case's own; acknowledging stays ours.
    Regime.OMBUDSMAN: Policy(acknowledge_days=5),
}
PAYMENT_PRODUCTS = frozenset({"card", "account"})
OMBUDSMEN = frozenset({"ombudsfin", "ombudsman-insurance"})


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day if shorter (31 Jan → 28/29 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@cache
def _belgian_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("BE", years=year))


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _belgian_holidays(day.year)


def add_business_days(start: dt.date, days: int) -> dt.date:
    """The `days`-th Belgian business day after `start` (which itself never counts)."""
    day, left = start, days
    while left > 0:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            left -= 1
    return day


def regime_of(source: str, product_kind: str) -> Regime:
    if source in OMBUDSMEN:
        return Regime.OMBUDSMAN
    if product_kind in PAYMENT_PRODUCTS:
        return Regime.PAYMENT_SERVICE
    if product_kind == "home_policy":
        return Regime.INSURANCE
    return Regime.GENERAL


@dataclass(frozen=True)
class Due:
    acknowledge_by: dt.date
    answer_by: dt.date


def due_dates(regime: Regime, received: dt.date, *, external: dt.date | None = None) -> Due:
    """The deadlines of a complaint received on `received`; `external` is the ombudsman's."""
    policy = GROUP_POLICY[regime]
    ack = add_business_days(received, policy.acknowledge_days)
    if regime is Regime.OMBUDSMAN:
        if external is None:
            raise ValueError("an ombudsman case carries the ombudsman's deadline")
        return Due(min(ack, external), external)
    if policy.answer_days is not None:
        return Due(ack, add_business_days(received, policy.answer_days))
    assert policy.answer_months is not None
    return Due(ack, add_months(received, policy.answer_months))


def extended_answer(regime: Regime, received: dt.date) -> dt.date | None:
    """The answer's deadline after a holding reply; None where the regime allows none."""
    days = GROUP_POLICY[regime].extended_days
    return None if days is None else add_business_days(received, days)

"""Deadlines in Belgian business days: weekends and public holidays do not count."""

from __future__ import annotations

import datetime as dt

import pytest

from lawful.complaints.deadlines import (
    Regime,
    add_business_days,
    due_dates,
    extended_answer,
    is_business_day,
    regime_of,
)

# Friday 6 November 2026; Wednesday 11 November is Armistice Day, 25 December Christmas.
FRIDAY = dt.date(2026, 11, 6)


def test_holidays_and_weekends_are_not_business_days() -> None:
    assert not is_business_day(dt.date(2026, 11, 11))  # Armistice Day, a Wednesday
    assert not is_business_day(dt.date(2026, 11, 7))  # Saturday
    assert not is_business_day(dt.date(2026, 4, 6))  # Easter Monday
    assert is_business_day(dt.date(2026, 11, 12))


def test_payment_service_answer_in_15_business_days_across_a_weekend_and_armistice() -> None:
    due = due_dates(Regime.PAYMENT_SERVICE, FRIDAY)
    # Mon 9, Tue 10, (Wed 11 holiday), Thu 12, Fri 13, Mon 16: the fifth.
    assert due.acknowledge_by == dt.date(2026, 11, 16)
    # Three weeks of five days less the holiday take the fifteenth to Monday 30.
    assert due.answer_by == dt.date(2026, 11, 30)


def test_a_holding_reply_takes_it_to_35_business_days_past_christmas() -> None:
    # From Mon 30 Nov (the 15th): 20 more business days, Christmas Friday not counted.
    assert extended_answer(Regime.PAYMENT_SERVICE, FRIDAY) == dt.date(2026, 12, 29)
    assert extended_answer(Regime.INSURANCE, FRIDAY) is None


def test_insurance_complaints_follow_the_groups_policy() -> None:
    saturday = dt.date(2026, 1, 31)
    due = due_dates(Regime.INSURANCE, saturday)
    assert due.acknowledge_by == dt.date(2026, 2, 6)
    assert due.answer_by == dt.date(2026, 2, 28)  # one month, the month's last day


def test_ombudsman_cases_run_on_the_ombudsmans_deadline() -> None:
    theirs = dt.date(2026, 12, 4)
    due = due_dates(Regime.OMBUDSMAN, FRIDAY, external=theirs)
    assert due.answer_by == theirs
    with pytest.raises(ValueError, match="ombudsman's deadline"):
        due_dates(Regime.OMBUDSMAN, FRIDAY)


@pytest.mark.parametrize(
    ("source", "kind", "regime"),
    [
        ("customer", "card", Regime.PAYMENT_SERVICE),
        ("branch", "account", Regime.PAYMENT_SERVICE),
        ("agent", "home_policy", Regime.INSURANCE),
        ("test-achats", "loan", Regime.GENERAL),
        ("ombudsfin", "card", Regime.OMBUDSMAN),
        ("ombudsman-insurance", "home_policy", Regime.OMBUDSMAN),
    ],
)
def test_the_regime_follows_the_source_and_the_product(
    source: str, kind: str, regime: Regime
) -> None:
    assert regime_of(source, kind) is regime


def test_counting_zero_days_stays_put() -> None:
    assert add_business_days(FRIDAY, 0) == FRIDAY

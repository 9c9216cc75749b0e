"""Art. 129 of the Law of 4 April 2014 on insurance, at its edges; the loading by class."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lawful.flood import rules
from lawful.flood.rules import Facts, Outcome

DECREE = dt.date(2019, 7, 1)


def facts(built: dt.date, *, cls: str | None = "C", zone: str | None = "RZ-1") -> Facts:
    return Facts(built_on=built, flood_class=cls, zone=zone, decree_published_on=DECREE)


def test_built_exactly_18_months_after_the_decree_is_still_covered() -> None:
    assert rules.add_months(DECREE, 18) == dt.date(2021, 1, 1)
    proposal = rules.propose(facts(dt.date(2021, 1, 1)))
    assert not proposal.refusable
    assert proposal.outcome is Outcome.LOADING and proposal.loading_bp == 2_500


def test_built_one_day_later_may_be_refused() -> None:
    proposal = rules.propose(facts(dt.date(2021, 1, 2)))
    assert proposal.refusable and proposal.outcome is Outcome.REFUSE
    assert proposal.needs_review


def test_built_before_the_decree_or_outside_any_zone_is_never_refused() -> None:
    assert not rules.refusable(facts(dt.date(1985, 1, 1)))
    assert not rules.refusable(facts(dt.date(2030, 1, 1), zone=None))


def test_the_18_months_end_on_the_last_day_of_a_shorter_month() -> None:
    assert rules.add_months(dt.date(2019, 8, 31), 18) == dt.date(2021, 2, 28)
    assert rules.add_months(dt.date(2018, 8, 31), 18) == dt.date(2020, 2, 29)


def test_a_building_known_by_its_year_counts_as_built_on_1_january() -> None:
    assert rules.built_on(2021) == dt.date(2021, 1, 1)


@pytest.mark.parametrize(("cls", "loading"), [("A", 0), ("B", 1_000), ("C", 2_500), ("D", 5_000)])
def test_the_loading_follows_the_class_and_only_a_loading_waits_for_review(
    cls: str, loading: int
) -> None:
    proposal = rules.propose(facts(dt.date(1960, 1, 1), cls=cls))
    assert proposal.loading_bp == loading
    assert proposal.needs_review == (loading > 0)


def test_an_unknown_class_is_refused_by_the_rule() -> None:
    with pytest.raises(ValueError, match="unknown flood class"):
        rules.propose(facts(dt.date(1960, 1, 1), cls="E"))


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_refusal_is_proposed_exactly_when_art_129_allows_it(built: dt.date) -> None:
    proposal = rules.propose(facts(built))
    limit = rules.add_months(DECREE, rules.GRACE_MONTHS)
    assert (proposal.outcome is Outcome.REFUSE) == (built > limit)

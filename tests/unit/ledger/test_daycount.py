"""Day-count conventions (backend.finance.daycount): the year fractions the terms accrue by."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.finance.daycount import DayCount, whole_years_between, year_fraction


def test_isda_actual_actual_published_example() -> None:
    """ISDA, "EMU and market conventions: recent developments" (1998), Actual/Actual
    example 1: 1 November 2003 to 1 May 2004 is 61/365 + 121/366 = 0.16712 + 0.33060 =
    0.49772 under ACT/ACT (ISDA) (the paper prints five decimals)."""
    fraction = year_fraction(date(2003, 11, 1), date(2004, 5, 1), DayCount.ACT_ACT)
    assert fraction == Fraction(61, 365) + Fraction(121, 366)
    assert round(float(Fraction(61, 365)), 5) == 0.16712
    assert round(float(Fraction(121, 366)), 5) == 0.33060
    assert round(float(fraction), 5) == 0.49772


def test_issue_example_five_years_under_each_convention() -> None:
    """COMPUTED: 1 January 2020 to 1 January 2025 is 1,827 actual days (two leap days):
    1,827/365 under ACT/365F, exactly 5 under ACT/ACT, 30/360 and whole years."""
    start, end = date(2020, 1, 1), date(2025, 1, 1)
    assert year_fraction(start, end, DayCount.ACT_365F) == Fraction(1827, 365)
    assert year_fraction(start, end, DayCount.ACT_360) == Fraction(1827, 360)
    for convention in (DayCount.ACT_ACT, DayCount.THIRTY_360, DayCount.WHOLE_YEARS):
        assert year_fraction(start, end, convention) == 5


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2021, 1, 31), date(2021, 3, 31), 60),  # both 31sts count as the 30th
        (date(2021, 1, 30), date(2021, 3, 31), 60),  # start on the 30th: the 31st end counts as 30
        (date(2021, 1, 29), date(2021, 3, 31), 62),  # otherwise the 31st end counts in full
        (date(2021, 2, 28), date(2021, 3, 31), 33),  # bond basis does not move a February end
        (date(2020, 12, 15), date(2021, 6, 15), 180),
        # ISDA 2006 test cases as published by value.finrmsoft.com ("Thirty360 (Bond Basis)
        # day count convention", end dates with end-February): 0.508333333 and 0.494444444
        (date(2006, 2, 28), date(2006, 8, 31), 183),
        (date(2006, 8, 31), date(2007, 2, 28), 178),
    ],
)
def test_thirty_360_bond_basis(start: date, end: date, days: int) -> None:
    """COMPUTED with the ISDA 2006 section 4.16(f) formula:
    360 x (Y2 - Y1) + 30 x (M2 - M1) + (D2 - D1), D1 31 -> 30, D2 31 -> 30 when D1 is 30."""
    assert year_fraction(start, end, DayCount.THIRTY_360) == Fraction(days, 360)


def test_whole_years_counts_anniversaries_then_actual_over_365() -> None:
    """COMPUTED: 15 March 2020 to 1 July 2023 is 3 whole years (to 15 March 2023) and 108
    days; an anniversary of 29 February falls on 28 February in other years."""
    assert year_fraction(date(2020, 3, 15), date(2023, 7, 1), DayCount.WHOLE_YEARS) == 3 + Fraction(108, 365)
    assert whole_years_between(date(2020, 2, 29), date(2021, 2, 28)) == 1
    assert year_fraction(date(2020, 2, 29), date(2021, 3, 1), DayCount.WHOLE_YEARS) == 1 + Fraction(1, 365)


dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))


@given(dates, st.integers(0, 4000), st.integers(0, 4000), st.sampled_from(list(DayCount)))
def test_fractions_add_up_over_consecutive_periods(
    start: date, first: int, second: int, dc: DayCount
) -> None:
    """Splitting a period in two never changes its year fraction for the additive
    conventions; every convention is non-negative and grows with the end date."""
    middle, end = start + timedelta(days=first), start + timedelta(days=first + second)
    whole = year_fraction(start, end, dc)
    assert whole >= year_fraction(start, middle, dc) >= 0
    if dc in (DayCount.ACT_365F, DayCount.ACT_360, DayCount.ACT_ACT):
        assert whole == year_fraction(start, middle, dc) + year_fraction(middle, end, dc)


@given(st.integers(1990, 2060))
def test_actual_actual_counts_each_calendar_year_as_one(year: int) -> None:
    assert year_fraction(date(year, 1, 1), date(year + 1, 1, 1), DayCount.ACT_ACT) == 1

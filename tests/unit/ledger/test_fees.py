"""Management fee accrual and performance fee crystallisation (backend.finance.fees)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.finance.daycount import DayCount, year_fraction
from backend.finance.errors import InvalidValueError
from backend.finance.fees import (
    AccrualFrequency,
    AccrualPeriod,
    PerformanceFeeTerms,
    accrual_periods,
    accrual_periods_for_year,
    hurdle_growth,
    management_fee,
    management_fee_accruals,
    performance_fee,
    pool_performance_fee,
)
from backend.finance.money import get_currency, quantize_cash

USD = get_currency("USD")


# --- accrual periods --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "frequency", "count", "days"),
    [
        (2023, AccrualFrequency.DAILY, 365, 365),
        (2024, AccrualFrequency.DAILY, 366, 366),
        (2024, AccrualFrequency.MONTHLY, 12, 366),
        (2023, AccrualFrequency.QUARTERLY, 4, 365),
        (2023, AccrualFrequency.ANNUAL, 1, 365),
    ],
)
def test_year_split_into_accrual_periods(
    year: int, frequency: AccrualFrequency, count: int, days: int
) -> None:
    periods = accrual_periods_for_year(year, frequency)
    assert len(periods) == count
    assert sum(p.days for p in periods) == days
    assert periods[0].start == date(year, 1, 1)
    assert periods[-1].end == date(year + 1, 1, 1)
    assert all(a.end == b.start for a, b in pairwise(periods))


def test_quarters_of_2023() -> None:
    quarters = accrual_periods_for_year(2023, AccrualFrequency.QUARTERLY)
    assert [(q.start, q.days) for q in quarters] == [
        (date(2023, 1, 1), 90),
        (date(2023, 4, 1), 91),
        (date(2023, 7, 1), 92),
        (date(2023, 10, 1), 92),
    ]


def test_stub_periods() -> None:
    periods = accrual_periods(date(2024, 2, 15), date(2024, 5, 10), AccrualFrequency.MONTHLY)
    assert [(p.start, p.end) for p in periods] == [
        (date(2024, 2, 15), date(2024, 3, 1)),
        (date(2024, 3, 1), date(2024, 4, 1)),
        (date(2024, 4, 1), date(2024, 5, 1)),
        (date(2024, 5, 1), date(2024, 5, 10)),
    ]
    with pytest.raises(InvalidValueError) as err:
        accrual_periods(date(2024, 1, 2), date(2024, 1, 1), AccrualFrequency.DAILY)
    assert err.value.field == "end"


# --- management fee ----------------------------------------------------------------------


def test_act_360_money_market_example() -> None:
    """COMPUTED (standard ACT/360 money-market arithmetic): 1,000,000.00 at 5% for 90 days
    = 1,000,000 x 0.05 x 90/360 = 12,500.00; under ACT/365F it is 12,328.767... = 12,328.77."""
    start, end = date(2024, 1, 1), date(2024, 3, 31)
    assert (end - start).days == 90
    rate = Decimal("0.05")
    assert management_fee(
        Decimal(1_000_000), rate, start, end, currency=USD, day_count=DayCount.ACT_360
    ) == Decimal("12500.00")
    assert management_fee(Decimal(1_000_000), rate, start, end, currency=USD) == Decimal("12328.77")


def test_quarterly_fee_on_commitments_docs_example() -> None:
    """COMPUTED (docs worked example): 2% a year on 100,000,000.00 committed, quarterly, 2023,
    ACT/365F: 90, 91, 92, 92 days -> 493,150.68 + 498,630.14 + 504,109.59 + 504,109.59
    = 2,000,000.00."""
    periods = accrual_periods_for_year(2023, AccrualFrequency.QUARTERLY)
    committed = Decimal("100000000.00")
    accruals = management_fee_accruals([(p, committed) for p in periods], Decimal("0.02"), USD)
    assert [a.amount for a in accruals] == [
        Decimal("493150.68"),
        Decimal("498630.14"),
        Decimal("504109.59"),
        Decimal("504109.59"),
    ]
    assert sum(a.amount for a in accruals) == Decimal("2000000.00")


def test_daily_accrual_cumulative_rounding_docs_example() -> None:
    """COMPUTED (docs worked example): 2% on 1,000,000.00, accrued daily over 2023, ACT/365F.
    One day is 54.794520...; rounding each day alone would book 365 x 54.79 = 19,998.35.
    Cumulative rounding books 54.79 or 54.80 so the year totals exactly 20,000.00."""
    periods = accrual_periods_for_year(2023, AccrualFrequency.DAILY)
    basis = Decimal("1000000.00")
    daily_alone = management_fee(basis, Decimal("0.02"), periods[0].start, periods[0].end, currency=USD)
    assert daily_alone == Decimal("54.79")
    accruals = management_fee_accruals([(p, basis) for p in periods], Decimal("0.02"), USD)
    assert {a.amount for a in accruals} == {Decimal("54.79"), Decimal("54.80")}
    assert sum(a.amount for a in accruals) == Decimal("20000.00")
    # a leap year under ACT/365F accrues 366/365 of the annual rate
    leap = management_fee_accruals(
        [(p, basis) for p in accrual_periods_for_year(2024, AccrualFrequency.DAILY)], Decimal("0.02"), USD
    )
    assert sum(a.amount for a in leap) == Decimal("20054.79")


def test_accruals_must_not_overlap() -> None:
    p1 = AccrualPeriod(date(2024, 1, 1), date(2024, 2, 1))
    p2 = AccrualPeriod(date(2024, 1, 15), date(2024, 3, 1))
    with pytest.raises(InvalidValueError) as err:
        management_fee_accruals([(p1, Decimal(1)), (p2, Decimal(1))], Decimal("0.01"), USD)
    assert err.value.field == "bases[1]"


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)),
    bases=st.lists(st.integers(min_value=0, max_value=10**13), min_size=1, max_size=40),
    rate=st.decimals(min_value=0, max_value=Decimal("0.05"), places=4),
    day_count=st.sampled_from(list(DayCount)),
)
def test_accruals_never_negative_and_sum_to_rounded_exact_total(
    start: date, bases: list[int], rate: Decimal, day_count: DayCount
) -> None:
    periods = [
        AccrualPeriod(start + timedelta(days=i), start + timedelta(days=i + 1)) for i in range(len(bases))
    ]
    inputs = [(p, Decimal(b) / 100) for p, b in zip(periods, bases, strict=True)]
    accruals = management_fee_accruals(inputs, rate, USD, day_count)
    assert all(a.amount >= 0 for a in accruals)
    exact = sum(
        (Fraction(b) * Fraction(rate) * year_fraction(p.start, p.end, day_count) for p, b in inputs),
        Fraction(0),
    )
    assert sum(a.amount for a in accruals) == quantize_cash(exact, USD)
    for (p, b), a in zip(inputs, accruals, strict=True):  # each within a cent of its own exact fee
        own = Fraction(b) * Fraction(rate) * year_fraction(p.start, p.end, day_count)
        assert abs(Fraction(a.amount) - own) < Fraction(1, 100)


# --- performance fee ---------------------------------------------------------------------


TWENTY = PerformanceFeeTerms(rate=Decimal("0.20"))


def test_hwm_off_charges_on_gain_over_period_start() -> None:
    """COMPUTED: the fee_hwm_ift numbers without a HWM: 20% x (210 - 180) = 6.00."""
    result = performance_fee(
        Decimal(210),
        high_water_mark=Decimal(200),
        period_start_value=Decimal(180),
        terms=PerformanceFeeTerms(rate=Decimal("0.20"), high_water_mark=False),
        currency=USD,
    )
    assert result.fee == Decimal("6.00")
    assert result.high_water_mark == Decimal("204.00")
    with pytest.raises(InvalidValueError) as err:
        performance_fee(
            Decimal(210),
            high_water_mark=Decimal(200),
            terms=PerformanceFeeTerms(rate=Decimal("0.20"), high_water_mark=False),
            currency=USD,
        )
    assert err.value.field == "period_start_value"


def test_hard_hurdle_on_hwm() -> None:
    """COMPUTED: HWM 200, 5% hard hurdle -> hurdle level 210. At 210 no fee (HWM stays 200);
    at 220 the fee is 20% x (220 - 210) = 2.00 and the HWM becomes 218.00."""
    terms = PerformanceFeeTerms(rate=Decimal("0.20"), hurdle_rate=Decimal("0.05"))
    at_hurdle = performance_fee(Decimal(210), high_water_mark=Decimal(200), terms=terms, currency=USD)
    assert (at_hurdle.fee, at_hurdle.hurdle_level, at_hurdle.high_water_mark) == (
        Decimal(0),
        Decimal(210),
        Decimal(200),
    )
    above = performance_fee(Decimal(220), high_water_mark=Decimal(200), terms=terms, currency=USD)
    assert (above.fee, above.high_water_mark) == (Decimal("2.00"), Decimal("218.00"))


def test_three_year_hwm_sequence_docs_example() -> None:
    """COMPUTED (docs worked example), 20% over HWM, HWM = value after fee:
    year 1: 100 -> 120, fee 4.00, HWM 116.00; year 2: 116 -> 110, fee 0, HWM 116.00;
    year 3: 110 -> 130, fee 20% x (130 - 116) = 2.80, HWM 127.20 (not 20% x 20 = 4.00)."""
    hwm = Decimal(100)
    fees = []
    for value_before_fee in (Decimal(120), Decimal(110), Decimal(130)):
        result = performance_fee(value_before_fee, high_water_mark=hwm, terms=TWENTY, currency=USD)
        fees.append(result.fee)
        hwm = result.high_water_mark
    assert fees == [Decimal("4.00"), 0, Decimal("2.80")]
    assert hwm == Decimal("127.20")


def test_performance_fee_rounds_down() -> None:
    """COMPUTED: 20% x 0.07 = 0.014 -> 0.01 (the manager never gets more than 20%)."""
    result = performance_fee(Decimal("100.07"), high_water_mark=Decimal(100), terms=TWENTY, currency=USD)
    assert result.fee == Decimal("0.01")


def test_pool_level_fee_per_unit_docs_example() -> None:
    """COMPUTED (docs worked example): 1,000,000 units, net assets 1,150,000.00 -> NAV per
    unit 1.150000; HWM per unit 1.100000; 20% x 0.05 x 1,000,000 = 10,000.00; NAV per unit
    after the fee 1.140000 = the new HWM. With a 2% hurdle the level is 1.122 and the fee
    20% x 0.028 x 1,000,000 = 5,600.00, NAV after 1.144400."""
    units = Decimal(1_000_000)
    plain = pool_performance_fee(
        Decimal("1150000.00"), units, high_water_mark_per_unit=Decimal("1.1"), terms=TWENTY, currency=USD
    )
    assert plain.nav_per_unit_before_fee == Decimal("1.150000")
    assert plain.fee == Decimal("10000.00")
    assert plain.nav_per_unit_after_fee == Decimal("1.140000")
    assert plain.high_water_mark_per_unit == Decimal("1.140000")
    hurdle = pool_performance_fee(
        Decimal("1150000.00"),
        units,
        high_water_mark_per_unit=Decimal("1.1"),
        terms=PerformanceFeeTerms(rate=Decimal("0.20"), hurdle_rate=Decimal("0.02")),
        currency=USD,
    )
    assert hurdle.hurdle_level_per_unit == Decimal("1.122")
    assert hurdle.fee == Decimal("5600.00")
    assert hurdle.high_water_mark_per_unit == Decimal("1.144400")


def test_pool_level_below_hwm_no_fee() -> None:
    result = pool_performance_fee(
        Decimal("1050000.00"),
        Decimal(1_000_000),
        high_water_mark_per_unit=Decimal("1.1"),
        terms=TWENTY,
        currency=USD,
    )
    assert result.fee == 0
    assert result.high_water_mark_per_unit == Decimal("1.1")


cents = st.integers(min_value=1, max_value=10**12).map(lambda c: Decimal(c) / 100)
terms_strategy = st.builds(
    PerformanceFeeTerms,
    rate=st.decimals(min_value=0, max_value=Decimal("0.5"), places=3),
    high_water_mark=st.booleans(),
    hurdle_rate=st.decimals(min_value=0, max_value=Decimal("0.2"), places=4),
)


@given(terms=terms_strategy, start=cents, path=st.lists(cents, min_size=1, max_size=8))
def test_fee_never_negative_and_hwm_never_decreases(
    terms: PerformanceFeeTerms, start: Decimal, path: list[Decimal]
) -> None:
    hwm = start
    previous = start
    for value in path:
        result = performance_fee(
            value, high_water_mark=hwm, period_start_value=previous, terms=terms, currency=USD
        )
        reference = hwm if terms.high_water_mark else previous
        assert result.fee >= 0
        assert Fraction(result.fee) <= Fraction(terms.rate) * max(Fraction(0), Fraction(value - reference))
        assert result.high_water_mark >= hwm
        if terms.high_water_mark and value <= hwm:
            assert result.fee == 0
        hwm = result.high_water_mark
        previous = value - result.fee


@given(
    terms=terms_strategy,
    units=st.integers(min_value=1, max_value=10**9).map(Decimal),
    hwm=st.integers(min_value=1, max_value=10**7).map(lambda n: Decimal(n) / 10**6),
    assets=cents,
)
def test_pool_fee_never_negative_hwm_never_decreases(
    terms: PerformanceFeeTerms, units: Decimal, hwm: Decimal, assets: Decimal
) -> None:
    result = pool_performance_fee(
        assets, units, high_water_mark_per_unit=hwm, terms=terms, currency=USD, period_start_nav_per_unit=hwm
    )
    assert 0 <= result.fee <= assets
    assert result.high_water_mark_per_unit >= hwm
    if result.fee > 0:
        assert result.nav_per_unit_after_fee >= result.hurdle_level_per_unit - Decimal("0.000001")


# --- the annual hurdle, pro-rated and compounded ------------------------------------------


FIVE_PERCENT_HURDLE = PerformanceFeeTerms(rate=Decimal("0.20"), hurdle_rate=Decimal("0.05"))
MILLION_UNITS = Decimal(1_000_000)


def test_hurdle_pro_rated_over_a_short_first_period_docs_example() -> None:
    """COMPUTED (docs worked example): launched 1 Jul 2025 at 1.000000 (the HWM), 20% over a
    5% annual hurdle, first crystallisation 31 Dec 2025 after 183 days: the hurdle level is
    1 x (1 + 5% x 183/365) = 1.025068...; at a NAV per unit of 1.06 the fee is
    20% x (1.06 - 1.025068...) x 1,000,000 = 6,986.30 (rounded down). The stored rate taken
    as is (the code before this change) gave a level of 1.05 and a fee of 2,000.00."""
    result = pool_performance_fee(
        Decimal("1060000.00"),
        MILLION_UNITS,
        high_water_mark_per_unit=Decimal("1.000000"),
        terms=FIVE_PERCENT_HURDLE,
        currency=USD,
        period_start=date(2025, 7, 1),
        on=date(2025, 12, 31),
    )
    assert result.hurdle_level_per_unit == Decimal("1.025068493151")  # 1 + 1.83/73, to 12 dp
    assert result.period_hurdle_rate == Decimal("0.025068493151")
    assert result.fee == Decimal("6986.30")
    as_is = pool_performance_fee(
        Decimal("1060000.00"),
        MILLION_UNITS,
        high_water_mark_per_unit=Decimal("1.000000"),
        terms=FIVE_PERCENT_HURDLE,
        currency=USD,
    )
    assert (as_is.hurdle_level_per_unit, as_is.fee) == (Decimal("1.05"), Decimal("2000.00"))


def test_hurdle_compounds_over_years_without_a_fee_docs_example() -> None:
    """COMPUTED (docs worked example): HWM 1.000000 set on 31 Dec 2023, 5% annual hurdle.
    31 Dec 2024: NAV per unit 1.04 is below 1.05, no fee, the HWM and its date stay.
    31 Dec 2025: two whole years since the HWM was set: level 1.05^2 = 1.1025; at 1.12 the
    fee is 20% x 0.0175 x 1,000,000 = 3,500.00 (the rate as is gave 1.05 and 14,000.00)."""
    hwm, since = Decimal("1.000000"), date(2023, 12, 31)
    first = pool_performance_fee(
        Decimal("1040000.00"),
        MILLION_UNITS,
        high_water_mark_per_unit=hwm,
        terms=FIVE_PERCENT_HURDLE,
        currency=USD,
        period_start=since,
        on=date(2024, 12, 31),
    )
    assert (first.hurdle_level_per_unit, first.fee, first.high_water_mark_per_unit) == (
        Decimal("1.05"),
        Decimal(0),
        hwm,
    )
    second = pool_performance_fee(
        Decimal("1120000.00"),
        MILLION_UNITS,
        high_water_mark_per_unit=first.high_water_mark_per_unit,
        terms=FIVE_PERCENT_HURDLE,
        currency=USD,
        period_start=since,  # no fee was taken in 2024: the HWM was still set on 31 Dec 2023
        on=date(2025, 12, 31),
    )
    assert second.hurdle_level_per_unit == Decimal("1.1025")
    assert second.period_hurdle_rate == Decimal("0.1025")
    assert second.fee == Decimal("3500.00")
    assert second.high_water_mark_per_unit == Decimal("1.116500")


def test_hurdle_over_a_whole_year_and_a_stub_docs_example() -> None:
    """COMPUTED (docs worked example): a fee set the HWM at 100.00 on 30 Jun 2024;
    crystallising on 31 Dec 2025 is one whole year (to 30 Jun 2025) and 184 days: level
    100 x 1.05 x (1 + 5% x 184/365) = 107.646575...; at 110.00 the fee is
    20% x 2.353424... = 0.47 (rounded down from 0.4706849...)."""
    result = performance_fee(
        Decimal("110.00"),
        high_water_mark=Decimal("100.00"),
        terms=FIVE_PERCENT_HURDLE,
        currency=USD,
        period_start=date(2024, 6, 30),
        on=date(2025, 12, 31),
    )
    assert result.hurdle_level == Decimal("107.646575342466")
    assert result.fee == Decimal("0.47")
    assert result.high_water_mark == Decimal("109.53")


def test_hurdle_growth_anniversaries_leap_days_and_day_counts() -> None:
    """Whole years compound exactly; the stub is simple and counts at most a year; an
    anniversary of 29 February is 28 February; a period of no days has no hurdle."""
    r = Decimal("0.05")
    assert hurdle_growth(r, date(2024, 1, 1), date(2024, 1, 1)) == 1
    assert hurdle_growth(r, date(2024, 1, 1), date(2025, 1, 1)) == Fraction(105, 100)  # 366 days: 1 year
    assert hurdle_growth(r, date(2024, 1, 1), date(2024, 12, 31)) == Fraction(105, 100)  # 365/365
    assert hurdle_growth(r, date(2024, 2, 29), date(2025, 2, 28)) == Fraction(105, 100)
    assert hurdle_growth(r, date(2024, 2, 29), date(2025, 3, 1)) == Fraction(105, 100) * (
        1 + Fraction(5, 100) / 365
    )
    assert hurdle_growth(r, date(2021, 3, 15), date(2024, 3, 15)) == Fraction(105, 100) ** 3
    assert hurdle_growth(r, date(2025, 1, 1), date(2025, 4, 1), DayCount.ACT_360) == 1 + Fraction(
        5, 100
    ) * Fraction(90, 360)
    # ACT/360: 364 days would count 364/360 years; capped at one, the growth never falls
    assert hurdle_growth(r, date(2025, 1, 1), date(2025, 12, 31), DayCount.ACT_360) == Fraction(105, 100)


@given(
    rate=st.decimals(min_value=0, max_value=Decimal("0.5"), places=4),
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)),
    days=st.lists(st.integers(min_value=0, max_value=4000), min_size=2, max_size=6),
    day_count=st.sampled_from(list(DayCount)),
)
def test_hurdle_growth_never_falls_as_time_passes(
    rate: Decimal, start: date, days: list[int], day_count: DayCount
) -> None:
    growths = [hurdle_growth(rate, start, start + timedelta(days=d), day_count) for d in sorted(days)]
    assert growths[0] >= 1
    assert all(a <= b for a, b in pairwise(growths))


def test_hurdle_dates_are_checked() -> None:
    with pytest.raises(InvalidValueError) as missing:
        performance_fee(
            Decimal(110),
            high_water_mark=Decimal(100),
            terms=FIVE_PERCENT_HURDLE,
            currency=USD,
            on=date(2025, 12, 31),
        )
    assert missing.value.field == "period_start"
    with pytest.raises(InvalidValueError) as backwards:
        pool_performance_fee(
            Decimal("1060000.00"),
            MILLION_UNITS,
            high_water_mark_per_unit=Decimal(1),
            terms=FIVE_PERCENT_HURDLE,
            currency=USD,
            period_start=date(2025, 12, 31),
            on=date(2025, 7, 1),
        )
    assert backwards.value.field == "on"

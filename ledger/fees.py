"""Fee maths: management fee accrual and performance fee crystallisation.

Management fee
    fee for ``[start, end)`` = basis x annual rate x year fraction (ACT/365F or ACT/360),
    computed exactly and rounded once to the minor unit, ROUND_HALF_EVEN
    (``MANAGEMENT_FEE_ROUNDING``). The basis is whatever the pool's terms say: NAV for an
    open-ended pool, committed or invested capital for a closed-ended one.
    :func:`management_fee_accruals` accrues a run of periods with *cumulative* rounding:
    each period's accrual is round(cumulative exact fee) - round(previous cumulative), so
    the accruals never drift from the exact total by more than half a minor unit.

Performance fee (hard hurdle, optional high-water mark)
    reference = high-water mark (HWM on) or the period's opening value (HWM off);
    hurdle level = reference x (1 + hurdle rate for the period);
    fee = rate x max(0, value before fee - hurdle level), ROUND_DOWN to the minor unit
    (``PERFORMANCE_FEE_ROUNDING``: the manager never gets more than the contractual share).
    When a fee is crystallised the new HWM is the value after this fee and any other charges
    taken at the same time (e.g. the management fee); otherwise the HWM is unchanged. The
    HWM never decreases.

Pool-level crystallisation (no equalisation)
    The platform crystallises the performance fee of an open-ended pool at pool level, per
    unit: fee = rate x max(0, NAV per unit - hurdle level per unit) x units outstanding.
    Every unitholder bears it pro rata to units, whenever they subscribed; there are no
    equalisation credits or series accounting.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from ledger.daycount import DayCount, check_date, year_fraction
from ledger.errors import InvalidValueError
from ledger.money import (
    Currency,
    Rounding,
    check_cash,
    check_nav_per_unit,
    check_rate,
    check_units,
    exact_arithmetic,
    quantize_cash,
)
from ledger.unitisation import nav_per_unit

__all__ = [
    "MANAGEMENT_FEE_ROUNDING",
    "PERFORMANCE_FEE_ROUNDING",
    "AccrualFrequency",
    "AccrualPeriod",
    "FeeAccrual",
    "PerformanceFee",
    "PerformanceFeeTerms",
    "PoolPerformanceFee",
    "accrual_periods",
    "accrual_periods_for_year",
    "management_fee",
    "management_fee_accruals",
    "performance_fee",
    "pool_performance_fee",
]

MANAGEMENT_FEE_ROUNDING = Rounding.HALF_EVEN
PERFORMANCE_FEE_ROUNDING = Rounding.DOWN


class AccrualFrequency(enum.StrEnum):
    """How often a fee accrues; periods end on calendar boundaries."""

    DAILY = "daily"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"


@dataclass(frozen=True, slots=True)
class AccrualPeriod:
    """A half-open accrual period ``[start, end)``: ``start`` accrues, ``end`` does not."""

    start: date
    end: date

    def __post_init__(self) -> None:
        check_date(self.start, "start")
        check_date(self.end, "end")
        if self.end <= self.start:
            raise InvalidValueError("end", f"must be after start {self.start}, got {self.end}")

    @property
    def days(self) -> int:
        """Actual days in the period."""
        return (self.end - self.start).days


@dataclass(frozen=True, slots=True)
class FeeAccrual:
    """The fee accrued for one period on one basis."""

    period: AccrualPeriod
    basis: Decimal
    amount: Decimal


def _next_boundary(day: date, frequency: AccrualFrequency) -> date:
    if frequency is AccrualFrequency.DAILY:
        return day + timedelta(days=1)
    if frequency is AccrualFrequency.ANNUAL:
        return date(day.year + 1, 1, 1)
    months = 1 if frequency is AccrualFrequency.MONTHLY else 3
    # first month of the next period, counting months from 0 = January
    next_month = ((day.month - 1) // months + 1) * months
    return date(day.year + next_month // 12, next_month % 12 + 1, 1)


def accrual_periods(start: date, end: date, frequency: AccrualFrequency) -> tuple[AccrualPeriod, ...]:
    """Split ``[start, end)`` into accrual periods ending on calendar boundaries.

    Boundaries: every day (daily), the 1st of each month (monthly), 1 Jan/Apr/Jul/Oct
    (quarterly), 1 January (annual). The first and last periods may be stubs.
    """
    check_date(start, "start")
    check_date(end, "end")
    if end <= start:
        raise InvalidValueError("end", f"must be after start {start}, got {end}")
    kind = AccrualFrequency(frequency)
    periods: list[AccrualPeriod] = []
    current = start
    while current < end:
        following = min(_next_boundary(current, kind), end)
        periods.append(AccrualPeriod(current, following))
        current = following
    return tuple(periods)


def accrual_periods_for_year(year: int, frequency: AccrualFrequency) -> tuple[AccrualPeriod, ...]:
    """The accrual periods of calendar year ``year`` (365 or 366 daily periods, 12 months ...)."""
    return accrual_periods(date(year, 1, 1), date(year + 1, 1, 1), frequency)


def _exact_fee(basis: Decimal, rate: Decimal, period: AccrualPeriod, day_count: DayCount) -> Fraction:
    return Fraction(basis) * Fraction(rate) * year_fraction(period.start, period.end, day_count)


@exact_arithmetic
def management_fee(
    basis: Decimal,
    annual_rate: Decimal,
    start: date,
    end: date,
    *,
    currency: Currency,
    day_count: DayCount = DayCount.ACT_365F,
) -> Decimal:
    """Management fee for ``[start, end)``: basis x annual rate x days / 365 (or 360).

    Computed exactly, then rounded half-even to the currency's minor unit.
    """
    amount = check_cash(basis, currency, "basis")
    rate = check_rate(annual_rate, "annual_rate")
    period = AccrualPeriod(start, end)
    return quantize_cash(_exact_fee(amount, rate, period, day_count), currency, MANAGEMENT_FEE_ROUNDING)


@exact_arithmetic
def management_fee_accruals(
    bases: Sequence[tuple[AccrualPeriod, Decimal]],
    annual_rate: Decimal,
    currency: Currency,
    day_count: DayCount = DayCount.ACT_365F,
) -> tuple[FeeAccrual, ...]:
    """Accrue the fee over consecutive periods, each with its own basis, rounding cumulatively.

    Period k accrues round(sum of exact fees of periods 1..k) - round(sum of 1..k-1), so the
    total accrued equals the exactly computed total fee rounded once, and no accrual is
    negative. Periods must be in order and must not overlap.
    """
    rate = check_rate(annual_rate, "annual_rate")
    accruals: list[FeeAccrual] = []
    exact_total = Fraction(0)
    booked = quantize_cash(0, currency)
    previous_end: date | None = None
    for index, (period, basis) in enumerate(bases):
        if not isinstance(period, AccrualPeriod):
            raise InvalidValueError(f"bases[{index}]", "period must be an AccrualPeriod")
        if previous_end is not None and period.start < previous_end:
            raise InvalidValueError(
                f"bases[{index}]", f"period starts {period.start}, before the previous end {previous_end}"
            )
        amount = check_cash(basis, currency, f"bases[{index}].basis")
        exact_total += _exact_fee(amount, rate, period, day_count)
        cumulative = quantize_cash(exact_total, currency, MANAGEMENT_FEE_ROUNDING)
        accruals.append(FeeAccrual(period=period, basis=amount, amount=cumulative - booked))
        booked = cumulative
        previous_end = period.end
    return tuple(accruals)


@dataclass(frozen=True, slots=True)
class PerformanceFeeTerms:
    """Performance fee terms of a pool.

    ``hurdle_rate`` is the hard hurdle for one crystallisation period (already pro-rated
    by the caller if the period is shorter than a year); 0 means no hurdle.
    """

    rate: Decimal
    high_water_mark: bool = True
    hurdle_rate: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        check_rate(self.rate, "rate")
        check_rate(self.hurdle_rate, "hurdle_rate")
        if not isinstance(self.high_water_mark, bool):
            raise InvalidValueError("high_water_mark", "must be True or False")


@dataclass(frozen=True, slots=True)
class PerformanceFee:
    """Result of one performance fee crystallisation."""

    fee: Decimal
    """Fee crystallised (minor unit, rounded down); 0 if below the hurdle level."""
    hurdle_level: Decimal
    """Value the fund had to exceed: reference x (1 + hurdle rate), exact."""
    high_water_mark: Decimal
    """The HWM after this crystallisation (never lower than before)."""


def _fee_on_excess(value: Decimal, hurdle_level: Decimal, rate: Decimal, scale: Decimal) -> Fraction:
    excess = max(Fraction(0), Fraction(value) - Fraction(hurdle_level))
    return Fraction(rate) * excess * Fraction(scale)


@exact_arithmetic
def performance_fee(
    value_before_fee: Decimal,
    *,
    high_water_mark: Decimal,
    terms: PerformanceFeeTerms,
    currency: Currency,
    period_start_value: Decimal | None = None,
    other_charges: Decimal = Decimal(0),
) -> PerformanceFee:
    """Crystallise a performance fee on a fund value (or an investor's account value).

    ``value_before_fee`` is the value the fee is computed on (gross of this fee; e.g. before
    the management fee when the two are "independent"). ``other_charges`` are deducted at
    the same time (e.g. that management fee) and only affect the new HWM. With the HWM off,
    ``period_start_value`` is the reference and is required.
    """
    value = check_cash(value_before_fee, currency, "value_before_fee")
    hwm = check_cash(high_water_mark, currency, "high_water_mark")
    charges = check_cash(other_charges, currency, "other_charges")
    if terms.high_water_mark:
        reference = hwm
    elif period_start_value is None:
        raise InvalidValueError("period_start_value", "is required when the high-water mark is off")
    else:
        reference = check_cash(period_start_value, currency, "period_start_value")
    hurdle_level = reference * (1 + terms.hurdle_rate)
    fee = quantize_cash(
        _fee_on_excess(value, hurdle_level, terms.rate, Decimal(1)), currency, PERFORMANCE_FEE_ROUNDING
    )
    new_hwm = max(hwm, value - charges - fee) if fee > 0 else hwm
    return PerformanceFee(fee=fee, hurdle_level=hurdle_level, high_water_mark=new_hwm)


@dataclass(frozen=True, slots=True)
class PoolPerformanceFee:
    """Result of a pool-level (per unit, equalisation-free) crystallisation."""

    fee: Decimal
    """Fee charged to the pool (minor unit, rounded down)."""
    nav_per_unit_before_fee: Decimal
    nav_per_unit_after_fee: Decimal
    hurdle_level_per_unit: Decimal
    """NAV per unit the pool had to exceed: reference x (1 + hurdle rate), exact."""
    high_water_mark_per_unit: Decimal
    """The HWM per unit after this crystallisation (never lower than before)."""


@exact_arithmetic
def pool_performance_fee(
    net_assets_before_fee: Decimal,
    units_outstanding: Decimal,
    *,
    high_water_mark_per_unit: Decimal,
    terms: PerformanceFeeTerms,
    currency: Currency,
    period_start_nav_per_unit: Decimal | None = None,
) -> PoolPerformanceFee:
    """Crystallise the pool's performance fee on NAV per unit against the HWM per unit.

    fee = rate x max(0, NAV per unit - HWM per unit x (1 + hurdle)) x units outstanding,
    rounded down to the minor unit. The new HWM per unit is the NAV per unit after the fee.
    With the HWM off, ``period_start_nav_per_unit`` is the reference and is required.
    """
    assets = check_cash(net_assets_before_fee, currency, "net_assets_before_fee")
    units = check_units(units_outstanding, "units_outstanding")
    hwm = check_nav_per_unit(high_water_mark_per_unit, "high_water_mark_per_unit")
    if units == 0:
        raise InvalidValueError("units_outstanding", "must be positive to crystallise a fee")
    if terms.high_water_mark:
        reference = hwm
    elif period_start_nav_per_unit is None:
        raise InvalidValueError("period_start_nav_per_unit", "is required when the high-water mark is off")
    else:
        reference = check_nav_per_unit(period_start_nav_per_unit, "period_start_nav_per_unit")
    before = nav_per_unit(assets, units, currency).nav_per_unit
    hurdle_level = reference * (1 + terms.hurdle_rate)
    fee = quantize_cash(
        _fee_on_excess(before, hurdle_level, terms.rate, units), currency, PERFORMANCE_FEE_ROUNDING
    )
    after = nav_per_unit(assets - fee, units, currency).nav_per_unit
    new_hwm = max(hwm, after) if fee > 0 else hwm
    return PoolPerformanceFee(
        fee=fee,
        nav_per_unit_before_fee=before,
        nav_per_unit_after_fee=after,
        hurdle_level_per_unit=hurdle_level,
        high_water_mark_per_unit=new_hwm,
    )

"""Management fee maths: accrual periods, the fee for a period, cumulative accrual.

Management fee
    fee for ``[start, end)`` = basis x annual rate x year fraction (ACT/365F or ACT/360),
    computed exactly and rounded once to the minor unit, ROUND_HALF_EVEN
    (``MANAGEMENT_FEE_ROUNDING``). The basis is whatever the pool's terms say: NAV for an
    open-ended pool, committed or invested capital for a closed-ended one.
    :func:`management_fee_accruals` accrues a run of periods with *cumulative* rounding:
    each period's accrual is round(cumulative exact fee) - round(previous cumulative), so
    the accruals never drift from the exact total by more than half a minor unit.

Accrual periods
    Half-open ``[start, end)`` periods ending on calendar boundaries (every day, the 1st of
    each month, 1 Jan/Apr/Jul/Oct, or 1 January): :func:`accrual_periods`.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from backend.finance.daycount import DayCount, check_date, year_fraction
from backend.finance.errors import InvalidValueError
from backend.finance.money import (
    Currency,
    Rounding,
    check_cash,
    check_rate,
    exact_arithmetic,
    quantize_cash,
)

__all__ = [
    "MANAGEMENT_FEE_ROUNDING",
    "AccrualFrequency",
    "AccrualPeriod",
    "FeeAccrual",
    "FeePeriod",
    "ManagementFeeTerms",
    "accrual_periods",
    "accrual_periods_for_year",
    "management_fee",
    "management_fee_accruals",
]

MANAGEMENT_FEE_ROUNDING = Rounding.HALF_EVEN


class AccrualFrequency(enum.StrEnum):
    """How often a fee accrues; periods end on calendar boundaries."""

    DAILY = "daily"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"


@dataclass(frozen=True, slots=True)
class FeePeriod:
    """The days a management fee entry charges for, first and last day included."""

    first_day: date
    last_day: date

    def __post_init__(self) -> None:
        check_date(self.first_day, "period_start")
        check_date(self.last_day, "period_end")
        if self.last_day < self.first_day:
            raise InvalidValueError(
                "period_end", f"must be on or after period_start {self.first_day}, got {self.last_day}"
            )

    @property
    def accrual(self) -> AccrualPeriod:
        return AccrualPeriod(self.first_day, self.last_day + timedelta(days=1))

    def overlaps(self, other: FeePeriod) -> bool:
        return self.first_day <= other.last_day and other.first_day <= self.last_day


@dataclass(frozen=True, slots=True)
class ManagementFeeTerms:
    """What a pool's agreement says about its management fee (the finance layer's view)."""

    rate: Decimal
    """Per annum, as a fraction."""
    basis: str
    """nav, committed or invested."""
    day_count: DayCount = DayCount.ACT_365F
    step_down_on: date | None = None
    """A fee on commitments is charged on invested capital from this day (the end of the
    investment period): a period that straddles it is split there, each part on its own
    basis and rate, and the period's fee rounded once."""
    step_down_rate: Decimal | None = None
    """The rate from ``step_down_on``; None: ``rate``."""
    offset_rate: Decimal | None = None
    """The share of portfolio-company fees received by the manager that reduces the fee
    (fees/fee_offsets.py); None: the agreement has no offset."""
    in_advance: bool = False
    """Charged at the start of each period, on the figures known then (fees/fee_basis.py,
    FeeTiming); else at its end."""
    nav_point: str = "ending"
    """A fee on NAV accrued at a valuation: on the period's ending, beginning or average NAV."""

    def rate_after_step_down(self) -> Decimal:
        return self.rate if self.step_down_rate is None else self.step_down_rate


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

"""Performance fee maths: hard hurdle, high-water mark, crystallisation.

Performance fee (hard or soft hurdle, optional high-water mark)
    reference = high-water mark (HWM on) or the period's opening value (HWM off);
    hurdle level = reference x hurdle growth since the reference was set;
    hard: fee = rate x max(0, value before fee - hurdle level); soft (``fee_on_gain``): once
    the value clears the hurdle level, rate x the whole gain over the reference, or with a
    catch-up c the smaller of c x the gain above the hurdle and rate x the gain; ROUND_DOWN to the minor unit
    (``PERFORMANCE_FEE_ROUNDING``: the manager never gets more than the contractual share).
    When a fee is crystallised the new HWM is the value after this fee and any other charges
    taken at the same time (e.g. the management fee); otherwise the HWM is unchanged. The
    HWM never decreases.

Hurdle growth (``hurdle_growth``)
    The terms' hurdle rate r is annual. Over ``[start, on)``, where ``start`` is the date the
    reference was set (the last crystallisation that took a fee, which set the HWM, or
    inception; for the HWM off, the start of the period), the hurdle compounds annually over
    whole years counted from ``start`` (anniversary to anniversary, each counting as one
    year whatever its days) and is pro-rated, simply, by the day count over the rest:

        growth = (1 + r) ^ n x (1 + r x min(1, days after the n-th anniversary / 365 (or 360)))

    so a year without a fee carries its hurdle into the next. An anniversary of 29 February
    falls on 28 February in other years. Exact (a ``Fraction``); the fee is rounded once.
    Without the dates, the hurdle is the rate for one period taken as a whole year:
    growth = 1 + r (the behaviour before the dates existed).

Pool-level crystallisation (no equalisation)
    The platform crystallises the performance fee of an open-ended pool at pool level, per
    unit: fee = rate x max(0, NAV per unit - hurdle level per unit) x units outstanding.
    Every unitholder bears it pro rata to units, whenever they subscribed; there are no
    equalisation credits or series accounting.
"""

from __future__ import annotations

import calendar
import enum
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
    check_nav_per_unit,
    check_rate,
    check_units,
    exact_arithmetic,
    quantize_cash,
    round_to_quantum,
)
from backend.finance.unitisation import nav_per_unit

__all__ = [
    "PERFORMANCE_FEE_ROUNDING",
    "Crystallisation",
    "GainBasis",
    "HurdleType",
    "PerformanceFee",
    "PerformanceFeeTerms",
    "PoolPerformanceFee",
    "crystallises_on",
    "fee_on_gain",
    "hurdle_growth",
    "performance_fee",
    "pool_performance_fee",
]

PERFORMANCE_FEE_ROUNDING = Rounding.DOWN
_LEVEL_PLACES = 12


class HurdleType(enum.StrEnum):
    HARD = "hard"
    """Fee only on the gain above the hurdle."""
    SOFT = "soft"
    """Once the hurdle is cleared, fee on the whole gain (or a catch-up to it)."""


class GainBasis(enum.StrEnum):
    """What the gain is measured on: the value after the management fee (net) or before it."""

    NET_OF_MANAGEMENT_FEE = "net_of_management_fee"
    GROSS_OF_MANAGEMENT_FEE = "gross_of_management_fee"


class Crystallisation(enum.StrEnum):
    """How often the accrued fee becomes payable (calendar months, quarters or years)."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUALLY = "annually"


def _last_weekday(year: int, month: int) -> date:
    day = date(year, month, calendar.monthrange(year, month)[1])
    while day.weekday() >= 5:  # Saturday, Sunday
        day -= timedelta(days=1)
    return day


def crystallises_on(on: date, frequency: Crystallisation) -> bool:
    """True if a valuation on ``on`` is a crystallisation date: on or after the last weekday
    of its month (monthly), of a March/June/September/December (quarterly) or of December
    (annually)."""
    check_date(on, "on")
    schedule = Crystallisation(frequency)
    if schedule is Crystallisation.QUARTERLY and on.month % 3 != 0:
        return False
    if schedule is Crystallisation.ANNUALLY and on.month != 12:
        return False
    return on >= _last_weekday(on.year, on.month)


def fee_on_gain(
    rate: Decimal, gain: Fraction, hurdle_amount: Fraction, hurdle: HurdleType, catch_up_rate: Decimal | None
) -> Fraction:
    """The exact fee on ``gain`` over a hurdle of ``hurdle_amount``: hard, rate x the gain
    above it; soft, once cleared (a gain exactly at the hurdle does not clear it), rate x the
    whole gain, or with a catch-up c the smaller of c x the gain above it and rate x the gain."""
    share = Fraction(rate)
    if hurdle is HurdleType.HARD:
        return share * max(Fraction(0), gain - hurdle_amount)
    if gain <= hurdle_amount or gain <= 0:
        return Fraction(0)
    if catch_up_rate is None:
        return share * gain
    return min(Fraction(catch_up_rate) * (gain - hurdle_amount), share * gain)


@dataclass(frozen=True, slots=True)
class PerformanceFeeTerms:
    """Performance fee terms of a pool.

    ``hurdle_rate`` is the annual hard hurdle, pro-rated and compounded over the time since
    the reference level was set (:func:`hurdle_growth`) when the caller gives the dates;
    0 means no hurdle.
    """

    rate: Decimal
    high_water_mark: bool = True
    hurdle_rate: Decimal = Decimal(0)
    day_count: DayCount = DayCount.ACT_365F
    """Day count that pro-rates the hurdle over part of a year."""
    hurdle: HurdleType = HurdleType.HARD
    catch_up_rate: Decimal | None = None
    """Soft hurdle only: the manager's share of the gain above the hurdle until it has caught
    up to rate x the whole gain; None: the whole gain as soon as the hurdle is cleared."""
    gain_basis: GainBasis = GainBasis.NET_OF_MANAGEMENT_FEE
    """Gross: the gain is measured before the management fee charged since the reference was
    set (the pool-level fee adds it back); the high-water mark stays net of all fees."""
    crystallisation: Crystallisation | None = None
    """When the fee may be crystallised (the last weekday of each month, quarter or year, or
    after it); None: whenever the manager charges it."""

    def __post_init__(self) -> None:
        check_rate(self.rate, "rate")
        check_rate(self.hurdle_rate, "hurdle_rate")
        if not isinstance(self.high_water_mark, bool):
            raise InvalidValueError("high_water_mark", "must be True or False")
        DayCount(self.day_count)
        HurdleType(self.hurdle)
        GainBasis(self.gain_basis)
        if self.crystallisation is not None:
            Crystallisation(self.crystallisation)
        if self.catch_up_rate is not None:
            if self.hurdle is not HurdleType.SOFT:
                raise InvalidValueError("catch_up_rate", "applies to a soft hurdle only")
            check_rate(self.catch_up_rate, "catch_up_rate", low=self.rate)


def _anniversary(start: date, years: int) -> date:
    """``start`` moved on by whole years; 29 February falls on 28 February in other years."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def hurdle_growth(
    annual_rate: Decimal, start: date, on: date, day_count: DayCount = DayCount.ACT_365F
) -> Fraction:
    """Growth of the reference level by the hurdle over ``[start, on)``, exactly:
    (1 + r) ^ whole years x (1 + r x year fraction of the rest).

    Whole years are counted from ``start`` to its anniversaries; the rest, after the last
    anniversary, is pro-rated simply by ``day_count`` and counts for at most one year (so
    the growth never falls on an anniversary under ACT/360).
    """
    rate = Fraction(check_rate(annual_rate, "hurdle_rate"))
    check_date(start, "period_start")
    check_date(on, "on")
    if on < start:
        raise InvalidValueError("on", f"must not be before the period start {start}, got {on}")
    years = on.year - start.year
    if _anniversary(start, years) > on:
        years -= 1
    # At most a year: under ACT/360 the days before an anniversary can count for more, and
    # the growth must not fall back on the anniversary.
    stub = min(year_fraction(_anniversary(start, years), on, day_count), Fraction(1))
    return (1 + rate) ** years * (1 + rate * stub)


def _growth_for(terms: PerformanceFeeTerms, period_start: date | None, on: date | None) -> Fraction:
    if period_start is None and on is None:
        return 1 + Fraction(terms.hurdle_rate)
    if period_start is None:
        raise InvalidValueError("period_start", "is required with the crystallisation date on")
    if on is None:
        raise InvalidValueError("on", "is required with period_start")
    return hurdle_growth(terms.hurdle_rate, period_start, on, terms.day_count)


def _as_decimal(value: Fraction) -> Decimal:
    """``value`` as a Decimal: exact when it has at most 12 decimal places, otherwise
    rounded half-even to 12 (for display; the fee is worked out on the exact value)."""
    twos = fives = 0
    denominator = value.denominator
    while denominator % 2 == 0:
        denominator, twos = denominator // 2, twos + 1
    while denominator % 5 == 0:
        denominator, fives = denominator // 5, fives + 1
    places = max(twos, fives)
    if denominator == 1 and places <= _LEVEL_PLACES:
        scaled = value.numerator * 2 ** (places - twos) * 5 ** (places - fives)
        return Decimal(f"{scaled}E-{places}")
    return round_to_quantum(value, Decimal(1).scaleb(-_LEVEL_PLACES), Rounding.HALF_EVEN)


@dataclass(frozen=True, slots=True)
class PerformanceFee:
    """Result of one performance fee crystallisation."""

    fee: Decimal
    """Fee crystallised (minor unit, rounded down); 0 if below the hurdle level."""
    hurdle_level: Decimal
    """Value the fund had to exceed: reference x hurdle growth (exact, or to 12 dp)."""
    high_water_mark: Decimal
    """The HWM after this crystallisation (never lower than before)."""
    period_hurdle_rate: Decimal = Decimal(0)
    """The hurdle over the period: hurdle growth - 1 (exact, or to 12 dp)."""


def _fee_on_excess(
    terms: PerformanceFeeTerms, value: Decimal, reference: Decimal, growth: Fraction, scale: Decimal
) -> Fraction:
    """The exact fee on ``value`` over ``reference`` grown by the hurdle, times ``scale``."""
    gain = Fraction(value) - Fraction(reference)
    hurdle_amount = Fraction(reference) * (growth - 1)
    return fee_on_gain(terms.rate, gain, hurdle_amount, terms.hurdle, terms.catch_up_rate) * Fraction(scale)


@exact_arithmetic
def performance_fee(
    value_before_fee: Decimal,
    *,
    high_water_mark: Decimal,
    terms: PerformanceFeeTerms,
    currency: Currency,
    period_start_value: Decimal | None = None,
    other_charges: Decimal = Decimal(0),
    period_start: date | None = None,
    on: date | None = None,
) -> PerformanceFee:
    """Crystallise a performance fee on a fund value (or an investor's account value).

    ``value_before_fee`` is the value the fee is computed on (gross of this fee; e.g. before
    the management fee when the two are "independent"). ``other_charges`` are deducted at
    the same time (e.g. that management fee) and only affect the new HWM. With the HWM off,
    ``period_start_value`` is the reference and is required.

    ``period_start`` (the date the reference was set: the last crystallisation that took a
    fee, or inception; with the HWM off, the period's start) and ``on`` (this
    crystallisation's date) pro-rate and compound the annual hurdle (:func:`hurdle_growth`).
    Without them the hurdle rate applies once, as for a one-year period.
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
    growth = _growth_for(terms, period_start, on)
    hurdle_level = Fraction(reference) * growth
    fee = quantize_cash(
        _fee_on_excess(terms, value, reference, growth, Decimal(1)), currency, PERFORMANCE_FEE_ROUNDING
    )
    new_hwm = max(hwm, value - charges - fee) if fee > 0 else hwm
    return PerformanceFee(
        fee=fee,
        hurdle_level=_as_decimal(hurdle_level),
        high_water_mark=new_hwm,
        period_hurdle_rate=_as_decimal(growth - 1),
    )


@dataclass(frozen=True, slots=True)
class PoolPerformanceFee:
    """Result of a pool-level (per unit, equalisation-free) crystallisation."""

    fee: Decimal
    """Fee charged to the pool (minor unit, rounded down)."""
    nav_per_unit_before_fee: Decimal
    nav_per_unit_after_fee: Decimal
    hurdle_level_per_unit: Decimal
    """NAV per unit the pool had to exceed: reference x hurdle growth (exact, or to 12 dp)."""
    high_water_mark_per_unit: Decimal
    """The HWM per unit after this crystallisation (never lower than before)."""
    period_hurdle_rate: Decimal = Decimal(0)
    """The hurdle over the period: hurdle growth - 1 (exact, or to 12 dp)."""


@exact_arithmetic
def pool_performance_fee(
    net_assets_before_fee: Decimal,
    units_outstanding: Decimal,
    *,
    high_water_mark_per_unit: Decimal,
    terms: PerformanceFeeTerms,
    currency: Currency,
    period_start_nav_per_unit: Decimal | None = None,
    period_start: date | None = None,
    on: date | None = None,
    management_fee_since: Decimal = Decimal(0),
) -> PoolPerformanceFee:
    """Crystallise the pool's performance fee on NAV per unit against the HWM per unit.

    fee = rate x max(0, NAV per unit - HWM per unit x hurdle growth) x units outstanding,
    rounded down to the minor unit. The new HWM per unit is the NAV per unit after the fee.
    With the HWM off, ``period_start_nav_per_unit`` is the reference and is required.
    ``period_start`` and ``on`` as for :func:`performance_fee`: the date the HWM was set
    (the last fee taken, or inception) and this crystallisation's date.

    Gross of the management fee (``terms.gain_basis``), the gain is measured on the NAV per
    unit with ``management_fee_since`` (the management fee charged since ``period_start``)
    added back; the fee is still taken from the NAV, and the HWM is the NAV per unit after it.
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
    measured = before
    if terms.gain_basis is GainBasis.GROSS_OF_MANAGEMENT_FEE:
        added_back = check_cash(management_fee_since, currency, "management_fee_since")
        measured = nav_per_unit(assets + added_back, units, currency).nav_per_unit
    growth = _growth_for(terms, period_start, on)
    hurdle_level = Fraction(reference) * growth
    fee = quantize_cash(
        _fee_on_excess(terms, measured, reference, growth, units), currency, PERFORMANCE_FEE_ROUNDING
    )
    after = nav_per_unit(assets - fee, units, currency).nav_per_unit
    new_hwm = max(hwm, after) if fee > 0 else hwm
    return PoolPerformanceFee(
        fee=fee,
        nav_per_unit_before_fee=before,
        nav_per_unit_after_fee=after,
        hurdle_level_per_unit=_as_decimal(hurdle_level),
        high_water_mark_per_unit=new_hwm,
        period_hurdle_rate=_as_decimal(growth - 1),
    )

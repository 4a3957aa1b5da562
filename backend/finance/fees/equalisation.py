"""Investor-level performance fee equalisation for an open-ended pool (one share class).

Method: equalisation credits and contingent redemptions, one NAV per unit for everybody.
Series accounting (a new series, with its own NAV per unit, for every dealing day) was not
chosen: the platform shows investors one NAV per unit per share class, and with many small
subscriptions a series per dealing day would multiply the prices shown, and series that end
a period below their own HWM cannot be rolled up into the lead series at all. Equalisation
keeps the one price and settles the difference investor by investor at crystallisation.

The class (its period starts at the last crystallisation; no hurdle in this version):

* HWM per unit P (the NAV per unit after the last crystallisation that took a fee);
* gross NAV per unit (GAV) g: the NAV per unit before any performance fee accrual;
* the published NAV per unit: n = g - rate x max(0, g - P), one price for everybody.

At dealing (:func:`equalisation_at_dealing`) an investor buying at a published NAV n above
P pays n plus an equalisation credit per unit, the fee accrued in the price,
e = rate x (g - P) = (n - P) x rate / (1 - rate), so it buys at the gross price
g = P + (n - P) / (1 - rate). Below P the gross price is n. This gross price is the units'
own reference r (units held since the last crystallisation: r = P, a :class:`Holding`).

At crystallisation, with period-end GAV per unit G, each lot of u units owes its own fee,
rate x u x max(0, G - r), and the investor's fee is the sum over its lots, rounded once,
ROUND_DOWN to the minor unit (the manager never gets more than its share). It is settled as:

* the class fee, rate x max(0, G - P) x units outstanding (rounded down), split across
  investors pro rata to units with :func:`backend.finance.allocation.allocate` (largest
  remainder, so the shares add up to the class fee exactly): the investor's class share;
* an equalisation credit, when the class share is more than the investor's own fee (units
  bought above P): the difference is given back to the investor as new units;
* a contingent redemption, when the investor's own fee is more than its class share (units
  bought below P, the "free ride"): the difference is taken by redeeming units.

So fee = class share - equalisation credit + contingent redemption, to the cent, and the
pool's total fee, what the manager is paid, is exactly the sum of the investors' fees. An
investor with lots on both sides of P gets the net of the two. Because each investor's fee
is rounded down on its own and the class shares come from one rounded total, an investor
holding only units at P can see a credit or a redemption of a cent: that is the rounding,
never a fee on somebody else's gain. Units are converted at the NAV per unit after the fee,
n' = G - rate x max(0, G - P) (half-even to 6 dp): units credited are rounded down and
units redeemed rounded up (to 6 dp), so the other holders never pay for the rounding. The
conversion does not dilute: the pool pays the manager the class fee less the credits (the
credited units are paid for by the part of the class fee kept back) plus the contingent
redemptions (paid for by the units cancelled), so the NAV per unit stays n' for everybody.

After the period the reference of every unit that paid on its whole gain is the new NAV
per unit; units bought above G keep an unrecovered reference r x n' / G (the caller carries
it as a :class:`Holding`). The new class HWM is n' when the class fee is positive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from backend.finance.allocation import allocate
from backend.finance.daycount import check_date
from backend.finance.errors import InvalidValueError
from backend.finance.fees.incentive_terms import INCENTIVE_FEE_ROUNDING, IncentiveTerms
from backend.finance.money import (
    Currency,
    Rounding,
    check_nav_per_unit,
    check_units,
    exact_arithmetic,
    quantize_cash,
    quantize_nav_per_unit,
    quantize_units,
    round_to_quantum,
    to_decimal,
)

__all__ = [
    "DealingEqualisation",
    "EqualisationResult",
    "Holding",
    "InvestorEqualisation",
    "Subscription",
    "equalisation_at_dealing",
    "equalise",
]

_REFERENCE_QUANTUM = Decimal("1E-12")


@dataclass(frozen=True, slots=True)
class Subscription:
    """Units bought in the period at the published NAV per unit of the dealing day."""

    investor: str
    dealt_on: date
    units: Decimal
    nav_per_unit: Decimal


@dataclass(frozen=True, slots=True)
class Holding:
    """Units held since the last crystallisation, with their own gross reference per unit
    (the class HWM for ordinary units; at most 12 dp)."""

    investor: str
    units: Decimal
    reference_per_unit: Decimal


@dataclass(frozen=True, slots=True)
class DealingEqualisation:
    """What a subscriber pays per unit at dealing."""

    nav_per_unit: Decimal
    gross_nav_per_unit: Decimal
    """The units' own reference r (exact, or half-even to 12 dp)."""
    equalisation_credit_per_unit: Decimal
    """r - NAV: the accrued fee per unit paid on top of the NAV (exact, or 12 dp)."""


def _check_rate(terms: IncentiveTerms) -> Fraction:
    if not isinstance(terms, IncentiveTerms):
        raise InvalidValueError("terms", "must be IncentiveTerms")
    if terms.hurdle_rate != 0:
        raise InvalidValueError("hurdle_rate", "equalisation supports no hurdle in this version")
    if not terms.high_water_mark:
        raise InvalidValueError("high_water_mark", "equalisation needs a high-water mark")
    if terms.rate >= 1:
        raise InvalidValueError("rate", "must be below 1 for equalisation")
    return Fraction(terms.rate)


def _gross(nav: Decimal, hwm: Decimal, rate: Fraction) -> Fraction:
    if nav <= hwm:
        return Fraction(nav)
    return Fraction(hwm) + (Fraction(nav) - Fraction(hwm)) / (1 - rate)


def _display(value: Fraction) -> Decimal:
    for places in range(13):
        scaled = value * 10**places
        if scaled.denominator == 1:
            return Decimal(scaled.numerator).scaleb(-places)
    return round_to_quantum(value, _REFERENCE_QUANTUM, Rounding.HALF_EVEN)


@exact_arithmetic
def equalisation_at_dealing(
    nav_per_unit: Decimal, *, high_water_mark_per_unit: Decimal, terms: IncentiveTerms
) -> DealingEqualisation:
    """Gross price and equalisation credit per unit for a subscription at ``nav_per_unit``."""
    rate = _check_rate(terms)
    nav = check_nav_per_unit(nav_per_unit, "nav_per_unit")
    hwm = check_nav_per_unit(high_water_mark_per_unit, "high_water_mark_per_unit")
    gross = _gross(nav, hwm, rate)
    return DealingEqualisation(nav, _display(gross), _display(gross - Fraction(nav)))


@dataclass(frozen=True, slots=True)
class InvestorEqualisation:
    """One investor's performance fee for the period and how it is settled."""

    investor: str
    units: Decimal
    """Units held at the period end, before the settlement below."""
    fee: Decimal
    """rate x sum over its lots of units x max(0, G - own reference), rounded down."""
    class_share: Decimal
    """Its share of the class fee, pro rata to units (largest remainder)."""
    equalisation_credit: Decimal
    """class_share - fee when positive: given back as units."""
    contingent_redemption: Decimal
    """fee - class_share when positive: taken by redeeming units."""
    units_credited: Decimal
    units_redeemed: Decimal

    @property
    def units_after(self) -> Decimal:
        return self.units + self.units_credited - self.units_redeemed


@dataclass(frozen=True, slots=True)
class EqualisationResult:
    class_fee: Decimal
    """rate x max(0, G - P) x units outstanding, rounded down."""
    total_fee: Decimal
    """Sum of the investors' fees: what the manager is paid."""
    nav_per_unit_after: Decimal
    """G less the class fee per unit: the published NAV per unit after crystallisation."""
    high_water_mark_per_unit: Decimal
    """The class HWM for the next period (never lower than before)."""
    investors: tuple[InvestorEqualisation, ...]

    def investor(self, name: str) -> InvestorEqualisation:
        for result in self.investors:
            if result.investor == name:
                return result
        raise InvalidValueError("investor", f"{name!r} holds no units in this period")


def _lots(
    holdings: Sequence[Holding],
    subscriptions: Sequence[Subscription],
    hwm: Decimal,
    rate: Fraction,
    period: tuple[date, date],
) -> list[tuple[str, Decimal, Fraction]]:
    """(investor, units, own gross reference) for every lot, validated."""
    lots: list[tuple[str, Decimal, Fraction]] = []
    for i, held in enumerate(holdings):
        field = f"holdings[{i}]"
        if not isinstance(held, Holding) or not isinstance(held.investor, str) or not held.investor:
            raise InvalidValueError(field, "must be a Holding with a non-empty investor")
        reference = to_decimal(held.reference_per_unit, f"{field}.reference_per_unit")
        if reference <= 0 or Fraction(reference) * 10**12 % 1 != 0:
            raise InvalidValueError(f"{field}.reference_per_unit", "must be positive, at most 12 dp")
        lots.append((held.investor, check_units(held.units, f"{field}.units"), Fraction(reference)))
    start, end = period
    for i, sub in enumerate(subscriptions):
        field = f"subscriptions[{i}]"
        if not isinstance(sub, Subscription) or not isinstance(sub.investor, str) or not sub.investor:
            raise InvalidValueError(field, "must be a Subscription with a non-empty investor")
        check_date(sub.dealt_on, f"{field}.dealt_on")
        if not start < sub.dealt_on <= end:
            raise InvalidValueError(f"{field}.dealt_on", f"must be in ({start}, {end}], got {sub.dealt_on}")
        nav = check_nav_per_unit(sub.nav_per_unit, f"{field}.nav_per_unit")
        lots.append((sub.investor, check_units(sub.units, f"{field}.units"), _gross(nav, hwm, rate)))
    return lots


@exact_arithmetic
def equalise(
    holdings: Sequence[Holding],
    subscriptions: Sequence[Subscription],
    *,
    period_end_gross_nav_per_unit: Decimal,
    high_water_mark_per_unit: Decimal,
    terms: IncentiveTerms,
    currency: Currency,
    period_start: date,
    period_end: date,
) -> EqualisationResult:
    """Crystallise the period's performance fee investor by investor (see the module docs).

    ``holdings`` are the units held since ``period_start`` (the last crystallisation),
    ``subscriptions`` the units bought in ``(period_start, period_end]`` at the published
    NAV per unit; ``period_end_gross_nav_per_unit`` is G, before any performance fee.
    """
    rate = _check_rate(terms)
    check_date(period_start, "period_start")
    check_date(period_end, "period_end")
    if period_end <= period_start:
        raise InvalidValueError("period_end", f"must be after period_start {period_start}")
    gav = check_nav_per_unit(period_end_gross_nav_per_unit, "period_end_gross_nav_per_unit")
    hwm = check_nav_per_unit(high_water_mark_per_unit, "high_water_mark_per_unit")
    lots = _lots(holdings, subscriptions, hwm, rate, (period_start, period_end))

    units: dict[str, Decimal] = {}
    own: dict[str, Fraction] = {}
    for investor, lot_units, reference in lots:
        units[investor] = units.get(investor, Decimal(0)) + lot_units
        own[investor] = own.get(investor, Fraction(0)) + rate * Fraction(lot_units) * max(
            Fraction(0), Fraction(gav) - reference
        )
    outstanding = sum(units.values(), Decimal(0))
    if outstanding == 0:
        raise InvalidValueError("holdings", "no units outstanding: nothing to crystallise")

    per_unit_fee = rate * max(Fraction(0), Fraction(gav) - Fraction(hwm))
    class_fee = quantize_cash(per_unit_fee * Fraction(outstanding), currency, INCENTIVE_FEE_ROUNDING)
    # The class fee is one total split by units; the largest remainder keeps the sum exact.
    shares = allocate(class_fee, units, currency.quantum)
    nav_after = quantize_nav_per_unit(Fraction(gav) - per_unit_fee)

    results: list[InvestorEqualisation] = []
    for investor, held in units.items():
        fee = quantize_cash(own[investor], currency, INCENTIVE_FEE_ROUNDING)
        adjustment = fee - shares[investor]
        credit, redemption = max(-adjustment, Decimal(0)), max(adjustment, Decimal(0))
        results.append(
            InvestorEqualisation(
                investor=investor,
                units=held,
                fee=fee,
                class_share=shares[investor],
                equalisation_credit=credit,
                contingent_redemption=redemption,
                # Never issue more units than the credit buys, and always redeem enough.
                units_credited=quantize_units(Fraction(credit) / Fraction(nav_after), Rounding.DOWN),
                units_redeemed=quantize_units(Fraction(redemption) / Fraction(nav_after), Rounding.UP),
            )
        )
    return EqualisationResult(
        class_fee=class_fee,
        total_fee=sum((r.fee for r in results), quantize_cash(0, currency)),
        nav_per_unit_after=nav_after,
        high_water_mark_per_unit=max(hwm, nav_after) if class_fee > 0 else hwm,
        investors=tuple(results),
    )

"""Multi-class NAV of an open-ended pool: one portfolio, several share classes, one valuation period.

A pool may issue several share classes (e.g. "A EUR", "I EUR" with a lower fee, "A USD hedged").
All classes own the same portfolio; they differ only in their own fee rates, their currency
and whether that currency is hedged back to the pool's base currency. The pool's books are
kept in the base currency; each class has its own NAV and NAV per unit in its own currency.

Rule, for one valuation period ``[start, end)`` (the "relative net assets" method of fund
administrators):

1. Common P&L (investment gains and losses, income and common expenses, in base currency) is
   split between the classes pro rata to each class's net assets in base currency at the
   start of the period, *after* the previous dealing day's subscriptions and redemptions:

       common share_c = common P&L x NAV_start_base_c / sum of NAV_start_base

   to the base currency's minor unit by the largest-remainder method
   (:func:`backend.finance.allocation.allocate`): the parts add up to the common P&L
   exactly; the classes with the largest fractional remainders absorb the left-over cents,
   one each, ties going to the class id that sorts first.
2. Class-specific items are applied to that class only:
   * management fee = NAV_start_base_c x the class's annual rate x year fraction(start, end)
     under the day count (:func:`backend.finance.fees.management_fee`), ROUND_HALF_EVEN to the
     base minor unit;
   * the P&L of a hedged class's FX forwards (given in base currency) goes to that class
     alone;
   * performance fee (only when the caller crystallises it, per class, simple high-water mark
     per unit in class currency, no hurdle, no equalisation): rate x max(0, NAV per unit
     before fee - HWM) x units, ROUND_DOWN in class currency
     (:func:`backend.finance.fees.pool_performance_fee`), booked in base currency as that fee
     / closing rate, ROUND_DOWN. The new HWM is the closing NAV per unit when a fee is taken.
3. NAV_end_base_c = NAV_start_base_c + common share_c + hedge P&L_c - management fee_c
   - performance fee_c (exact: all at the base minor unit). The class NAVs in base currency
   add up to the pool's NAV exactly: pool NAV_end = pool NAV_start + common P&L + hedge P&L
   - fees.
4. NAV_end_class_c = NAV_end_base_c x closing rate (class currency per base unit), rounded
   once, ROUND_HALF_EVEN, to the class currency's minor unit. A base-currency class is the
   same figure. An unhedged class thereby carries the FX move in its class-currency NAV; a
   hedged class carries the same move plus its forward P&L, which offsets it.
   ``fx_effect`` = NAV_end_base_c x (closing rate - opening rate), ROUND_HALF_EVEN, shows how
   much of the class-currency figure is the rate move.
5. NAV per unit_c = NAV_end_class_c / units_c, 6 dp, ROUND_HALF_EVEN
   (:func:`backend.finance.unitisation.nav_per_unit`); a class with no units deals at its
   launch price.

Rates are given per class as :class:`FxRates`, either as units of class currency per one
base unit (the default) or, as the market quotes e.g. GBPUSD, base units per one class unit;
the conversion always uses the exact quotient, never a rounded inverse. The class terms, the
rates and dealing in a class (:func:`class_dealing`, with the class minimum subscription)
live in :mod:`backend.finance.share_class_terms` and are re-exported here.

Not modelled: performance fee accrual between crystallisations, equalisation or series,
hurdles, and class-specific expenses other than the management fee and forward P&L.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from backend.finance.allocation import allocate
from backend.finance.daycount import DayCount, check_date
from backend.finance.errors import InvalidValueError
from backend.finance.fees import PerformanceFeeTerms, management_fee, pool_performance_fee
from backend.finance.money import (
    Currency,
    Rounding,
    check_cash,
    check_nav_per_unit,
    check_units,
    exact_arithmetic,
    quantize_cash,
)
from backend.finance.share_class_terms import (
    ClassDeal,
    DealingSide,
    FxQuote,
    FxRates,
    ShareClass,
    class_dealing,
    class_per_base,
    to_base,
)
from backend.finance.unitisation import nav_per_unit

__all__ = [
    "CLASS_NAV_ROUNDING",
    "FX_EFFECT_ROUNDING",
    "PERFORMANCE_FEE_BASE_ROUNDING",
    "ClassDeal",
    "ClassOpening",
    "ClassValuation",
    "DealingSide",
    "FxQuote",
    "FxRates",
    "MultiClassValuation",
    "ShareClass",
    "class_dealing",
    "class_per_base",
    "to_base",
    "value_classes",
]

CLASS_NAV_ROUNDING = Rounding.HALF_EVEN
FX_EFFECT_ROUNDING = Rounding.HALF_EVEN
PERFORMANCE_FEE_BASE_ROUNDING = Rounding.DOWN


@dataclass(frozen=True, slots=True)
class ClassOpening:
    """One class at the start of the period, after the previous dealing day's dealing."""

    share_class: ShareClass
    units: Decimal
    nav_base: Decimal
    """Net assets in base currency: the weight for the common P&L."""
    nav_class: Decimal
    """Net assets in class currency (equal to ``nav_base`` for a base-currency class)."""
    high_water_mark: Decimal | None = None
    """Performance fee HWM per unit, class currency; None means the launch price."""


@dataclass(frozen=True, slots=True)
class ClassValuation:
    """One class's closing figures; cash in base currency unless the name says class."""

    class_id: str
    currency: Currency
    units: Decimal
    nav_start_base: Decimal
    nav_start_class: Decimal
    common_pnl: Decimal
    """This class's part of the common P&L."""
    hedge_pnl: Decimal
    management_fee: Decimal
    performance_fee: Decimal
    performance_fee_class: Decimal
    """The performance fee as worked out in class currency (rounded down)."""
    nav_end_base: Decimal
    nav_end_class: Decimal
    fx_effect: Decimal
    """Class currency: closing base NAV x (closing rate - opening rate); 0 for a base class."""
    nav_per_unit: Decimal
    nav_per_unit_residue: Decimal
    """Class currency: ``nav_end_class`` - units x ``nav_per_unit`` (price rounding, not booked)."""
    high_water_mark: Decimal | None
    """HWM per unit after this period (class currency); None if the class has no performance fee."""


@dataclass(frozen=True, slots=True)
class MultiClassValuation:
    """The whole pool for one period: its classes in input order and the pool totals (base)."""

    base_currency: Currency
    start: date
    end: date
    classes: tuple[ClassValuation, ...]
    pool_nav_start: Decimal
    common_pnl: Decimal
    pool_nav_end: Decimal
    """Sum of the classes' ``nav_end_base``, exactly."""

    def by_id(self, class_id: str) -> ClassValuation:
        for valuation in self.classes:
            if valuation.class_id == class_id:
                return valuation
        raise KeyError(class_id)


def _check_openings(openings: Sequence[ClassOpening], base: Currency) -> dict[str, ClassOpening]:
    if not openings:
        raise InvalidValueError("classes", "at least one share class is required")
    by_id: dict[str, ClassOpening] = {}
    for opening in openings:
        if not isinstance(opening, ClassOpening):
            raise InvalidValueError("classes", f"must be ClassOpening, got {type(opening).__name__}")
        terms = opening.share_class
        field = f"classes[{terms.class_id}]"
        if terms.class_id in by_id:
            raise InvalidValueError(field, "appears twice")
        if terms.hedged and terms.currency == base:
            raise InvalidValueError(
                f"{field}.hedged", f"a {base} class of a {base} pool has nothing to hedge"
            )
        units = check_units(opening.units, f"{field}.units")
        nav_base = check_cash(opening.nav_base, base, f"{field}.nav_base")
        nav_class = check_cash(opening.nav_class, terms.currency, f"{field}.nav_class")
        if terms.currency == base and nav_class != nav_base:
            raise InvalidValueError(f"{field}.nav_class", f"must equal nav_base {nav_base} in a {base} class")
        if opening.high_water_mark is not None:
            check_nav_per_unit(opening.high_water_mark, f"{field}.high_water_mark")
        # Written at their scales (6 dp units, minor-unit cash) so results print uniformly.
        by_id[terms.class_id] = replace(opening, units=units, nav_base=nav_base, nav_class=nav_class)
    return by_id


def _check_extras(
    by_id: Mapping[str, ClassOpening],
    base: Currency,
    fx: Mapping[str, FxRates],
    hedge_pnl: Mapping[str, Decimal],
) -> dict[str, Decimal]:
    for class_id, rates in fx.items():
        if class_id not in by_id:
            raise InvalidValueError(f"fx[{class_id}]", "no such class")
        if by_id[class_id].share_class.currency == base:
            raise InvalidValueError(f"fx[{class_id}]", f"a {base} class takes no exchange rate")
        if not isinstance(rates, FxRates):
            raise InvalidValueError(f"fx[{class_id}]", "must be FxRates")
    for class_id, opening in by_id.items():
        if opening.share_class.currency != base and class_id not in fx:
            raise InvalidValueError(f"fx[{class_id}]", f"required for a {opening.share_class.currency} class")
    hedges: dict[str, Decimal] = {}
    for class_id, pnl in hedge_pnl.items():
        field = f"hedge_pnl[{class_id}]"
        if class_id not in by_id:
            raise InvalidValueError(field, "no such class")
        if not by_id[class_id].share_class.hedged:
            raise InvalidValueError(
                field, "the class is not hedged; forward P&L belongs to a hedged class only"
            )
        hedges[class_id] = check_cash(pnl, base, field, non_negative=False)
    return hedges


def _common_shares(by_id: Mapping[str, ClassOpening], common: Decimal, base: Currency) -> dict[str, Decimal]:
    weights = {class_id: opening.nav_base for class_id, opening in by_id.items()}
    if sum(weights.values()) == 0:
        # No class had net assets to bear a gain or loss: refuse rather than invent a split.
        if common != 0:
            raise InvalidValueError("common_pnl", "no class has net assets at the start of the period")
        return {class_id: quantize_cash(0, base) for class_id in by_id}
    return allocate(common, weights, base.quantum)


def _class_nav(nav_base: Decimal, rate: Fraction | None, currency: Currency) -> Decimal:
    if rate is None:
        return nav_base
    return quantize_cash(Fraction(nav_base) * rate, currency, CLASS_NAV_ROUNDING)


@exact_arithmetic
def value_classes(
    openings: Sequence[ClassOpening],
    *,
    base_currency: Currency,
    common_pnl: Decimal,
    start: date,
    end: date,
    day_count: DayCount = DayCount.ACT_365F,
    fx: Mapping[str, FxRates] | None = None,
    hedge_pnl: Mapping[str, Decimal] | None = None,
    crystallise_performance_fee: bool = False,
) -> MultiClassValuation:
    """Value every share class of a pool for the period ``[start, end)`` (see the module docstring).

    ``common_pnl`` is the pool's P&L for the period in base currency, before any class-specific
    item; ``fx`` gives each non-base class's opening and closing rates; ``hedge_pnl`` the base
    currency P&L of each hedged class's forwards. With ``crystallise_performance_fee`` each
    class with a performance fee rate pays it against its HWM per unit at the period's end.
    """
    if not isinstance(base_currency, Currency):
        raise InvalidValueError("base_currency", "must be a Currency")
    check_date(start, "start")
    check_date(end, "end")
    if end <= start:
        raise InvalidValueError("end", f"must be after start {start}, got {end}")
    DayCount(day_count)
    common = check_cash(common_pnl, base_currency, "common_pnl", non_negative=False)
    fx = {} if fx is None else fx
    by_id = _check_openings(openings, base_currency)
    hedges = _check_extras(by_id, base_currency, fx, {} if hedge_pnl is None else hedge_pnl)
    shares = _common_shares(by_id, common, base_currency)

    results: list[ClassValuation] = []
    for class_id, opening in by_id.items():
        terms = opening.share_class
        field = f"classes[{class_id}]"
        rates = fx.get(class_id)
        rate_start = None if rates is None else class_per_base(rates.start, rates.quote)
        rate_end = None if rates is None else class_per_base(rates.end, rates.quote)
        fee = management_fee(
            opening.nav_base,
            terms.management_fee_rate,
            start,
            end,
            currency=base_currency,
            day_count=day_count,
        )
        hedge = hedges.get(class_id, quantize_cash(0, base_currency))
        before_pf = opening.nav_base + shares[class_id] + hedge - fee
        if before_pf < 0:
            raise InvalidValueError(field, f"closing net assets would be negative: {before_pf}")

        hwm: Decimal | None = None
        pf_class = quantize_cash(0, terms.currency)
        pf_base = quantize_cash(0, base_currency)
        if terms.performance_fee_rate > 0:
            hwm = check_nav_per_unit(
                terms.initial_nav_per_unit if opening.high_water_mark is None else opening.high_water_mark,
                f"{field}.high_water_mark",
            )
            if crystallise_performance_fee and opening.units > 0:
                crystallised = pool_performance_fee(
                    _class_nav(before_pf, rate_end, terms.currency),
                    opening.units,
                    high_water_mark_per_unit=hwm,
                    terms=PerformanceFeeTerms(rate=terms.performance_fee_rate),
                    currency=terms.currency,
                )
                pf_class = crystallised.fee
                # The fee is worked out in class currency; the books take its base value, rounded
                # down so the manager never gets more than the class-currency fee is worth.
                pf_base = (
                    pf_class
                    if rate_end is None
                    else quantize_cash(
                        Fraction(pf_class) / rate_end, base_currency, PERFORMANCE_FEE_BASE_ROUNDING
                    )
                )

        nav_end_base = before_pf - pf_base
        nav_end_class = _class_nav(nav_end_base, rate_end, terms.currency)
        price = nav_per_unit(
            nav_end_class, opening.units, terms.currency, initial_nav_per_unit=terms.initial_nav_per_unit
        )
        if hwm is not None and pf_base > 0:
            hwm = max(hwm, price.nav_per_unit)
        fx_effect = (
            quantize_cash(0, terms.currency)
            if rate_start is None or rate_end is None
            else quantize_cash(
                Fraction(nav_end_base) * (rate_end - rate_start), terms.currency, FX_EFFECT_ROUNDING
            )
        )
        results.append(
            ClassValuation(
                class_id=class_id,
                currency=terms.currency,
                units=opening.units,
                nav_start_base=opening.nav_base,
                nav_start_class=opening.nav_class,
                common_pnl=shares[class_id],
                hedge_pnl=hedge,
                management_fee=fee,
                performance_fee=pf_base,
                performance_fee_class=pf_class,
                nav_end_base=nav_end_base,
                nav_end_class=nav_end_class,
                fx_effect=fx_effect,
                nav_per_unit=price.nav_per_unit,
                nav_per_unit_residue=price.residue,
                high_water_mark=hwm,
            )
        )

    return MultiClassValuation(
        base_currency=base_currency,
        start=start,
        end=end,
        classes=tuple(results),
        pool_nav_start=sum((o.nav_base for o in by_id.values()), quantize_cash(0, base_currency)),
        common_pnl=common,
        pool_nav_end=sum((r.nav_end_base for r in results), quantize_cash(0, base_currency)),
    )

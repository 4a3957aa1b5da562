"""Share class terms, class exchange rates and dealing in a class (subscriptions, redemptions).

The terms of a share class (:class:`ShareClass`) and the helpers the ledger needs to deal in
it; the multi-class NAV itself is :mod:`backend.finance.share_classes`, which re-exports
these names.

Exchange rates (:class:`FxRates`, :func:`class_per_base`)
    A rate is given either as units of class currency per one base unit (the default) or as
    base units per one class unit (the market quote of e.g. GBPUSD for a GBP class of a USD
    pool); conversions use the exact quotient, never a rounded inverse.
    :func:`to_base` = amount / (class per base), rounded once, ROUND_HALF_EVEN, to the base
    minor unit.

Dealing in a class (:func:`class_dealing`), in class currency at the class's NAV per unit
    * subscription: refused (error on the field ``amount``) below the class minimum: the
      minimum subscription for an investor's first subscription, the minimum subsequent
      subscription once the investor holds units of the class. Units issued = amount / NAV per
      unit, 6 dp, ROUND_DOWN; residue = amount - value of the units issued (>= 0), as
      :func:`backend.finance.unitisation.issue_units`.
    * redemption of a cash amount: units cancelled = amount / NAV per unit, 6 dp, ROUND_UP
      (``REDEMPTION_UNITS_ROUNDING``), so the units given up are worth at least the cash paid;
      residue = value of the units cancelled (half-even) - amount (>= 0). Refused (field
      ``amount``) if that is more units than the investor holds. A redemption of a number of
      units is :func:`backend.finance.unitisation.redeem_units`.
    Residues stay in the class (they belong to its remaining unitholders).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from backend.finance.errors import InvalidValueError
from backend.finance.fees.performance import Crystallisation
from backend.finance.money import (
    Currency,
    Rounding,
    check_cash,
    check_nav_per_unit,
    check_rate,
    check_units,
    exact_arithmetic,
    quantize_cash,
    quantize_units,
    to_decimal,
)
from backend.finance.unitisation import UNITS_VALUE_ROUNDING, issue_units

__all__ = [
    "REDEMPTION_UNITS_ROUNDING",
    "ClassDeal",
    "DealingSide",
    "FxQuote",
    "FxRates",
    "ShareClass",
    "class_dealing",
    "class_per_base",
    "to_base",
]

REDEMPTION_UNITS_ROUNDING = Rounding.UP
_NOTHING_HELD = Decimal(0)


class FxQuote(enum.StrEnum):
    """Which way round a rate is quoted."""

    CLASS_PER_BASE = "class_per_base"
    """Units of class currency per one base unit (EUR base, USD class: 1.0850)."""
    BASE_PER_CLASS = "base_per_class"
    """Base units per one class unit, the market quote of e.g. GBPUSD for a GBP class of a USD pool."""


@dataclass(frozen=True, slots=True)
class FxRates:
    """A non-base class's exchange rate at the start and at the end of the period."""

    start: Decimal
    end: Decimal
    quote: FxQuote = FxQuote.CLASS_PER_BASE

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            rate = to_decimal(getattr(self, name), name)
            if rate <= 0:
                raise InvalidValueError(name, f"must be positive, got {rate}")
        FxQuote(self.quote)


def class_per_base(rate: Decimal, quote: FxQuote) -> Fraction:
    """Units of class currency per one base unit, exactly, from a rate quoted either way."""
    value = to_decimal(rate, "rate")
    if value <= 0:
        raise InvalidValueError("rate", f"must be positive, got {value}")
    exact = Fraction(value)
    return exact if FxQuote(quote) is FxQuote.CLASS_PER_BASE else 1 / exact


def to_base(amount: Decimal, rate: Decimal, quote: FxQuote, base_currency: Currency) -> Decimal:
    """A class-currency amount in base currency: amount / (class per base), half-even, rounded once.

    For the ledger's dealing entries: a subscription of ``amount`` in a class's currency adds
    this much to the class's base-currency net assets."""
    value = to_decimal(amount, "amount")
    return quantize_cash(Fraction(value) / class_per_base(rate, quote), base_currency, Rounding.HALF_EVEN)


@dataclass(frozen=True, slots=True)
class ShareClass:
    """The terms of one share class (rates as fractions: 0.015 = 1.5% a year)."""

    class_id: str
    currency: Currency
    hedged: bool = False
    management_fee_rate: Decimal = Decimal(0)
    performance_fee_rate: Decimal = Decimal(0)
    minimum_subscription: Decimal = Decimal(0)
    """Smallest first subscription, in class currency."""
    minimum_subsequent_subscription: Decimal = Decimal(0)
    """Smallest top-up by an investor who already holds units of the class, in class currency."""
    initial_nav_per_unit: Decimal = Decimal(1)
    """Launch price: the dealing price while the class has no units."""
    crystallisation: Crystallisation | None = None
    """When the performance fee crystallises (None: whenever the manager charges it)."""
    fee_on_redemption: bool = True
    """A leaver's own performance fee on the units it redeems crystallises at the redemption."""

    def __post_init__(self) -> None:
        if not isinstance(self.class_id, str) or not self.class_id:
            raise InvalidValueError("class_id", f"must be a non-empty str, got {self.class_id!r}")
        if not isinstance(self.currency, Currency):
            raise InvalidValueError("currency", "must be a Currency")
        if not isinstance(self.hedged, bool):
            raise InvalidValueError("hedged", "must be True or False")
        check_rate(self.management_fee_rate, "management_fee_rate")
        check_rate(self.performance_fee_rate, "performance_fee_rate")
        check_cash(self.minimum_subscription, self.currency, "minimum_subscription")
        check_cash(self.minimum_subsequent_subscription, self.currency, "minimum_subsequent_subscription")
        check_nav_per_unit(self.initial_nav_per_unit, "initial_nav_per_unit")
        if self.crystallisation is not None:
            Crystallisation(self.crystallisation)
        if not isinstance(self.fee_on_redemption, bool):
            raise InvalidValueError("fee_on_redemption", "must be True or False")


class DealingSide(enum.StrEnum):
    SUBSCRIPTION = "subscription"
    REDEMPTION = "redemption"


@dataclass(frozen=True, slots=True)
class ClassDeal:
    """One subscription or redemption in a class; cash in class currency."""

    class_id: str
    side: DealingSide
    amount: Decimal
    """Cash received (subscription) or paid (redemption)."""
    nav_per_unit: Decimal
    units: Decimal
    """Units issued or cancelled (positive, 6 dp)."""
    units_value: Decimal
    """Units x NAV per unit, half-even to the minor unit."""
    residue: Decimal
    """Subscription: amount - units_value; redemption: units_value - amount. Never negative."""


@exact_arithmetic
def class_dealing(
    amount: Decimal,
    share_class: ShareClass,
    nav_per_unit: Decimal,
    *,
    side: DealingSide = DealingSide.SUBSCRIPTION,
    units_held: Decimal = _NOTHING_HELD,
) -> ClassDeal:
    """Deal ``amount`` (class currency) in ``share_class`` at ``nav_per_unit`` (see the module docstring).

    ``units_held`` is what the investor holds in the class before this deal: none means a first
    subscription (the class minimum subscription applies), some means a top-up (the minimum
    subsequent subscription applies); a redemption may not cancel more than it.
    """
    if not isinstance(share_class, ShareClass):
        raise InvalidValueError("share_class", "must be a ShareClass")
    currency = share_class.currency
    cash = check_cash(amount, currency, "amount")
    price = check_nav_per_unit(nav_per_unit, "nav_per_unit")
    held = check_units(units_held, "units_held")
    if DealingSide(side) is DealingSide.SUBSCRIPTION:
        first = held == 0
        minimum = share_class.minimum_subscription if first else share_class.minimum_subsequent_subscription
        if cash < minimum:
            what = "minimum subscription" if first else "minimum subsequent subscription"
            raise InvalidValueError(
                "amount", f"{cash} {currency} is below the {what} of class {share_class.class_id}: {minimum}"
            )
        issue = issue_units(cash, price, currency)
        return ClassDeal(
            class_id=share_class.class_id,
            side=DealingSide.SUBSCRIPTION,
            amount=issue.amount,
            nav_per_unit=issue.nav_per_unit,
            units=issue.units,
            units_value=issue.units_value,
            residue=issue.residue,
        )
    if cash == 0:
        raise InvalidValueError("amount", "must be positive")
    units = quantize_units(Fraction(cash) / Fraction(price), REDEMPTION_UNITS_ROUNDING)
    if units > held:
        raise InvalidValueError(
            "amount", f"{cash} {currency} needs {units} units at {price}; the investor holds {held}"
        )
    value = quantize_cash(units * price, currency, UNITS_VALUE_ROUNDING)
    return ClassDeal(
        class_id=share_class.class_id,
        side=DealingSide.REDEMPTION,
        amount=cash,
        nav_per_unit=price,
        units=units,
        units_value=value,
        residue=value - cash,
    )

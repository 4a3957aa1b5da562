"""Unit pricing for open-ended (unitised) pools: NAV per unit, units issued, redemption proceeds.

Rounding rules (each is a module constant so the posting code and the docs quote one place):

* NAV per unit = net assets / units outstanding, to 6 dp, ROUND_HALF_EVEN
  (``NAV_PER_UNIT_ROUNDING``). With no units outstanding the pool deals at the initial NAV
  per unit chosen at launch.
* Units issued = subscription amount / NAV per unit, to 6 dp, ROUND_DOWN
  (``UNITS_ISSUED_ROUNDING``): the pool never issues more value than it received.
* Redemption proceeds = units x NAV per unit, to the currency minor unit, ROUND_DOWN
  (``REDEMPTION_ROUNDING``): the pool never pays out more value than the units are worth.
* Value of units = units x NAV per unit, to the minor unit, ROUND_HALF_EVEN
  (``UNITS_VALUE_ROUNDING``): the cash figure posted to unitholders' capital.

Residue. Every dealing result carries ``residue``, in the currency's minor unit, so that the
journal balances to the cent:

* subscription: cash received = value of units issued + residue (residue >= 0);
* redemption:   value of units cancelled = cash paid + residue (residue >= 0);
* NAV per unit: net assets = value of units outstanding + residue (either sign; a measure of
  price rounding, not a posting).

Dealing residues stay in the pool (they belong to all remaining unitholders) and are booked
to the pool's rounding residue account.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from backend.finance.errors import InvalidValueError, MagnitudeError
from backend.finance.money import (
    MAX_MAGNITUDE,
    Currency,
    Rounding,
    check_cash,
    check_nav_per_unit,
    check_units,
    exact_arithmetic,
    quantize_cash,
    quantize_nav_per_unit,
    quantize_units,
)

__all__ = [
    "NAV_PER_UNIT_ROUNDING",
    "REDEMPTION_ROUNDING",
    "UNITS_ISSUED_ROUNDING",
    "UNITS_VALUE_ROUNDING",
    "NavPerUnit",
    "UnitIssue",
    "UnitRedemption",
    "issue_units",
    "nav_per_unit",
    "redeem_units",
    "units_value",
]

NAV_PER_UNIT_ROUNDING = Rounding.HALF_EVEN
UNITS_ISSUED_ROUNDING = Rounding.DOWN
REDEMPTION_ROUNDING = Rounding.DOWN
UNITS_VALUE_ROUNDING = Rounding.HALF_EVEN


@dataclass(frozen=True, slots=True)
class NavPerUnit:
    """A NAV per unit and how far the rounded price is from the net assets it summarises."""

    nav_per_unit: Decimal
    """Price of one unit, 6 dp."""
    units_value: Decimal
    """Units outstanding x ``nav_per_unit``, minor unit, half-even."""
    residue: Decimal
    """Net assets - ``units_value`` (signed, minor unit)."""


@dataclass(frozen=True, slots=True)
class UnitIssue:
    """Units issued for a subscription, and the cash split for the journal."""

    amount: Decimal
    """Cash received (minor unit)."""
    nav_per_unit: Decimal
    """Dealing price (6 dp)."""
    units: Decimal
    """Units issued (6 dp, rounded down)."""
    units_value: Decimal
    """Value of the units issued at the dealing price (minor unit, half-even)."""
    residue: Decimal
    """``amount - units_value`` (>= 0): value received but not issued as units."""


@dataclass(frozen=True, slots=True)
class UnitRedemption:
    """Cash paid for units redeemed, and the cash split for the journal."""

    units: Decimal
    """Units cancelled (6 dp)."""
    nav_per_unit: Decimal
    """Dealing price (6 dp)."""
    proceeds: Decimal
    """Cash paid to the investor (minor unit, rounded down)."""
    units_value: Decimal
    """Value of the units cancelled at the dealing price (minor unit, half-even)."""
    residue: Decimal
    """``units_value - proceeds`` (>= 0): value of the units kept by the pool."""


@exact_arithmetic
def units_value(units: Decimal, nav_per_unit: Decimal, currency: Currency) -> Decimal:
    """Cash value of ``units`` at ``nav_per_unit``: the exact product, half-even to minor unit."""
    quantity = check_units(units, "units")
    price = check_nav_per_unit(nav_per_unit, "nav_per_unit")
    return quantize_cash(quantity * price, currency, UNITS_VALUE_ROUNDING)


@exact_arithmetic
def nav_per_unit(
    net_assets: Decimal,
    units_outstanding: Decimal,
    currency: Currency,
    *,
    initial_nav_per_unit: Decimal = Decimal("1.000000"),
) -> NavPerUnit:
    """NAV per unit = net assets / units outstanding (6 dp, half-even).

    With no units outstanding the price is ``initial_nav_per_unit`` and all net assets (for
    example residue left after the last redemption) are reported as residue.
    """
    assets = check_cash(net_assets, currency, "net_assets")
    units = check_units(units_outstanding, "units_outstanding")
    initial = check_nav_per_unit(initial_nav_per_unit, "initial_nav_per_unit")
    if units == 0:
        return NavPerUnit(nav_per_unit=initial, units_value=quantize_cash(0, currency), residue=assets)
    price = quantize_nav_per_unit(Fraction(assets) / Fraction(units), NAV_PER_UNIT_ROUNDING)
    value = quantize_cash(units * price, currency, UNITS_VALUE_ROUNDING)
    return NavPerUnit(nav_per_unit=price, units_value=value, residue=assets - value)


@exact_arithmetic
def issue_units(amount: Decimal, nav_per_unit: Decimal, currency: Currency) -> UnitIssue:
    """Units issued for a subscription of ``amount`` at ``nav_per_unit`` (6 dp, rounded down).

    Raises InvalidValueError if the amount is not positive or too small to buy one
    millionth of a unit, MagnitudeError if it would issue more than 10^15 units.
    """
    cash = check_cash(amount, currency, "amount")
    price = check_nav_per_unit(nav_per_unit, "nav_per_unit")
    if cash == 0:
        raise InvalidValueError("amount", "must be positive")
    units = quantize_units(Fraction(cash) / Fraction(price), UNITS_ISSUED_ROUNDING)
    if units == 0:
        raise InvalidValueError("amount", f"{cash} buys less than 0.000001 units at {price}")
    if units > MAX_MAGNITUDE:
        raise MagnitudeError("amount", f"{cash} at {price} would issue more than 10^15 units")
    value = quantize_cash(units * price, currency, UNITS_VALUE_ROUNDING)
    return UnitIssue(amount=cash, nav_per_unit=price, units=units, units_value=value, residue=cash - value)


@exact_arithmetic
def redeem_units(units: Decimal, nav_per_unit: Decimal, currency: Currency) -> UnitRedemption:
    """Cash proceeds for redeeming ``units`` at ``nav_per_unit`` (minor unit, rounded down)."""
    quantity = check_units(units, "units")
    price = check_nav_per_unit(nav_per_unit, "nav_per_unit")
    if quantity == 0:
        raise InvalidValueError("units", "must be positive")
    exact = quantity * price
    proceeds = quantize_cash(exact, currency, REDEMPTION_ROUNDING)
    value = quantize_cash(exact, currency, UNITS_VALUE_ROUNDING)
    return UnitRedemption(
        units=quantity,
        nav_per_unit=price,
        proceeds=proceeds,
        units_value=value,
        residue=value - proceeds,
    )

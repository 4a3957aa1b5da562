"""Foreign exchange maths: the rate in force on a date, cross rates through the euro, and the
conversion of an amount into another currency. Pure functions, no I/O.

Rates are quoted the way the ECB publishes its reference rates: units of a currency per one
euro (USD 1.0850 means 1 EUR = 1.0850 USD). The euro itself is 1 and is never published.

* The rate in force for a figure dated D is the latest rate published on or before D, if it is
  at most ``MAX_RATE_AGE_DAYS`` calendar days old (the ECB publishes on TARGET business days
  only, so a weekend or a holiday uses the last business day before it). Older or absent: the
  rate is missing, and a caller shows that, never 0 and never another date's rate.
* A cross rate goes through the euro: amount in A to B = amount / rate(A) * rate(B).
* The converted amount is rounded once, from the exact quotient, to B's minor unit with
  :func:`backend.finance.money.quantize_cash` (half-even): no intermediate euro amount is
  rounded, so A to B gives the same cents whichever way it is written.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from backend.finance.errors import InvalidValueError
from backend.finance.money import Rounding, get_currency, quantize_cash, round_to_quantum

__all__ = [
    "BASE_CURRENCY",
    "CROSS_RATE_QUANTUM",
    "MAX_RATE_AGE_DAYS",
    "convert_amount",
    "cross_rate",
    "rate_in_force",
]

BASE_CURRENCY = "EUR"
"""Every stored rate is units of a currency per one of this (the ECB's base)."""

MAX_RATE_AGE_DAYS = 7
"""A rate published more than this many calendar days before a figure's date is too old for it:
long enough to bridge a weekend plus the Easter or Christmas TARGET holidays, short enough that
a feed that stopped is noticed as missing rates instead of silently reusing last month's."""

CROSS_RATE_QUANTUM = Decimal("1E-10")
"""A cross rate is *shown* to 10 decimal places; conversions use the exact quotient."""


def rate_in_force(
    published: Sequence[tuple[date, Decimal]], on: date, *, max_age_days: int = MAX_RATE_AGE_DAYS
) -> tuple[date, Decimal] | None:
    """The (rate date, rate) in force on `on`: the latest of `published` (sorted by date, one
    rate a date) dated on or before `on` and at most `max_age_days` before it; None if none is."""
    index = bisect.bisect_right(published, on, key=lambda row: row[0])
    if index == 0:
        return None
    rate_date, rate = published[index - 1]
    if on - rate_date > timedelta(days=max_age_days):
        return None
    return rate_date, rate


def _positive(value: Decimal, field: str) -> Fraction:
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        raise InvalidValueError(field, f"must be a positive Decimal, got {value!r}")
    return Fraction(value)


def cross_rate(from_per_eur: Decimal, to_per_eur: Decimal) -> Fraction:
    """Units of the target currency per one unit of the source, exactly: to / from, both
    given per euro (the euro's own rate is 1)."""
    return _positive(to_per_eur, "to_per_eur") / _positive(from_per_eur, "from_per_eur")


def shown_cross_rate(from_per_eur: Decimal, to_per_eur: Decimal) -> Decimal:
    """The cross rate to 10 decimal places (half-even), for display next to a converted figure."""
    return round_to_quantum(cross_rate(from_per_eur, to_per_eur), CROSS_RATE_QUANTUM, Rounding.HALF_EVEN)


def convert_amount(amount: Decimal, from_per_eur: Decimal, to_per_eur: Decimal, to_currency: str) -> Decimal:
    """`amount` (in the currency whose per-euro rate is `from_per_eur`) in `to_currency`, rounded
    once to that currency's minor unit, half-even: amount / from * to."""
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise InvalidValueError("amount", f"must be a finite Decimal, got {amount!r}")
    exact = Fraction(amount) * cross_rate(from_per_eur, to_per_eur)
    return quantize_cash(exact, get_currency(to_currency))

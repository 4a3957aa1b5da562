"""Share classes in another currency than the pool's, hedged or not.

The books are kept in the pool's (base) currency: every capital account, every class's net
assets. A class in another currency is *priced* in its own: its NAV per unit is its base net
assets at the latest valuation's rate (units of class currency per one base unit) over its
units, and its holders deal in it. So an unhedged class's holders bear the exchange rate's
moves through its price, with nothing booked for them; a hedged class's holders also receive
the result of the hedge (the forwards that offset the rate's move), which each valuation gives
per class (``hedge_results``, in base currency) and which is the class's alone: it is shared
by the class's units, and the rest of the mark's change by everybody's value.

Conversions are exact until one rounding, half-even, to the minor unit of the currency the
figure is written in (:func:`backend.finance.share_class_terms.to_base` one way, and
base x rate the other).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from backend.finance.errors import InvalidValueError
from backend.finance.money import Currency, Rounding, check_cash, quantize_cash, to_decimal
from backend.finance.share_class_terms import FxQuote, ShareClass, to_base
from ledger.posting_rules.books import PoolBooks, PoolTerms
from ledger.posting_rules.share_classes import class_holders

_RATE_PLACES = 10


def mark_rates(terms: PoolTerms, fx_rates: Mapping[str, object] | None) -> dict[str, Decimal]:
    """The rates a valuation gives, checked: one for each currency the classes deal in, other
    than the pool's, and no other."""
    given = {str(code).strip().upper(): rate for code, rate in (fx_rates or {}).items()}
    wanted = terms.class_currencies
    if given and not wanted:
        raise InvalidValueError(
            "fx_rates",
            f"pool {terms.pool_id} has no share class in another currency than {terms.currency.code}",
        )
    rates: dict[str, Decimal] = {}
    for code, value in given.items():
        field = f"fx_rates.{code}"
        if code not in wanted:
            raise InvalidValueError(field, f"no class of pool {terms.pool_id} deals in {code!r}")
        rate = to_decimal(value, field)
        if rate <= 0 or -rate.as_tuple().exponent > _RATE_PLACES:  # type: ignore[operator]
            raise InvalidValueError(
                field, f"must be a positive rate with at most {_RATE_PLACES} decimal places, got {rate}"
            )
        rates[code] = rate
    missing = [code for code in wanted if code not in rates]
    if missing:
        raise InvalidValueError(
            "fx_rates",
            f"pool {terms.pool_id}'s classes deal in {', '.join(wanted)}: each valuation gives the rate of "
            f"each (units of it per {terms.currency.code} 1); missing {', '.join(missing)}",
        )
    return rates


@dataclass(frozen=True, slots=True)
class HedgeResults:
    """A valuation's hedge results, checked once: each class's amount (the pool's currency,
    a loss negative), their total, and who bears each non-zero one (holder: units)."""

    amounts: dict[str, Decimal] = field(default_factory=dict)
    weights: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), Decimal(0))


def hedge_allocation(
    terms: PoolTerms, books: PoolBooks, hedge_results: Mapping[str, object] | None
) -> HedgeResults:
    """A valuation's hedge results, checked: each names a hedged class, in the pool's
    currency, gain or loss, and a non-zero one a class with units out to bear it."""
    checked = HedgeResults()
    for class_id, value in (hedge_results or {}).items():
        field = f"hedge_results.{class_id}"
        share_class = next((c for c in terms.share_classes if c.class_id == class_id), None)
        if share_class is None or not share_class.hedged:
            raise InvalidValueError(field, f"pool {terms.pool_id} has no hedged class {class_id!r}")
        amount = check_cash(value, terms.currency, field, non_negative=False)
        checked.amounts[class_id] = amount
        if not amount:
            continue
        holders = {str(i): books.units_of(i) for i in class_holders(books, class_id)}
        if not holders:
            raise InvalidValueError(field, f"class {class_id} has no units out to bear a hedge result")
        checked.weights[class_id] = holders
    return checked


def to_base_amount(amount: Decimal, rate: Decimal, base: Currency) -> Decimal:
    """A class-currency amount in the pool's currency at ``rate`` (class per base)."""
    return to_base(amount, rate, FxQuote.CLASS_PER_BASE, base)


def to_class_amount(amount: Decimal, rate: Decimal, currency: Currency, rounding: Rounding) -> Decimal:
    """A base amount in a class's currency at ``rate`` (class per base), rounded once."""
    return quantize_cash(Fraction(amount) * Fraction(rate), currency, rounding)


def class_currency_details(share_class: ShareClass, rate: Decimal, **amounts: Decimal) -> dict[str, Any]:
    """What a deal's workings say of the class's own currency: the rate and the amounts in it."""
    return {
        "currency": share_class.currency.code,
        "fx_rate": str(rate),
        **{name: str(value) for name, value in amounts.items()},
    }

"""Result rows and tier maths for one deal of the American waterfall (deal_waterfall).

Kept apart only to keep each module short; the rule, the formulas and the rounding are
documented in :mod:`backend.finance.deal_waterfall`. They are the European waterfall's
(:mod:`backend.finance.waterfall`) applied to one deal's cash flows: preferred return owed per
LP rounded ROUND_HALF_EVEN, catch-up target ROUND_DOWN, the GP's cumulative entitlement
rounded once ROUND_DOWN, splits by largest remainder.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Context, Decimal
from fractions import Fraction

from backend.finance.allocation import allocate, exact_shares
from backend.finance.daycount import year_fraction
from backend.finance.errors import InvalidValueError
from backend.finance.money import Currency, Rounding, exact_arithmetic, quantize_cash
from backend.finance.waterfall import Compounding, Contribution, HurdlePayment, WaterfallTerms

__all__ = [
    "InvestorDealDistribution",
    "by_investor",
    "catch_up_target",
    "gp_entitlement",
    "pref_owed",
    "split",
    "unreturned_capital",
]

_ZERO = Decimal(0)
_GROWTH_CONTEXT = Context(prec=60)


@dataclass(frozen=True, slots=True)
class InvestorDealDistribution:
    """One LP's share of a realisation; ``return_of_capital`` includes ``loss_recovery``."""

    investor: str
    return_of_capital: Decimal
    loss_recovery: Decimal
    preferred_return: Decimal
    catch_up: Decimal
    carried_interest: Decimal
    gp_catch_up: Decimal
    """Part of the GP's catch-up this LP bears."""
    gp_carried_interest: Decimal
    """Part of the GP's carried interest this LP bears."""

    @property
    @exact_arithmetic
    def total(self) -> Decimal:
        """What this LP receives."""
        return self.return_of_capital + self.preferred_return + self.catch_up + self.carried_interest


def by_investor(pairs: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for investor, amount in pairs:
        totals[investor] = totals.get(investor, _ZERO) + amount
    return dict(sorted(totals.items()))


def unreturned_capital(
    base: tuple[Contribution, ...], payments: tuple[HurdlePayment, ...]
) -> dict[str, Decimal]:
    returned = by_investor((p.investor, p.return_of_capital) for p in payments)
    return {
        i: max(c - returned.get(i, _ZERO), _ZERO)
        for i, c in by_investor((c.investor, c.amount) for c in base).items()
    }


def _growth(rate: Decimal, years: Fraction) -> Fraction:
    """(1 + rate) ^ years: exact for whole years, else to 60 significant digits."""
    if years.denominator == 1:
        return (1 + Fraction(rate)) ** years.numerator
    base = _GROWTH_CONTEXT.add(Decimal(1), rate)
    exponent = _GROWTH_CONTEXT.divide(Decimal(years.numerator), Decimal(years.denominator))
    return Fraction(_GROWTH_CONTEXT.power(base, exponent))


def pref_owed(
    terms: WaterfallTerms, base: tuple[Contribution, ...], payments: tuple[HurdlePayment, ...], on: date
) -> dict[str, Decimal]:
    """Preferred return owed to each LP of the deal (the European formula, on the deal's flows)."""
    r, zero = terms.preferred_return_rate, quantize_cash(0, terms.currency)
    unreturned = unreturned_capital(base, payments)
    owed: dict[str, Decimal] = {}
    for investor in unreturned:
        paid_in = [c for c in base if c.investor == investor]
        paid_out = [p for p in payments if p.investor == investor]

        def y(since: date) -> Fraction:
            return year_fraction(since, on, terms.day_count)

        if terms.compounding == Compounding.SIMPLE:
            years = sum((Fraction(c.amount) * y(c.on) for c in paid_in), Fraction(0))
            years -= sum((Fraction(p.return_of_capital) * y(p.on) for p in paid_out), Fraction(0))
            accrued = quantize_cash(Fraction(r) * years, terms.currency, Rounding.HALF_EVEN)
            due = accrued - sum((p.preferred_return for p in paid_out), _ZERO)
        else:
            balance = sum((Fraction(c.amount) * _growth(r, y(c.on)) for c in paid_in), Fraction(0))
            balance -= sum(
                (Fraction(p.return_of_capital + p.preferred_return) * _growth(r, y(p.on)) for p in paid_out),
                Fraction(0),
            )
            due = quantize_cash(balance - Fraction(unreturned[investor]), terms.currency, Rounding.HALF_EVEN)
        owed[investor] = max(due, zero)
    return owed


def catch_up_target(terms: WaterfallTerms, pref_paid: Decimal) -> Decimal:
    """Catch-up tier size once ``pref_paid`` is paid: c X = k (pref + X), X = k pref / (c - k), down."""
    c, k = Fraction(terms.catch_up_rate), Fraction(terms.carried_interest_rate)
    if c == 0 or k == 0:
        return quantize_cash(0, terms.currency)
    return quantize_cash(k * Fraction(pref_paid) / (c - k), terms.currency, Rounding.DOWN)


def gp_entitlement(terms: WaterfallTerms, pref: Decimal, catch_up: Decimal, carry_tier: Decimal) -> Decimal:
    """The GP's cumulative entitlement on the deal, rounded once, down: c x catch-up tier + k x
    carry tier, which once caught up is exactly k x all profit of the deal (the catch-up target
    was rounded down to size the tier; using k x profit gives the GP back that fraction of a cent)."""
    c, k = Fraction(terms.catch_up_rate), Fraction(terms.carried_interest_rate)
    if c > 0 and catch_up >= catch_up_target(terms, pref) and carry_tier > 0:
        exact = k * Fraction(pref + catch_up + carry_tier)
    else:
        exact = c * Fraction(catch_up) + k * Fraction(carry_tier)
    return quantize_cash(exact, terms.currency, Rounding.DOWN)


def split(
    amount: Decimal, weights: Mapping[str, Decimal], everyone: Iterable[str], currency: Currency
) -> dict[str, Decimal]:
    """``amount`` pro rata to the positive ``weights``, zero for the rest of ``everyone``."""
    parts = dict.fromkeys(everyone, quantize_cash(0, currency))
    if amount:
        positive = {i: w for i, w in weights.items() if w > 0}
        if not positive:
            raise InvalidValueError("weights", "nobody to split a non-zero tier between")
        parts.update(allocate(amount, positive, currency.quantum))
    return parts


def exact_split(
    amount: Decimal, weights: Mapping[str, Decimal], everyone: Iterable[str]
) -> dict[str, Fraction]:
    """What :func:`split` rounds: each one's exact share."""
    parts = dict.fromkeys(everyone, Fraction(0))
    if amount:
        parts.update(exact_shares(amount, {i: w for i, w in weights.items() if w > 0}))
    return parts

"""GP clawback: what the GP must give back of the carry it took deal by deal.

Under the American waterfall (:mod:`backend.finance.deal_waterfall`) the GP is paid carry on
each winning deal as it is realised, before later deals lose. At the end of the fund (and, if
the term ``interim_clawback`` says so, at interim dates, over the distributions so far) its
carry is compared with what a whole-fund (European) waterfall over all the pool's
contributions and all its distributions would have given it, and the excess comes back:

* carry received C: the GP's catch-up and carried interest over every realisation dated on or
  before the test date, less any clawback already paid at an earlier (interim) test;
* whole-fund carry W: computed here with the pool's own cash flows run through one whole-fund
  waterfall (the deal waterfall's four tiers applied to a single "deal" holding every
  contribution of every deal, fees and expenses allocated to deals included, and every
  realisation in date order; with all contributions made before the first distribution this
  is exactly :func:`backend.finance.waterfall.distribute`, as the tests check). It is a
  look-back: capital contributed up to the test date is returned before any carry even when
  it was contributed after an earlier distribution (its preferred return accrues from its own
  date), so carry taken early on a winner is not kept when a later deal loses;
* excess E = max(C - W, 0);
* tax offset (a term): with an assumed tax rate t on the carry received, tax T = t x C,
  rounded ROUND_DOWN (the offset never exceeds the assumed tax):

  - ``NONE``: clawback = E;
  - ``NET_OF_TAX``: clawback = max(E - T, 0) (the excess less the tax paid on the carry);
  - ``CAPPED_AT_AFTER_TAX_CARRY``: clawback = min(E, C - T) (the GP never returns more than
    it kept after tax: $100 of carry with $30 of tax caps the clawback at $70).

So the clawback is never negative and never more than the carry received, and with no tax
offset the GP holds exactly W afterwards (to the cent) whenever it had taken more.

The clawback is paid back to the LPs pro rata to the carry each bore (the GP's catch-up and
carried interest borne in each realisation, less clawback already returned to it), split by
largest remainder (:func:`backend.finance.allocation.allocate`): the parts sum exactly to the
clawback. W, like the GP's entitlement in the waterfalls, is rounded once, ROUND_DOWN.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from backend.finance.daycount import check_date
from backend.finance.deal_tiers import split
from backend.finance.deal_waterfall import (
    CapitalBasis,
    Deal,
    DealState,
    DealTerms,
    FundState,
    carry_borne_by_investor,
    realise,
)
from backend.finance.errors import InvalidValueError
from backend.finance.money import Currency, Rounding, check_cash, check_rate, exact_arithmetic, quantize_cash

__all__ = [
    "Clawback",
    "ClawbackTerms",
    "InvestorClawback",
    "TaxOffset",
    "clawback",
    "clawback_amount",
    "whole_fund_carry",
]

_ZERO = Decimal(0)
_WHOLE_FUND = "whole fund"


class TaxOffset(enum.StrEnum):
    """How the GP's tax on its carry reduces the clawback."""

    NONE = "none"
    NET_OF_TAX = "net_of_tax"
    """Clawback = excess less the assumed tax on the carry received, never below zero."""
    CAPPED_AT_AFTER_TAX_CARRY = "capped_at_after_tax_carry"
    """Clawback = excess, at most the carry received less the assumed tax on it."""


@dataclass(frozen=True, slots=True)
class ClawbackTerms:
    """The pool's clawback terms (rates as fractions: 0.30 = 30%)."""

    tax_offset: TaxOffset = TaxOffset.NONE
    assumed_tax_rate: Decimal = _ZERO
    interim_clawback: bool = False
    """True if the clawback is also tested at interim dates, not only at the end of the fund."""

    def __post_init__(self) -> None:
        TaxOffset(self.tax_offset)
        check_rate(self.assumed_tax_rate, "assumed_tax_rate")
        if not isinstance(self.interim_clawback, bool):
            raise InvalidValueError("interim_clawback", "must be a bool")


@dataclass(frozen=True, slots=True)
class InvestorClawback:
    """One LP's share of a clawback."""

    investor: str
    carry_borne: Decimal
    """The GP's carry this LP bore to date, less clawback already returned to it."""
    clawback: Decimal


@dataclass(frozen=True, slots=True)
class Clawback:
    """The clawback test at one date."""

    on: date
    carry_received: Decimal
    whole_fund_carry: Decimal
    excess: Decimal
    tax_offset: Decimal
    """The assumed tax on the carry received (zero under ``TaxOffset.NONE``)."""
    amount: Decimal
    """What the GP pays back."""
    investors: tuple[InvestorClawback, ...]

    @property
    @exact_arithmetic
    def carry_after(self) -> Decimal:
        """What the GP holds after paying the clawback."""
        return self.carry_received - self.amount


@exact_arithmetic
def whole_fund_carry(terms: DealTerms, fund: FundState, on: date) -> Decimal:
    """The GP's carry (catch-up plus carried interest) from a whole-fund waterfall over every
    contribution dated on or before ``on`` and every realisation up to ``on``, in date order.

    Contributions dated after a realisation are in the fund's capital for it too, accruing
    preferred return from their own date (dated at the realisation for it, so zero accrual).
    """
    check_date(on, "on")
    flows = [
        c
        for d in fund.deals
        for c in (*d.deal.contributions, *d.deal.fees_and_expenses)
        if check_date(c.on, "contribution.on") <= on
    ]
    whole_terms = DealTerms(terms.waterfall, CapitalBasis.DEAL_CAPITAL)
    whole: FundState | None = None
    for dist in fund.distributions:
        if dist.on > on:
            break
        capital = Deal(_WHOLE_FUND, tuple(c if c.on <= dist.on else replace(c, on=dist.on) for c in flows))
        state = DealState(capital) if whole is None else replace(whole.deals[0], deal=capital)
        previous = () if whole is None else whole.distributions
        _, whole = realise(
            _WHOLE_FUND, dist.amount, dist.on, whole_terms, FundState((state,), distributions=previous)
        )
    return quantize_cash(0, terms.waterfall.currency) if whole is None else whole.gp_paid


@exact_arithmetic
def clawback_amount(
    clawback_terms: ClawbackTerms, received: Decimal, whole: Decimal, currency: Currency
) -> tuple[Decimal, Decimal, Decimal]:
    """(excess, assumed tax, clawback) for carry ``received`` against the whole-fund figure
    ``whole``, with the terms' tax offset (the module docstring has the rules)."""
    zero = quantize_cash(0, currency)
    excess = max(received - whole, zero)
    if clawback_terms.tax_offset == TaxOffset.NONE:
        return excess, zero, excess
    tax = quantize_cash(
        Fraction(clawback_terms.assumed_tax_rate) * Fraction(received), currency, Rounding.DOWN
    )
    if clawback_terms.tax_offset == TaxOffset.NET_OF_TAX:
        return excess, tax, max(excess - tax, zero)
    return excess, tax, min(excess, received - tax)


@exact_arithmetic
def clawback(
    terms: DealTerms,
    clawback_terms: ClawbackTerms,
    fund: FundState,
    on: date,
    *,
    interim: bool = False,
    already_clawed_back: Mapping[str, Decimal] | None = None,
) -> Clawback:
    """The clawback the GP owes on ``on`` (the end of the fund, or an interim test date when
    ``interim`` and the terms allow it), split over the LPs pro rata to the carry each bore.

    ``already_clawed_back`` is what earlier interim tests returned to each LP.
    """
    currency = terms.waterfall.currency
    check_date(on, "on")
    if interim and not clawback_terms.interim_clawback:
        raise InvalidValueError("interim", "the terms have no interim clawback")
    zero = quantize_cash(0, currency)
    earlier = {
        i: check_cash(a, currency, f"already_clawed_back[{i}]")
        for i, a in (already_clawed_back or {}).items()
    }
    borne_gross = carry_borne_by_investor(d for d in fund.distributions if d.on <= on)
    borne = {i: borne_gross.get(i, zero) - earlier.get(i, zero) for i in sorted({*borne_gross, *earlier})}
    if any(b < 0 for b in borne.values()):
        raise InvalidValueError("already_clawed_back", "exceeds the carry an LP bore")
    received = sum(borne.values(), zero)
    whole = whole_fund_carry(terms, fund, on)
    excess, tax, amount = clawback_amount(clawback_terms, received, whole, currency)
    parts = split(amount, borne, borne, currency)
    return Clawback(
        on=on,
        carry_received=received,
        whole_fund_carry=whole,
        excess=excess,
        tax_offset=tax,
        amount=amount,
        investors=tuple(InvestorClawback(i, borne[i], parts[i]) for i in borne),
    )

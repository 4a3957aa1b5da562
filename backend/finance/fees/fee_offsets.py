"""Management fee offsets: fees the manager receives from portfolio companies reduce the fee.

Rule
    Transaction, monitoring, director and break-up fees the manager (or its affiliates)
    received from portfolio companies in a period reduce the *next* management fee by the
    agreement's offset percentage (commonly 80% or 100%; the ILPA Principles ask for 100%).
    The offset never makes the fee negative: what the fee cannot absorb is carried forward
    to the next period and returned so the caller can bring it in then.

Formula (for the fee now being charged)
    new offset      = offset rate x fees received in the previous period (of the kinds the
                      terms offset)
    available       = carried forward from before + new offset
    used            = min(available, gross fee)
    carried forward = available - used
    net fee         = gross fee - used            (never negative)

    The used offset is shared among the investors pro rata to the fee each bears
    (largest remainder, backend.finance.allocation), so an investor that bears no fee (the
    GP's commitment) gets no offset, and each investor's net fee is its fee less its share.

Rounding
    The new offset is rounded once to the currency's minor unit, ROUND_HALF_EVEN (as the fee
    it reduces); everything else is sums and differences of cash amounts. The investors'
    shares add up to the offset used exactly: the cent left over by the largest-remainder
    split goes to the investors with the largest remainders (ties by investor key), and no
    share is ever more than that investor's fee, so no investor's net fee is negative.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from backend.finance.allocation import allocate
from backend.finance.errors import InvalidValueError
from backend.finance.money import Currency, Rounding, check_cash, check_rate, exact_arithmetic, quantize_cash

__all__ = [
    "FEE_OFFSET_ROUNDING",
    "FeeOffset",
    "FeeOffsetTerms",
    "InvestorOffset",
    "PortfolioCompanyFee",
    "PortfolioFeeKind",
    "apply_fee_offset",
]

FEE_OFFSET_ROUNDING = Rounding.HALF_EVEN


class PortfolioFeeKind(enum.StrEnum):
    """Fees a portfolio company pays the manager or its affiliates."""

    TRANSACTION = "transaction"
    MONITORING = "monitoring"
    DIRECTOR = "director"
    BREAK_UP = "break_up"


_ALL_KINDS = frozenset(PortfolioFeeKind)


@dataclass(frozen=True, slots=True)
class FeeOffsetTerms:
    """The agreement's offset: ``offset_rate`` (0 to 1) of the ``kinds`` of fee received."""

    offset_rate: Decimal
    kinds: frozenset[PortfolioFeeKind] = _ALL_KINDS

    def __post_init__(self) -> None:
        check_rate(self.offset_rate, "offset_rate")
        if not isinstance(self.kinds, frozenset) or not all(
            isinstance(k, PortfolioFeeKind) for k in self.kinds
        ):
            raise InvalidValueError("kinds", "must be a frozenset of PortfolioFeeKind")


@dataclass(frozen=True, slots=True)
class PortfolioCompanyFee:
    """One fee the manager received from a portfolio company."""

    kind: PortfolioFeeKind
    amount: Decimal
    company: str = ""


@dataclass(frozen=True, slots=True)
class InvestorOffset:
    """One investor's fee, its share of the offset used, and what it pays."""

    fee: Decimal
    offset: Decimal
    net_fee: Decimal


@dataclass(frozen=True, slots=True)
class FeeOffset:
    """The offset applied to one period's management fee."""

    gross_fee: Decimal
    brought_forward: Decimal
    new_offset: Decimal
    available: Decimal
    used: Decimal
    carried_forward: Decimal
    """Offset the fee could not absorb: bring it forward to the next period."""
    net_fee: Decimal
    by_investor: Mapping[str, InvestorOffset]


@exact_arithmetic
def apply_fee_offset(
    investor_fees: Mapping[str, Decimal],
    received: Iterable[PortfolioCompanyFee],
    terms: FeeOffsetTerms,
    currency: Currency,
    brought_forward: Decimal = Decimal(0),
) -> FeeOffset:
    """Reduce this period's fee (``investor_fees``: each investor's fee, summing to the pool's)
    by ``brought_forward`` plus the offset rate x the portfolio-company fees ``received`` in
    the previous period; never below zero, the rest carried forward."""
    if not isinstance(terms, FeeOffsetTerms):
        raise InvalidValueError("terms", "must be FeeOffsetTerms")
    if not investor_fees:
        raise InvalidValueError("investor_fees", "at least one investor is required")
    fees: dict[str, Decimal] = {}
    for key, fee in investor_fees.items():
        if not isinstance(key, str) or not key:
            raise InvalidValueError("investor_fees", f"keys must be non-empty str, got {key!r}")
        fees[key] = check_cash(fee, currency, f"investor_fees[{key}]")
    before = check_cash(brought_forward, currency, "brought_forward")
    offsettable = quantize_cash(0, currency)
    for index, item in enumerate(received):
        if not isinstance(item, PortfolioCompanyFee):
            raise InvalidValueError(f"received[{index}]", "must be a PortfolioCompanyFee")
        kind = PortfolioFeeKind(item.kind)
        amount = check_cash(item.amount, currency, f"received[{index}].amount")
        if kind in terms.kinds:
            offsettable += amount

    gross = sum(fees.values(), quantize_cash(0, currency))
    new_offset = quantize_cash(
        Fraction(offsettable) * Fraction(terms.offset_rate), currency, FEE_OFFSET_ROUNDING
    )
    available = before + new_offset
    used = min(available, gross)
    if used > 0:
        # Pro rata to the fee each bears; a part never exceeds that investor's fee because
        # used <= gross and each part is its exact share rounded to a neighbouring cent.
        shares = allocate(used, fees, currency.quantum)
    else:
        shares = dict.fromkeys(fees, quantize_cash(0, currency))
    by_investor = {key: InvestorOffset(fees[key], shares[key], fees[key] - shares[key]) for key in fees}
    return FeeOffset(
        gross_fee=gross,
        brought_forward=before,
        new_offset=new_offset,
        available=available,
        used=used,
        carried_forward=available - used,
        net_fee=gross - used,
        by_investor=by_investor,
    )

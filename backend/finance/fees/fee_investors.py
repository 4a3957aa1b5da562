"""Management fee by investor: each investor's own basis, waivers and holidays; the GP's
commitment and fee- or carry-exempt investors.

Rule
    Each investor's fee is worked out on its own basis (its commitment, its invested
    capital or its share of the NAV, per the pool's :class:`FeeBasisTerms`), with the
    pool's step-down and fee holidays (a holiday may name investors), and its own waivers
    (a fraction 0 to 1 of its fee, optionally from / to dates; overlapping waivers: the
    larger applies). The GP's commitment and fee-exempt investors bear no management fee.
    The GP's commitment and carry-exempt investors bear no carried interest:
    :func:`carry_bearing_investors` lists the others, for the waterfall.

Formula
    exact_i  = sum over the parts of the period of
               basis_i x rate x year fraction x (1 - waived_i)
    pool fee = round(sum of exact_i)          (see backend.finance.fees.fee_basis for the parts)
    fee_i    = the pool fee shared in proportion to exact_i

Rounding (the books' rule, ledger.posting_rules.fee_rules)
    The pool's fee is the investors' exact fees added up and rounded once, ROUND_HALF_EVEN,
    to the currency's minor unit: the figure the manager invoices is the agreement's to the
    cent. Each investor gets its exact fee rounded down and the cents left go to the largest
    remainders (backend.finance.allocation.apportion_exact), so the investors' fees add up
    to it exactly and each is within a cent of its exact figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from backend.finance.allocation import apportion_exact
from backend.finance.daycount import check_date
from backend.finance.errors import InvalidValueError
from backend.finance.fees.fee_basis import (
    BasisFigures,
    FeeBasisTerms,
    FeeWaiver,
    PeriodFee,
    holder_period_fee,
)
from backend.finance.money import Currency, exact_arithmetic, quantize_cash

__all__ = ["InvestorFeeTerms", "PoolFee", "carry_bearing_investors", "investor_fees"]


@dataclass(frozen=True, slots=True)
class InvestorFeeTerms:
    """One investor's figures and its own fee terms."""

    figures: BasisFigures
    waivers: tuple[FeeWaiver, ...] = ()
    gp_commitment: bool = False
    """The GP's own commitment: no management fee and no carried interest."""
    fee_exempt: bool = False
    """Bears no management fee (carried interest unless ``carry_exempt``)."""
    carry_exempt: bool = False
    """Bears no carried interest."""

    def __post_init__(self) -> None:
        if not isinstance(self.figures, BasisFigures):
            raise InvalidValueError("figures", "must be BasisFigures")
        if not all(isinstance(w, FeeWaiver) for w in self.waivers):
            raise InvalidValueError("waivers", "must be FeeWaiver values")
        for name in ("gp_commitment", "fee_exempt", "carry_exempt"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidValueError(name, "must be true or false")

    @property
    def bears_fee(self) -> bool:
        return not (self.gp_commitment or self.fee_exempt)

    @property
    def bears_carry(self) -> bool:
        return not (self.gp_commitment or self.carry_exempt)


@dataclass(frozen=True, slots=True)
class PoolFee:
    """Each investor's fee for a period and the pool's fee, their sum."""

    by_investor: Mapping[str, PeriodFee]
    total: Decimal
    exempt: tuple[str, ...] = ()
    """Investors bearing no fee (GP's commitment, fee-exempt)."""


@exact_arithmetic
def investor_fees(
    terms: FeeBasisTerms,
    start: date,
    end: date,
    investors: Mapping[str, InvestorFeeTerms],
    currency: Currency,
) -> PoolFee:
    """Each investor's fee for ``[start, end)`` on its own figures, after its holidays and
    waivers: the pool's fee is the exact fees summed and rounded once (half-even), shared by
    exact fee (largest remainder)."""
    check_date(start, "start")
    check_date(end, "end")
    if end <= start:
        raise InvalidValueError("end", f"must be after start {start}, got {end}")
    if not investors:
        raise InvalidValueError("investors", "at least one investor is required")
    by_investor: dict[str, PeriodFee] = {}
    exempt: list[str] = []
    for key, own in investors.items():
        if not isinstance(key, str) or not key:
            raise InvalidValueError("investors", f"keys must be non-empty str, got {key!r}")
        if not isinstance(own, InvestorFeeTerms):
            raise InvalidValueError(f"investors[{key}]", "must be InvestorFeeTerms")
        if not own.bears_fee:
            exempt.append(key)
            by_investor[key] = PeriodFee(start, end, (), Fraction(0), quantize_cash(0, currency))
            continue
        by_investor[key] = holder_period_fee(
            terms,
            start,
            end,
            own.figures,
            currency,
            investor=key,
            waivers=own.waivers,
            field_name=f"investors[{key}].figures",
        )
    total = quantize_cash(sum((fee.exact for fee in by_investor.values()), Fraction(0)), currency)
    bearing = {key: fee.exact for key, fee in by_investor.items() if fee.exact > 0}
    if bearing:
        shares = apportion_exact(total, bearing, currency.quantum)
        by_investor = {
            key: replace(fee, amount=shares.get(key, quantize_cash(0, currency)))
            for key, fee in by_investor.items()
        }
    return PoolFee(by_investor=by_investor, total=total, exempt=tuple(exempt))


def carry_bearing_investors(investors: Mapping[str, InvestorFeeTerms]) -> tuple[str, ...]:
    """The investors who bear carried interest (not the GP's commitment, not carry-exempt),
    in key order."""
    return tuple(sorted(key for key, own in investors.items() if own.bears_carry))

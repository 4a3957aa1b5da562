"""One investor's own terms in a closed-ended pool (a side letter, or the GP's commitment),
and how the fee and carry rules apply them.

A side letter may replace the pool's management fee rate for one investor, waive a share of
that investor's fee (1 waives it all), give it a fee holiday (no fee for the days up to and
including a date: an early closer's incentive), or replace the carried interest rate it bears. The
GP's own commitment (or an affiliate's) bears neither fee nor carry. Everyone else is on the
pool's terms.

Management fee
    Each investor's fee is its own basis x its own rate x the period's year fraction. The
    pool's fee is the sum over investors, worked out exactly and rounded once (half-even);
    it is then shared by largest remainder in proportion to each investor's exact fee
    (basis x own rate), so the shares add up to it to the cent and each is within one
    cent of that investor's exact fee.

Carried interest
    The European waterfall sizes its tiers at the pool's carry rate k, and each investor
    bears a part of the GP's catch-up and carry (backend.finance.waterfall). An investor
    whose own rate is k_i bears k_i / k of those parts, rounded down per part (the GP never
    gets more than the letter allows); the rest, the investor's **carry rebate**, is paid to
    that investor with its distribution. The tiers and the GP's running entitlement stay at
    the pool's rate, so a rebate is never clawed back by a later distribution. A GP
    commitment has k_i = 0: it keeps all of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from backend.finance.errors import InvalidValueError
from backend.finance.money import Currency, Rounding, check_rate, exact_arithmetic, quantize_cash
from backend.finance.waterfall import InvestorDistribution

__all__ = [
    "CarryRebate",
    "CarryToDate",
    "InvestorTerms",
    "carry_kept",
    "carry_rebates",
    "fee_for_year_fraction",
    "fee_weights",
]

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class InvestorTerms:
    """What one investor's side letter changes (rates as fractions: 0.015 = 1.5%)."""

    management_fee_rate: Decimal | None = None
    """Replaces the pool's management fee rate for this investor; None: the pool's."""
    management_fee_waiver: Decimal = _ZERO
    """Share of this investor's management fee waived, 0 to 1."""
    carried_interest_rate: Decimal | None = None
    """Replaces the pool's carried interest rate for this investor; None: the pool's."""
    gp_commitment: bool = False
    """The GP's own commitment: no management fee and no carried interest."""
    management_fee_holiday_until: date | None = None
    """No management fee for this investor's days up to and including this date."""

    def __post_init__(self) -> None:
        if self.management_fee_rate is not None:
            check_rate(self.management_fee_rate, "management_fee_rate", high=Decimal(1))
        check_rate(self.management_fee_waiver, "management_fee_waiver", high=Decimal(1))
        if self.carried_interest_rate is not None:
            check_rate(
                self.carried_interest_rate, "carried_interest_rate", high=Decimal(1), high_inclusive=False
            )
        if not isinstance(self.gp_commitment, bool):
            raise InvalidValueError("gp_commitment", "must be true or false")

    @exact_arithmetic
    def fee_rate(self, pool_rate: Decimal) -> Decimal:
        """The annual management fee rate this investor pays."""
        if self.gp_commitment:
            return _ZERO
        rate = pool_rate if self.management_fee_rate is None else self.management_fee_rate
        return rate * (1 - self.management_fee_waiver)

    def fee_charged_from(self, start: date) -> date:
        """The first day from ``start`` on which this investor is charged a fee (after its holiday)."""
        if self.management_fee_holiday_until is None:
            return start
        return max(start, self.management_fee_holiday_until + timedelta(days=1))

    def carry_rate(self, pool_rate: Decimal) -> Decimal:
        """The carried interest rate this investor bears."""
        if self.gp_commitment:
            return _ZERO
        return pool_rate if self.carried_interest_rate is None else self.carried_interest_rate


@exact_arithmetic
def fee_weights(
    shares: Mapping[str, Decimal], pool_rate: Decimal, terms: Mapping[str, InvestorTerms]
) -> dict[str, Decimal]:
    """Each investor's fee basis x its own annual rate: in proportion to its exact fee, and
    summing to the pool's fee for one year. Investors without a letter are on ``pool_rate``."""
    standard = InvestorTerms()
    return {
        holder: share * terms.get(holder, standard).fee_rate(pool_rate) for holder, share in shares.items()
    }


@exact_arithmetic
def fee_for_year_fraction(weights: Mapping[str, Decimal], years: Fraction, currency: Currency) -> Decimal:
    """The pool's fee: the investors' exact fees added up, rounded once (half-even)."""
    return quantize_cash(Fraction(sum(weights.values(), _ZERO)) * years, currency, Rounding.HALF_EVEN)


@dataclass(frozen=True, slots=True)
class CarryRebate:
    """What the GP gives back to one investor under its own carry rate, in one distribution."""

    investor: str
    catch_up: Decimal
    carried_interest: Decimal

    @property
    @exact_arithmetic
    def total(self) -> Decimal:
        return self.catch_up + self.carried_interest


def carry_kept(borne: Decimal, ratio: Fraction, currency: Currency) -> Decimal:
    """What the GP keeps of carry ``borne`` at the pool's rate, under an investor's own rate
    (``ratio`` = own / pool rate): rounded down, so a rebate is never short."""
    return quantize_cash(Fraction(borne) * ratio, currency, Rounding.DOWN)


@dataclass(frozen=True, slots=True)
class CarryToDate:
    """What one investor bore of the GP's catch-up and carry in earlier distributions: at the
    pool's rates (before any rebate), and what the GP kept of it (after the rebates)."""

    borne: Decimal = _ZERO
    kept: Decimal = _ZERO


@exact_arithmetic
def carry_rebates(
    shares: Iterable[InvestorDistribution],
    pool_rate: Decimal,
    terms: Mapping[str, InvestorTerms],
    currency: Currency,
    to_date: Mapping[str, CarryToDate] | None = None,
) -> dict[str, CarryRebate]:
    """The rebate of each investor whose carry rate differs from the pool's: the part of
    the GP's catch-up and carry it bears that its own rate does not give the GP.

    Rounded once per investor over the pool's life, not per distribution: what the GP keeps
    of an investor to date is round_down(own rate / pool rate x everything that investor bore
    at the pool's rates, ``to_date`` included), and this distribution keeps that less what
    earlier ones kept (never below zero nor above what it bears now), split between the
    catch-up and the carry as each tier's own share would be."""
    rebates: dict[str, CarryRebate] = {}
    if pool_rate == 0:
        return rebates
    before = to_date or {}
    for share in shares:
        letter = terms.get(share.investor)
        if letter is None:
            continue
        own = letter.carry_rate(pool_rate)
        if own > pool_rate:
            raise InvalidValueError(
                f"side_letters[{share.investor}].carried_interest_rate",
                f"{own} is above the pool's {pool_rate}: a side letter may lower the carry, not raise it",
            )
        ratio = Fraction(own) / Fraction(pool_rate)
        earlier = before.get(share.investor, CarryToDate())
        borne = share.gp_catch_up + share.gp_carried_interest
        kept_to_date = carry_kept(earlier.borne + borne, ratio, currency)
        kept = min(max(kept_to_date - earlier.kept, _ZERO), borne)
        # Split as the tiers were: the catch-up's own share first, the carry the rest.
        own_catch_up = min(carry_kept(share.gp_catch_up, ratio, currency), kept)
        kept_carry = min(kept - own_catch_up, share.gp_carried_interest)
        kept_catch_up = kept - kept_carry
        catch_up = share.gp_catch_up - kept_catch_up
        carry = share.gp_carried_interest - kept_carry
        if catch_up or carry:
            rebates[share.investor] = CarryRebate(share.investor, catch_up, carry)
    return rebates

"""European (whole-fund) distribution waterfall for closed-ended pools.

Each distribution is paid through four tiers, in order; a tier is paid only once the one
before it is full:

1. return of capital: 100% to LPs until all contributed capital is returned;
2. preferred return: 100% to LPs until they have their preferred return (the hurdle);
3. GP catch-up: ``catch_up_rate`` of each amount to the GP (the rest to LPs) until the GP
   has ``carried_interest_rate`` of all profit distributed so far; 100% = full catch-up,
   0 = no catch-up tier;
4. carried interest: the rest is split, ``carried_interest_rate`` to the GP (e.g. 20%) and
   the remainder to LPs.

Preferred return owed on the distribution date ``T`` (r = rate, y(d) = year fraction from d
to T under the terms' day count; contributions c_i on dates t_i; earlier LP payments of
capital rc_j and preferred return rp_j on dates s_j):

* simple:  round(r x (sum c_i y(t_i) - sum rc_j y(s_j))) - sum rp_j
  (pref accrues on capital while it is outstanding; pref paid does not reduce the base);
* annual compound: round(sum c_i (1+r)^y(t_i) - sum (rc_j + rp_j) (1+r)^y(s_j)) - (unreturned capital)
  (the LPs' hurdle balance grown at r: the LPs have their pref when their IRR reaches r).

With all earlier payments on the same date T this is exactly
``sum c_i ((1+r)^y - 1) - pref already paid`` (compound) or ``sum c_i r y - pref paid``
(simple). Never negative.

Rounding (all amounts at the currency minor unit):

* preferred return owed: ROUND_HALF_EVEN;
* catch-up tier size, GP catch-up share and GP carried interest: ROUND_DOWN, computed on
  *cumulative* figures (e.g. GP carried interest to date = round_down(20% x carried
  interest tier to date)), so the GP never gets more than its percentage and one
  distribution of 100 gives exactly the same totals as two of 50 on the same date;
* LP amounts are the tier amount minus the GP amount, so tiers sum exactly to the
  distribution and the residue is zero;
* each LP tier is split between investors pro rata to contributed capital by the
  largest-remainder method (:mod:`ledger.allocation`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Context, Decimal
from fractions import Fraction

from ledger.allocation import allocate
from ledger.daycount import DayCount, check_date, year_fraction
from ledger.errors import InvalidValueError
from ledger.money import (
    Currency,
    Rounding,
    check_cash,
    check_rate,
    exact_arithmetic,
    quantize_cash,
)

__all__ = [
    "CARRY_ROUNDING",
    "PREFERRED_RETURN_ROUNDING",
    "Compounding",
    "Contribution",
    "Distribution",
    "Entitlements",
    "HurdlePayment",
    "InvestorDistribution",
    "Tier",
    "TierAmount",
    "WaterfallState",
    "WaterfallTerms",
    "distribute",
    "entitlements",
    "total_by_tier",
]

PREFERRED_RETURN_ROUNDING = Rounding.HALF_EVEN
CARRY_ROUNDING = Rounding.DOWN

_ZERO = Decimal(0)
_GROWTH_CONTEXT = Context(prec=60)


class Compounding(enum.StrEnum):
    """How the preferred return accrues."""

    SIMPLE = "simple"
    ANNUAL = "annual"
    """Compounded annually: growth factor (1 + r) ^ years, years fractional."""


class Tier(enum.StrEnum):
    """The four tiers of the European waterfall, in payment order."""

    RETURN_OF_CAPITAL = "return_of_capital"
    PREFERRED_RETURN = "preferred_return"
    CATCH_UP = "catch_up"
    CARRIED_INTEREST = "carried_interest"


@dataclass(frozen=True, slots=True)
class WaterfallTerms:
    """The distribution terms of a closed-ended pool (rates as fractions: 0.08 = 8%)."""

    currency: Currency
    preferred_return_rate: Decimal
    """Preferred return (hurdle) per annum."""
    compounding: Compounding
    catch_up_rate: Decimal
    """GP share of each amount in the catch-up tier: 1 = full catch-up, 0 = no catch-up."""
    carried_interest_rate: Decimal
    """GP share of profit, e.g. 0.20."""
    day_count: DayCount = DayCount.ACT_365F

    def __post_init__(self) -> None:
        if not isinstance(self.currency, Currency):
            raise InvalidValueError("currency", "must be a Currency")
        check_rate(self.preferred_return_rate, "preferred_return_rate")
        Compounding(self.compounding)
        DayCount(self.day_count)
        carry = check_rate(
            self.carried_interest_rate, "carried_interest_rate", high=Decimal(1), high_inclusive=False
        )
        catch_up = check_rate(self.catch_up_rate, "catch_up_rate")
        if catch_up != 0 and catch_up <= carry:
            raise InvalidValueError(
                "catch_up_rate",
                f"must be 0 (no catch-up) or above the carried interest rate {carry}, got {catch_up}",
            )


@dataclass(frozen=True, slots=True)
class Contribution:
    """Capital paid in by one LP on one date (a settled capital call)."""

    investor: str
    amount: Decimal
    on: date


@dataclass(frozen=True, slots=True)
class HurdlePayment:
    """What LPs were paid, in total, in tiers 1 and 2 of an earlier distribution."""

    on: date
    return_of_capital: Decimal
    preferred_return: Decimal


@dataclass(frozen=True, slots=True)
class WaterfallState:
    """Cumulative position of the fund: what was contributed and what was paid, by tier."""

    contributions: tuple[Contribution, ...] = ()
    hurdle_payments: tuple[HurdlePayment, ...] = ()
    catch_up_paid: Decimal = _ZERO
    """Whole catch-up tier paid so far (GP and LP parts)."""
    catch_up_paid_to_gp: Decimal = _ZERO
    carried_interest_tier_paid: Decimal = _ZERO
    """Whole carried-interest tier paid so far (GP and LP parts)."""
    carried_interest_paid_to_gp: Decimal = _ZERO
    last_distribution_on: date | None = None
    """Date of the latest distribution; the next one may not be dated earlier."""

    @property
    @exact_arithmetic
    def contributed_capital(self) -> Decimal:
        """Total capital contributed by LPs."""
        return sum((c.amount for c in self.contributions), _ZERO)

    @property
    @exact_arithmetic
    def capital_returned(self) -> Decimal:
        """Total capital returned to LPs (tier 1)."""
        return sum((p.return_of_capital for p in self.hurdle_payments), _ZERO)

    @property
    @exact_arithmetic
    def preferred_return_paid(self) -> Decimal:
        """Total preferred return paid to LPs (tier 2)."""
        return sum((p.preferred_return for p in self.hurdle_payments), _ZERO)

    @property
    @exact_arithmetic
    def gp_paid(self) -> Decimal:
        """Total paid to the GP (catch-up plus carried interest)."""
        return self.catch_up_paid_to_gp + self.carried_interest_paid_to_gp

    @property
    @exact_arithmetic
    def distributed(self) -> Decimal:
        """Total distributed to LPs and GP."""
        return (
            self.capital_returned
            + self.preferred_return_paid
            + self.catch_up_paid
            + self.carried_interest_tier_paid
        )

    @property
    @exact_arithmetic
    def profit_distributed(self) -> Decimal:
        """Total distributed in excess of capital returned."""
        return self.distributed - self.capital_returned

    def with_contribution(self, investor: str, amount: Decimal, on: date) -> WaterfallState:
        """This state with one more contribution."""
        return replace(self, contributions=(*self.contributions, Contribution(investor, amount, on)))


@dataclass(frozen=True, slots=True)
class TierAmount:
    """The LP total and the GP amount paid in one tier of one distribution."""

    tier: Tier
    lp: Decimal
    gp: Decimal

    @property
    @exact_arithmetic
    def total(self) -> Decimal:
        """LP plus GP."""
        return self.lp + self.gp


@dataclass(frozen=True, slots=True)
class InvestorDistribution:
    """One LP's share of each LP tier of a distribution."""

    investor: str
    return_of_capital: Decimal
    preferred_return: Decimal
    catch_up: Decimal
    """The LP's share of the LP part of the catch-up tier (0 with a 100% catch-up)."""
    carried_interest: Decimal
    """The LP's share of the LP part of the carried-interest (e.g. 80/20) tier."""

    @property
    @exact_arithmetic
    def total(self) -> Decimal:
        """Everything this LP receives from the distribution."""
        return self.return_of_capital + self.preferred_return + self.catch_up + self.carried_interest


@dataclass(frozen=True, slots=True)
class Distribution:
    """Result of running one distribution through the waterfall."""

    on: date
    amount: Decimal
    return_of_capital: TierAmount
    preferred_return: TierAmount
    catch_up: TierAmount
    carried_interest: TierAmount
    investors: tuple[InvestorDistribution, ...]
    residue: Decimal
    """Amount - LP total - GP total: always zero (kept explicit for the journal's check)."""
    state: WaterfallState
    """The cumulative state after this distribution; pass it to the next one."""

    @property
    def tiers(self) -> tuple[TierAmount, TierAmount, TierAmount, TierAmount]:
        """The four tiers in payment order."""
        return (self.return_of_capital, self.preferred_return, self.catch_up, self.carried_interest)

    @property
    @exact_arithmetic
    def lp_total(self) -> Decimal:
        """Total to LPs across tiers."""
        return sum((t.lp for t in self.tiers), _ZERO)

    @property
    @exact_arithmetic
    def gp_total(self) -> Decimal:
        """Total to the GP across tiers."""
        return sum((t.gp for t in self.tiers), _ZERO)


@dataclass(frozen=True, slots=True)
class Entitlements:
    """What must still be paid, at a date, before the next tier starts."""

    unreturned_capital: Decimal
    preferred_return_owed: Decimal
    catch_up_owed: Decimal
    """Catch-up tier still to pay once the preferred return owed has been paid."""


# --- validation ---------------------------------------------------------------------------


def _check_state(state: WaterfallState, currency: Currency, on: date) -> None:
    if not isinstance(state, WaterfallState):
        raise InvalidValueError("state", "must be a WaterfallState")
    last = state.last_distribution_on
    if last is not None and check_date(last, "state.last_distribution_on") > on:
        raise InvalidValueError("on", f"{on} is before the latest distribution, on {last}")
    for i, c in enumerate(state.contributions):
        name = f"state.contributions[{i}]"
        if not isinstance(c.investor, str) or not c.investor:
            raise InvalidValueError(f"{name}.investor", "must be a non-empty str")
        if check_cash(c.amount, currency, f"{name}.amount") == 0:
            raise InvalidValueError(f"{name}.amount", "must be positive")
        if check_date(c.on, f"{name}.on") > on:
            raise InvalidValueError(f"{name}.on", f"{c.on} is after the distribution date {on}")
    for i, p in enumerate(state.hurdle_payments):
        name = f"state.hurdle_payments[{i}]"
        check_cash(p.return_of_capital, currency, f"{name}.return_of_capital")
        check_cash(p.preferred_return, currency, f"{name}.preferred_return")
        if check_date(p.on, f"{name}.on") > on:
            raise InvalidValueError(f"{name}.on", f"{p.on} is after the distribution date {on}")
    if state.capital_returned > state.contributed_capital:
        raise InvalidValueError("state.hurdle_payments", "more capital returned than contributed")
    for total_name, gp_name in (
        ("catch_up_paid", "catch_up_paid_to_gp"),
        ("carried_interest_tier_paid", "carried_interest_paid_to_gp"),
    ):
        total = check_cash(getattr(state, total_name), currency, f"state.{total_name}")
        gp = check_cash(getattr(state, gp_name), currency, f"state.{gp_name}")
        if gp > total:
            raise InvalidValueError(f"state.{gp_name}", f"exceeds state.{total_name}")


# --- tier maths ---------------------------------------------------------------------------


def _growth(rate: Decimal, years: Fraction) -> Fraction:
    """(1 + rate) ^ years: exact for whole years, else to 60 significant digits."""
    if years.denominator == 1:
        return (1 + Fraction(rate)) ** years.numerator
    base = _GROWTH_CONTEXT.add(Decimal(1), rate)
    exponent = _GROWTH_CONTEXT.divide(Decimal(years.numerator), Decimal(years.denominator))
    return Fraction(_GROWTH_CONTEXT.power(base, exponent))


def _preferred_return_owed(terms: WaterfallTerms, state: WaterfallState, on: date) -> Decimal:
    rate = terms.preferred_return_rate

    def years(since: date) -> Fraction:
        return year_fraction(since, on, terms.day_count)

    if terms.compounding == Compounding.SIMPLE:
        capital_years = sum(
            (Fraction(c.amount) * years(c.on) for c in state.contributions), Fraction(0)
        ) - sum((Fraction(p.return_of_capital) * years(p.on) for p in state.hurdle_payments), Fraction(0))
        accrued = quantize_cash(Fraction(rate) * capital_years, terms.currency, PREFERRED_RETURN_ROUNDING)
        owed = accrued - state.preferred_return_paid
    else:
        balance = sum(
            (Fraction(c.amount) * _growth(rate, years(c.on)) for c in state.contributions), Fraction(0)
        ) - sum(
            (
                Fraction(p.return_of_capital + p.preferred_return) * _growth(rate, years(p.on))
                for p in state.hurdle_payments
            ),
            Fraction(0),
        )
        unreturned = Fraction(state.contributed_capital - state.capital_returned)
        owed = quantize_cash(balance - unreturned, terms.currency, PREFERRED_RETURN_ROUNDING)
    return max(owed, quantize_cash(0, terms.currency))


def _catch_up_target(terms: WaterfallTerms, preferred_return_paid: Decimal) -> Decimal:
    """Size of the whole catch-up tier once ``preferred_return_paid`` has been paid.

    With catch-up share c and carry k, the GP has k of profit when
    c x X = k x (pref + X), i.e. X = k x pref / (c - k). Rounded down.
    """
    c, k = Fraction(terms.catch_up_rate), Fraction(terms.carried_interest_rate)
    if c == 0 or k == 0:
        return quantize_cash(0, terms.currency)
    return quantize_cash(k * Fraction(preferred_return_paid) / (c - k), terms.currency, CARRY_ROUNDING)


def _gp_increment(
    share: Decimal, tier_before: Decimal, gp_before: Decimal, paid_now: Decimal, currency: Currency
) -> Decimal:
    """GP part of ``paid_now`` in a shared tier, from cumulative figures (rounded down)."""
    gp_to_date = quantize_cash(Fraction(share) * Fraction(tier_before + paid_now), currency, CARRY_ROUNDING)
    return min(paid_now, max(gp_to_date - gp_before, quantize_cash(0, currency)))


def _split_by_investor(
    lp_amounts: dict[Tier, Decimal], state: WaterfallState, currency: Currency
) -> tuple[InvestorDistribution, ...]:
    weights: dict[str, Decimal] = {}
    for c in state.contributions:
        weights[c.investor] = weights.get(c.investor, _ZERO) + c.amount
    if not weights:
        return ()
    parts = {tier: allocate(amount, weights, currency.quantum) for tier, amount in lp_amounts.items()}
    return tuple(
        InvestorDistribution(
            investor=investor,
            return_of_capital=parts[Tier.RETURN_OF_CAPITAL][investor],
            preferred_return=parts[Tier.PREFERRED_RETURN][investor],
            catch_up=parts[Tier.CATCH_UP][investor],
            carried_interest=parts[Tier.CARRIED_INTEREST][investor],
        )
        for investor in sorted(weights)
    )


# --- public API ---------------------------------------------------------------------------


@exact_arithmetic
def entitlements(terms: WaterfallTerms, state: WaterfallState, on: date) -> Entitlements:
    """What LPs are still owed in tiers 1 and 2, and the catch-up still due, on ``on``."""
    check_date(on, "on")
    _check_state(state, terms.currency, on)
    owed = _preferred_return_owed(terms, state, on)
    target = _catch_up_target(terms, state.preferred_return_paid + owed)
    return Entitlements(
        unreturned_capital=check_cash(
            state.contributed_capital - state.capital_returned, terms.currency, "unreturned_capital"
        ),
        preferred_return_owed=owed,
        catch_up_owed=max(target - state.catch_up_paid, quantize_cash(0, terms.currency)),
    )


@exact_arithmetic
def distribute(amount: Decimal, on: date, terms: WaterfallTerms, state: WaterfallState) -> Distribution:
    """Run a distribution of ``amount`` on ``on`` through the European waterfall.

    Returns the LP and GP amounts per tier, each LP's share, and the new cumulative state.
    """
    currency = terms.currency
    cash = check_cash(amount, currency, "amount")
    check_date(on, "on")
    _check_state(state, currency, on)
    if cash > 0 and not state.contributions:
        raise InvalidValueError("state.contributions", "no contributed capital to distribute against")

    remaining = cash
    due = entitlements(terms, state, on)

    capital = min(remaining, due.unreturned_capital)
    remaining -= capital
    pref = min(remaining, due.preferred_return_owed)
    remaining -= pref

    target = _catch_up_target(terms, state.preferred_return_paid + pref)
    catch_up = min(remaining, max(target - state.catch_up_paid, quantize_cash(0, currency)))
    remaining -= catch_up
    gp_catch_up = _gp_increment(
        terms.catch_up_rate, state.catch_up_paid, state.catch_up_paid_to_gp, catch_up, currency
    )

    carry_tier = remaining
    gp_carry = _gp_increment(
        terms.carried_interest_rate,
        state.carried_interest_tier_paid,
        state.carried_interest_paid_to_gp,
        carry_tier,
        currency,
    )

    zero = quantize_cash(0, currency)
    tiers = {
        Tier.RETURN_OF_CAPITAL: TierAmount(Tier.RETURN_OF_CAPITAL, lp=capital, gp=zero),
        Tier.PREFERRED_RETURN: TierAmount(Tier.PREFERRED_RETURN, lp=pref, gp=zero),
        Tier.CATCH_UP: TierAmount(Tier.CATCH_UP, lp=catch_up - gp_catch_up, gp=gp_catch_up),
        Tier.CARRIED_INTEREST: TierAmount(Tier.CARRIED_INTEREST, lp=carry_tier - gp_carry, gp=gp_carry),
    }
    payments = state.hurdle_payments
    if capital or pref:
        payments = (*payments, HurdlePayment(on=on, return_of_capital=capital, preferred_return=pref))
    new_state = replace(
        state,
        hurdle_payments=payments,
        catch_up_paid=state.catch_up_paid + catch_up,
        catch_up_paid_to_gp=state.catch_up_paid_to_gp + gp_catch_up,
        carried_interest_tier_paid=state.carried_interest_tier_paid + carry_tier,
        carried_interest_paid_to_gp=state.carried_interest_paid_to_gp + gp_carry,
        last_distribution_on=on,
    )
    paid = sum((t.total for t in tiers.values()), _ZERO)
    return Distribution(
        on=on,
        amount=cash,
        return_of_capital=tiers[Tier.RETURN_OF_CAPITAL],
        preferred_return=tiers[Tier.PREFERRED_RETURN],
        catch_up=tiers[Tier.CATCH_UP],
        carried_interest=tiers[Tier.CARRIED_INTEREST],
        investors=_split_by_investor({t: a.lp for t, a in tiers.items()}, state, currency),
        residue=cash - paid,
        state=new_state,
    )


@exact_arithmetic
def total_by_tier(distributions: Iterable[Distribution]) -> dict[Tier, TierAmount]:
    """Sum LP and GP amounts per tier over several distributions."""
    totals = {tier: (_ZERO, _ZERO) for tier in Tier}
    for d in distributions:
        for t in d.tiers:
            lp, gp = totals[t.tier]
            totals[t.tier] = (lp + t.lp, gp + t.gp)
    return {tier: TierAmount(tier, lp=lp, gp=gp) for tier, (lp, gp) in totals.items()}

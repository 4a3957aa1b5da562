"""European (whole-fund) distribution waterfall: one rule set, so one module over 400 lines.

It is kept whole on purpose: the four tiers below, their per-LP splits and their rounding
are one rule set applied by one algorithm (:func:`distribute`, with :func:`entitlements`
for what is still owed), and the terms, cumulative state and result types here are that
algorithm's inputs and outputs. Each tier is sized from the ones before it (the catch-up
target from the preferred return paid, the carry split from what tiers 2 and 3 pay now),
so the parts change together, and this docstring, the contract the tests pin, documents
them in one place. Closed-ended pools only.

Each distribution is paid through four tiers, in order; a tier is paid only once the one
before it is full:

1. return of capital: 100% to LPs until every LP has back all the capital it contributed;
2. preferred return: 100% to LPs until every LP has its preferred return (the hurdle);
3. GP catch-up: ``catch_up_rate`` of each amount to the GP (the rest to LPs) until the GP
   has ``carried_interest_rate`` of all profit distributed so far; 100% = full catch-up,
   0 = no catch-up tier;
4. carried interest: the rest is split, ``carried_interest_rate`` to the GP (e.g. 20%) and
   the remainder to LPs.

Tiers 1 and 2 are the sums of what each LP is owed, worked out on that LP's own
contribution dates and own earlier payments. Tiers 3 and 4, and so the GP's entitlement,
are whole-fund figures (cumulative over the fund's life, as before).

Preferred return owed to one LP on the distribution date ``T`` (r = rate, y(d) = year
fraction from d to T under the terms' day count; the LP's contributions c_i on dates t_i;
the LP's earlier payments of capital rc_j and preferred return rp_j on dates s_j):

* simple:  round(r x (sum c_i y(t_i) - sum rc_j y(s_j))) - sum rp_j
  (pref accrues on capital while it is outstanding; pref paid does not reduce the base);
* annual compound: round(sum c_i (1+r)^y(t_i) - sum (rc_j + rp_j) (1+r)^y(s_j)) - (unreturned capital)
  (the LP's hurdle balance grown at r: the LP has its pref when its IRR reaches r).

With all earlier payments on the same date T this is exactly
``sum c_i ((1+r)^y - 1) - pref already paid`` (compound) or ``sum c_i r y - pref paid``
(simple). Never negative. The preferred return owed by the fund is the sum over LPs.

Who gets what inside each tier (largest-remainder method, :mod:`backend.finance.allocation`):

* return of capital: pro rata to each LP's unreturned capital (contributed minus capital
  already returned to that LP), so no LP is ever returned more than it paid in, and an LP
  whose capital is all back gets nothing from this tier. When the caller gives the LPs'
  capital accounts (the posting rule does), the tier first goes pro rata to what the books
  still hold for each LP, its capital account up to its unreturned capital, and only the
  rest by unreturned capital: the two are the same unless an LP bore a loss the others did
  not (for example a loss booked before a later LP paid in), and then that LP's loss is not
  paid out of the others' capital;
* preferred return: pro rata to the preferred return still owed to each LP;
* catch-up (the whole tier: its LP part and the GP's part, which the LPs bear): pro rata
  to the preferred return paid to each LP to date, this distribution included. The
  catch-up exists to give the GP its carry on the preferred return, so each LP bears it in
  proportion to the pref it received;
* carried interest (the whole tier): pro rata to each LP's undistributed profit, when the
  caller gives the LPs' capital accounts (the posting rule does): the capital account, net
  of calls not yet paid, less the LP's unreturned capital and what tiers 2 and 3 pay it
  now, never below zero. Otherwise (or if no LP has any) pro rata to contributed capital,
  each LP's percentage interest in the fund.

Within tiers 3 and 4 the GP's part is then split pro rata to each LP's share of the whole
tier and the LP keeps the rest, so every LP bears the GP's ``carried_interest_rate`` of
what it gets from the tier. Together: each LP bears carry of about
``carried_interest_rate`` of the profit paid out of its own account, and a distribution
of all the pool's value leaves every capital account at zero whenever each LP's profit in
the books covers its preferred return and catch-up share.

Rounding (all amounts at the currency minor unit):

* preferred return owed: ROUND_HALF_EVEN, per LP; the fund's figure is the sum;
* catch-up tier size and GP catch-up share: ROUND_DOWN, computed on *cumulative* figures,
  so one distribution of 100 gives exactly the same tier totals as two of 50 on the same
  date;
* the GP's cumulative entitlement (catch-up plus carried interest) is rounded once,
  ROUND_DOWN: catch-up share x catch-up tier + carry x carried-interest tier, which once
  the catch-up is full is exactly carry x all profit distributed (the catch-up target is
  defined by c x T = k x (pref + T)). The GP never holds more than that entitlement: its
  catch-up share comes first, and the carried-interest tier absorbs the residue, its GP
  part being the entitlement less what the GP holds, within [0, the tier]. So
  a GP that is caught up holds exactly round_down(20% x profit), 20,000.00 on 100,000.00
  of profit, where rounding each tier on its own gave 19,999.99;
* LP amounts are the tier amount minus the GP amount, so tiers sum exactly to the
  distribution and the residue is zero; the per-LP figures of each tier (LP part and GP
  part borne) add up to the tier's figures exactly;
* each LP's cash from the distribution is rounded once: its exact share of the LP part of
  every tier, by largest remainder over the LPs (within a cent of it), the cents moved
  between LPs in who bears the GP's part of the carried-interest tier first, so each LP's
  share of every tier, and what its capital account pays, stays as split
  (:func:`_each_lp_rounded_once`).

Books kept before per-LP tiers (capital split pro rata to contributed capital) may show an
LP returned more capital than it contributed: that LP's unreturned capital counts as zero
(never negative; nothing is clawed back) and the other LPs' unreturned capital is paid
first.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Context, Decimal
from fractions import Fraction

from backend.finance.allocation import allocate, exact_shares, round_rows_once
from backend.finance.daycount import DayCount, check_date, year_fraction
from backend.finance.errors import InvalidValueError
from backend.finance.money import (
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
    "InvestorEntitlement",
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
    """What one LP was paid in tiers 1 and 2 of an earlier distribution."""

    investor: str
    on: date
    return_of_capital: Decimal
    preferred_return: Decimal


def _by_investor(pairs: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for investor, amount in pairs:
        totals[investor] = totals.get(investor, _ZERO) + amount
    return totals


@dataclass(frozen=True, slots=True)
class WaterfallState:
    """Cumulative position of the fund: what each LP contributed and was paid in tiers 1
    and 2, and what was paid in the whole-fund tiers 3 and 4."""

    contributions: tuple[Contribution, ...] = ()
    hurdle_payments: tuple[HurdlePayment, ...] = ()
    """Tier 1 and 2 payments, one per LP per distribution that paid that LP anything there."""
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

    @property
    def investors(self) -> tuple[str, ...]:
        """The LPs that contributed, in identifier order."""
        return tuple(sorted({c.investor for c in self.contributions}))

    @property
    @exact_arithmetic
    def contributed_by_investor(self) -> dict[str, Decimal]:
        """Capital contributed, per LP."""
        return _by_investor((c.investor, c.amount) for c in self.contributions)

    @property
    @exact_arithmetic
    def capital_returned_by_investor(self) -> dict[str, Decimal]:
        """Capital returned (tier 1), per LP that was returned any."""
        return _by_investor((p.investor, p.return_of_capital) for p in self.hurdle_payments)

    @property
    @exact_arithmetic
    def preferred_return_paid_by_investor(self) -> dict[str, Decimal]:
        """Preferred return paid (tier 2), per LP that was paid any."""
        return _by_investor((p.investor, p.preferred_return) for p in self.hurdle_payments)

    @property
    @exact_arithmetic
    def unreturned_capital_by_investor(self) -> dict[str, Decimal]:
        """Capital not yet returned, per LP that contributed: never negative."""
        returned = self.capital_returned_by_investor
        return {
            investor: max(amount - returned.get(investor, _ZERO), _ZERO)
            for investor, amount in sorted(self.contributed_by_investor.items())
        }

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
    """One LP's share of each LP tier of a distribution, and of the GP's amounts it bears."""

    investor: str
    return_of_capital: Decimal
    preferred_return: Decimal
    catch_up: Decimal
    """The LP's share of the LP part of the catch-up tier (0 with a 100% catch-up)."""
    carried_interest: Decimal
    """The LP's share of the LP part of the carried-interest (e.g. 80/20) tier."""
    gp_catch_up: Decimal = _ZERO
    """The part of the GP's catch-up this LP bears (split like the catch-up tier)."""
    gp_carried_interest: Decimal = _ZERO
    """The part of the GP's carried interest this LP bears (split like the carry tier)."""
    carried_interest_weight: Decimal = _ZERO
    """What the carried-interest tier was split by for this LP: its undistributed profit, or
    its contributed capital."""

    @property
    @exact_arithmetic
    def total(self) -> Decimal:
        """Everything this LP receives from the distribution."""
        return self.return_of_capital + self.preferred_return + self.catch_up + self.carried_interest

    @property
    @exact_arithmetic
    def gp_share_borne(self) -> Decimal:
        """The GP's amounts this LP bears: its capital account pays ``total`` plus this."""
        return self.gp_catch_up + self.gp_carried_interest


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
class InvestorEntitlement:
    """What one LP must still be paid in tiers 1 and 2, at a date."""

    investor: str
    unreturned_capital: Decimal
    preferred_return_owed: Decimal


@dataclass(frozen=True, slots=True)
class Entitlements:
    """What must still be paid, at a date, before the next tier starts."""

    unreturned_capital: Decimal
    """Sum of the LPs' unreturned capital."""
    preferred_return_owed: Decimal
    """Sum of the preferred return owed to each LP."""
    catch_up_owed: Decimal
    """Catch-up tier still to pay once the preferred return owed has been paid."""
    investors: tuple[InvestorEntitlement, ...] = ()
    """The same per LP (every LP that contributed, in identifier order)."""


# --- validation ---------------------------------------------------------------------------


def _check_contributions(state: WaterfallState, currency: Currency, on: date) -> None:
    for i, c in enumerate(state.contributions):
        name = f"state.contributions[{i}]"
        if not isinstance(c.investor, str) or not c.investor:
            raise InvalidValueError(f"{name}.investor", "must be a non-empty str")
        # A subsequent close takes back part of a contribution, dated at its call: negative.
        if check_cash(c.amount, currency, f"{name}.amount", non_negative=False) == 0:
            raise InvalidValueError(f"{name}.amount", "must not be zero")
        if check_date(c.on, f"{name}.on") > on:
            raise InvalidValueError(f"{name}.on", f"{c.on} is after the distribution date {on}")
    for investor, total in state.contributed_by_investor.items():
        if total < 0:
            raise InvalidValueError(
                "state.contributions", f"{investor!r} has contributed less than nothing: {total}"
            )


def _check_state(state: WaterfallState, currency: Currency, on: date) -> None:
    if not isinstance(state, WaterfallState):
        raise InvalidValueError("state", "must be a WaterfallState")
    last = state.last_distribution_on
    if last is not None and check_date(last, "state.last_distribution_on") > on:
        raise InvalidValueError("on", f"{on} is before the latest distribution, on {last}")
    _check_contributions(state, currency, on)
    contributors = {c.investor for c in state.contributions}
    for i, p in enumerate(state.hurdle_payments):
        name = f"state.hurdle_payments[{i}]"
        if not isinstance(p, HurdlePayment):
            raise InvalidValueError(name, "must be a HurdlePayment")
        if p.investor not in contributors:
            raise InvalidValueError(f"{name}.investor", f"{p.investor!r} has no contribution")
        check_cash(p.return_of_capital, currency, f"{name}.return_of_capital")
        check_cash(p.preferred_return, currency, f"{name}.preferred_return")
        if check_date(p.on, f"{name}.on") > on:
            raise InvalidValueError(f"{name}.on", f"{p.on} is after the distribution date {on}")
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


def _preferred_return_owed(terms: WaterfallTerms, state: WaterfallState, on: date) -> dict[str, Decimal]:
    """Preferred return owed to each LP that contributed, on its own dates and payments."""
    rate = terms.preferred_return_rate
    zero = quantize_cash(0, terms.currency)
    contributions: dict[str, list[Contribution]] = {investor: [] for investor in state.investors}
    payments: dict[str, list[HurdlePayment]] = {investor: [] for investor in state.investors}
    for c in state.contributions:
        contributions[c.investor].append(c)
    for p in state.hurdle_payments:
        payments[p.investor].append(p)
    unreturned = state.unreturned_capital_by_investor

    def years(since: date) -> Fraction:
        return year_fraction(since, on, terms.day_count)

    owed: dict[str, Decimal] = {}
    for investor in state.investors:
        paid_in, paid_out = contributions[investor], payments[investor]
        if terms.compounding == Compounding.SIMPLE:
            capital_years = sum((Fraction(c.amount) * years(c.on) for c in paid_in), Fraction(0)) - sum(
                (Fraction(p.return_of_capital) * years(p.on) for p in paid_out), Fraction(0)
            )
            accrued = quantize_cash(Fraction(rate) * capital_years, terms.currency, PREFERRED_RETURN_ROUNDING)
            due = accrued - sum((p.preferred_return for p in paid_out), _ZERO)
        else:
            balance = sum(
                (Fraction(c.amount) * _growth(rate, years(c.on)) for c in paid_in), Fraction(0)
            ) - sum(
                (
                    Fraction(p.return_of_capital + p.preferred_return) * _growth(rate, years(p.on))
                    for p in paid_out
                ),
                Fraction(0),
            )
            due = quantize_cash(
                balance - Fraction(unreturned[investor]), terms.currency, PREFERRED_RETURN_ROUNDING
            )
        owed[investor] = max(due, zero)
    return owed


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


def _gp_entitlement(
    terms: WaterfallTerms, preferred_return_paid: Decimal, catch_up_paid: Decimal, carry_tier_paid: Decimal
) -> Decimal:
    """The GP's cumulative entitlement (catch-up plus carry), rounded once, down.

    Exactly: catch-up share x catch-up tier + carry x carried-interest tier. Once the
    catch-up is full the two add up to carry x all profit distributed (c x T = k x (pref +
    T) defines the target T), and that is the figure used: the target is rounded down to
    the cent to size the tier, and the fraction of a cent it leaves would otherwise be lost
    to the GP (19,999.99 instead of 20,000.00 on 100,000.00 of profit).
    """
    c, k = Fraction(terms.catch_up_rate), Fraction(terms.carried_interest_rate)
    # Without a catch-up tier (c = 0) the GP's share is carry x the carry tier alone.
    caught_up = c > 0 and catch_up_paid >= _catch_up_target(terms, preferred_return_paid)
    if caught_up and carry_tier_paid > 0:
        exact = k * Fraction(preferred_return_paid + catch_up_paid + carry_tier_paid)
    else:
        exact = c * Fraction(catch_up_paid) + k * Fraction(carry_tier_paid)
    return quantize_cash(exact, terms.currency, CARRY_ROUNDING)


def _account(capital_accounts: Mapping[str, Decimal], investor: str, currency: Currency) -> Decimal:
    return check_cash(
        capital_accounts.get(investor, _ZERO), currency, f"capital_accounts[{investor}]", non_negative=False
    )


def _pro_rata(
    amount: Decimal, weights: Mapping[str, Decimal], fallback: Mapping[str, Decimal], currency: Currency
) -> dict[str, Decimal]:
    """``amount`` split over ``weights`` by largest remainder, a zero for every other LP of
    ``fallback``; by ``fallback`` if no weight is positive (not reached: a tier is paid only
    when someone is owed it)."""
    zero = quantize_cash(0, currency)
    parts = dict.fromkeys(fallback, zero)
    if amount == 0:
        return parts
    positive = {investor: w for investor, w in weights.items() if w > 0}
    parts.update(allocate(amount, positive or fallback, currency.quantum))
    return parts


def _exact_pro_rata(
    amount: Decimal, weights: Mapping[str, Decimal], fallback: Mapping[str, Decimal]
) -> dict[str, Fraction]:
    """What :func:`_pro_rata` rounds: each LP's exact share."""
    parts = dict.fromkeys(fallback, Fraction(0))
    if amount == 0:
        return parts
    positive = {investor: w for investor, w in weights.items() if w > 0}
    parts.update(exact_shares(amount, positive or fallback))
    return parts


def _each_lp_rounded_once(
    shares: Mapping[Tier, Mapping[str, Decimal]],
    lp_exact: Mapping[Tier, Mapping[str, Fraction]],
    gp_borne: Mapping[Tier, Mapping[str, Decimal]],
    *,
    room: Mapping[Tier, Mapping[str, Decimal]],
    quantum: Decimal,
) -> dict[Tier, tuple[dict[str, Decimal], dict[str, Decimal]]]:
    """Each LP's share of the four tiers and of the GP's part (rounded tier by tier), made to
    give each LP's cash from the distribution rounded once: from its exact share of the LP
    part of every tier, within a cent of it (:func:`round_rows_once`). Returns per tier
    (each LP's share of the tier, the GP's part it bears).

    The cents move between LPs first in who bears the GP's part of the carried-interest tier,
    then of the catch-up tier: each LP's share of those tiers, and so what its capital account
    pays, is unchanged (a distribution of the whole pool still closes every account at zero).
    Only if that cannot place a cent, in the preferred return and then the return of capital
    (never beyond what an LP is owed in those two). Every tier's total and the GP's total are
    unchanged."""
    order = (Tier.CARRIED_INTEREST, Tier.CATCH_UP, Tier.PREFERRED_RETURN, Tier.RETURN_OF_CAPITAL)
    lps = list(shares[Tier.RETURN_OF_CAPITAL])
    borne = {t: gp_borne.get(t, dict.fromkeys(lps, _ZERO)) for t in order}
    cells = [{i: shares[t][i] - borne[t][i] for i in lps} for t in order]
    rows = {i: sum((lp_exact[t][i] for t in order), Fraction(0)) for i in lps}
    # An LP's part of a tier with a GP part grows only by bearing less of the GP's part.
    limits = [dict(borne[t]) if t in gp_borne else {i: room[t][i] - shares[t][i] for i in lps} for t in order]
    adjusted = dict(zip(order, round_rows_once(cells, rows, quantum, limits), strict=True))
    out: dict[Tier, tuple[dict[str, Decimal], dict[str, Decimal]]] = {}
    for t in order:
        if t in gp_borne:  # the LP's share of the tier stays; the GP's part it bears gives way
            out[t] = (dict(shares[t]), {i: shares[t][i] - adjusted[t][i] for i in lps})
        else:
            out[t] = (adjusted[t], dict(borne[t]))
    return out


# --- public API ---------------------------------------------------------------------------


@exact_arithmetic
def entitlements(terms: WaterfallTerms, state: WaterfallState, on: date) -> Entitlements:
    """What each LP is still owed in tiers 1 and 2, and the catch-up still due, on ``on``."""
    check_date(on, "on")
    _check_state(state, terms.currency, on)
    unreturned = state.unreturned_capital_by_investor
    owed = _preferred_return_owed(terms, state, on)
    total_owed = sum(owed.values(), quantize_cash(0, terms.currency))
    target = _catch_up_target(terms, state.preferred_return_paid + total_owed)
    return Entitlements(
        unreturned_capital=check_cash(
            sum(unreturned.values(), quantize_cash(0, terms.currency)), terms.currency, "unreturned_capital"
        ),
        preferred_return_owed=total_owed,
        catch_up_owed=max(target - state.catch_up_paid, quantize_cash(0, terms.currency)),
        investors=tuple(
            InvestorEntitlement(
                investor=investor,
                unreturned_capital=check_cash(unreturned[investor], terms.currency, "unreturned_capital"),
                preferred_return_owed=owed[investor],
            )
            for investor in state.investors
        ),
    )


def _return_of_capital_split(
    capital: Decimal,
    unreturned: dict[str, Decimal],
    contributed: dict[str, Decimal],
    capital_accounts: Mapping[str, Decimal] | None,
    currency: Currency,
) -> tuple[dict[str, Decimal], dict[str, Fraction]]:
    """Tier 1 per LP, rounded and exact: by unreturned capital, or, given the books, first
    what each account still holds (up to its unreturned capital), then the rest out of the
    accounts' gains."""
    if capital_accounts is None:
        return _pro_rata(capital, unreturned, contributed, currency), _exact_pro_rata(
            capital, unreturned, contributed
        )
    zero = _ZERO.quantize(currency.quantum)
    # First what the books still hold for each LP (capital account, up to its unreturned
    # capital), so an LP who bore a loss the others did not is not paid out of theirs.
    covered = {
        investor: min(owed, max(_account(capital_accounts, investor, currency), zero))
        for investor, owed in unreturned.items()
    }
    first = min(capital, sum(covered.values(), zero))
    roc = _pro_rata(first, covered, contributed, currency)
    # Beyond that, the fund's return of capital is paid out of gains some LPs made and
    # others did not (the waterfall is whole-fund): it goes to what each account still
    # holds, so no account is overdrawn to pay another's gain; only when no account holds
    # anything more, by what is still unreturned.
    headroom = {
        investor: max(_account(capital_accounts, investor, currency) - roc[investor], zero)
        for investor in unreturned
    }
    if not any(headroom.values()):
        headroom = {i: owed - roc[i] for i, owed in unreturned.items()}
    rest = _pro_rata(capital - first, headroom, contributed, currency)
    exact_first = _exact_pro_rata(first, covered, contributed)
    exact_rest = _exact_pro_rata(capital - first, headroom, contributed)
    return (
        {investor: roc[investor] + rest[investor] for investor in roc},
        {investor: exact_first[investor] + exact_rest[investor] for investor in roc},
    )


@exact_arithmetic
def distribute(
    amount: Decimal,
    on: date,
    terms: WaterfallTerms,
    state: WaterfallState,
    *,
    capital_accounts: Mapping[str, Decimal] | None = None,
) -> Distribution:
    """Run a distribution of ``amount`` on ``on`` through the European waterfall.

    Returns the LP and GP amounts per tier, each LP's share of them, and the new cumulative
    state. ``capital_accounts`` (each LP's capital account net of calls it has not paid,
    before this distribution) refines two splits: return of capital goes first by what the
    books still hold for each LP (its capital account, up to its unreturned capital), the
    rest by unreturned capital; the carried-interest tier goes by each LP's undistributed
    profit: its capital account less its unreturned capital and what it gets from tiers 2
    and 3 now (never below zero), or by contributed capital when nobody has any. Without
    ``capital_accounts`` return of capital goes by unreturned capital and the
    carried-interest tier by contributed capital.
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
    carry_tier = remaining
    # The GP's cumulative entitlement, rounded once: what it may hold after this
    # distribution. Its catch-up share comes first, the carried-interest tier takes the
    # rest (absorbing the rounding), each within its tier, never more than the entitlement.
    entitled = _gp_entitlement(
        terms,
        state.preferred_return_paid + pref,
        state.catch_up_paid + catch_up,
        state.carried_interest_tier_paid + carry_tier,
    )
    available = max(entitled - state.gp_paid, quantize_cash(0, currency))
    gp_catch_up = min(
        available,
        _gp_increment(
            terms.catch_up_rate, state.catch_up_paid, state.catch_up_paid_to_gp, catch_up, currency
        ),
    )
    gp_carry = min(carry_tier, available - gp_catch_up)

    zero = quantize_cash(0, currency)
    tiers = {
        Tier.RETURN_OF_CAPITAL: TierAmount(Tier.RETURN_OF_CAPITAL, lp=capital, gp=zero),
        Tier.PREFERRED_RETURN: TierAmount(Tier.PREFERRED_RETURN, lp=pref, gp=zero),
        Tier.CATCH_UP: TierAmount(Tier.CATCH_UP, lp=catch_up - gp_catch_up, gp=gp_catch_up),
        Tier.CARRIED_INTEREST: TierAmount(Tier.CARRIED_INTEREST, lp=carry_tier - gp_carry, gp=gp_carry),
    }

    # Per LP: tier 1 by unreturned capital, tier 2 by preferred return owed, the catch-up
    # tier by preferred return paid to date (this distribution's included), the carry tier
    # by undistributed profit (or contributed capital). Tiers 3 and 4 are split whole first,
    # then the GP's part of each pro rata to those shares, the LPs keeping the rest.
    contributed = state.contributed_by_investor
    unreturned = {e.investor: e.unreturned_capital for e in due.investors}
    roc, exact_roc = _return_of_capital_split(capital, unreturned, contributed, capital_accounts, currency)
    owed = {e.investor: e.preferred_return_owed for e in due.investors}
    prefs = _pro_rata(pref, owed, contributed, currency)
    pref_paid = state.preferred_return_paid_by_investor
    pref_to_date = {investor: pref_paid.get(investor, _ZERO) + prefs[investor] for investor in contributed}
    catch_up_shares = _pro_rata(catch_up, pref_to_date, contributed, currency)
    gp_catch_up_borne = _pro_rata(gp_catch_up, catch_up_shares, contributed, currency)
    if capital_accounts is None:
        carry_weights = contributed
    else:
        carry_weights = {
            e.investor: max(
                _account(capital_accounts, e.investor, currency)
                - e.unreturned_capital
                - prefs[e.investor]
                - catch_up_shares[e.investor],
                zero,
            )
            for e in due.investors
        }
        if not any(carry_weights.values()):
            carry_weights = contributed
    carry_shares = _pro_rata(carry_tier, carry_weights, contributed, currency)
    gp_carry_borne = _pro_rata(gp_carry, carry_shares, contributed, currency)
    rounded = _each_lp_rounded_once(
        {
            Tier.RETURN_OF_CAPITAL: roc,
            Tier.PREFERRED_RETURN: prefs,
            Tier.CATCH_UP: catch_up_shares,
            Tier.CARRIED_INTEREST: carry_shares,
        },
        {
            Tier.RETURN_OF_CAPITAL: exact_roc,
            Tier.PREFERRED_RETURN: _exact_pro_rata(pref, owed, contributed),
            Tier.CATCH_UP: _exact_pro_rata(catch_up - gp_catch_up, pref_to_date, contributed),
            Tier.CARRIED_INTEREST: _exact_pro_rata(carry_tier - gp_carry, carry_weights, contributed),
        },
        {Tier.CATCH_UP: gp_catch_up_borne, Tier.CARRIED_INTEREST: gp_carry_borne},
        room={Tier.RETURN_OF_CAPITAL: unreturned, Tier.PREFERRED_RETURN: owed},
        quantum=currency.quantum,
    )
    roc, prefs = rounded[Tier.RETURN_OF_CAPITAL][0], rounded[Tier.PREFERRED_RETURN][0]
    catch_up_shares, gp_catch_up_borne = rounded[Tier.CATCH_UP]
    carry_shares, gp_carry_borne = rounded[Tier.CARRIED_INTEREST]
    investors = tuple(
        InvestorDistribution(
            investor=investor,
            return_of_capital=roc[investor],
            preferred_return=prefs[investor],
            catch_up=catch_up_shares[investor] - gp_catch_up_borne[investor],
            carried_interest=carry_shares[investor] - gp_carry_borne[investor],
            gp_catch_up=gp_catch_up_borne[investor],
            gp_carried_interest=gp_carry_borne[investor],
            carried_interest_weight=carry_weights[investor],
        )
        for investor in state.investors
    )

    payments = (
        *state.hurdle_payments,
        *(
            HurdlePayment(i.investor, on, i.return_of_capital, i.preferred_return)
            for i in investors
            if i.return_of_capital or i.preferred_return
        ),
    )
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
        investors=investors,
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

"""American (deal-by-deal) distribution waterfall: each deal's proceeds go through their own four tiers.

A pool's investments (deals) are tracked one by one: each deal has the capital the LPs
contributed to it (per LP, dated; LPs fund a deal pro rata to their commitments, see
:func:`fund_deal`) and its realisations (proceeds on dates). Each realisation of a deal is paid
through four tiers computed on *that deal alone*, cumulatively over its realisations (a
second realisation carries on where the first stopped):

1. return of capital: 100% to LPs until they have back the capital contributed to the deal.
   Under the term ``CapitalBasis.DEAL_CAPITAL_FEES_AND_LOSSES`` ("return of capital for
   realised deals plus write-downs", the common American variant) the deal's capital includes
   the fees and expenses allocated to it, and the tier then also repays the LPs' realised
   losses on earlier deals (capital of a deal finally realised and not returned) and the
   current write-downs of unrealised deals, less what earlier realisations already repaid;
2. preferred return: 100% to LPs until they have their preferred return on the deal's capital
   (fees and expenses included under the variant; no preferred return accrues on a loss
   repaid from another deal);
3. GP catch-up: ``catch_up_rate`` to the GP until it has ``carried_interest_rate`` of the
   deal's profit distributed so far (profit: everything paid beyond tier 1);
4. carried interest: the rest, ``carried_interest_rate`` to the GP and the rest to LPs.

So the GP earns carry on an early winner while later deals lose; the clawback
(:mod:`backend.finance.clawback`) trues that up against the whole-fund figure.

Preferred return owed to one LP on a deal at date T (r the rate, y(d) the year fraction from
d to T under the terms' day count, the LP's contributions to the deal c_i on t_i, its earlier
payments from the deal of capital rc_j and preferred return rp_j on s_j), as in the European
waterfall (:mod:`backend.finance.waterfall`):

* simple: round(r x (sum c_i y(t_i) - sum rc_j y(s_j))) - sum rp_j;
* annual compound: round(sum c_i (1+r)^y(t_i) - sum (rc_j + rp_j) (1+r)^y(s_j)) - unreturned.

Per LP (largest remainder, :func:`backend.finance.allocation.allocate`): tier 1 pro rata to
each LP's unreturned capital in the deal, then the loss repayment pro rata to each LP's
unrepaid losses; tier 2 to the preferred return owed to each; the catch-up tier to the
preferred return each was paid from the deal to date; the carried-interest tier to capital
contributed to the deal. The GP's part of tiers 3 and 4 is split pro rata to each LP's share
of the tier (what that LP bears) and the LP keeps the rest.

Rounding (currency minor unit), the same rule as the European waterfall:

* preferred return owed: ROUND_HALF_EVEN per LP, the deal's figure the sum;
* catch-up tier size and the GP's catch-up share: ROUND_DOWN on the deal's cumulative figures;
* the GP's cumulative entitlement on the deal is computed exactly from cumulative figures and
  rounded once, ROUND_DOWN; the carried-interest tier absorbs the residue (its GP part is the
  entitlement less what the GP holds), so once caught up the GP holds exactly
  round_down(carry x the deal's profit): 20,000.00 on a deal with 100,000.00 of profit;
* LP amounts are tier amount minus GP amount: the tiers sum exactly to the proceeds;
* each LP's cash from a realisation is rounded once, as in the European waterfall (the
  cents moved first in who bears the GP's part, each LP's share of the tiers unchanged).

One rule set, kept whole past 400 lines as the European waterfall is: the four tiers of a
deal, the capital basis that feeds tier 1, the per-LP splits and the one rounding above are
one algorithm over one deal's cumulative state, each tier sized from the ones before it, and
a reader checking a distribution against the LPA follows it here top to bottom.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from backend.finance.allocation import allocate, round_rows_once
from backend.finance.daycount import check_date
from backend.finance.deal_tiers import (
    InvestorDealDistribution,
    by_investor,
    catch_up_target,
    exact_split,
    gp_entitlement,
    pref_owed,
    split,
    unreturned_capital,
)
from backend.finance.errors import InvalidValueError
from backend.finance.money import Currency, Rounding, check_cash, exact_arithmetic, quantize_cash
from backend.finance.waterfall import Contribution, HurdlePayment, Tier, TierAmount, WaterfallTerms

__all__ = [
    "CapitalBasis",
    "Deal",
    "DealDistribution",
    "DealState",
    "DealTerms",
    "FundState",
    "InvestorDealDistribution",
    "carry_borne_by_investor",
    "fund_deal",
    "realise",
]

_ZERO = Decimal(0)


class CapitalBasis(enum.StrEnum):
    """What tier 1 of a deal returns."""

    DEAL_CAPITAL = "deal_capital"
    """The capital contributed to that deal only."""
    DEAL_CAPITAL_FEES_AND_LOSSES = "deal_capital_fees_and_losses"
    """The deal's capital plus its fees and expenses, plus earlier realised losses and write-downs."""


@dataclass(frozen=True, slots=True)
class DealTerms:
    """The pool's waterfall terms (rates, compounding, day count) and the tier-1 basis."""

    waterfall: WaterfallTerms
    capital_basis: CapitalBasis = CapitalBasis.DEAL_CAPITAL

    def __post_init__(self) -> None:
        if not isinstance(self.waterfall, WaterfallTerms):
            raise InvalidValueError("waterfall", "must be WaterfallTerms")
        CapitalBasis(self.capital_basis)


@dataclass(frozen=True, slots=True)
class Deal:
    """One investment: the capital each LP contributed to it, and the fees and expenses
    allocated to it (counted only under ``DEAL_CAPITAL_FEES_AND_LOSSES``)."""

    deal_id: str
    contributions: tuple[Contribution, ...]
    fees_and_expenses: tuple[Contribution, ...] = ()


@dataclass(frozen=True, slots=True)
class DealState:
    """Cumulative position of one deal."""

    deal: Deal
    hurdle_payments: tuple[HurdlePayment, ...] = ()
    catch_up_paid: Decimal = _ZERO
    catch_up_paid_to_gp: Decimal = _ZERO
    carried_interest_tier_paid: Decimal = _ZERO
    carried_interest_paid_to_gp: Decimal = _ZERO
    realised: bool = False
    """True once the final realisation was paid: what capital is not back is a realised loss."""

    @property
    @exact_arithmetic
    def gp_paid(self) -> Decimal:
        """Catch-up plus carried interest paid to the GP from this deal."""
        return self.catch_up_paid_to_gp + self.carried_interest_paid_to_gp


@dataclass(frozen=True, slots=True)
class DealDistribution:
    """One realisation of one deal, through the four tiers."""

    deal_id: str
    on: date
    amount: Decimal
    tiers: tuple[TierAmount, TierAmount, TierAmount, TierAmount]
    loss_recovery: Decimal
    """Part of tier 1 that repaid earlier realised losses and write-downs."""
    investors: tuple[InvestorDealDistribution, ...]

    @property
    @exact_arithmetic
    def lp_total(self) -> Decimal:
        """Total to LPs."""
        return sum((t.lp for t in self.tiers), _ZERO)

    @property
    @exact_arithmetic
    def gp_total(self) -> Decimal:
        """Total to the GP (catch-up plus carried interest)."""
        return sum((t.gp for t in self.tiers), _ZERO)


@dataclass(frozen=True, slots=True)
class FundState:
    """All deals of a pool, the losses repaid from later deals, and every realisation so far."""

    deals: tuple[DealState, ...] = ()
    losses_recovered: tuple[tuple[str, Decimal], ...] = ()
    """Cumulative loss repayment per LP (tier 1 of the variant), in identifier order."""
    distributions: tuple[DealDistribution, ...] = ()

    def with_deal(self, deal: Deal) -> FundState:
        """This state with one more deal."""
        if not isinstance(deal, Deal) or not deal.deal_id or not deal.contributions:
            raise InvalidValueError("deal", "must be a Deal with an id and at least one contribution")
        if any(d.deal.deal_id == deal.deal_id for d in self.deals):
            raise InvalidValueError("deal.deal_id", f"{deal.deal_id!r} already exists")
        return replace(self, deals=(*self.deals, DealState(deal)))

    def deal(self, deal_id: str) -> DealState:
        """The state of deal ``deal_id``."""
        for d in self.deals:
            if d.deal.deal_id == deal_id:
                return d
        raise InvalidValueError("deal_id", f"no deal {deal_id!r}")

    @property
    @exact_arithmetic
    def gp_paid(self) -> Decimal:
        """Catch-up plus carried interest paid to the GP, over all deals."""
        return sum((d.gp_paid for d in self.deals), _ZERO)


@exact_arithmetic
def carry_borne_by_investor(distributions: Iterable[DealDistribution]) -> dict[str, Decimal]:
    """The GP's catch-up and carried interest each LP bore, summed over ``distributions``."""
    return by_investor(
        (i.investor, i.gp_catch_up + i.gp_carried_interest) for d in distributions for i in d.investors
    )


def fund_deal(
    deal_id: str, amount: Decimal, on: date, commitments: Mapping[str, Decimal], currency: Currency
) -> Deal:
    """A deal of ``amount`` funded on ``on`` by the LPs pro rata to their commitments (largest
    remainder: the parts sum exactly to ``amount``; an LP with a zero part is left out)."""
    cash = check_cash(amount, currency, "amount")
    check_date(on, "on")
    if cash == 0:
        raise InvalidValueError("amount", "must be positive")
    parts = allocate(cash, commitments, currency.quantum)
    return Deal(deal_id, tuple(Contribution(i, p, on) for i, p in sorted(parts.items()) if p > 0))


# --- per-deal maths -------------------------------------------------------------------------


def _base(terms: DealTerms, deal: Deal) -> tuple[Contribution, ...]:
    """What tier 1 returns and the preferred return accrues on, per LP and date."""
    if terms.capital_basis == CapitalBasis.DEAL_CAPITAL_FEES_AND_LOSSES:
        return (*deal.contributions, *deal.fees_and_expenses)
    return deal.contributions


def _losses_owed(
    terms: DealTerms, fund: FundState, deal_id: str, write_downs: Mapping[str, Decimal]
) -> dict[str, Decimal]:
    """Per LP: realised losses of finally realised deals plus current write-downs of unrealised
    ones (each split by the LPs' unreturned capital in that deal), less what was repaid."""
    if terms.capital_basis != CapitalBasis.DEAL_CAPITAL_FEES_AND_LOSSES:
        if write_downs:
            raise InvalidValueError("write_downs", "only under DEAL_CAPITAL_FEES_AND_LOSSES")
        return {}
    currency = terms.waterfall.currency
    losses: list[tuple[str, Decimal]] = []
    for written in write_downs:
        state = fund.deal(written)
        if written == deal_id or state.realised:
            raise InvalidValueError(f"write_downs[{written}]", "must be another, unrealised deal")
    for d in fund.deals:
        if d.deal.deal_id == deal_id:
            continue
        unreturned = unreturned_capital(_base(terms, d.deal), d.hurdle_payments)
        if d.realised:
            losses.extend(unreturned.items())
        elif d.deal.deal_id in write_downs:
            w = check_cash(write_downs[d.deal.deal_id], currency, f"write_downs[{d.deal.deal_id}]")
            if w > sum(unreturned.values(), _ZERO):
                raise InvalidValueError(
                    f"write_downs[{d.deal.deal_id}]", "exceeds the deal's unreturned capital"
                )
            losses.extend(split(w, unreturned, unreturned, currency).items())
    recovered = dict(fund.losses_recovered)
    return {i: max(loss - recovered.get(i, _ZERO), _ZERO) for i, loss in by_investor(losses).items()}


def _each_lp_rounded_once(
    investors: list[str],
    shares: tuple[dict[str, Decimal], ...],
    lp_exact: tuple[dict[str, Fraction], ...],
    *,
    gp_borne: tuple[dict[str, Decimal], dict[str, Decimal]],
    room: tuple[Mapping[str, Decimal], Mapping[str, Decimal]],
    quantum: Decimal,
) -> tuple[dict[str, Decimal], ...]:
    """The realisation's per-LP figures (return of capital, loss repayment, preferred return,
    and the GP's catch-up and carry each LP bears; rounded tier by tier) made to give each
    LP's cash rounded once from its exact shares of the LP parts (:func:`round_rows_once`),
    as the European waterfall does: the cents move between LPs first in who bears the GP's
    part of the carry tier, then of the catch-up (each LP's share of those tiers unchanged),
    then in the preferred return and the return of capital (never beyond what an LP is owed
    in those two); the loss repayment, every tier's total and the GP's total stay as split."""
    roc, rec, prefs, cu, ci = shares
    gp_cu, gp_ci = gp_borne
    unreturned, owed = room
    rows = {i: sum((part[i] for part in lp_exact), Fraction(0)) for i in investors}
    lp_ci, lp_cu, prefs, roc, rec = round_rows_once(
        [
            {i: ci[i] - gp_ci[i] for i in investors},
            {i: cu[i] - gp_cu[i] for i in investors},
            prefs,
            roc,
            rec,
        ],
        rows,
        quantum,
        [
            dict(gp_ci),
            dict(gp_cu),
            {i: owed.get(i, _ZERO) - prefs[i] for i in investors},
            {i: unreturned.get(i, _ZERO) - roc[i] for i in investors},
            dict.fromkeys(investors, _ZERO),
        ],
    )
    return (
        roc,
        rec,
        prefs,
        {i: cu[i] - lp_cu[i] for i in investors},
        {i: ci[i] - lp_ci[i] for i in investors},
    )


# --- public API -----------------------------------------------------------------------------


@exact_arithmetic
def realise(
    deal_id: str,
    amount: Decimal,
    on: date,
    terms: DealTerms,
    fund: FundState,
    *,
    final: bool = False,
    write_downs: Mapping[str, Decimal] | None = None,
) -> tuple[DealDistribution, FundState]:
    """Pay ``amount`` of proceeds of deal ``deal_id`` on ``on`` through the deal's four tiers.

    ``final`` marks the deal's last realisation: capital of it still unreturned afterwards is a
    realised loss. ``write_downs`` (deal id -> amount) are the current write-downs of other,
    unrealised deals; both are repaid from this deal's tier 1 only under
    ``DEAL_CAPITAL_FEES_AND_LOSSES``. Realisations must come in date order over the pool.
    Returns the distribution and the new pool state.
    """
    wt = terms.waterfall
    currency = wt.currency
    cash = check_cash(amount, currency, "amount")
    check_date(on, "on")
    if fund.distributions and fund.distributions[-1].on > on:
        raise InvalidValueError(
            "on", f"{on} is before the latest realisation, on {fund.distributions[-1].on}"
        )
    state = fund.deal(deal_id)
    if state.realised:
        raise InvalidValueError("deal_id", f"{deal_id!r} was finally realised already")
    base = _base(terms, state.deal)
    for i, c in enumerate(base):
        if check_cash(c.amount, currency, f"contributions[{i}].amount") == 0 or check_date(c.on, "on") > on:
            raise InvalidValueError(
                f"contributions[{i}]", "must be positive and dated on or before the realisation"
            )
    zero = quantize_cash(0, currency)
    loss_owed = _losses_owed(terms, fund, deal_id, write_downs or {})
    unreturned = unreturned_capital(base, state.hurdle_payments)
    owed = pref_owed(wt, base, state.hurdle_payments, on)
    investors = sorted({*unreturned, *loss_owed})
    pref_before = sum((p.preferred_return for p in state.hurdle_payments), _ZERO)

    remaining = cash
    capital = min(remaining, sum(unreturned.values(), zero))
    remaining -= capital
    recovery = min(remaining, sum(loss_owed.values(), zero))
    remaining -= recovery
    pref = min(remaining, sum(owed.values(), zero))
    remaining -= pref
    target = catch_up_target(wt, pref_before + pref)
    catch_up = min(remaining, max(target - state.catch_up_paid, zero))
    carry_tier = remaining - catch_up
    # The GP's entitlement on the deal after this realisation, rounded once; its catch-up share
    # (from cumulative figures, rounded down) comes first and the carry tier takes the rest.
    entitled = gp_entitlement(
        wt, pref_before + pref, state.catch_up_paid + catch_up, state.carried_interest_tier_paid + carry_tier
    )
    available = max(entitled - state.gp_paid, zero)
    gp_catch_up_to_date = quantize_cash(
        Fraction(wt.catch_up_rate) * Fraction(state.catch_up_paid + catch_up), currency, Rounding.DOWN
    )
    gp_catch_up = min(available, catch_up, max(gp_catch_up_to_date - state.catch_up_paid_to_gp, zero))
    gp_carry = min(carry_tier, available - gp_catch_up)

    roc = split(capital, unreturned, investors, currency)
    rec = split(recovery, loss_owed, investors, currency)
    prefs = split(pref, owed, investors, currency)
    pref_paid = by_investor((p.investor, p.preferred_return) for p in state.hurdle_payments)
    to_date = {i: pref_paid.get(i, _ZERO) + prefs[i] for i in investors}
    cu = split(catch_up, to_date, investors, currency)
    gp_cu = split(gp_catch_up, cu, investors, currency)
    contributed = by_investor((c.investor, c.amount) for c in base)
    ci = split(carry_tier, contributed, investors, currency)
    gp_ci = split(gp_carry, ci, investors, currency)
    # Each LP's cash from the realisation rounded once, as in the European waterfall.
    roc, rec, prefs, gp_cu, gp_ci = _each_lp_rounded_once(
        investors,
        (roc, rec, prefs, cu, ci),
        (
            exact_split(capital, unreturned, investors),
            exact_split(recovery, loss_owed, investors),
            exact_split(pref, owed, investors),
            exact_split(catch_up - gp_catch_up, to_date, investors),
            exact_split(carry_tier - gp_carry, contributed, investors),
        ),
        gp_borne=(gp_cu, gp_ci),
        room=(unreturned, owed),
        quantum=currency.quantum,
    )
    rows = tuple(
        InvestorDealDistribution(
            i, roc[i] + rec[i], rec[i], prefs[i], cu[i] - gp_cu[i], ci[i] - gp_ci[i], gp_cu[i], gp_ci[i]
        )
        for i in investors
    )
    distribution = DealDistribution(
        deal_id=deal_id,
        on=on,
        amount=cash,
        tiers=(
            TierAmount(Tier.RETURN_OF_CAPITAL, capital + recovery, zero),
            TierAmount(Tier.PREFERRED_RETURN, pref, zero),
            TierAmount(Tier.CATCH_UP, catch_up - gp_catch_up, gp_catch_up),
            TierAmount(Tier.CARRIED_INTEREST, carry_tier - gp_carry, gp_carry),
        ),
        loss_recovery=recovery,
        investors=rows,
    )
    new_deal = replace(
        state,
        hurdle_payments=(
            *state.hurdle_payments,
            *(HurdlePayment(i, on, roc[i], prefs[i]) for i in investors if roc[i] or prefs[i]),
        ),
        catch_up_paid=state.catch_up_paid + catch_up,
        catch_up_paid_to_gp=state.catch_up_paid_to_gp + gp_catch_up,
        carried_interest_tier_paid=state.carried_interest_tier_paid + carry_tier,
        carried_interest_paid_to_gp=state.carried_interest_paid_to_gp + gp_carry,
        realised=final,
    )
    recovered = by_investor((*fund.losses_recovered, *rec.items()))
    new_fund = replace(
        fund,
        deals=tuple(new_deal if d.deal.deal_id == deal_id else d for d in fund.deals),
        losses_recovered=tuple((i, a) for i, a in recovered.items() if a),
        distributions=(*fund.distributions, distribution),
    )
    return distribution, new_fund

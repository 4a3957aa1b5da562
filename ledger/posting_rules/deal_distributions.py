"""The American (deal-by-deal) waterfall in the books: a distribution pays one investment's
proceeds through the tiers worked on that investment alone, and the clawback gives back what
the GP took beyond the whole fund's figure (backend.finance.deal_waterfall and
backend.finance.clawback have the rules, their examples and their rounding).

Each named investment is a deal. Its capital is what its purchases cost, each purchase funded
by the investors pro rata to their commitments on its date (as the calls that paid for it
were made), so an investor admitted at a subsequent close is in every deal as if from the
first close. The deal's running record (what each investor got back of its capital and
preferred return, the catch-up and carry paid) is rebuilt from the workings of the deal
distributions that stand, as the European waterfall's is.

A deal distribution posts like a whole-fund one: each investor's capital account bears what
it receives plus the GP's share it bears, cash goes out; side-letter rebates, recallable
capital and deemed contributions work the same (ledger.posting_rules.distributions).

The clawback, at the end of the fund (every deal finally realised) or at an interim date if
the terms allow, is one entry:

    cash                 debit   the clawback      (from the GP)
    capital/i            credit  i's part          (the carry i bore, back in its account)
    capital/i            debit   i's part          (paid out to i)
    cash                 credit  the clawback      (to the investors)

so no balance moves and every figure is in the hashed lines. It is worked at the pool's
rates, as the tiers are; an investor whose side letter lowered its carry gets back its part
in the same proportion (the GP kept only that proportion of what it bore), rounded down.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from backend.finance import clawback as clawbacks
from backend.finance.deal_tiers import by_investor
from backend.finance.deal_waterfall import (
    Deal,
    DealDistribution,
    DealState,
    DealTerms,
    FundState,
    InvestorDealDistribution,
    fund_deal,
    realise,
)
from backend.finance.errors import InvalidValueError
from backend.finance.investor_terms import InvestorTerms, carry_kept
from backend.finance.money import Currency, exact_arithmetic
from backend.finance.waterfall import HurdlePayment, InvestorDistribution, Tier, TierAmount
from ledger.posting_rules.books import (
    CLOSED_ENDED,
    Line,
    PoolBooks,
    PoolTerms,
    Posting,
    _non_zero,
    _positive_cash,
    _require_kind,
    investment_name,
)
from ledger.posting_rules.distributions import investor_payouts, waterfall_posting, waterfall_workings
from ledger.schemas import AccountCode, EntryType

_ZERO = Decimal(0)
_API_FIELDS = {"on": "effective_date", "deal_id": "investment"}
"""The finance layer's names for what the API calls effective_date and investment."""
_TIERS = (Tier.RETURN_OF_CAPITAL, Tier.PREFERRED_RETURN, Tier.CATCH_UP, Tier.CARRIED_INTEREST)


@dataclass(frozen=True, slots=True)
class DealBook:
    """What the American waterfall reads beside the balances, from the entries that stand."""

    fund: FundState = field(default_factory=FundState)
    undistributed: Mapping[str, Decimal] = field(default_factory=dict)
    """Per deal: the proceeds of its sales not yet paid out by its distributions."""
    cost_held: Mapping[str, Decimal] = field(default_factory=dict)
    clawed_back: Mapping[str, Decimal] = field(default_factory=dict)
    """Per investor: what earlier (interim) clawback tests gave back, at the pool's rates."""


@exact_arithmetic
def deal_book(
    purchases: Iterable[tuple[date, str, Decimal]],
    sales: Iterable[tuple[str, Decimal, Decimal]],
    *,
    distributions: Iterable[tuple[date, Mapping[str, Any]]],
    clawbacks_paid: Iterable[Mapping[str, Any]],
    commitments: Mapping[int, Decimal],
    currency: Currency,
) -> DealBook:
    """The deals and their running record: ``purchases`` (date, investment, cost) and
    ``sales`` (investment, cost sold, proceeds) of named investments, the deal
    distributions' and clawbacks' workings, in journal order."""
    weights = {str(i): c for i, c in commitments.items() if c > 0}
    funded: dict[str, list[Deal]] = {}
    cost_held: dict[str, Decimal] = {}
    for on, name, amount in purchases:
        if not weights:
            raise InvalidValueError("commitments", "no investor has committed to fund the pool's deals")
        funded.setdefault(name, []).append(fund_deal(name, amount, on, weights, currency))
        cost_held[name] = cost_held.get(name, _ZERO) + amount
    fund = FundState(
        tuple(
            DealState(Deal(name, tuple(c for d in parts for c in d.contributions)))
            for name, parts in funded.items()
        )
    )
    undistributed = dict.fromkeys(funded, _ZERO)
    for name, cost, proceeds in sales:
        cost_held[name] = cost_held.get(name, _ZERO) - cost
        undistributed[name] = undistributed.get(name, _ZERO) + proceeds
    for on, details in distributions:
        fund = _with_distribution(fund, on, details)
        name = details["investment"]
        undistributed[name] = undistributed.get(name, _ZERO) - Decimal(details["amount"])
    clawed: dict[str, Decimal] = {}
    for details in clawbacks_paid:
        for holder, share in details["investors"].items():
            clawed[holder] = clawed.get(holder, _ZERO) + Decimal(share["at_pool_rate"])
    return DealBook(fund, undistributed, cost_held, clawed)


def _with_distribution(fund: FundState, on: date, details: Mapping[str, Any]) -> FundState:
    """``fund`` after one deal distribution, from the workings it stored."""
    name = details["investment"]
    state = fund.deal(name)
    tiers = details["tiers"]
    rows = tuple(
        InvestorDealDistribution(
            holder,
            Decimal(s["return_of_capital"]),
            _ZERO,
            Decimal(s["preferred_return"]),
            Decimal(s["catch_up"]),
            Decimal(s["carried_interest"]),
            Decimal(s["gp_catch_up"]),
            Decimal(s["gp_carried_interest"]),
        )
        for holder, s in sorted(details["investors"].items())
    )
    paid = tuple(
        HurdlePayment(r.investor, on, r.return_of_capital, r.preferred_return)
        for r in rows
        if r.return_of_capital or r.preferred_return
    )
    catch_up = {k: Decimal(v) for k, v in tiers["catch_up"].items()}
    carry = {k: Decimal(v) for k, v in tiers["carried_interest"].items()}
    new_state = replace(
        state,
        hurdle_payments=(*state.hurdle_payments, *paid),
        catch_up_paid=state.catch_up_paid + catch_up["lp"] + catch_up["gp"],
        catch_up_paid_to_gp=state.catch_up_paid_to_gp + catch_up["gp"],
        carried_interest_tier_paid=state.carried_interest_tier_paid + carry["lp"] + carry["gp"],
        carried_interest_paid_to_gp=state.carried_interest_paid_to_gp + carry["gp"],
        realised=bool(details["final_realisation"]),
    )
    distribution = DealDistribution(
        deal_id=name,
        on=on,
        amount=Decimal(details["amount"]),
        tiers=tuple(  # type: ignore[arg-type]  # four, in tier order
            TierAmount(t, Decimal(tiers[t.value]["lp"]), Decimal(tiers[t.value]["gp"])) for t in _TIERS
        ),
        loss_recovery=_ZERO,
        investors=rows,
    )
    return replace(
        fund,
        deals=tuple(new_state if d.deal.deal_id == name else d for d in fund.deals),
        distributions=(*fund.distributions, distribution),
    )


def _deal_terms(terms: PoolTerms, what: str) -> DealTerms:
    _require_kind(terms, CLOSED_ENDED, what)
    if terms.waterfall is None or not terms.deal_by_deal:
        raise InvalidValueError(
            "type", f"{what} needs an American (deal-by-deal) waterfall in the pool's terms"
        )
    return DealTerms(terms.waterfall)


@exact_arithmetic
def deal_distribution(
    terms: PoolTerms,
    books: PoolBooks,
    deals: DealBook,
    *,
    investment: str | None,
    amount: object,
    on: date,
    final_realisation: bool = False,
    investor_terms: Mapping[int, InvestorTerms] | None = None,
    recallable: bool = False,
    deemed_contribution: bool = False,
) -> Posting:
    """Pay ``amount`` of one investment's proceeds through that deal's tiers.

    ``final_realisation``: the deal's last distribution (all of it sold); capital of it not
    returned is then a realised loss, which the clawback test weighs."""
    deal_terms = _deal_terms(terms, "a deal-by-deal distribution")
    if investment is None:
        raise InvalidValueError(
            "investment", "an American waterfall pays one deal's proceeds: name the investment sold"
        )
    name = investment_name(investment)
    if name not in deals.cost_held:
        raise InvalidValueError("investment", f"the pool has bought no investment named {name!r}")
    cash = _positive_cash(amount, terms, "amount")
    left = deals.undistributed.get(name, _ZERO)
    if cash > left:
        raise InvalidValueError(
            "amount", f"{name} has {left} of sale proceeds not yet distributed; cannot distribute {cash}"
        )
    if final_realisation and deals.cost_held[name] > 0:
        raise InvalidValueError(
            "final_realisation", f"the pool still holds {deals.cost_held[name]} of {name} at cost"
        )
    try:
        result, _ = realise(name, cash, on, deal_terms, deals.fund, final=final_realisation)
    except InvalidValueError as exc:
        raise InvalidValueError(_API_FIELDS.get(exc.field, exc.field), exc.reason) from exc
    capital = by_investor((c.investor, c.amount) for c in deals.fund.deal(name).deal.contributions)
    shares = [
        InvestorDistribution(
            r.investor,
            r.return_of_capital,
            r.preferred_return,
            r.catch_up,
            r.carried_interest,
            r.gp_catch_up,
            r.gp_carried_interest,
            capital[r.investor],
        )
        for r in result.investors
    ]
    carry_rate = deal_terms.waterfall.carried_interest_rate
    lines, per_investor, rebated = investor_payouts(terms, books, shares, investor_terms, carry_rate)
    for r in result.investors:
        # At the pool's rates, before rebates: the deal's record and the clawback read these.
        per_investor[r.investor] |= {
            "gp_catch_up": str(r.gp_catch_up),
            "gp_carried_interest": str(r.gp_carried_interest),
        }
    lines.append(Line(AccountCode.CASH, None, -cash))
    details: dict[str, Any] = {
        **waterfall_workings(deal_terms.waterfall, cash, result.tiers, per_investor, rebated),
        "style": "american",
        "investment": name,
        "final_realisation": final_realisation,
        "deal_capital": str(sum(capital.values(), _ZERO)),
        "gp_paid_on_deal_to_date": str(deals.fund.deal(name).gp_paid + result.gp_total),
        "split": {
            "return_of_capital": "unreturned_capital_in_the_deal",
            "preferred_return": "preferred_return_owed_on_the_deal",
            "catch_up": "preferred_return_paid_from_the_deal_to_date",
            "carried_interest": "capital_contributed_to_the_deal",
        },
    }
    return waterfall_posting(
        terms, books, lines, details, rebated, recallable=recallable, deemed_contribution=deemed_contribution
    )


@exact_arithmetic
def clawback(
    terms: PoolTerms,
    deals: DealBook,
    *,
    on: date,
    interim: bool = False,
    investor_terms: Mapping[int, InvestorTerms] | None = None,
) -> Posting:
    """The GP gives back the carry it took beyond the whole fund's figure, tested on ``on``:
    at the end of the fund (every deal finally realised), or at an interim date."""
    deal_terms = _deal_terms(terms, "a clawback")
    clawback_terms = terms.clawback or clawbacks.ClawbackTerms()  # set: _deal_terms checked
    if not interim:
        open_deals = [d.deal.deal_id for d in deals.fund.deals if not d.realised]
        if open_deals:
            raise InvalidValueError(
                "interim",
                f"the final clawback comes after every deal's final realisation; {', '.join(open_deals)} "
                "not yet (an interim test needs the terms' interim_clawback)",
            )
    latest = max((d.on for d in deals.fund.distributions), default=None)
    if latest is None:
        raise InvalidValueError("effective_date", "no deal distribution has paid the GP anything yet")
    if on < latest:
        raise InvalidValueError("effective_date", f"{on} is before the latest deal distribution, on {latest}")
    try:
        test = clawbacks.clawback(
            deal_terms, clawback_terms, deals.fund, on, interim=interim, already_clawed_back=deals.clawed_back
        )
    except InvalidValueError as exc:
        raise InvalidValueError(_API_FIELDS.get(exc.field, exc.field), exc.reason) from exc
    if test.amount == 0:
        raise InvalidValueError(
            "effective_date",
            f"the GP received {test.carry_received} of carry and the whole fund gives it "
            f"{test.whole_fund_carry}: nothing to claw back",
        )
    carry_rate = deal_terms.waterfall.carried_interest_rate
    letters = {str(i): t for i, t in (investor_terms or {}).items()}
    investors: dict[str, dict[str, str]] = {}
    lines: list[Line] = []
    for share in test.investors:
        if not share.clawback:
            continue
        letter = letters.get(share.investor)
        paid = share.clawback
        if letter is not None and carry_rate:
            ratio = Fraction(letter.carry_rate(carry_rate)) / Fraction(carry_rate)
            paid = carry_kept(share.clawback, ratio, terms.currency)
        investors[share.investor] = {
            "carry_borne": str(share.carry_borne),
            "at_pool_rate": str(share.clawback),
            "clawback": str(paid),
        }
        lines += [
            Line(AccountCode.CAPITAL, int(share.investor), -paid),
            Line(AccountCode.CAPITAL, int(share.investor), paid),
        ]
    total = sum((Decimal(s["clawback"]) for s in investors.values()), _ZERO)
    details: dict[str, Any] = {
        "interim": interim,
        "carry_received": str(test.carry_received),
        "whole_fund_carry": str(test.whole_fund_carry),
        "excess": str(test.excess),
        "tax_offset": str(clawback_terms.tax_offset),
        "assumed_tax_rate": str(clawback_terms.assumed_tax_rate),
        "assumed_tax": str(test.tax_offset),
        "at_pool_rate": str(test.amount),
        "amount": str(total),
        "investors": investors,
    }
    lines = [Line(AccountCode.CASH, None, total), *lines, Line(AccountCode.CASH, None, -total)]
    # To the investors it is money paid out to them: told as a distribution is.
    paid_out = {
        "mode": "clawback",
        "amount": str(total),
        "allocation": {holder: share["clawback"] for holder, share in investors.items()},
    }
    return Posting(EntryType.CLAWBACK, _non_zero(lines), details, events=(("distribution.made", paid_out),))

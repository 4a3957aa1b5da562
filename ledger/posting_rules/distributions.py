"""Distributions: pro rata to ownership, or through the European waterfall tier by tier (its
state rebuilt from the pool's history)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from backend.finance.errors import InvalidValueError
from backend.finance.investor_terms import CarryToDate, InvestorTerms, carry_rebates
from backend.finance.money import (
    exact_arithmetic,
)
from backend.finance.waterfall import (
    Contribution,
    HurdlePayment,
    InvestorDistribution,
    TierAmount,
    WaterfallState,
    WaterfallTerms,
    distribute,
)
from ledger.posting_rules.books import (
    _ZERO,
    CLOSED_ENDED,
    OPEN_ENDED,
    Line,
    PoolBooks,
    PoolTerms,
    Posting,
    _allocate_to_capital,
    _non_zero,
    _positive_cash,
    _require_kind,
    _within_net_assets,
    ownership_weights,
)
from ledger.schemas import AccountCode, EntryType


@exact_arithmetic
def pro_rata_distribution(
    terms: PoolTerms,
    books: PoolBooks,
    *,
    amount: object,
    recallable: bool = False,
    deemed_contribution: bool = False,
) -> Posting:
    """Cash out to unitholders pro rata to units held (open-ended pools)."""
    _require_kind(terms, OPEN_ENDED, "a pro-rata distribution (closed-ended pools use the waterfall)")
    if recallable:
        raise InvalidValueError("recallable", "an open-ended pool has no commitments to recall capital into")
    if deemed_contribution:
        raise InvalidValueError("deemed_contribution", "an open-ended pool has no capital calls to pay")
    cash = _positive_cash(amount, terms, "amount")
    _within_net_assets(cash, terms, books)
    capital_lines, allocation = _allocate_to_capital(cash, ownership_weights(terms, books), terms, 1)
    lines = _non_zero([*capital_lines, Line(AccountCode.CASH, None, -cash)])
    details = {"mode": "pro_rata", "amount": str(cash), "allocation": allocation}
    return Posting(EntryType.DISTRIBUTION, lines, details, events=(("distribution.made", details),))


@exact_arithmetic
def waterfall_distribution(
    terms: PoolTerms,
    books: PoolBooks,
    *,
    amount: object,
    on: date,
    investor_terms: Mapping[int, InvestorTerms] | None = None,
    recallable: bool = False,
    deemed_contribution: bool = False,
) -> Posting:
    """Cash out through the European waterfall: LP tiers per investor and the GP's share.

    Each investor's capital account bears what that investor receives plus the part of the
    GP's catch-up and carried interest it bears, since carry is paid out of the investors'
    profit. Per investor (see :mod:`backend.finance.waterfall`): return of capital by what the books
    hold for each investor up to their unreturned capital, then by unreturned capital, so
    nobody gets back more than they paid in or is paid out of another's capital; preferred
    return by what each is owed on their own dates; the catch-up tier by preferred return paid to
    date; the carried-interest tier by each investor's undistributed profit in these books
    (capital account net of unpaid calls, less unreturned capital and this distribution's
    pref and catch-up), so a distribution of the whole pool closes every account at zero.

    ``recallable``: the capital this distribution returns may be called again; each
    investor's return of capital is recorded (``details["recallable"]``) and adds back to its
    unfunded commitment.

    ``deemed_contribution`` (where the terms allow it): each investor's distribution first
    pays what it owes on capital calls, a contribution deemed made on the day (no cash moves
    for it); only the rest is paid out (``details["deemed_contributions"]``, ``cash_paid``).

    ``investor_terms`` (side letters, GP commitments) lower the carry some investors bear:
    the tiers stay at the pool's rates (they are the running record the next distribution
    continues from) and the GP gives each such investor a carry rebate, paid with its
    distribution (backend.finance.investor_terms).
    """
    _require_kind(terms, CLOSED_ENDED, "a waterfall distribution")
    if terms.waterfall is None:
        raise InvalidValueError("mode", f"pool {terms.pool_id} has no waterfall terms")
    cash = _positive_cash(amount, terms, "amount")
    state = books.waterfall_state
    accounts = {
        investor: books.capital_of(int(investor)) - books.receivable_of(int(investor))
        for investor in state.investors
    }
    result = distribute(cash, on, terms.waterfall, state, capital_accounts=accounts)
    lines, per_investor, rebated = investor_payouts(
        terms, books, result.investors, investor_terms, terms.waterfall.carried_interest_rate
    )
    lines.append(Line(AccountCode.CASH, None, -cash))
    details: dict[str, Any] = {
        **waterfall_workings(terms.waterfall, cash, result.tiers, per_investor, rebated),
        # The GP's entitlement (rounded once, on the running totals) that the
        # carried-interest tier was made to meet.
        "gp_entitlement_to_date": str(result.state.gp_paid),
        "profit_distributed_to_date": str(result.state.profit_distributed),
        "split": {
            "return_of_capital": "unreturned_capital",
            "preferred_return": "preferred_return_owed",
            "catch_up": "preferred_return_paid_to_date",
            "carried_interest": "undistributed_profit, else contributed_capital",
        },
    }
    return waterfall_posting(
        terms, books, lines, details, rebated, recallable=recallable, deemed_contribution=deemed_contribution
    )


def waterfall_workings(
    waterfall: WaterfallTerms,
    cash: Decimal,
    tiers: Iterable[TierAmount],
    per_investor: dict[str, dict[str, str]],
    rebated: Decimal,
) -> dict[str, Any]:
    """What every waterfall distribution's workings hold (whole fund or one deal): the tiers,
    the totals after side-letter rebates, each investor's figures, and the terms the tiers
    were sized by."""
    tiers = tuple(tiers)
    return {
        "mode": "waterfall",
        "amount": str(cash),
        "tiers": {t.tier.value: {"lp": str(t.lp), "gp": str(t.gp)} for t in tiers},
        "lp_total": str(sum((t.lp for t in tiers), _ZERO) + rebated),
        "gp_total": str(sum((t.gp for t in tiers), _ZERO) - rebated),
        "investors": per_investor,
        "terms": {
            "preferred_return_rate": str(waterfall.preferred_return_rate),
            "compounding": str(waterfall.compounding),
            "day_count": str(waterfall.day_count),
            "catch_up_rate": str(waterfall.catch_up_rate),
            "carried_interest_rate": str(waterfall.carried_interest_rate),
        },
    }


def waterfall_posting(
    terms: PoolTerms,
    books: PoolBooks,
    lines: list[Line],
    details: dict[str, Any],
    rebated: Decimal,
    *,
    recallable: bool,
    deemed_contribution: bool,
) -> Posting:
    """A waterfall distribution's entry (whole fund or one deal): its recallable capital, side
    letters' rebates and deemed contributions added to the workings and lines."""
    if recallable:
        returned = {
            holder: share["return_of_capital"]
            for holder, share in details["investors"].items()
            if Decimal(share["return_of_capital"])
        }
        if not returned:
            raise InvalidValueError(
                "recallable", "this distribution returns no capital: only returned capital can be recalled"
            )
        details["recallable"] = returned
    if rebated:
        # The tiers above are at the pool's rates; this much of their GP part went back to
        # investors whose side letters set a lower carry (each investor's carry_rebate).
        details["side_letter_rebates"] = str(rebated)
    if deemed_contribution:
        lines += _deemed_contributions(terms, books, details["investors"], details)
    return Posting(
        EntryType.DISTRIBUTION, _non_zero(lines), details, events=(("distribution.made", details),)
    )


def investor_payouts(
    terms: PoolTerms,
    books: PoolBooks,
    shares: Iterable[InvestorDistribution],
    investor_terms: Mapping[int, InvestorTerms] | None,
    carry_rate: Decimal,
) -> tuple[list[Line], dict[str, dict[str, str]], Decimal]:
    """Each investor's capital account line (what it receives plus the GP's share it bears,
    less any side-letter carry rebate from the pool's ``carry_rate``), its workings, and the
    rebates' total."""
    letters = {str(i): t for i, t in (investor_terms or {}).items()}
    shares = tuple(shares)
    rebates = carry_rebates(shares, carry_rate, letters, terms.currency, books.carry_to_date)
    lines: list[Line] = []
    per_investor: dict[str, dict[str, str]] = {}
    for share in shares:
        lines.append(Line(AccountCode.CAPITAL, int(share.investor), share.total + share.gp_share_borne))
        rebate = rebates.get(share.investor)
        given_back = rebate.total if rebate else _ZERO
        per_investor[share.investor] = {
            "return_of_capital": str(share.return_of_capital),
            "preferred_return": str(share.preferred_return),
            "catch_up": str(share.catch_up),
            "carried_interest": str(share.carried_interest),
            "total": str(share.total + given_back),
            "gp_share_borne": str(share.gp_share_borne - given_back),
            "gp_catch_up_borne": str(share.gp_catch_up - (rebate.catch_up if rebate else _ZERO)),
            "gp_carried_interest_borne": str(
                share.gp_carried_interest - (rebate.carried_interest if rebate else _ZERO)
            ),
            "carried_interest_weight": str(share.carried_interest_weight),
        }
        if rebate:
            per_investor[share.investor] |= {
                "carry_rebate": str(given_back),
                "carried_interest_rate": str(letters[share.investor].carry_rate(carry_rate)),
            }
    return lines, per_investor, sum((r.total for r in rebates.values()), _ZERO)


def waterfall_state_from_history(
    contributions: Iterable[tuple[int, Decimal, date]],
    distributions: Iterable[tuple[date, Mapping[str, Any]]],
    clawbacks: Iterable[Mapping[str, Any]] = (),
) -> WaterfallState:
    """Rebuild the cumulative waterfall position from the books.

    ``contributions`` are (investor id, amount, date) of contributions that stand (not
    reversed); ``distributions`` are (date, details) of waterfall distributions that stand,
    in posting order, with the ``details`` that :func:`waterfall_distribution` stored.
    Tiers 1 and 2 are taken per investor (``details["investors"]``), since what is still
    owed to each investor depends on what each was paid. ``clawbacks`` (an American
    waterfall's, their workings) take back from what the GP was paid what it gave back, at
    the pool's rates: its carry first, then its catch-up. The whole fund's position is what
    the reports' accrued carry (a liquidation today) is worked on.
    """
    state = WaterfallState(
        contributions=tuple(Contribution(str(i), amount, on) for i, amount, on in contributions if amount)
    )
    for on, details in distributions:
        tiers = details["tiers"]
        payments = state.hurdle_payments
        for holder, share in sorted(details["investors"].items()):
            roc, pref = Decimal(share["return_of_capital"]), Decimal(share["preferred_return"])
            if roc or pref:
                payments = (*payments, HurdlePayment(str(holder), on, roc, pref))
        catch_up, carry = tiers["catch_up"], tiers["carried_interest"]
        state = replace(
            state,
            hurdle_payments=payments,
            catch_up_paid=state.catch_up_paid + Decimal(catch_up["lp"]) + Decimal(catch_up["gp"]),
            catch_up_paid_to_gp=state.catch_up_paid_to_gp + Decimal(catch_up["gp"]),
            carried_interest_tier_paid=state.carried_interest_tier_paid
            + Decimal(carry["lp"])
            + Decimal(carry["gp"]),
            carried_interest_paid_to_gp=state.carried_interest_paid_to_gp + Decimal(carry["gp"]),
            last_distribution_on=on,
        )
    given_back = sum(
        (Decimal(share["at_pool_rate"]) for c in clawbacks for share in c["investors"].values()), _ZERO
    )
    from_carry = min(given_back, state.carried_interest_paid_to_gp)
    return replace(
        state,
        carried_interest_paid_to_gp=state.carried_interest_paid_to_gp - from_carry,
        catch_up_paid_to_gp=state.catch_up_paid_to_gp - (given_back - from_carry),
    )


def _deemed_contributions(
    terms: PoolTerms, books: PoolBooks, per_investor: Mapping[str, dict[str, str]], details: dict[str, Any]
) -> list[Line]:
    """Each investor's distribution applied first to what it owes on calls: its receivable
    settled, the cash kept by the pool; the workings say how much of each was deemed."""
    deemed: dict[str, Decimal] = {}
    for holder, share in per_investor.items():
        part = min(Decimal(share["total"]), max(books.receivable_of(int(holder)), _ZERO))
        if part > 0:
            deemed[holder] = part
            share["deemed_contribution"] = str(part)
    if not deemed:
        raise InvalidValueError(
            "deemed_contribution", "no investor receiving this distribution owes anything on capital calls"
        )
    kept = sum(deemed.values(), _ZERO)
    details["deemed_contributions"] = {holder: str(part) for holder, part in deemed.items()}
    details["cash_paid"] = str(Decimal(details["amount"]) - kept)
    return [
        Line(AccountCode.CASH, None, kept),
        *(Line(AccountCode.CALL_RECEIVABLE, int(holder), -part) for holder, part in deemed.items()),
    ]


def carry_to_date(
    distributions: Iterable[Mapping[str, Any]], clawbacks: Iterable[Mapping[str, Any]] = ()
) -> dict[str, CarryToDate]:
    """Per investor, from the details of the waterfall distributions and clawbacks that stand:
    the GP's catch-up and carry it bore at the pool's rates, and what the GP kept after
    rebates (a clawback gives back some of both)."""
    borne: dict[str, Decimal] = {}
    kept: dict[str, Decimal] = {}
    for details in distributions:
        for holder, share in details["investors"].items():
            keeps = Decimal(share["gp_share_borne"])
            kept[holder] = kept.get(holder, _ZERO) + keeps
            borne[holder] = borne.get(holder, _ZERO) + keeps + Decimal(share.get("carry_rebate", "0"))
    for details in clawbacks:
        for holder, share in details["investors"].items():
            kept[holder] = kept.get(holder, _ZERO) - Decimal(share["clawback"])
            borne[holder] = borne.get(holder, _ZERO) - Decimal(share["at_pool_rate"])
    return {holder: CarryToDate(borne[holder], kept[holder]) for holder in borne}

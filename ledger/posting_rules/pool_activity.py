"""The pool's own activity: income, expenses, buying and selling investments, and valuations
that mark the investments to fair value, each allocated to the capital accounts in the same
entry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from backend.finance.allocation import allocate_cash
from backend.finance.errors import InvalidValueError
from backend.finance.fees import FeePeriod
from backend.finance.money import (
    check_cash,
    exact_arithmetic,
)
from backend.finance.unitisation import nav_per_unit
from ledger.posting_rules.books import (
    _ZERO,
    Line,
    PoolBooks,
    PoolTerms,
    Posting,
    _allocate_to_capital,
    _non_zero,
    _positive_cash,
    _within_net_assets,
    investment_name,
    ownership_weights,
)
from ledger.posting_rules.class_currencies import HedgeResults, hedge_allocation, mark_rates
from ledger.posting_rules.fee_rules import accrued_management_fee
from ledger.posting_rules.share_classes import class_fee_accruals, class_marks
from ledger.schemas import AccountCode, EntryType


@exact_arithmetic
def income(terms: PoolTerms, books: PoolBooks, *, amount: object) -> Posting:
    """Cash income (dividends, interest) shared by the owners."""
    cash = _positive_cash(amount, terms, "amount")
    capital_lines, allocation = _allocate_to_capital(cash, ownership_weights(terms, books), terms, -1)
    lines = _non_zero([Line(AccountCode.CASH, None, cash), *capital_lines])
    return Posting(EntryType.INCOME, lines, {"amount": str(cash), "allocation": allocation})


@exact_arithmetic
def expense(terms: PoolTerms, books: PoolBooks, *, amount: object) -> Posting:
    """A cost paid in cash (audit, legal), borne by the owners."""
    cash = _positive_cash(amount, terms, "amount")
    _within_net_assets(cash, terms, books)
    capital_lines, allocation = _allocate_to_capital(cash, ownership_weights(terms, books), terms, 1)
    lines = _non_zero([*capital_lines, Line(AccountCode.CASH, None, -cash)])
    return Posting(EntryType.EXPENSE, lines, {"amount": str(cash), "allocation": allocation})


@exact_arithmetic
def purchase(terms: PoolTerms, books: PoolBooks, *, amount: object, investment: str | None = None) -> Posting:
    """Cash into investments at cost: the net asset value does not change. ``investment``
    names what was bought, so the pool's investments are tracked deal by deal."""
    cash = _positive_cash(amount, terms, "amount")
    lines = (Line(AccountCode.INVESTMENTS, None, cash), Line(AccountCode.CASH, None, -cash))
    details = {"amount": str(cash)}
    if investment is not None:
        details["investment"] = investment_name(investment)
    return Posting(EntryType.PURCHASE, lines, details)


@exact_arithmetic
def sale(
    terms: PoolTerms,
    books: PoolBooks,
    *,
    amount: object,
    cost: object = None,
    investment: str | None = None,
    investments_held: Mapping[str, Decimal] | None = None,
) -> Posting:
    """Proceeds back to cash; investments fall by the carrying value sold (``cost``).

    The realised gain or loss (proceeds - carrying value) reaches the owners' capital.
    Without ``cost`` the investments are sold at their carrying value: no gain. A sale of a
    named ``investment`` sells no more than that investment's cost still held
    (``investments_held``, by name).
    """
    proceeds = _positive_cash(amount, terms, "amount")
    carrying = proceeds if cost is None else _positive_cash(cost, terms, "cost")
    held = books.balance(AccountCode.INVESTMENTS)
    name = "amount" if cost is None else "cost"
    if carrying > held:
        raise InvalidValueError(name, f"the pool holds investments of {held}, cannot sell {carrying}")
    sold = None
    if investment is not None:
        sold = investment_name(investment)
        own = (investments_held or {}).get(sold)
        if own is None:
            raise InvalidValueError("investment", f"the pool has bought no investment named {sold!r}")
        if carrying > own:
            raise InvalidValueError(name, f"{sold} is held at a cost of {own}, cannot sell {carrying} of it")
    gain = proceeds - carrying
    lines: list[Line] = [
        Line(AccountCode.CASH, None, proceeds),
        Line(AccountCode.INVESTMENTS, None, -carrying),
    ]
    allocation: dict[str, str] = {}
    if gain:
        capital_lines, allocation = _allocate_to_capital(gain, ownership_weights(terms, books), terms, -1)
        lines += capital_lines
    details: dict[str, Any] = {
        "proceeds": str(proceeds),
        "cost": str(carrying),
        "realised_gain": str(gain),
        "allocation": allocation,
    }
    if sold is not None:
        details["investment"] = sold
    return Posting(EntryType.SALE, _non_zero(lines), details)


@exact_arithmetic
def valuation(
    terms: PoolTerms,
    books: PoolBooks,
    *,
    net_asset_value: object,
    on: date | None = None,
    fee_accrues_from: date | None = None,
    fx_rates: Mapping[str, object] | None = None,
    hedge_results: Mapping[str, object] | None = None,
    opening_nav: Decimal | None = None,
) -> Posting:
    """Mark investments so the pool's net asset value is what the manager recorded.

    The change reaches every owner's capital account pro rata. When the books already show
    that value the entry has no lines: the mark is still a fact about its date (the day's
    deals are struck at its NAV per unit).

    In an open-ended pool whose terms charge a management fee on NAV, the mark also accrues
    the fee from ``fee_accrues_from`` to its date ``on``, both included, on the NAV recorded
    (:func:`accrued_management_fee`). The NAV recorded is before that fee (what the pool's
    assets less its liabilities so far are worth); the day's deals are struck at the NAV per
    unit after it. Deals happen only at
    marks, so the holders between two marks do not change: the accrual, shared by units, is
    each holder's fee for exactly the days they held, and every unit stays worth the same. A
    holder who leaves at a mark has paid the fee to that day; one who comes in pays from the
    next.

    A fee on the beginning or average NAV (the terms' ``nav_point``) needs ``opening_nav``,
    the NAV at the close of the day before ``fee_accrues_from``.

    A pool with classes in other currencies gives each currency's rate (``fx_rates``) and each
    hedged class's hedge result (``hedge_results``, part of the change, the class's alone):
    ledger.posting_rules.class_currencies.
    """
    target = check_cash(net_asset_value, terms.currency, "net_asset_value")
    rates = mark_rates(terms, fx_rates)
    hedges = hedge_allocation(terms, books, hedge_results)
    hedged = hedges.total
    accrued = None
    accrual_from = fee_accrues_from if terms.open_ended and books.units_outstanding else None
    if accrual_from is not None and on is not None and not terms.share_classes:
        accrued = accrued_management_fee(terms, target, accrual_from, on, opening_nav)
    fee = _ZERO if accrued is None else Decimal(accrued["amount"])
    change = target - books.net_asset_value
    investments = books.balance(AccountCode.INVESTMENTS)
    if investments + change < 0:
        floor = books.net_asset_value - investments
        raise InvalidValueError(
            "net_asset_value",
            f"{target} is below the pool's cash and receivables net of liabilities ({floor}); "
            "investments cannot be worth less than nothing",
        )
    lines: tuple[Line, ...] = ()
    allocation: dict[str, str] = {}
    weights = ownership_weights(terms, books) if change or hedged or accrued else {}
    if change or hedged:
        capital_lines, allocation = _mark_allocation(terms, change - hedged, weights, hedges)
        lines = _non_zero([Line(AccountCode.INVESTMENTS, None, change), *capital_lines])
    details: dict[str, Any] = {
        "net_asset_value": str(target),
        "previous_net_asset_value": str(books.net_asset_value),
        "change": str(change),
        "allocation": allocation,
    }
    if rates:
        details["fx_rates"] = {code: str(rate) for code, rate in rates.items()}
    if hedges.amounts:
        details["hedge_results"] = {class_id: str(amount) for class_id, amount in hedges.amounts.items()}
    if accrued is not None:
        fee_lines, fee_allocation = _allocate_to_capital(fee, weights, terms, 1)
        lines = _non_zero([*lines, *fee_lines, Line(AccountCode.FEES_PAYABLE, None, -fee)])
        details |= {
            "management_fee": accrued,
            "fee_allocation": fee_allocation,
            "net_asset_value_after_fee": str(target - fee),
        }
    if terms.share_classes:
        books = replace(books, class_fx_rates={**books.class_fx_rates, **rates})
        lines, details = _class_valuation(terms, books, lines, details, accrual_from, on)
    elif terms.open_ended and books.units_outstanding:
        details["nav_per_unit"] = str(
            nav_per_unit(target - fee, books.units_outstanding, terms.currency).nav_per_unit
        )
    return Posting(EntryType.VALUATION, lines, details, events=(("valuation.recorded", details),))


def _mark_allocation(
    terms: PoolTerms,
    common: Decimal,
    weights: Mapping[str, Decimal],
    hedges: HedgeResults,
) -> tuple[list[Line], dict[str, str]]:
    """A mark's change in the capital accounts: the common part by everybody's value, each
    hedged class's result by that class's units, summed per holder."""
    parts: dict[str, Decimal] = allocate_cash(common, weights, terms.currency) if common else {}
    for class_id, holders in hedges.weights.items():
        for holder, part in allocate_cash(hedges.amounts[class_id], holders, terms.currency).items():
            parts[holder] = parts.get(holder, _ZERO) + part
    lines = [Line(AccountCode.CAPITAL, int(holder), -part) for holder, part in parts.items()]
    return lines, {holder: str(part) for holder, part in parts.items()}


def _class_valuation(  # noqa: PLR0917 - the mark's parts, each named at the one call
    terms: PoolTerms,
    books: PoolBooks,
    lines: tuple[Line, ...],
    details: dict[str, Any],
    fee_accrues_from: date | None,
    on: date | None,
) -> tuple[tuple[Line, ...], dict[str, Any]]:
    """A mark of a pool with share classes: each class accrues its own management fee on its
    net assets after the mark's change, and the workings give each class's NAV per unit (the
    price its deals of the day are struck at)."""
    marked = books.apply(lines)
    if fee_accrues_from is not None and on is not None and fee_accrues_from <= on:
        period = FeePeriod(fee_accrues_from, on)
        per_investor, by_class = class_fee_accruals(terms, marked, period)
        if per_investor:
            fee = sum(per_investor.values(), _ZERO)
            fee_lines = [
                Line(AccountCode.CAPITAL, int(holder), part) for holder, part in per_investor.items()
            ]
            lines = _non_zero([*lines, *fee_lines, Line(AccountCode.FEES_PAYABLE, None, -fee)])
            marked = books.apply(lines)
            details |= {
                "management_fee": {
                    "amount": str(fee),
                    "period_start": period.first_day.isoformat(),
                    "period_end": period.last_day.isoformat(),
                    "days": period.accrual.days,
                    "basis": "share_class_nav",
                    "by_class": by_class,
                },
                "fee_allocation": {holder: str(part) for holder, part in per_investor.items()},
                "net_asset_value_after_fee": str(Decimal(details["net_asset_value"]) - fee),
            }
    details["share_classes"] = class_marks(terms, marked)
    return lines, details

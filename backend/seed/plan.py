"""Plan one pool's history: the ordered operations a manager would record, day by day.

The plan is made against a shadow of the pool's books: the same pure posting rules the
ledger runs (ledger.posting_rules), applied in memory. So the planner knows the exact cash,
units and NAV after every step and only plans what the real books will accept: it never
redeems more units than are held, never pays out more cash than the pool has (it sells
investments first), and contributions settle exactly what was called. When the plan is
posted through the TransactionService, every rule, check and hash applies again, and the
loader compares the real NAV with the shadow's at the end.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from backend.finance.errors import LedgerInputError
from backend.finance.fees import FeePeriod
from backend.pools.schemas import PoolOut
from backend.seed.market import Walk, business_days, decimal_of, quantize, round_amount
from ledger import posting_rules as rules
from ledger.forward_pricing import DealingFacts, LastEntry, struck_price
from ledger.posting_rules import PoolBooks, PoolTerms, Posting
from ledger.schemas import (
    AccountCode,
    CapitalCallRequest,
    DistributionMode,
    DistributionRequest,
    EntryType,
    TransactionRequest,
    TransactionType,
    ValuationRequest,
)
from ledger.transactions import pool_terms

Operation = TransactionRequest | CapitalCallRequest | DistributionRequest | ValuationRequest

_UNIT = Decimal("0.000001")
_ZERO = Decimal(0)


@dataclass
class PoolPlan:
    pool_id: int
    operations: list[Operation] = field(default_factory=list)
    postings: int = 0
    """Postings the shadow wrote: what the real books will hold for this pool."""
    net_asset_value: Decimal = _ZERO


@dataclass
class PoolProfile:
    """What the planner needs beyond the pool's terms."""

    pool: PoolOut
    walk: Walk
    currency_factor: int
    holders: list[int]
    """Investor ids in the order they join (open-ended) or with commitments (closed-ended)."""
    commitments: dict[int, Decimal] = field(default_factory=dict)
    keep: frozenset[int] = frozenset()
    """Investors who never fully exit (the demo investor, so the dashboard has data)."""
    income_yield: float = 0.0
    distributing: bool = False
    valuation_every_weeks: int = 1


class Shadow:
    """The pool's books in memory, moved by the same posting rules as the real ones."""

    def __init__(self, terms: PoolTerms, plan: PoolPlan) -> None:
        self.terms = terms
        self.books = PoolBooks({})
        self.dealing = DealingFacts()
        self.fee_paid_to: date | None = None
        # (date, investor, units in) of every deal, as the service reads them for fees
        self.deals: list[tuple[date, int, Decimal]] = []
        self.commitments: dict[int, Decimal] = {}
        self.plan = plan
        self.called: dict[int, Decimal] = defaultdict(Decimal)
        self.contributions: list[tuple[int, Decimal, date]] = []
        self.waterfall_history: list[tuple[date, dict[str, Any]]] = []

    # -- reading the books
    @property
    def cash(self) -> Decimal:
        return self.books.balance(AccountCode.CASH)

    @property
    def investments(self) -> Decimal:
        return self.books.balance(AccountCode.INVESTMENTS)

    @property
    def fees_payable(self) -> Decimal:
        return -self.books.balance(AccountCode.FEES_PAYABLE)

    @property
    def nav(self) -> Decimal:
        return self.books.net_asset_value

    def price(self) -> Decimal:
        return rules.dealing_price(self.terms, self.books)

    # -- writing: each applies the rule, checks the result, and records the operation
    def _apply(self, posting: Posting, operation: Operation) -> Posting:
        books = self.books.apply(posting.lines)
        if books.balance(AccountCode.CASH) < 0:  # the planner's own bug: never post it
            raise RuntimeError(f"seed plan would overdraw pool {self.terms.pool_id}: {operation}")
        self.books = books
        on = operation.as_of if isinstance(operation, ValuationRequest) else operation.effective_date
        if on is not None:
            self.dealing = self.dealing.after(LastEntry(None, posting.entry_type, on), posting.details)
            if posting.entry_type in (EntryType.SUBSCRIPTION, EntryType.REDEMPTION):
                units = Decimal(posting.details["units"])
                sign = 1 if posting.entry_type is EntryType.SUBSCRIPTION else -1
                self.deals.append((on, int(posting.details["investor_id"]), sign * units))
        self.plan.operations.append(operation)
        self.plan.postings += len(posting.lines)
        return posting

    def management_fee(self, on: date) -> None:
        """The fee the pool's terms give for the days since the last one, as the service
        computes it when no amount is given."""
        fee_terms = self.terms.management_fee
        if self.terms.open_ended and fee_terms is not None and fee_terms.basis == "nav":
            return  # every mark accrues it, to its day
        first = self.fee_paid_to + timedelta(days=1) if self.fee_paid_to else self.terms.inception_date
        request = TransactionRequest(
            type=TransactionType.MANAGEMENT_FEE, effective_date=on, period_start=first, period_end=on
        )
        returned = self.books.waterfall_state.capital_returned_by_investor
        try:
            posting = rules.management_fee(
                self.terms,
                self.books,
                period=FeePeriod(first, on),
                commitments=self.commitments,
                invested={i: c - returned.get(str(i), _ZERO) for i, c in self.called.items()},
                holding_since=rules.holding_since(self.deals),
            )
        except LedgerInputError:
            return  # nothing due (no basis yet): the next fee covers these days too
        self._apply(posting, request)
        self.fee_paid_to = on

    def tx(self, kind: TransactionType, on: date, **fields: Any) -> Posting | None:
        request = TransactionRequest(type=kind, effective_date=on, **fields)
        try:
            price = None
            if kind in (TransactionType.SUBSCRIPTION, TransactionType.REDEMPTION):
                # struck as the service strikes it: the day's valuation (forward pricing)
                struck = struck_price(
                    self.terms.pool_id, self.dealing, on, units_outstanding=self.books.units_outstanding
                )
                price = self.terms.initial_nav_per_unit if struck is None else struck
            posting = _rule(kind, self.terms, self.books, request, price)
        except LedgerInputError:
            return None  # e.g. no performance fee due: the manager records nothing
        return self._apply(posting, request)

    def valuation(self, on: date, target: Decimal) -> None:
        request = ValuationRequest(as_of=on, net_asset_value=target)
        accrues_from = rules.mark_fee_accrues_from(
            self.terms, self.fee_paid_to, rules.units_in_issue_since(self.deals)
        )
        posting = rules.valuation(
            self.terms, self.books, net_asset_value=target, on=on, fee_accrues_from=accrues_from
        )
        self._apply(posting, request)
        if "management_fee" in posting.details:  # the mark accrued the fee to its day
            self.fee_paid_to = on

    def capital_call(self, on: date, percent: Decimal, commitments: dict[int, Decimal]) -> dict[int, Decimal]:
        due = on + timedelta(days=14)
        request = CapitalCallRequest(percent_of_commitment=percent, due_date=due, effective_date=on)
        posting = rules.capital_call(
            self.terms,
            commitments=commitments,
            called=self.called,
            percent_of_commitment=percent,
            due_date=due,
        )
        self._apply(posting, request)
        parts = {int(k): Decimal(v) for k, v in posting.details["allocation"].items()}
        for investor, part in parts.items():
            self.called[investor] += part
        return parts

    def contribution(self, on: date, investor: int, amount: Decimal) -> None:
        if self.tx(TransactionType.CONTRIBUTION, on, investor_id=investor, amount=amount) is not None:
            self.contributions.append((investor, amount, on))
            self._refresh_waterfall()

    def distribution(self, on: date, amount: Decimal, mode: DistributionMode) -> None:
        request = DistributionRequest(amount=amount, effective_date=on, mode=mode)
        if mode is DistributionMode.WATERFALL:
            posting = rules.waterfall_distribution(self.terms, self.books, amount=amount, on=on)
        else:
            posting = rules.pro_rata_distribution(self.terms, self.books, amount=amount)
        self._apply(posting, request)
        if mode is DistributionMode.WATERFALL:
            self.waterfall_history.append((on, posting.details))
            self._refresh_waterfall()

    def performance_fee(self, on: date) -> None:
        posting = self.tx(TransactionType.PERFORMANCE_FEE, on)
        if posting is not None:
            hwm = Decimal(posting.details["high_water_mark_after"])
            self.books = replace(self.books, high_water_mark_per_unit=hwm)

    def _refresh_waterfall(self) -> None:
        state = rules.waterfall_state_from_history(self.contributions, self.waterfall_history)
        self.books = replace(self.books, waterfall_state=state)

    # -- cash management
    def raise_cash(self, on: date, needed: Decimal) -> bool:
        """Sell investments (at their marked value: no gain) until cash covers ``needed``."""
        short = needed - self.cash
        if short <= 0:
            return True
        sell = min(self.investments, short + self.buffer())
        if sell > 0:
            self.tx(TransactionType.SALE, on, amount=sell)
        return self.cash >= needed

    def buffer(self) -> Decimal:
        return quantize(max(self.nav, _ZERO) * Decimal("0.02"), self.terms.currency.quantum)

    def invest_surplus(self, on: date) -> None:
        surplus = self.cash - self.buffer()
        if surplus > self.buffer() and surplus > 0:
            self.tx(TransactionType.PURCHASE, on, amount=surplus)


def _rule(
    kind: TransactionType,
    terms: PoolTerms,
    books: PoolBooks,
    request: TransactionRequest,
    price: Decimal | None = None,
) -> Posting:
    investor = request.investor_id or 0
    simple: dict[TransactionType, Callable[..., Posting]] = {
        TransactionType.CONTRIBUTION: lambda: rules.contribution(
            terms, books, investor_id=investor, amount=request.amount
        ),
        TransactionType.SUBSCRIPTION: lambda: rules.subscription(
            terms, books, investor_id=investor, amount=request.amount, price=price
        ),
        TransactionType.REDEMPTION: lambda: rules.redemption(
            terms, books, investor_id=investor, units=request.units, price=price
        ),
        TransactionType.PERFORMANCE_FEE: lambda: rules.performance_fee(terms, books, amount=request.amount),
        TransactionType.FEE_PAYMENT: lambda: rules.fee_payment(terms, books, amount=request.amount),
        TransactionType.INCOME: lambda: rules.income(terms, books, amount=request.amount),
        TransactionType.EXPENSE: lambda: rules.expense(terms, books, amount=request.amount),
        TransactionType.PURCHASE: lambda: rules.purchase(terms, books, amount=request.amount),
        TransactionType.SALE: lambda: rules.sale(terms, books, amount=request.amount, cost=request.cost),
    }
    return simple[kind]()


# -- the calendar -------------------------------------------------------------------------


def _quarter(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3


@dataclass
class _Calendar:
    """Which business days carry a valuation, and which period ends each one closes."""

    days: list[date]
    every_weeks: int

    def valuation_days(self) -> set[date]:
        marked: set[date] = set()
        week_ends: list[date] = []
        for i, day in enumerate(self.days):
            nxt = self.days[i + 1] if i + 1 < len(self.days) else None
            if nxt is None or nxt.isocalendar()[:2] != day.isocalendar()[:2]:
                week_ends.append(day)
            if nxt is None or _quarter(nxt) != _quarter(day):
                marked.add(day)  # every quarter end is valued, for fees and reporting
        marked.update(week_ends[self.every_weeks - 1 :: self.every_weeks])
        marked.add(self.days[-1])
        return marked


# -- open-ended -----------------------------------------------------------------------------


def plan_open_ended(  # noqa: PLR0912, PLR0915 - one pool's life, day by day, reads best in one place
    profile: PoolProfile, rng: random.Random, end: date
) -> PoolPlan:
    pool = profile.pool
    terms = pool_terms(pool)
    quantum = terms.currency.quantum
    plan = PoolPlan(pool.id)
    shadow = Shadow(terms, plan)
    factor = profile.currency_factor
    start = pool.inception_date
    days = business_days(start, end)
    valued = _Calendar(days, profile.valuation_every_weeks).valuation_days()
    waiting = list(profile.holders)
    founders = max(1, len(waiting) // 2)

    def subscribe(on: date, investor: int, low: float, high: float) -> None:
        amount = max(round_amount(rng, low, high, factor, 1000), pool.minimum_subscription)
        shadow.tx(TransactionType.SUBSCRIPTION, on, investor_id=investor, amount=amount)

    for investor in waiting[:founders]:
        subscribe(start, investor, 100_000, 3_000_000)
    waiting = waiting[founders:]
    shadow.invest_surplus(start)
    growth = 1.0
    month = (start.year, start.month)
    for i, day in enumerate(days[1:], start=1):
        growth *= profile.walk.factor(rng, 1)
        if day not in valued:
            continue
        change = quantize(shadow.investments * decimal_of(growth - 1.0), quantum)
        shadow.valuation(day, shadow.nav + change)
        growth = 1.0
        holders = shadow.books.investor_ids(AccountCode.UNITS)
        holders = [h for h in holders if shadow.books.units_of(h) > 0]
        # Money in: a newcomer (while any are waiting) or a top-up.
        if waiting and rng.random() < 0.35:
            subscribe(day, waiting.pop(0), 50_000, 2_000_000)
        elif holders and rng.random() < 0.15:
            subscribe(day, rng.choice(holders), 10_000, 500_000)
        # Money out: part or all of a holding, with cash raised first.
        if len(holders) > 1 and rng.random() < 0.12:
            _redeem(shadow, rng, day, holders, profile.keep)
        if (day.year, day.month) != month:
            month = (day.year, day.month)
            if profile.income_yield and shadow.investments > 0:
                income = quantize(shadow.investments * decimal_of(profile.income_yield / 12), quantum)
                if income > 0:
                    shadow.tx(TransactionType.INCOME, day, amount=income)
        nxt = days[i + 1] if i + 1 < len(days) else None
        if nxt is None or _quarter(nxt) != _quarter(day):
            _quarter_end_open(shadow, rng, day, pool)
        if nxt is None or nxt.year != day.year:
            shadow.performance_fee(day)
            _pay_fees(shadow, day)
            if profile.distributing and shadow.nav > 0:
                amount = quantize(shadow.nav * Decimal("0.025"), quantum)
                if amount > 0 and shadow.raise_cash(day, amount):
                    shadow.distribution(day, amount, DistributionMode.PRO_RATA)
        shadow.invest_surplus(day)
    plan.net_asset_value = shadow.nav
    return plan


def _redeem(shadow: Shadow, rng: random.Random, day: date, holders: list[int], keep: frozenset[int]) -> None:
    investor = rng.choice(holders)
    held = shadow.books.units_of(investor)
    fraction = rng.choice((Decimal("0.1"), Decimal("0.25"), Decimal("0.5"), Decimal(1)))
    if fraction == 1 and investor in keep:
        fraction = Decimal("0.25")
    units = held if fraction == 1 else (held * fraction).quantize(_UNIT, rounding=ROUND_DOWN)
    if units <= 0:
        return
    proceeds = units * shadow.price()
    quantum = shadow.terms.currency.quantum
    if shadow.raise_cash(day, proceeds.quantize(quantum) + quantum):
        shadow.tx(TransactionType.REDEMPTION, day, investor_id=investor, units=units)


def _pay_fees(shadow: Shadow, day: date) -> None:
    owed = shadow.fees_payable
    if owed > 0 and shadow.raise_cash(day, owed):
        shadow.tx(TransactionType.FEE_PAYMENT, day, amount=owed)


def _quarter_end_open(shadow: Shadow, rng: random.Random, day: date, pool: PoolOut) -> None:
    quantum = shadow.terms.currency.quantum
    terms = pool.management_fee
    if terms is not None and shadow.nav > 0 and shadow.books.units_outstanding > 0:
        shadow.management_fee(day)
    if shadow.nav > 0 and shadow.books.units_outstanding > 0:
        cost = quantize(shadow.nav * decimal_of(rng.uniform(0.0002, 0.0008)), quantum)
        if cost > 0 and shadow.raise_cash(day, cost):
            shadow.tx(TransactionType.EXPENSE, day, amount=cost)
    _pay_fees(shadow, day)


# -- closed-ended ---------------------------------------------------------------------------


def plan_closed_ended(  # noqa: PLR0912, PLR0915 - as plan_open_ended
    profile: PoolProfile, rng: random.Random, end: date
) -> PoolPlan:
    pool = profile.pool
    terms = pool_terms(pool)
    quantum = terms.currency.quantum
    plan = PoolPlan(pool.id)
    shadow = Shadow(terms, plan)
    start = pool.inception_date
    days = business_days(start, end)
    valued = _Calendar(days, profile.valuation_every_weeks).valuation_days()
    commitments = shadow.commitments = profile.commitments
    committed = sum(commitments.values(), _ZERO)
    fee_terms = pool.management_fee
    investment_period = start + timedelta(days=3 * 365)
    harvest_from = start + timedelta(days=int(2.5 * 365))
    called_fraction = _ZERO
    owed: dict[date, list[tuple[int, Decimal]]] = defaultdict(list)
    growth = 1.0

    def call(day: date, percent: Decimal) -> None:
        nonlocal called_fraction
        parts = shadow.capital_call(day, percent, commitments)
        called_fraction += percent
        for investor, part in sorted(parts.items()):
            # Most pay within the week; a few take until the due date.
            late = rng.choice((0, 1, 2, 3, 5, 9)) if rng.random() < 0.85 else 13
            pay_on = min(day + timedelta(days=late), end)
            owed[pay_on].append((investor, part))

    call(start, decimal_of(rng.uniform(0.15, 0.25), 2))
    for i, day in enumerate(days):
        for investor, part in owed.pop(day, []):
            shadow.contribution(day, investor, part)
        if i == 0:
            continue
        # Money owed for a date that was not a business day is paid on the next one.
        for missed in sorted(d for d in owed if d < day):
            for investor, part in owed.pop(missed):
                shadow.contribution(day, investor, part)
        growth *= profile.walk.factor(rng, 1)
        if day not in valued:
            continue
        change = quantize(shadow.investments * decimal_of(growth - 1.0), quantum)
        shadow.valuation(day, shadow.nav + change)
        growth = 1.0
        nxt = days[i + 1] if i + 1 < len(days) else None
        if nxt is None or _quarter(nxt) != _quarter(day):
            if fee_terms is not None and shadow.books.investor_ids(AccountCode.CAPITAL):
                shadow.management_fee(day)
            cost = quantize(committed * decimal_of(rng.uniform(0.0001, 0.0004)), quantum)
            if cost > 0 and shadow.raise_cash(day, cost):
                shadow.tx(TransactionType.EXPENSE, day, amount=cost)
            _pay_fees(shadow, day)
            if day < investment_period and called_fraction < Decimal("0.85") and rng.random() < 0.7:
                room = Decimal("0.95") - called_fraction
                call(day, min(room, decimal_of(rng.uniform(0.08, 0.2), 2)))
            if day >= harvest_from and shadow.investments > 0 and rng.random() < 0.6:
                # An exit: part of the portfolio sold at its mark, the proceeds distributed.
                sold = quantize(shadow.investments * decimal_of(rng.uniform(0.08, 0.25)), quantum)
                if sold > 0:
                    shadow.tx(TransactionType.SALE, day, amount=sold)
                amount = shadow.cash - shadow.buffer()
                if amount > 0:
                    shadow.distribution(day, amount, DistributionMode.WATERFALL)
            elif shadow.investments > 0 and rng.random() < 0.3:
                dividend = quantize(shadow.investments * decimal_of(rng.uniform(0.002, 0.01)), quantum)
                if dividend > 0:
                    shadow.tx(TransactionType.INCOME, day, amount=dividend)
        if day < investment_period:
            shadow.invest_surplus(day)
    plan.net_asset_value = shadow.nav
    return plan

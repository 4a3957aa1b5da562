"""A pool's books in memory, for planning its demo history: the shadow the planner consults.

The shadow moves by the same pure posting rules the ledger runs (ledger.posting_rules), so
after every step it knows the exact cash, units and NAV the real books will have. Each
operation it applies is recorded in the pool's plan, in order, for the loader to post through
the TransactionService; an operation that would overdraw the pool is the planner's own bug
and is never recorded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from backend.finance.errors import LedgerInputError
from backend.finance.fees import FeePeriod
from backend.seed.market import quantize
from ledger.interface import (
    AccountCode,
    CapitalCallRequest,
    DealingFacts,
    DistributionMode,
    DistributionRequest,
    EntryType,
    LastEntry,
    PoolBooks,
    PoolFacts,
    PoolTerms,
    Posting,
    TransactionRequest,
    TransactionType,
    ValuationRequest,
    fees_since,
    struck_price,
)
from ledger.interface import posting_rules as rules

Operation = TransactionRequest | CapitalCallRequest | DistributionRequest | ValuationRequest

ZERO = Decimal(0)


@dataclass
class PoolPlan:
    pool_id: int
    operations: list[Operation] = field(default_factory=list)
    postings: int = 0
    """Postings the shadow wrote: what the real books will hold for this pool."""
    net_asset_value: Decimal = ZERO


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
        # What the service reads from the entries that stand (the fees each entry or mark
        # charged, for a performance fee gross of them), read by the ledger's own code.
        self.facts = PoolFacts()

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
        if on is not None:
            self.facts.add(posting.entry_type, on, posting.details)
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
                invested={i: c - returned.get(str(i), ZERO) for i, c in self.called.items()},
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
        """Struck as the service strikes it: the hurdle grows from the day the high-water mark
        was set, and a fee gross of the management fee adds back what was charged since."""
        charged = fees_since(self.facts.fees_charged, self.books, on)
        try:
            posting = rules.performance_fee(self.terms, self.books, on=on, management_fee_since=charged)
        except LedgerInputError:
            return  # no performance fee due: the manager records nothing
        self._apply(posting, TransactionRequest(type=TransactionType.PERFORMANCE_FEE, effective_date=on))
        hwm = Decimal(posting.details["high_water_mark_after"])
        self.books = replace(self.books, high_water_mark_per_unit=hwm, high_water_mark_set_on=on)

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
        return quantize(max(self.nav, ZERO) * Decimal("0.02"), self.terms.currency.quantum)

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

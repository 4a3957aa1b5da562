"""A pool's books kept in memory with the ledger's own posting rules (no database, no tests here).

The report tests replay what these books produce, so every entry has exactly the lines and
workings (``details``) the ledger would store, and the expected figures can be read from the
books themselves (``ledger.posting_rules.PoolBooks``: net asset value, dealing price),
independently of the replay in reports.history.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from backend.finance.money import get_currency
from backend.finance.waterfall import Compounding, WaterfallTerms
from ledger.interface import posting_rules as rules
from ledger.posting_rules import CLOSED_ENDED, OPEN_ENDED, PoolBooks, PoolTerms, Posting
from reports.history import BookEntry

D = Decimal
USD = get_currency("USD")
EUR = get_currency("EUR")
INCEPTION = date(2025, 1, 1)


def open_terms() -> PoolTerms:
    return PoolTerms(
        pool_id=1, kind=OPEN_ENDED, currency=USD, inception_date=INCEPTION, initial_nav_per_unit=D("1.000000")
    )


def closed_terms(compounding: Compounding = Compounding.ANNUAL) -> PoolTerms:
    """8% preferred return, full catch-up, 20% carried interest (the platform's usual terms)."""
    return PoolTerms(
        pool_id=2,
        kind=CLOSED_ENDED,
        currency=EUR,
        inception_date=INCEPTION,
        initial_nav_per_unit=D("1.000000"),
        waterfall=WaterfallTerms(
            currency=EUR,
            preferred_return_rate=D("0.08"),
            compounding=compounding,
            catch_up_rate=D(1),
            carried_interest_rate=D("0.2"),
        ),
    )


@dataclass
class SimulatedBooks:
    """Apply posting rules in order; keep the entries as the report service reads them."""

    terms: PoolTerms
    books: PoolBooks = field(default_factory=lambda: PoolBooks({}))
    entries: list[BookEntry] = field(default_factory=list)
    contributions: list[tuple[int, Decimal, date]] = field(default_factory=list)
    distributions: list[tuple[date, dict[str, Any]]] = field(default_factory=list)
    called: dict[int, Decimal] = field(default_factory=dict)

    def post(self, posting: Posting | None, on: date) -> BookEntry | None:
        """Book a rule's result dated ``on``; None when the rule posted nothing."""
        if posting is None:
            return None
        self.books = self.books.apply(posting.lines)
        details = dict(posting.details)
        if posting.entry_type.value == "contribution":
            self.contributions.append((int(details["investor_id"]), D(details["amount"]), on))
        elif posting.entry_type.value == "distribution" and details.get("mode") == "waterfall":
            self.distributions.append((on, details))
        state = rules.waterfall_state_from_history(self.contributions, self.distributions)
        self.books = replace(self.books, waterfall_state=state)
        n = len(self.entries) + 1
        entry = BookEntry(
            id=n,
            seq=n,
            on=on,
            entry_type=posting.entry_type,
            lines=tuple((line.account, line.investor_id, line.amount) for line in posting.lines),
            details=details,
        )
        self.entries.append(entry)
        return entry

    # -- open-ended -----------------------------------------------------------------------

    def subscribe(self, on: date, investor: int, amount: str) -> BookEntry | None:
        return self.post(
            rules.subscription(self.terms, self.books, investor_id=investor, amount=D(amount)), on
        )

    def redeem(self, on: date, investor: int, units: Decimal) -> BookEntry | None:
        return self.post(rules.redemption(self.terms, self.books, investor_id=investor, units=units), on)

    def pro_rata(self, on: date, amount: str) -> BookEntry | None:
        return self.post(rules.pro_rata_distribution(self.terms, self.books, amount=D(amount)), on)

    def price(self) -> Decimal | None:
        """The dealing price the books would strike now (None without units)."""
        if self.books.units_outstanding <= 0 or self.books.net_asset_value <= 0:
            return None
        return rules.dealing_price(self.terms, self.books)

    # -- closed-ended ---------------------------------------------------------------------

    def call(self, on: date, commitments: dict[int, Decimal], amount: str) -> BookEntry | None:
        posting = rules.capital_call(
            self.terms, commitments=commitments, called=dict(self.called), amount=D(amount), due_date=on
        )
        for holder, part in posting.details["allocation"].items():
            self.called[int(holder)] = self.called.get(int(holder), D(0)) + D(part)
        return self.post(posting, on)

    def contribute(self, on: date, investor: int, amount: str) -> BookEntry | None:
        return self.post(
            rules.contribution(self.terms, self.books, investor_id=investor, amount=D(amount)), on
        )

    def waterfall(self, on: date, amount: str) -> BookEntry | None:
        return self.post(rules.waterfall_distribution(self.terms, self.books, amount=D(amount), on=on), on)

    # -- either ---------------------------------------------------------------------------

    def value(self, on: date, nav: str | Decimal) -> BookEntry | None:
        return self.post(rules.valuation(self.terms, self.books, net_asset_value=D(nav)), on)

    def purchase(self, on: date, amount: str | Decimal) -> BookEntry | None:
        return self.post(rules.purchase(self.terms, self.books, amount=D(amount)), on)

    def sale(self, on: date, amount: str | Decimal) -> BookEntry | None:
        return self.post(rules.sale(self.terms, self.books, amount=D(amount)), on)

    def income(self, on: date, amount: str | Decimal) -> BookEntry | None:
        return self.post(rules.income(self.terms, self.books, amount=D(amount)), on)

    def expense(self, on: date, amount: str | Decimal) -> BookEntry | None:
        return self.post(rules.expense(self.terms, self.books, amount=D(amount)), on)

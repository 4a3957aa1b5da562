"""Dealing in units: the standing subscriptions and redemptions, who holds units since when,
and what a new deal is struck at.

The deals are the history an open-ended pool's units come from: the day units came into issue
(where a mark's fee starts), each holder's holding since (fees charged on days held), and the
batch planner's running view of them (ledger.batch_rows). The price a deal strikes at is the
valuation of its date, read by ledger.forward_pricing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from ledger import posting_rules as rules
from ledger.book_reads import standing_details
from ledger.forward_pricing import DealingFacts, DealPrice, struck_class_rate, struck_price
from ledger.posting_rules import PoolBooks, PoolTerms
from ledger.schemas import EntryType, TransactionRequest, TransactionType

DEAL_TYPES = (EntryType.SUBSCRIPTION, EntryType.REDEMPTION)
"""The entries that issue or cancel units."""


def unit_deal(on: date, kind: EntryType, details: Mapping[str, Any]) -> tuple[date, int, Decimal]:
    """(date, investor, units: + issued, - cancelled) of a subscription or redemption."""
    units = Decimal(details["units"])
    return on, int(details["investor_id"]), units if kind is EntryType.SUBSCRIPTION else -units


def unit_deals(session: Session, pool_id: int) -> list[tuple[date, int, Decimal]]:
    return [
        unit_deal(on, kind, details)
        for _, on, kind, details in standing_details(session, pool_id, DEAL_TYPES)
    ]


def holding_since(session: Session, pool_id: int) -> dict[int, date]:
    """When each unitholder's current holding began (for fees charged on days held)."""
    return rules.holding_since(unit_deals(session, pool_id))


def deal_price(
    terms: PoolTerms, books: PoolBooks, facts: DealingFacts, request: TransactionRequest
) -> DealPrice:
    """What a deal is struck at: the valuation of its date, or the launch price; in a class in
    another currency, that valuation's rate too."""
    if terms.kind != rules.OPEN_ENDED:
        return DealPrice(terms.initial_nav_per_unit)  # the rule refuses the deal with its own message
    if terms.share_classes:
        subscribing = request.type is TransactionType.SUBSCRIPTION
        dealt = rules.dealing_class(
            terms, books, request.investor_id or 0, request.share_class, subscribing=subscribing
        )
        price = struck_price(
            terms.pool_id,
            facts,
            request.effective_date,
            units_outstanding=books.units_outstanding,
            share_class=dealt.class_id,
        )
        rate = None
        if dealt.currency != terms.currency:
            rate = struck_class_rate(
                terms.pool_id, facts, request.effective_date, dealt.class_id, dealt.currency.code
            )
        return DealPrice(dealt.initial_nav_per_unit if price is None else price, rate)
    price = struck_price(
        terms.pool_id, facts, request.effective_date, units_outstanding=books.units_outstanding
    )
    return DealPrice(terms.initial_nav_per_unit if price is None else price)

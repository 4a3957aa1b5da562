"""Posting rules: what each transaction type writes to a pool's books.

Pure functions. Each takes the pool's terms (:class:`PoolTerms`), a snapshot of its
balances (:class:`PoolBooks`) and the request's figures, and returns a :class:`Posting`:
the entry type, the signed lines (debit positive) and the figures worked out on the way
(dealing price, units, allocation, waterfall tiers), which are stored with the entry so an
auditor sees how each number came about. Nothing here touches the database; the ledger
service loads the snapshot, applies a rule and hands the lines to the journal engine, which
checks balance, precision and overdrafts again under its locks.

The chart of accounts (debit-positive balances):

=====================  ===========  =======================================================
account                normal side  meaning
=====================  ===========  =======================================================
cash                   debit        the pool's bank balance
investments            debit        the pool's investments at fair value
call_receivable/<i>    debit        called but not yet paid by investor i
fees_payable           credit       fees accrued to the manager, not yet paid
capital/<i>            credit       investor i's capital account: what i's stake is worth
rounding_residue       credit       dealing residue, owned by the pool as a whole
units/<i>              debit        units held by investor i (commodity UNITS)
units_outstanding      credit       contra account of the unit register (commodity UNITS)
=====================  ===========  =======================================================

Every gain, loss, income, expense and fee is allocated to the capital accounts in the same
entry, so at all times: net asset value = assets - liabilities = sum of capital accounts +
rounding residue, to the cent, and units outstanding = sum of units held.
"""

from __future__ import annotations

from ledger.posting_rules.books import (
    CLOSED_ENDED,
    OPEN_ENDED,
    Line,
    PoolBooks,
    PoolTerms,
    Posting,
    dealing_price,
    investor_value,
    ownership_weights,
)
from ledger.posting_rules.capital import capital_call, contribution, contribution_reads
from ledger.posting_rules.class_performance_fees import class_performance_fee
from ledger.posting_rules.closings import subsequent_close
from ledger.posting_rules.deal_distributions import DealBook, clawback, deal_book, deal_distribution
from ledger.posting_rules.dealing import redemption, subscription, subscription_reads
from ledger.posting_rules.distributions import (
    carry_to_date,
    pro_rata_distribution,
    waterfall_distribution,
    waterfall_state_from_history,
)
from ledger.posting_rules.fee_offsets import portfolio_company_fee, stated_memo
from ledger.posting_rules.fee_rules import (
    accrued_management_fee,
    holding_since,
    management_fee,
    mark_fee_accrues_from,
    units_in_issue_since,
)
from ledger.posting_rules.performance_fees import fee_payment, performance_fee
from ledger.posting_rules.pool_activity import expense, income, purchase, sale, valuation
from ledger.posting_rules.share_classes import (
    ClassPosition,
    class_high_water_mark,
    class_positions,
    dealing_class,
    lots_after_redemption,
)

__all__ = [
    "CLOSED_ENDED",
    "OPEN_ENDED",
    "ClassPosition",
    "DealBook",
    "Line",
    "PoolBooks",
    "PoolTerms",
    "Posting",
    "accrued_management_fee",
    "capital_call",
    "carry_to_date",
    "class_high_water_mark",
    "class_performance_fee",
    "class_positions",
    "clawback",
    "contribution",
    "contribution_reads",
    "deal_book",
    "deal_distribution",
    "dealing_class",
    "dealing_price",
    "expense",
    "fee_payment",
    "holding_since",
    "income",
    "investor_value",
    "lots_after_redemption",
    "management_fee",
    "mark_fee_accrues_from",
    "ownership_weights",
    "performance_fee",
    "portfolio_company_fee",
    "pro_rata_distribution",
    "purchase",
    "redemption",
    "sale",
    "stated_memo",
    "subscription",
    "subscription_reads",
    "subsequent_close",
    "units_in_issue_since",
    "valuation",
    "waterfall_distribution",
    "waterfall_state_from_history",
]

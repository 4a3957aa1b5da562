"""Which transactions a pool accepts, checked before any posting rule runs.

A pool's lifecycle status narrows what a manager may still record: a closed pool takes no
new money in, a liquidating one only pays money out (and marks, fees and income), a
liquidated pool's books are closed. Every entry falls between the pool's inception and
today. Subscriptions, redemptions and contributions name their investor, and money in
needs that investor to be KYC-approved. The single write (ledger.transactions), each batch
row (ledger.batch_rows) and the previews (ledger.previews) apply the same checks.
"""

from __future__ import annotations

from datetime import date

from backend.pools.interface import PoolOut, PoolStatus
from ledger.schemas import TransactionType

# What each pool status still allows. Closed: no new money in; liquidating: only money out.
ALLOWED: dict[PoolStatus, frozenset[str]] = {
    PoolStatus.OPEN: frozenset(
        {*TransactionType, "capital_call", "valuation", "subsequent_close", "clawback"}
    ),
    PoolStatus.CLOSED: frozenset(
        {*TransactionType, "capital_call", "valuation", "clawback"} - {"subscription"}
    ),
    PoolStatus.LIQUIDATING: frozenset(
        {
            "redemption",
            "distribution",
            "sale",
            "expense",
            "income",
            "management_fee",
            "performance_fee",
            "fee_payment",
            "valuation",
            "contribution",
            "portfolio_company_fee",
            "clawback",
        }
    ),
    PoolStatus.LIQUIDATED: frozenset(),
}
MONEY_IN = frozenset({"subscription", "contribution"})
"""The transactions that take an investor's money in: the investor must be KYC-approved."""
NEEDS_INVESTOR = frozenset({"subscription", "redemption", "contribution"})


def refusal(pool: PoolOut, kind: str, on: date, today: date) -> tuple[str, str] | None:
    """(field, reason) if the pool does not accept a `kind` dated `on` now; None if it does."""
    if kind not in ALLOWED[pool.status]:
        return ("type", f"a {kind} is not accepted while pool {pool.id} is {pool.status.value}")
    if on < pool.inception_date:
        return ("effective_date", f"{on} is before the pool's inception on {pool.inception_date}")
    if on > today:
        return ("effective_date", f"{on} is in the future")
    return None

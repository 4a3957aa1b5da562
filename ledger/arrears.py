"""Arrears on capital calls: what an investor owes past its due date.

A contribution settles the investor's oldest call first (the order a bank statement would be
matched in), so what stays unpaid is the newest part. An investor with anything unpaid past
its due date is in default. In the books a called, unpaid amount is a receivable, not
capital at work: it earns no share of income or gains (ledger.posting_rules.ownership_weights)
while fees charged on commitments still fall on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal


def overdue(calls: Iterable[tuple[date, Decimal]], paid: Decimal, today: date) -> Decimal:
    """The part of ``calls`` (due date, amount) that ``paid`` has not settled and that fell
    due before ``today``; contributions settle the earliest due first."""
    left = paid
    late = Decimal(0)
    for due, amount in sorted(calls):
        settled = min(left, amount)
        left -= settled
        if due < today:
            late += amount - settled
    return late
